/** Finds ffmpeg and ffprobe: explicit override, else PATH, else the npm-shipped static builds. */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { LotreelError } from '../core/errors.js';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** Where they came from, for the log. */
  source: 'override' | 'path' | 'npm';
}

const INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: `apt-get install ffmpeg`, macOS: `brew install ffmpeg`) or set LOTREEL_FFMPEG and LOTREEL_FFPROBE';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function findNpmShipped(pkg: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const found = (require(pkg) as { path?: string }).path;
    return found && isExecutable(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

export function locateFfmpeg(
  overrides: { ffmpegPath?: string; ffprobePath?: string } = {},
  pathEnv: string | undefined = process.env.PATH,
): FfmpegBinaries {
  if (overrides.ffmpegPath || overrides.ffprobePath) {
    const ffmpeg = overrides.ffmpegPath ?? findOnPath('ffmpeg', pathEnv) ?? findNpmShipped('@ffmpeg-installer/ffmpeg');
    const ffprobe = overrides.ffprobePath ?? findOnPath('ffprobe', pathEnv) ?? findNpmShipped('@ffprobe-installer/ffprobe');
    for (const [name, file] of [['LOTREEL_FFMPEG', ffmpeg], ['LOTREEL_FFPROBE', ffprobe]] as const) {
      if (!file || !isExecutable(file)) {
        throw new LotreelError('FFMPEG_MISSING', `${name} does not point at an executable file (${file ?? 'unset'}); ${INSTALL_HINT}`);
      }
    }
    return { ffmpeg: ffmpeg!, ffprobe: ffprobe!, source: 'override' };
  }
  const ffmpegOnPath = findOnPath('ffmpeg', pathEnv);
  const ffprobeOnPath = findOnPath('ffprobe', pathEnv);
  if (ffmpegOnPath && ffprobeOnPath) return { ffmpeg: ffmpegOnPath, ffprobe: ffprobeOnPath, source: 'path' };
  const ffmpeg = findNpmShipped('@ffmpeg-installer/ffmpeg');
  const ffprobe = findNpmShipped('@ffprobe-installer/ffprobe');
  if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source: 'npm' };
  throw new LotreelError('FFMPEG_MISSING', `ffmpeg and ffprobe were not found; ${INSTALL_HINT}`);
}

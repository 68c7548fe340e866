/** Command-line parsing (pure): argv in, a typed command out, or an INVALID_ARGUMENT error. */
import { parseArgs } from 'node:util';
import { DEVICES, type Device } from '../config/config.js';
import { LotreelError } from '../errors.js';

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'version' }
  | { kind: 'process'; file: string; outDir: string | undefined; json: boolean; device: Device | undefined; maxPhotos: number | undefined; verbose: boolean }
  | { kind: 'models-pull'; ids: string[]; verbose: boolean }
  | { kind: 'models-list'; json: boolean; verbose: boolean };

export const USAGE = `lotreel: a dealer's walkaround video in, one listing draft per car out

Usage:
  lotreel process VIDEO [--out DIR] [--json] [--device auto|cpu|cuda] [--max-photos N] [--verbose]
  lotreel models list [--json]     the models lotreel uses and whether they are present
  lotreel models pull [ID ...]     download missing models (all, or these ids / CLIP families) from upstream (needs internet)
  lotreel --help | --version

process:
  --out DIR         where photos and clips go (default: ./lotreel-<video name>)
  --json            print the result as JSON on stdout (no progress bars)
  --device D        auto (CUDA if it loads, else CPU), cpu, or cuda (error if CUDA cannot load)
  --max-photos N    photos per car, 1..60 (default 12)
  --verbose         debug log and stack traces on stderr

Environment: LOTREEL_DATA_DIR, DATABASE_URL, LOTREEL_MODELS_DIR, LOTREEL_FFMPEG, LOTREEL_FFPROBE,
LOTREEL_DEVICE, LOTREEL_LOG_LEVEL (see README).
Exit status: 0 done, 2 bad input or arguments, 3 missing ffmpeg/model/device, 4 database, 130 interrupted, 1 other.`;

const invalid = (message: string) => new LotreelError('INVALID_ARGUMENT', message);

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        out: { type: 'string', short: 'o' },
        json: { type: 'boolean' },
        device: { type: 'string' },
        'max-photos': { type: 'string' },
        verbose: { type: 'boolean' },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node's own message adds a long hint about positionals after '--' (with mismatched quotes).
    const unknown = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']+)'/.exec(message) : null;
    throw invalid(unknown ? `unknown option ${unknown[1]} (see lotreel --help)` : message);
  }
  const { values, positionals } = parsed;
  if (values.version) return { kind: 'version' };
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined || verb === 'help') return { kind: 'help', topic: verb === 'help' ? rest[0] : verb };
  const verbose = values.verbose ?? false;
  if (verb === 'process') {
    if (rest.length !== 1) throw invalid(`process takes exactly one video file (got ${rest.length})`);
    const device = values.device;
    if (device !== undefined && !(DEVICES as readonly string[]).includes(device)) {
      throw invalid(`--device must be one of ${DEVICES.join(', ')} (got "${device}")`);
    }
    let maxPhotos: number | undefined;
    if (values['max-photos'] !== undefined) {
      maxPhotos = Number(values['max-photos']);
      if (!Number.isInteger(maxPhotos) || maxPhotos < 1 || maxPhotos > 60) throw invalid(`--max-photos must be a whole number from 1 to 60 (got "${values['max-photos']}")`);
    }
    return { kind: 'process', file: rest[0], outDir: values.out, json: values.json ?? false, device: device as Device | undefined, maxPhotos, verbose };
  }
  if (verb === 'models') {
    if (rest[0] === 'pull') return { kind: 'models-pull', ids: rest.slice(1), verbose };
    if ((rest[0] === 'list' || rest[0] === undefined) && rest.length <= 1) return { kind: 'models-list', json: values.json ?? false, verbose };
    throw invalid(`unknown models command "${rest.join(' ')}" (use: models list | models pull)`);
  }
  throw invalid(`unknown command "${verb}" (see lotreel --help)`);
}

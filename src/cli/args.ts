/** Command-line parsing (pure): argv in, a typed command out, or an INVALID_ARGUMENT error. */
import { parseArgs } from 'node:util';
import { DEVICES, type Device } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import { parseReelFormats, type ReelFormat } from '../reel/reel-plan.js';

/** Every command may name a settings file (`--config FILE`), read instead of LOTREEL_CONFIG. */
export type Command = VerbCommand & { configFile?: string };

type VerbCommand =
  | { kind: 'help'; topic?: string }
  | { kind: 'version' }
  | { kind: 'process'; file: string; outDir: string | undefined; json: boolean; device: Device | undefined; maxPhotos: number | undefined; verbose: boolean; blurPlates: false | undefined; reels?: ReelFormat[]; music?: string }
  | { kind: 'reel-draft'; draft: string; from: string | undefined; format: ReelFormat; out: string | undefined; music: string | undefined; json: boolean; verbose: boolean }
  | { kind: 'reel-photos'; photos: string[]; title: string; facts: string | undefined; format: ReelFormat; out: string | undefined; music: string | undefined; json: boolean; verbose: boolean }
  | { kind: 'eval'; dir: string; json: boolean; device: Device | undefined; verbose: boolean }
  | { kind: 'models-pull'; ids: string[]; verbose: boolean }
  | { kind: 'models-list'; json: boolean; verbose: boolean }
  | { kind: 'eval-feedback'; json: boolean; verbose: boolean }
  | { kind: 'serve'; port: number | undefined; host: string | undefined; worker: boolean; verbose: boolean }
  | { kind: 'worker'; verbose: boolean }
  | { kind: 'dealers-add'; name: string; verbose: boolean }
  | { kind: 'dealers-list'; json: boolean; verbose: boolean }
  | { kind: 'export'; dealer: string; video: string | undefined; format: 'csv' | 'json'; verbose: boolean };

export const USAGE = `lotreel: a dealer's walkaround video in, one listing draft per car out

Usage:
  lotreel process VIDEO [--out DIR] [--json] [--device auto|cpu|cuda|webgpu] [--max-photos N] [--no-blur-plates] [--verbose]
  lotreel eval DIR [--json] [--device D]   per-component figures on a labelled folder (DIR/labels.json, see docs/evaluation.md)
  lotreel models list [--json]     the models lotreel uses and whether they are present
  lotreel models pull [ID ...]     download missing models (all, or these ids / CLIP families) from upstream (needs internet)
  lotreel eval --feedback [--json] the sellers' corrections as accuracy figures (make/model, cover, photos, cars merged/split)
  lotreel serve [--port N] [--host H] [--no-worker]
                                   the dealer HTTP API (default port 8080 or PORT) and a worker
  lotreel worker                   workers only: process queued videos
  lotreel dealers add NAME         a new dealer; prints its API token on the last line
  lotreel dealers list [--json]
  lotreel export --dealer NAME [--video ID] [--format csv|json]
                                   the dealer's inventory feed (all videos, or one) on stdout
  lotreel reel PHOTO... --title TEXT [--facts FILE] [--format vertical|horizontal|square] [--out FILE] [--music FILE]
                                   a 12-30 s video of an ad's photos (docs/reels.md)
  lotreel reel --draft ID [--from DIR] [--format F] [--out FILE] [--music FILE]
                                   the same for a draft stored in the database (--from: the --out
                                   folder of lotreel process, for one of its drafts)
  lotreel --help | --version

Every command: --config FILE   a JSON settings file (analysis and editor, see docs/settings.md);
                               replaces LOTREEL_CONFIG; flags such as --max-photos override it

process:
  --out DIR         where photos and clips go (default: ./lotreel-<video name>)
  --json            print the result as JSON on stdout (no progress bars)
  --device D        auto (CUDA if it loads, else CPU), cpu, cuda or webgpu (an error if that one cannot
                    load; never a silent fallback)
  --max-photos N    photos per car, 1..60 (default 12; photos.maxPhotos in the settings file)
  --no-blur-plates  leave licence plates unblurred in the photos (blurred by default; originals kept;
                    plates.blur in the settings file)
  --reel FORMATS    also render each car's reel: vertical, horizontal and/or square, comma-separated
                    (car-N/reel-<format>.mp4, listed in cars[].reels); --music FILE goes under it
  --verbose         debug log and stack traces on stderr

Environment: LOTREEL_DATA_DIR, DATABASE_URL, LOTREEL_MODELS_DIR, LOTREEL_FFMPEG, LOTREEL_FFPROBE,
LOTREEL_DEVICE, LOTREEL_LOG_LEVEL, LOTREEL_CONFIG (see docs/cli.md).
Exit status: 0 done, 2 bad input or arguments, 3 missing ffmpeg/model/device, 4 database, 130 interrupted, 1 other.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  device: { type: 'string' },
  'max-photos': { type: 'string' },
  'no-blur-plates': { type: 'boolean' },
  verbose: { type: 'boolean' },
  feedback: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'no-worker': { type: 'boolean' },
  dealer: { type: 'string' },
  video: { type: 'string' },
  format: { type: 'string' },
  config: { type: 'string' },
  reel: { type: 'string' },
  title: { type: 'string' },
  facts: { type: 'string' },
  draft: { type: 'string' },
  music: { type: 'string' },
  from: { type: 'string' },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (message: string) => new LotreelError('INVALID_ARGUMENT', message);

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node's own message adds a long hint about positionals after '--' (with mismatched quotes).
    const unknown = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']+)'/.exec(message) : null;
    throw invalid(unknown ? `unknown option ${unknown[1]} (see lotreel --help)` : message);
  }
  const { values, positionals } = parsed;
  if (values.config !== undefined && values.config.trim() === '') throw invalid('--config needs a file name');
  const command = verbCommand(values, positionals);
  return values.config === undefined ? command : { ...command, configFile: values.config };
}

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

function verbCommand(values: ParsedValues, positionals: readonly string[]): VerbCommand {
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
    const reels = values.reel === undefined ? {} : { reels: parseReelFormats(values.reel), ...(values.music ? { music: values.music } : {}) };
    return { kind: 'process', file: rest[0], outDir: values.out, json: values.json ?? false, device: device as Device | undefined, maxPhotos, verbose, blurPlates: values['no-blur-plates'] ? false : undefined, ...reels };
  }
  if (verb === 'reel') return reelCommand(values, rest, verbose);
  if (verb === 'eval' && values.feedback && rest.length === 0) return { kind: 'eval-feedback', json: values.json ?? false, verbose };
  if (verb === 'eval') {
    if (rest.length !== 1) throw invalid(`eval takes exactly one folder (got ${rest.length})`);
    const device = values.device;
    if (device !== undefined && !(DEVICES as readonly string[]).includes(device)) {
      throw invalid(`--device must be one of ${DEVICES.join(', ')} (got "${device}")`);
    }
    return { kind: 'eval', dir: rest[0], json: values.json ?? false, device: device as Device | undefined, verbose };
  }
  if (verb === 'models') {
    if (rest[0] === 'pull') return { kind: 'models-pull', ids: rest.slice(1), verbose };
    if ((rest[0] === 'list' || rest[0] === undefined) && rest.length <= 1) return { kind: 'models-list', json: values.json ?? false, verbose };
    throw invalid(`unknown models command "${rest.join(' ')}" (use: models list | models pull)`);
  }
  if (verb === 'serve') {
    if (rest.length !== 0) throw invalid('serve takes no arguments');
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!/^\d+$/.test(values.port) || port > 65535) throw invalid(`--port must be a port number 0..65535 (got "${values.port}")`);
    }
    return { kind: 'serve', port, host: values.host, worker: !(values['no-worker'] ?? false), verbose };
  }
  if (verb === 'worker') {
    if (rest.length !== 0) throw invalid('worker takes no arguments');
    return { kind: 'worker', verbose };
  }
  if (verb === 'dealers') {
    if (rest[0] === 'add' && rest.length === 2 && rest[1]!.trim() !== '' && rest[1]!.length <= 200) return { kind: 'dealers-add', name: rest[1]!.trim(), verbose };
    if (rest[0] === 'add') throw invalid('dealers add takes one name (1 to 200 characters), e.g. lotreel dealers add "Main Street Motors"');
    if ((rest[0] === 'list' || rest[0] === undefined) && rest.length <= 1) return { kind: 'dealers-list', json: values.json ?? false, verbose };
    throw invalid(`unknown dealers command "${rest.join(' ')}" (use: dealers add NAME | dealers list)`);
  }
  if (verb === 'export') {
    if (rest.length !== 0) throw invalid('export takes no positional arguments (use --dealer NAME [--video ID])');
    if (!values.dealer) throw invalid('export needs --dealer NAME');
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw invalid(`--format must be csv or json (got "${format}")`);
    return { kind: 'export', dealer: values.dealer, video: values.video, format, verbose };
  }
  throw invalid(`unknown command "${verb}" (see lotreel --help)`);
}

function reelCommand(values: ParsedValues, photos: readonly string[], verbose: boolean): VerbCommand {
  const formats = parseReelFormats(values.format ?? 'vertical');
  if (formats.length !== 1) throw invalid('reel renders one --format at a time (vertical, horizontal or square)');
  const common = { format: formats[0], out: values.out, music: values.music, json: values.json ?? false, verbose };
  if (values.draft !== undefined) {
    if (photos.length > 0 || values.title !== undefined || values.facts !== undefined) throw invalid('reel --draft ID takes no photos, --title or --facts: the draft has its own');
    if (!UUID.test(values.draft)) throw invalid(`--draft takes a stored draft's id (a UUID), not ${JSON.stringify(values.draft)}`);
    return { kind: 'reel-draft', draft: values.draft.toLowerCase(), from: values.from, ...common };
  }
  if (values.from !== undefined) throw invalid('--from names the folder of a draft made by lotreel process: it goes with reel --draft ID');
  if (photos.length === 0) throw invalid('reel needs --draft ID, or photos and --title TEXT');
  if (!values.title || values.title.trim() === '') throw invalid('a reel of photos needs --title TEXT');
  return { kind: 'reel-photos', photos: [...photos], title: values.title.trim(), facts: values.facts, ...common };
}

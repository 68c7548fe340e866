/** The `lotreel` command: thin; parses, calls the pipeline, renders, maps errors to exit status. */
import { readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { loadConfig, type SettingsInput } from '../config/config.js';
import { asLotreelError, isLotreelError, LotreelError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { runFeedbackEval } from '../eval/feedback-command.js';
import type { FinishedCar, ProcessResult } from '../pipeline/result.js';
import { processIntoFolder } from './process-command.js';
import { addReels, draftReel, photosReel } from './reel-command.js';
import { listModels, pullModels } from '../vision/index.js';
import { runEval } from '../eval/run-eval.js';
import { formatReport } from '../eval/sections.js';
import { parseCommand, USAGE, type Command } from './args.js';
import { exitCodeFor } from './exit-codes.js';
import { createProgressBars } from './progress-bar.js';
import { isServiceCommand, runServiceCommand } from './service-commands.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const spansOf = (segments: readonly { startMs: number; endMs: number }[]) => segments.map((s) => `${(s.startMs / 1000).toFixed(1)}-${(s.endMs / 1000).toFixed(1)} s`).join(', ');

/** A car's draft done before the whole run is (its clip may still be encoding): one line on the terminal, above the progress bar. */
const carDoneLine = (car: FinishedCar, elapsedMs: number) =>
  `car ${car.ordinal} done after ${(elapsedMs / 1000).toFixed(1)} s: ${car.draft.title}, ${car.photos.length} photos, ${spansOf(car.segments)} [${car.draft.status}]${car.replaces ? ` (in place of car ${car.replaces.join(' and ')})` : ''}`;

function summarise(result: ProcessResult): string {
  const lines = [
    `${result.video.file}: ${result.cars.length} car${result.cars.length === 1 ? '' : 's'} in ${(result.video.durationMs / 1000).toFixed(1)} s of video (${result.device.used}, ${(result.timingsMs.total / 1000).toFixed(1)} s)`,
  ];
  for (const car of result.cars) {
    lines.push(`  ${car.draft.title}: ${car.photos.length} photos, ${spansOf(car.segments)} [${car.draft.status}]`);
  }
  lines.push(`photos and clips in ${result.outDir}`);
  return lines.join('\n');
}

async function run(command: Command, abort: AbortController): Promise<number> {
  if (command.kind === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(packageVersion() + '\n');
    return 0;
  }
  // Settings: defaults, then the settings file (--config or LOTREEL_CONFIG), then these flags.
  const overrides: SettingsInput = command.kind === 'process' ? { photos: { maxPhotos: command.maxPhotos }, plates: { blur: command.blurPlates } } : {};
  const config = loadConfig(process.env, { configFile: command.configFile, overrides });
  // While progress bars are on the terminal, log lines wait for the end of the bar on screen.
  const screen: { bars?: ReturnType<typeof createProgressBars> } = {};
  // Human lines unless asked for JSON (`--json`, LOTREEL_LOG_FORMAT=json).
  const logFormat = ('json' in command && command.json) || config.logFormat === 'json' ? 'json' : 'text';
  const log = createLogger(command.verbose ? 'debug' : config.logLevel, (line) => (screen.bars ? screen.bars.print(line) : process.stderr.write(line + '\n')), {}, logFormat);
  if (command.kind === 'models-list') {
    const models = await listModels(config.modelsDir);
    if (command.json) process.stdout.write(JSON.stringify(models, null, 2) + '\n');
    else for (const m of models) process.stdout.write(`${m.id}\t${m.present ? 'present' : 'missing'}\t${m.path}\n`);
    return 0;
  }
  if (command.kind === 'models-pull') {
    const pulled = await pullModels(config.modelsDir, { log, ...(command.ids.length > 0 ? { ids: command.ids } : {}) });
    for (const p of pulled) process.stdout.write(`${p.id}\t${p.action}\t${p.path}\n`);
    return 0;
  }
  if (command.kind === 'eval') {
    const report = await runEval({ dir: command.dir, device: command.device ?? config.device, settings: config.analysis, config, log, signal: abort.signal });
    process.stdout.write(command.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
    return 0;
  }
  if (command.kind === 'eval-feedback') return runFeedbackEval(config, log, command.json);
  if (isServiceCommand(command)) return runServiceCommand(command, config, log, abort.signal);
  if (command.kind === 'reel-photos' || command.kind === 'reel-draft') {
    const outPath = resolve(command.out ?? `reel-${command.format}.mp4`);
    const request = { format: command.format, outPath, musicFile: command.music, config, log, signal: abort.signal };
    const reel = command.kind === 'reel-draft' ? await draftReel(command.draft, request, command.from) : await photosReel(command.photos, command.title, command.facts, request);
    process.stdout.write(command.json ? JSON.stringify(reel, null, 2) + '\n' : `${reel.file}: ${reel.width}x${reel.height}, ${(reel.durationMs / 1000).toFixed(1)} s\n`);
    return 0;
  }
  const file = resolve(command.file);
  const outDir = resolve(command.outDir ?? `lotreel-${basename(file, extname(file))}`);
  const bars = !command.json && process.stderr.isTTY ? createProgressBars(process.stderr) : undefined;
  screen.bars = bars;
  const started = performance.now();
  try {
    const processed = await processIntoFolder({
      file,
      outDir,
      device: command.device ?? config.device,
      settings: config.analysis,
      config,
      log,
      onProgress: bars?.update,
      signal: abort.signal,
      onCarDone: bars && ((car) => bars.say(carDoneLine(car, performance.now() - started))),
    });
    const result = command.reels ? await addReels(processed, command.reels, { musicFile: command.music, config, log, signal: abort.signal }) : processed;
    bars?.finish();
    for (const [k, car] of result.cars.entries()) {
      // Never silent: a car whose plates could not be blurred is held for review, and said so here.
      if (car.platesNotBlurred) process.stderr.write(`lotreel: car ${k + 1} held for review, its plates are not blurred: ${car.platesNotBlurred} (--no-blur-plates publishes without blurring)\n`);
    }
    process.stdout.write(command.json ? JSON.stringify(result, null, 2) + '\n' : summarise(result) + '\n');
    return 0;
  } finally {
    bars?.finish();
  }
}

export async function main(argv: string[]): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let verbose = argv.includes('--verbose');
  try {
    const command = parseCommand(argv);
    verbose = 'verbose' in command && command.verbose;
    return await run(command, abort);
  } catch (thrown) {
    // Ctrl-C on a terminal signals the whole process group: ffmpeg/ffprobe die of SIGINT too, and a stage
    // whose tool died that way (the probe runs without the abort signal) would otherwise report FFMPEG_FAILED.
    const error =
      abort.signal.aborted && !isLotreelError(thrown, 'ABORTED') ? new LotreelError('ABORTED', 'aborted', { cause: thrown }) : asLotreelError(thrown);
    process.stderr.write(`lotreel: ${error.message} [${error.code}]\n`);
    if (verbose) process.stderr.write(`${(thrown instanceof Error && thrown.stack) || String(thrown)}\n`);
    return exitCodeFor(error.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

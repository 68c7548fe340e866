/**
 * End to end: the real `lotreel` command (`node bin/lotreel.js`, i.e. dist/ as built by the global
 * setup) as a child process, with the real ffmpeg, the real YOLOX-Nano model and real databases
 * (PGlite; a PostgreSQL server when DATABASE_URL is set). The docs are the contract (docs/cli.md): the JSON result,
 * exit status, one-line errors, nothing stored on failure, progress bars on a terminal.
 *
 * Each child gets a controlled environment (PATH, HOME in a scratch folder, LOTREEL_DATA_DIR,
 * LOTREEL_MODELS_DIR, DATABASE_URL only where tested). The embedded database is single-process: the
 * test opens it only between CLI runs and closes it again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildPreset, type BuiltWalkaround } from '../../fixtures/walkaround.js';
import { countRows, openDatabase, type Database, type RowCounts } from '../../src/store/index.js';
import { loadModelManifest } from '../../src/vision/manifest.js';
import { cudaProviderStatus } from '../../src/vision/session.js';
import { ffmpeg, makeAudioOnly, makeCorrupt, makeTruncated } from '../helpers/bad-media.js';
import {
  childrenOf,
  cliBin,
  cliEnv,
  describeRun,
  ffmpegProcessesMentioning,
  hasProcFs,
  isRunning,
  pollFor,
  runCli,
  startCli,
  startProcess,
  STACK_FRAME,
  type CliRun,
  type ProcessInfo,
} from '../helpers/cli.js';
import { resultSchema, type Result } from '../helpers/cli-result-schema.js';
import { createScratchDatabase, postgresRequired, postgresUnavailableReason, type ScratchDatabase } from '../helpers/postgres.js';
import { projectRoot, scratchDir, sharedFile, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';

// ---------------------------------------------------------------------------------------------- set-up

const root = scratchDir('e2e-cli');
const home = join(root, 'home');
const modelsDir = yoloxModelDir();
/** Where `--device auto` lands here: CPU unless onnxruntime-node has its CUDA provider installed. */
const cudaAvailable = cudaProviderStatus().available;
const autoDevice = cudaAvailable ? 'cuda' : 'cpu';

const envFor = (dataDir: string, more: { modelsDir?: string; databaseUrl?: string; extra?: Record<string, string> } = {}) =>
  cliEnv({ home, dataDir, modelsDir: more.modelsDir ?? modelsDir, databaseUrl: more.databaseUrl, extra: more.extra });

let singleCar: BuiltWalkaround;
let hardCuts: BuiltWalkaround;
let lotWalk: BuiltWalkaround;

beforeAll(async () => {
  requireFreshBuild();
  await mkdir(home, { recursive: true });
  [singleCar, hardCuts, lotWalk] = await Promise.all([buildPreset('singleCar'), buildPreset('hardCuts'), buildPreset('lotWalk')]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// --------------------------------------------------------------------------------------------- helpers

/** Exit status, exactly one `lotreel: … [CODE]` line on stderr, no stack trace, nothing on stdout. */
function expectOneLineError(run: CliRun, exit: number, code: string): string {
  const context = describeRun(run);
  expect(run.code, context).toBe(exit);
  expect(run.stderr, context).toMatch(new RegExp(`^lotreel: [^\\n]+ \\[${code}\\]\\n$`));
  expect(run.stderr, context).not.toMatch(STACK_FRAME);
  expect(run.stdout, context).toBe('');
  return run.stderr.trimEnd();
}

/**
 * Like expectOneLineError, but the default log level (warn) may put structured log records (one JSON
 * object a line) before the error line: the error itself is still exactly one line, and last.
 */
function expectErrorAfterLogs(run: CliRun, exit: number, code: string): string {
  const context = describeRun(run);
  expect(run.code, context).toBe(exit);
  expect(run.stderr.endsWith('\n'), context).toBe(true);
  const lines = run.stderr.slice(0, -1).split('\n');
  const last = lines.pop()!;
  expect(last, context).toMatch(new RegExp(`^lotreel: .+ \\[${code}\\]$`));
  for (const line of lines) expect(() => JSON.parse(line) as unknown, `a log record: ${line}`).not.toThrow();
  expect(run.stderr, context).not.toMatch(STACK_FRAME);
  expect(run.stdout, context).toBe('');
  return last;
}

/**
 * Without CLIP weights (the shared models folder has none) a successful run says so exactly once on
 * stderr: one warning record naming what is off, nothing else.
 */
function expectClipOffNotice(run: CliRun): void {
  const context = describeRun(run);
  const lines = run.stderr.split('\n').filter(Boolean);
  expect(lines, context).toHaveLength(1);
  const record = JSON.parse(lines[0]) as { level: string; msg: string };
  expect(record.level, context).toBe('warn');
  expect(record.msg, context).toMatch(/^CLIP weights not found: .*view labels.*make and model are off \(run `lotreel models pull`\)$/);
}

/** Parses stdout as exactly one JSON document and checks it against the documented shape (docs/cli.md). */
function parseResult(run: CliRun): Result {
  const context = describeRun(run);
  expect(run.code, context).toBe(0);
  expect(run.stderr, context).not.toMatch(STACK_FRAME);
  expect(run.stdout.endsWith('}\n'), context).toBe(true);
  const json: unknown = JSON.parse(run.stdout); // throws on a second document or trailing text
  const parsed = resultSchema.safeParse(json);
  if (!parsed.success) throw new Error(`the --json result does not have the documented shape (docs/cli.md): ${z.prettifyError(parsed.error)}\n${context}`);
  return parsed.data;
}

async function withEmbeddedDatabase<T>(dataDir: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ dataDir });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const embeddedCounts = (dataDir: string): Promise<RowCounts> => withEmbeddedDatabase(dataDir, (db) => countRows(db));

/** Videos stored in a data folder's embedded database (0 when the database was never created). */
const storedVideos = async (dataDir: string): Promise<number> => (existsSync(join(dataDir, 'db')) ? (await embeddedCounts(dataDir)).videos : 0);

/** car-N entries, run folders and leftover staging folders in an output folder (none when it does not exist). */
function outputEntries(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  const state = join(outDir, '.lotreel');
  const runs = existsSync(state) ? readdirSync(state).filter((e) => e.startsWith('run-')).map((e) => `.lotreel/${e}`) : [];
  return [...readdirSync(outDir).filter((e) => /^car-\d+$/.test(e) || e.startsWith('.lotreel-staging-')), ...runs];
}

const stagingLeftovers = (outDir: string) => outputEntries(outDir).filter((e) => e.startsWith('.lotreel-staging-') || e.endsWith('.staging'));

/** Where the rows of the run shown in outDir point: `.lotreel/run-…` (the folder `car-N` links into). */
const shownRunPrefix = (outDir: string) => `.lotreel/${readlinkSync(join(outDir, '.lotreel', 'current'))}`;

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/**
 * Everything the result names exists under outDir, and the car folders hold exactly that; they show
 * the one run folder left (earlier runs' removed, no staging left).
 */
async function expectFilesWritten(result: Result, outDir: string): Promise<void> {
  expect(outputEntries(outDir).sort()).toEqual([...result.cars.map((_, i) => `car-${i + 1}`), shownRunPrefix(outDir)].sort());
  for (const [i, car] of result.cars.entries()) {
    const folder = `car-${i + 1}`;
    const expected = [...car.photos.map((p) => p.file), ...(car.clip ? [car.clip] : []), `${folder}/draft.md`];
    expect(expected.every((f) => f.startsWith(`${folder}/`)), `${folder}: ${expected.join(', ')}`).toBe(true);
    // The draft beside its photos: its text, and the photos in listing order (the cover first).
    const draft = await readFile(join(outDir, folder, 'draft.md'), 'utf8');
    expect(draft.startsWith(`# ${car.draft.title}\n\n${car.draft.description}\n`), draft).toBe(true);
    expect([...draft.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => `${folder}/${m[1]}`)).toEqual(car.photos.map((p) => p.file));
    // Photos whose plates were blurred keep their unblurred original in originals/, and only those.
    const originals = car.photos.flatMap((p) => (p.original ? [p.original] : []));
    expect(readdirSync(join(outDir, folder)).map((f) => `${folder}/${f}`).sort()).toEqual(
      [...expected, ...(originals.length > 0 ? [`${folder}/originals`] : [])].sort(),
    );
    if (originals.length > 0) {
      expect(readdirSync(join(outDir, folder, 'originals')).map((f) => `${folder}/originals/${f}`).sort()).toEqual([...originals].sort());
    }
    for (const photo of car.photos) {
      const bytes = await readFile(join(outDir, photo.file));
      expect([...bytes.subarray(0, 3)], photo.file).toEqual(JPEG_MAGIC);
    }
    if (car.clip) {
      const clip = await readFile(join(outDir, car.clip));
      expect(clip.length, car.clip).toBeGreaterThan(1000);
      expect(clip.subarray(4, 8).toString('latin1'), `${car.clip} starts with an ftyp box`).toBe('ftyp');
    }
  }
}

/** What the README promises about each car beyond the JSON shape. */
function expectSaneCars(result: Result, maxPhotos: number): void {
  const { video } = result;
  for (const car of result.cars) {
    let previousEnd = -1;
    for (const s of car.segments) {
      expect(s.startMs).toBeLessThan(s.endMs);
      expect(s.startMs).toBeGreaterThanOrEqual(previousEnd);
      expect(s.endMs).toBeLessThanOrEqual(video.durationMs);
      previousEnd = s.endMs;
    }
    expect(car.photos.length).toBeGreaterThanOrEqual(1);
    expect(car.photos.length).toBeLessThanOrEqual(maxPhotos);
    // Cover first, exactly one; stills at full resolution (upright).
    expect(car.photos.filter((p) => p.cover)).toHaveLength(1);
    expect(car.photos[0].cover).toBe(true);
    expect(new Set(car.photos.map((p) => p.file)).size).toBe(car.photos.length);
    for (const p of car.photos) {
      expect(p.timestampMs).toBeLessThanOrEqual(video.durationMs);
      expect([p.width, p.height]).toEqual([video.width, video.height]);
    }
  }
  const ids = result.cars.flatMap((c) => [c.id, c.draft.id]);
  expect(new Set(ids).size).toBe(ids.length);
}

const totals = (result: Result) => ({
  videos: 1,
  cars: result.cars.length,
  segments: result.cars.reduce((n, c) => n + c.segments.length, 0),
  photos: result.cars.reduce((n, c) => n + c.photos.length, 0),
  drafts: result.cars.length,
});

const sortedIds = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

// ------------------------------------------------------------------------------------ a good video

describe('lotreel process: a walkaround video, embedded database', () => {
  const dataDir = join(root, 'data-main');
  const outDir = join(root, 'out-main');
  let first: Result;

  it('--json: exit 0, exactly one JSON document in the README shape, every photo and clip written', async () => {
    const run = await runCli(['process', singleCar.video, '--json', '--out', outDir], { env: envFor(dataDir) });
    first = parseResult(run);
    expectClipOffNotice(run);
    expect(first.video).toMatchObject({
      file: 'singleCar.mp4',
      durationMs: singleCar.truth.durationMs,
      width: 752,
      height: 500,
      fps: 30,
      rotation: 0,
      codec: 'h264',
      bitDepth: 8,
      sampling: 'keyframes', // 1 s GOPs
    });
    // --device auto: CUDA first, then the CPU; every attempt is reported, the last one is what runs.
    expect(first.device).toMatchObject({ requested: 'auto', used: autoDevice, preference: ['cuda', 'cpu'] });
    expect(first.device.attempts.map((a) => a.provider)).toEqual(autoDevice === 'cuda' ? ['cuda'] : ['cuda', 'cpu']);
    expect(first.device.attempts.at(-1)).toMatchObject({ provider: autoDevice, ok: true });
    // No CLIP weights in this run: only the detector and OCR opened sessions.
    expect(first.device.models).toEqual({ yolox: autoDevice, ocr: autoDevice });
    if (!cudaAvailable) expect(first.device.attempts[0]).toMatchObject({ ok: false, skipped: true, error: expect.stringContaining('CUDA provider') });
    expect(first.outDir).toBe(outDir);
    expect(first.warm).toMatchObject({ yolox: false, ocr: false });
    expect(Object.values(first.warm).every((w) => w === false)).toBe(true);
    expect(first.cars).toHaveLength(singleCar.truth.cars.length); // one car
    expectSaneCars(first, 12);
    await expectFilesWritten(first, outDir);
    expect(first.timingsMs.total).toBeGreaterThanOrEqual(first.timingsMs.probe);
  });

  it('the same file again replaces the earlier result: one video row, new car ids, old car folders replaced', async () => {
    expect(first, 'needs the previous test').toBeDefined();
    await writeFile(join(outDir, 'notes.txt'), 'not lotreel’s\n');
    // The settings file asks for 2 photos and a lower JPEG quality; --max-photos overrides its 2.
    const settings = join(root, 'settings-main.json');
    await writeFile(settings, JSON.stringify({ photos: { maxPhotos: 2, jpegQuality: 60 } }));
    const run = await runCli(['process', singleCar.video, '--json', '--out', outDir, '--max-photos', '3', '--config', settings], { env: envFor(dataDir) });
    const second = parseResult(run);
    expectSaneCars(second, 3);
    expect(second.cars[0].photos).toHaveLength(3);
    expect(second.cars.map((c) => c.photos.length).reduce((a, b) => a + b, 0)).toBeLessThan(first.cars.map((c) => c.photos.length).reduce((a, b) => a + b, 0));

    const stored = await withEmbeddedDatabase(dataDir, async (db) => ({
      counts: await countRows(db),
      videos: await db.query<{ id: string; file_name: string; status: string }>('select id, file_name, status from videos'),
      cars: await db.query<{ id: string }>('select id from cars'),
      drafts: await db.query<{ id: string }>('select id from drafts'),
      photos: await db.query<{ file: string }>('select file from photos order by file'),
    }));
    expect(stored.counts).toEqual(totals(second));
    expect(stored.videos).toEqual([{ id: second.videoId, file_name: 'singleCar.mp4', status: 'done' }]);
    expect(sortedIds(stored.cars)).toEqual(second.cars.map((c) => c.id).sort());
    expect(sortedIds(stored.drafts)).toEqual(second.cars.map((c) => c.draft.id).sort());
    // The rows point into the run folder shown as car-N (the same files).
    const shown = shownRunPrefix(outDir);
    expect(stored.photos.map((p) => p.file)).toEqual(second.cars.flatMap((c) => c.photos.map((p) => `${shown}/${p.file}`)).sort());
    for (const p of stored.photos) expect(existsSync(join(outDir, p.file)), p.file).toBe(true);
    const oldIds = first.cars.flatMap((c) => [c.id, c.draft.id]);
    const newIds = second.cars.flatMap((c) => [c.id, c.draft.id]);
    expect(newIds.filter((id) => oldIds.includes(id))).toEqual([]);

    // car-N/ of the earlier run replaced (fewer photos now: no stale 04.jpg…), its run folder removed, nothing else touched.
    await expectFilesWritten(second, outDir);
    expect(await readFile(join(outDir, 'notes.txt'), 'utf8')).toBe('not lotreel’s\n');
  });

  it('a broken OCR model: the car is held for review, said on stderr, its photos not blurred by chance', async () => {
    const broken = join(root, 'broken-ocr');
    await mkdir(broken, { recursive: true });
    const assets = join(projectRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets');
    await copyFile(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), join(broken, 'ch_PP-OCRv4_rec_infer.onnx'));
    await copyFile(join(assets, 'ppocr_keys_v1.txt'), join(broken, 'ppocr_keys_v1.txt'));
    await writeFile(join(broken, 'ch_PP-OCRv4_det_infer.onnx'), 'not a model');
    const run = await runCli(['process', singleCar.video, '--json', '--out', join(root, 'out-broken-ocr'), '--max-photos', '2'], {
      env: envFor(join(root, 'data-broken-ocr'), { extra: { LOTREEL_OCR_MODELS: broken } }),
    });
    const result = parseResult(run);
    for (const car of result.cars) {
      expect(car.draft.status).toBe('needs_review');
      expect(car.platesNotBlurred).toMatch(/OCR models cannot be opened/);
      expect(car.photos.every((p) => p.plates.length === 0 && p.original === null)).toBe(true);
    }
    expect(run.stderr).toMatch(/^lotreel: car 1 held for review, its plates are not blurred: the OCR models cannot be opened: .*--no-blur-plates/m);
  });

  it('without --json and without a terminal: the human summary on stdout, no progress bars', async () => {
    const run = await runCli(['process', singleCar.video, '--out', outDir], { env: envFor(dataDir) });
    expect(run.code, describeRun(run)).toBe(0);
    expectClipOffNotice(run);
    expect(run.stdout).toMatch(new RegExp(`^singleCar\\.mp4: 1 car in 9\\.6 s of video \\(${autoDevice}, \\d+\\.\\d s\\)\\n`));
    expect(run.stdout).toMatch(/^ {2}.+: \d+ photos, \d+\.\d-\d+\.\d s \[needs_review\]$/m);
    expect(run.stdout.endsWith(`photos and clips in ${outDir}\n`)).toBe(true);
    expect(run.stdout).not.toContain('\r');
  });

  const scriptBin = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
  if (!scriptBin) console.warn('[e2e] `script` (util-linux) is not installed: the progress-bar test under a pseudo-terminal is skipped');

  it.skipIf(!scriptBin)('on a terminal: one progress bar per stage, each ending at 100%, then the summary', async () => {
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const command = [process.execPath, cliBin, 'process', singleCar.video, '--out', outDir].map(quote).join(' ');
    // script(1) runs the command on a pseudo-terminal: stdout and stderr both arrive on its stdout.
    const run = await startProcess(scriptBin!, ['-qfec', command, '/dev/null'], { env: { ...envFor(dataDir), SHELL: '/bin/sh' } }).result;
    expect(run.code, describeRun(run)).toBe(0);
    // A car's line, said above the bars as soon as its draft is written, clears the bar's line first.
    const said: string[] = [];
    const lines = run.stdout.replace(/\r\x1b\[2K([^\r]*)\r\n/g, (_, line: string) => (said.push(line), '')).split('\r\n');
    expect(said, run.stdout).toEqual([expect.stringMatching(/^car 1 done after [\d.]+ s: .+, \d+ photos, /)]);
    const bars = lines
      .filter((line) => line.includes('['))
      .filter((line) => /\[[#.]+\]/.test(line))
      .map((line) => line.split('\r').filter(Boolean));
    const stages = bars.map((frames) => frames.at(-1)!.split(/\s+/)[0]);
    expect(stages, run.stdout).toEqual(['probe', 'analyse', 'split', 'photos', 'text', 'clips', 'store']);
    for (const frames of bars) {
      for (const frame of frames) expect(frame).toMatch(/^[a-z]+ +\[[#.]{28}\] +\d{1,3}%$/);
      expect(frames.at(-1), `the last frame of ${frames.at(-1)}`).toMatch(/\[#{28}\] 100%$/);
    }
    expect(run.stdout).toMatch(/analyse +\[#+/);
    const summary = lines.findIndex((l) => l.startsWith('singleCar.mp4: 1 car in 9.6 s of video'));
    expect(summary, run.stdout).toBeGreaterThan(lines.findIndex((l) => l.includes('store')));
    expect(lines).toContain(`photos and clips in ${outDir}`);
    expect(run.stdout).not.toMatch(STACK_FRAME);
  });
});

// ------------------------------------------------------------------------------------------ first run

describe('lotreel process: first run', () => {
  it('a valid video without cars into an --out folder that does not exist yet → exit 0, zero cars, the folder made, the video stored', async () => {
    const dir = join(root, 'no-cars');
    await mkdir(dir, { recursive: true });
    const video = join(dir, 'test-pattern.mp4');
    // A real H.264 file of ffmpeg's test pattern: nothing a detector calls a vehicle.
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '3', '-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', video]);
    const dataDir = join(root, 'data-no-cars');
    const outDir = join(root, 'out-no-cars', 'not', 'there', 'yet');
    const run = await runCli(['process', video, '--json', '--out', outDir], { env: envFor(dataDir) });
    const result = parseResult(run);
    expect(result.cars).toEqual([]);
    expect(result.video).toMatchObject({ file: 'test-pattern.mp4', width: 640, height: 360 });
    expect(existsSync(outDir)).toBe(true);
    await expectFilesWritten(result, outDir);
    expect(await embeddedCounts(dataDir)).toEqual({ videos: 1, cars: 0, segments: 0, photos: 0, drafts: 0 });
  });
});

// ---------------------------------------------------------------------------------------- bad input

describe('lotreel process: bad input → exit 2, one line, nothing stored', () => {
  const dataDir = join(root, 'data-bad'); // the embedded database exists (created below) and stays empty
  const dir = join(root, 'bad-input');
  const files = {
    missing: join(dir, 'no-such-video.mp4'),
    empty: join(dir, 'empty.mp4'),
    text: join(dir, 'notes.mp4'),
    audio: join(dir, 'tone.m4a'),
    image: join(dir, 'photo.jpg'),
    truncated: join(dir, 'truncated.mp4'),
    corrupt: join(dir, 'corrupt.mp4'),
  };

  beforeAll(async () => {
    await mkdir(dir, { recursive: true });
    await Promise.all([
      writeFile(files.empty, ''),
      writeFile(files.text, 'Dear customer, the red Golf is ready for collection.\n'.repeat(20)),
      makeAudioOnly(files.audio),
      copyFile(sharedFile('media/images/darknet-dog-truck-bicycle.jpg'), files.image),
      makeTruncated(singleCar.video, join(dir, 'moov-at-end.mp4'), files.truncated, 0.4),
      makeCorrupt(singleCar.video, join(dir, 'faststart.mp4'), files.corrupt),
      withEmbeddedDatabase(dataDir, async () => undefined), // create and migrate it once
    ]);
  });

  const cases = [
    { name: 'a missing file', file: () => files.missing, code: 'INPUT_MISSING' },
    { name: 'an empty file', file: () => files.empty, code: 'INPUT_EMPTY' },
    { name: 'a text file named .mp4', file: () => files.text, code: 'INPUT_NOT_VIDEO' },
    { name: 'an audio-only .m4a', file: () => files.audio, code: 'INPUT_NOT_VIDEO' },
    { name: 'a JPEG image', file: () => files.image, code: 'INPUT_NOT_VIDEO' },
    { name: 'a truncated mp4 (moov at the end, first 40% kept)', file: () => files.truncated, code: 'INPUT_CORRUPT' },
  ];

  it.each(cases)('$name → [$code]', async ({ file, code }) => {
    const outDir = join(root, `out-bad-${code}-${basename(file())}`);
    const run = await runCli(['process', file(), '--out', outDir, '--json'], { env: envFor(dataDir) });
    const line = expectOneLineError(run, 2, code);
    expect(line, 'the message names the file').toContain(basename(file()));
    expect(outputEntries(outDir)).toEqual([]);
    expect((await embeddedCounts(dataDir)).videos).toBe(0);
  });

  it('--verbose on a bad input adds the stack trace', async () => {
    const run = await runCli(['process', files.text, '--out', join(root, 'out-bad-verbose'), '--verbose'], { env: envFor(dataDir) });
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toMatch(/^lotreel: notes\.mp4 is not a video.* \[INPUT_NOT_VIDEO\]$/m);
    expect(run.stderr).toMatch(STACK_FRAME);
  });

  it('a corrupted mp4 (random bytes over the middle of a faststart copy): a result or exit 2, never a crash', async () => {
    // The index is intact and only some frames are garbage, so decoding with glitches is acceptable;
    // what is not: exit 1, a stack trace, or a half-stored result.
    const outDir = join(root, 'out-bad-corrupt');
    const before = await embeddedCounts(dataDir);
    const run = await runCli(['process', files.corrupt, '--out', outDir, '--json'], { env: envFor(dataDir) });
    const after = await embeddedCounts(dataDir);
    expect([0, 2], describeRun(run)).toContain(run.code);
    if (run.code === 0) {
      const result = parseResult(run);
      expectSaneCars(result, 12);
      await expectFilesWritten(result, outDir);
      expect(after).toEqual({
        videos: before.videos + 1,
        cars: before.cars + result.cars.length,
        segments: before.segments + totals(result).segments,
        photos: before.photos + totals(result).photos,
        drafts: before.drafts + result.cars.length,
      });
    } else {
      expectOneLineError(run, 2, 'INPUT_CORRUPT');
      expect(after).toEqual(before);
      expect(outputEntries(outDir)).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------- arguments and environment

describe('lotreel: bad arguments, configuration, device, model, database', () => {
  const dataDir = join(root, 'data-env');
  const outDir = join(root, 'out-env');

  it.each([
    { args: ['--bogus'], says: 'unknown option --bogus' },
    { args: ['--device', 'tpu'], says: 'tpu' },
    { args: ['--max-photos', '0'], says: '--max-photos' },
    { args: ['--max-photos', '2.5'], says: '--max-photos' },
  ])('process VIDEO $args → exit 2 [INVALID_ARGUMENT]', async ({ args, says }) => {
    const run = await runCli(['process', singleCar.video, '--out', outDir, ...args], { env: envFor(dataDir) });
    expect(expectOneLineError(run, 2, 'INVALID_ARGUMENT')).toContain(says);
    expect(existsSync(join(dataDir, 'db'))).toBe(false);
  });

  it('process without a video → exit 2 [INVALID_ARGUMENT]', async () => {
    expectOneLineError(await runCli(['process'], { env: envFor(dataDir) }), 2, 'INVALID_ARGUMENT');
  });

  it('a settings file with a typo and a bad value, and a bad environment value: all in one line → exit 2 [INVALID_CONFIG]', async () => {
    const settings = join(root, 'settings-bad.json');
    await writeFile(settings, JSON.stringify({ photo: { maxPhotos: 2 }, ocr: { minTextScore: 3 } }));
    const env = envFor(dataDir, { extra: { LOTREEL_CONFIG: join(root, 'not-read.json'), LOTREEL_LOG_LEVEL: 'loud' } });
    const line = expectOneLineError(await runCli(['process', singleCar.video, '--out', outDir, '--config', settings], { env }), 2, 'INVALID_CONFIG');
    expect(line).toContain(`${settings}: photo: unknown setting`);
    expect(line).toContain(`${settings}: ocr.minTextScore:`);
    expect(line).toContain('LOTREEL_LOG_LEVEL');
    expect(line).not.toContain('not-read.json');
    expect(existsSync(join(dataDir, 'db'))).toBe(false);
  });

  it('invalid environment values are reported together → exit 2 [INVALID_CONFIG]', async () => {
    const env = envFor(dataDir, { extra: { LOTREEL_DEVICE: 'tpu', LOTREEL_LOG_LEVEL: 'loud' } });
    const line = expectOneLineError(await runCli(['process', singleCar.video, '--out', outDir], { env }), 2, 'INVALID_CONFIG');
    expect(line).toContain('LOTREEL_DEVICE');
    expect(line).toContain('LOTREEL_LOG_LEVEL');
  });

  it.skipIf(cudaAvailable)('--device cuda without the CUDA provider → exit 3 [DEVICE_UNAVAILABLE] saying how to install it', async () => {
    const run = await runCli(['process', singleCar.video, '--out', outDir, '--device', 'cuda'], { env: envFor(dataDir) });
    const line = expectOneLineError(run, 3, 'DEVICE_UNAVAILABLE');
    expect(line).toContain('ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js');
    expect(line).toContain('--device cpu');
    expect(outputEntries(outDir)).toEqual([]);
    expect(await storedVideos(dataDir)).toBe(0);
  });

  it('--device webgpu without a WebGPU adapter → exit 3 [DEVICE_UNAVAILABLE] saying what it needs (or runs on WebGPU where there is one)', async () => {
    const run = await runCli(['process', singleCar.video, '--out', outDir, '--device', 'webgpu', '--json'], { env: envFor(dataDir) });
    if (run.code === 0) {
      expect(JSON.parse(run.stdout).device).toMatchObject({ requested: 'webgpu', used: 'webgpu', preference: ['webgpu'] });
      return;
    }
    // Dawn (onnxruntime's WebGPU) prints its own adapter diagnostics on stderr before our one-line error.
    const context = describeRun(run);
    expect(run.code, context).toBe(3);
    expect(run.stdout, context).toBe('');
    // Dawn's own lines may name its C++ sources ("at InitializeImpl (…/PhysicalDeviceVk.cpp:253)"), but
    // no JavaScript stack frame may leak.
    expect(run.stderr, context).not.toMatch(/^\s+at .+\.(js|mjs|cjs|ts):\d+:\d+\)?$/m);
    const line = run.stderr.trimEnd().split('\n').at(-1)!;
    expect(line).toMatch(/^lotreel: .+ \[DEVICE_UNAVAILABLE\]$/);
    expect(line).toContain('WebGPU was requested but cannot be used');
    expect(line).toContain('--device cpu');
    expect(outputEntries(outDir)).toEqual([]);
    expect(await storedVideos(dataDir)).toBe(0);
  });

  it('no model in LOTREEL_MODELS_DIR → exit 3 [MODEL_MISSING] naming the file and both remedies', async () => {
    const empty = join(root, 'models-empty');
    await mkdir(empty, { recursive: true });
    const run = await runCli(['process', singleCar.video, '--out', outDir], { env: envFor(dataDir, { modelsDir: empty }) });
    const line = expectOneLineError(run, 3, 'MODEL_MISSING');
    expect(line).toContain('yolox_nano.onnx');
    expect(line).toContain('`lotreel models pull`');
    expect(line).toContain('LOTREEL_MODELS_DIR');
    expect(line).toContain(empty);
    expect(outputEntries(outDir)).toEqual([]);
    expect(await storedVideos(dataDir)).toBe(0);
  });

  it('a missing model is reported before anything else is opened: no database created, even an unreachable DATABASE_URL not tried', async () => {
    const empty = join(root, 'models-empty-first');
    await mkdir(empty, { recursive: true });
    const freshDataDir = join(root, 'data-model-first');
    const run = await runCli(['process', singleCar.video, '--out', outDir], { env: envFor(freshDataDir, { modelsDir: empty }) });
    expect(expectOneLineError(run, 3, 'MODEL_MISSING')).toContain('yolox_nano.onnx');
    expect(existsSync(join(freshDataDir, 'db')), 'the embedded database was never created').toBe(false);
    expect(existsSync(join(freshDataDir, 'db.lock'))).toBe(false);
    const unreachable = 'postgres://lotreel@127.0.0.1:1/lotreel';
    const withServer = await runCli(['process', singleCar.video, '--out', outDir], { env: envFor(freshDataDir, { modelsDir: empty, databaseUrl: unreachable }) });
    expectOneLineError(withServer, 3, 'MODEL_MISSING');
    expect(outputEntries(outDir)).toEqual([]);
  });

  it('an unreachable DATABASE_URL → exit 4 [DATABASE_FAILED], password hidden, no embedded db, no car folders', async () => {
    // Port 1 on the loopback interface: refused at once, no server or network needed.
    const url = 'postgres://lotreel:s3cret-pw@127.0.0.1:1/lotreel';
    const freshDataDir = join(root, 'data-unreachable');
    const run = await runCli(['process', singleCar.video, '--out', outDir], { env: envFor(freshDataDir, { databaseUrl: url }) });
    const line = expectErrorAfterLogs(run, 4, 'DATABASE_FAILED'); // the CLIP-off warning may come first
    expect(line).toContain('127.0.0.1:1');
    expect(line).not.toContain('s3cret-pw');
    expect(outputEntries(outDir)).toEqual([]);
    expect(existsSync(join(freshDataDir, 'db'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------- models

describe('lotreel models', () => {
  const manifest = loadModelManifest();
  const spec = manifest.models.find((m) => m.id === 'yolox-nano')!;
  const dataDir = join(root, 'data-models');
  const stub = pathToFileURL(fileURLToPath(new URL('./fetch-stub.mjs', import.meta.url))).href;
  let server: Server;
  let baseUrl: string;
  /** What the local server answers for an upstream URL. */
  let answer: (url: string) => { status: number; body: Uint8Array };
  let modelBytes: Buffer;

  beforeAll(async () => {
    modelBytes = await readFile(join(modelsDir, 'yolox_nano.onnx'));
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('url') ?? '';
      const { status, body } = answer(url);
      res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const listJson = async (dir: string) => {
    const run = await runCli(['models', 'list', '--json'], { env: envFor(dataDir, { modelsDir: dir }) });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as { id: string; file: string; path: string; present: boolean; checksumOk?: boolean; size?: number }[];
  };

  /** `models pull` with fetch replaced (fetch-stub.mjs): no request leaves this machine. */
  // Only YOLOX: the CLIP files' published hashes cannot be served by a local server.
  const pull = (dir: string, fetchMode: string, log: string) =>
    runCli(['models', 'pull', 'yolox-nano'], {
      env: envFor(dataDir, { modelsDir: dir, extra: { LOTREEL_E2E_FETCH: fetchMode, LOTREEL_E2E_FETCH_LOG: log } }),
      nodeArgs: ['--import', stub],
    });

  const requested = async (log: string) => (existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean) : []);
  const partFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.part')) : []);

  it('models list --json: yolox-nano present (checksum ok) in the shared folder, missing in an empty one', async () => {
    const present = await listJson(modelsDir);
    // The CLIP family's files are listed too; the shared folder has no CLIP weights.
    const clipIds = ['clip-vit-base-patch32-vision', 'clip-vit-base-patch32-text', 'clip-vit-base-patch32-vocab', 'clip-vit-base-patch32-merges'];
    expect(present).toEqual([
      expect.objectContaining({ id: 'yolox-nano', file: 'yolox_nano.onnx', path: join(modelsDir, 'yolox_nano.onnx'), present: true, checksumOk: true, size: modelBytes.length }),
      ...clipIds.map((id) => expect.objectContaining({ id, present: false })),
    ]);
    const empty = join(root, 'models-list-empty');
    await mkdir(empty, { recursive: true });
    expect((await listJson(empty))[0]).toEqual(expect.objectContaining({ id: 'yolox-nano', path: join(empty, 'yolox_nano.onnx'), present: false }));
  });

  it('models list (text): one tab-separated line per model', async () => {
    const run = await runCli(['models', 'list'], { env: envFor(dataDir) });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`yolox-nano\tpresent\t${join(modelsDir, 'yolox_nano.onnx')}`);
    expect(run.stdout).toContain(`clip-vit-base-patch32-vision\tmissing\t${join(modelsDir, 'clip-vit-base-patch32-vision.onnx')}\n`);
  });

  it('models pull offline → exit 3 [MODEL_DOWNLOAD] after trying every upstream URL, nothing left behind', async () => {
    const dir = join(root, 'models-offline');
    const log = join(root, 'fetch-offline.log');
    const line = expectErrorAfterLogs(await pull(dir, 'offline', log), 3, 'MODEL_DOWNLOAD');
    expect(line).toContain('yolox_nano.onnx');
    expect(line).toContain('LOTREEL_MODELS_DIR');
    expect(await requested(log)).toEqual(spec.urls);
    expect(existsSync(join(dir, 'yolox_nano.onnx'))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('models pull from a local server: falls back to the second URL, checks the sha256, moves the file into place', async () => {
    const dir = join(root, 'models-pull');
    const log = join(root, 'fetch-pull.log');
    answer = (url) => (url === spec.urls[0] ? { status: 404, body: new TextEncoder().encode('not here') } : { status: 200, body: modelBytes });
    const run = await pull(dir, `redirect:${baseUrl}`, log);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toBe(`yolox-nano\tdownloaded\t${join(dir, 'yolox_nano.onnx')}\n`);
    expect(await requested(log)).toEqual(spec.urls);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(join(dir, 'yolox_nano.onnx')))).toBe(sha(modelBytes));
    expect(partFiles(dir)).toEqual([]);
    expect((await listJson(dir))[0]).toEqual(expect.objectContaining({ id: 'yolox-nano', present: true, checksumOk: true }));

    // Present now: a second pull downloads nothing.
    const again = await pull(dir, `redirect:${baseUrl}`, log);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout).toBe(`yolox-nano\tpresent\t${join(dir, 'yolox_nano.onnx')}\n`);
    expect(await requested(log)).toEqual(spec.urls);
  });

  it('models pull when every URL serves the wrong bytes → exit 3 [MODEL_CHECKSUM], no model file left', async () => {
    const dir = join(root, 'models-bad-bytes');
    const log = join(root, 'fetch-bad.log');
    answer = () => ({ status: 200, body: modelBytes.subarray(0, 4096) });
    const line = expectErrorAfterLogs(await pull(dir, `redirect:${baseUrl}`, log), 3, 'MODEL_CHECKSUM');
    expect(line).toContain('yolox_nano.onnx');
    expect(await requested(log)).toEqual(spec.urls);
    expect(existsSync(join(dir, 'yolox_nano.onnx'))).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------ real PostgreSQL

const postgresMissing = postgresUnavailableReason();

if (postgresMissing && postgresRequired()) {
  describe('lotreel process on a real PostgreSQL server', () => {
    it('needs DATABASE_URL in CI', () => {
      throw new Error(`${postgresMissing}: CI must run the e2e tests against a real PostgreSQL server`);
    });
  });
} else if (postgresMissing) {
  describe('lotreel process on a real PostgreSQL server', () => {
    it.skip(`skipped: ${postgresMissing}`, () => {});
  });
} else {
  describe('lotreel process on a real PostgreSQL server (DATABASE_URL)', () => {
    const dataDir = join(root, 'data-postgres');
    const outDir = join(root, 'out-postgres');
    let database: ScratchDatabase;

    beforeAll(async () => {
      database = await createScratchDatabase(process.env.DATABASE_URL!, 'lotreel_e2e');
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('process hardCuts.mp4 --json: 1 video and 3 cars with their segments, photos and drafts on the server; no embedded db', async () => {
      const run = await runCli(['process', hardCuts.video, '--json', '--out', outDir], { env: envFor(dataDir, { databaseUrl: database.url }) });
      const result = parseResult(run);
      expect(result.cars).toHaveLength(3);
      expectSaneCars(result, 12);
      await expectFilesWritten(result, outDir);

      const client = await database.connect();
      try {
        const q = async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[];
        expect(await q('select id, file_name, status from videos')).toEqual([{ id: result.videoId, file_name: 'hardCuts.mp4', status: 'done' }]);
        const cars = await q<{ id: string; ordinal: number; clip_file: string | null; segments: number; photos: number }>(
          `select c.id, c.ordinal, c.clip_file,
                  (select count(*)::int from segments s where s.car_id = c.id) as segments,
                  (select count(*)::int from photos p where p.car_id = c.id) as photos
             from cars c where c.video_id = $1 order by c.ordinal`,
          [result.videoId],
        );
        const run = shownRunPrefix(outDir);
        expect(cars).toEqual(
          result.cars.map((c, i) => ({ id: c.id, ordinal: i + 1, clip_file: c.clip && `${run}/${c.clip}`, segments: c.segments.length, photos: c.photos.length })),
        );
        const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        const drafts = await q<{ id: string; car_id: string; title: string; status: string }>('select id, car_id, title, status from drafts');
        expect(drafts.sort(byId)).toEqual(result.cars.map((c) => ({ id: c.draft.id, car_id: c.id, title: c.draft.title, status: c.draft.status })).sort(byId));
        const photos = await q<{ file: string; is_cover: boolean; timestamp_ms: number }>('select file, is_cover, timestamp_ms from photos');
        const byFile = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
        expect(photos.sort(byFile)).toEqual(
          result.cars.flatMap((c) => c.photos.map((p) => ({ file: `${run}/${p.file}`, is_cover: p.cover, timestamp_ms: p.timestampMs }))).sort(byFile),
        );
        for (const p of photos) expect(existsSync(join(outDir, p.file)), p.file).toBe(true);
      } finally {
        await client.end();
      }
      expect(existsSync(join(dataDir, 'db')), 'nothing under LOTREEL_DATA_DIR/db').toBe(false);
      expect(existsSync(join(dataDir, 'db.lock'))).toBe(false);
    });
  });
}

// ------------------------------------------------------------------------------------------- interrupt

describe.skipIf(!hasProcFs)('lotreel process: interrupted', () => {
  const dataDir = join(root, 'data-interrupt'); // created empty below; must stay empty
  let video: string;

  beforeAll(async () => {
    // A private copy, so the ffmpeg processes reading it can be told from other tests' ones.
    video = join(root, 'interrupt', 'lotWalk-private.mp4');
    await mkdir(join(root, 'interrupt'), { recursive: true });
    await copyFile(lotWalk.video, video);
    await withEmbeddedDatabase(dataDir, async () => undefined);
  });

  const ffmpegChildren = (pid: number): ProcessInfo[] => childrenOf(pid).filter((p) => p.comm === 'ffmpeg' || p.comm === 'ffprobe');

  async function expectCleanAbort(run: CliRun, signalledAt: number, seen: ProcessInfo[], outDir: string): Promise<void> {
    // The CLIP-off warning may come first (the models folder has no CLIP weights).
    expectErrorAfterLogs(run, 130, 'ABORTED');
    expect(performance.now() - signalledAt, 'exits within a few seconds of the signal').toBeLessThan(5000);
    // The ffmpeg/ffprobe children it had are gone (not orphaned), and nothing else reads the file.
    const survivors = await pollFor(() => {
      const alive = seen.filter((p) => isRunning(p.pid, p.comm));
      return alive.length === 0 && ffmpegProcessesMentioning(video).length === 0 ? [] : undefined;
    }, 2000, 50);
    expect(survivors, `ffmpeg still running: ${JSON.stringify(ffmpegProcessesMentioning(video).map((p) => p.cmdline.join(' ')))}`).toEqual([]);
    expect(stagingLeftovers(outDir)).toEqual([]);
    expect(outputEntries(outDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'db.lock')), 'the database lock is released').toBe(false);
    expect((await embeddedCounts(dataDir)).videos).toBe(0);
  }

  it('SIGINT ~1.5 s in, while ffmpeg decodes → exit 130 [ABORTED], ffmpeg gone, nothing stored, no staging folder', async () => {
    const outDir = join(root, 'out-interrupt-decode');
    const cli = startCli(['process', video, '--out', outDir], { env: envFor(dataDir) });
    const started = performance.now();
    // At least 1.5 s in, and with an ffmpeg child running, so that there is something to clean up.
    const seen = await pollFor(() => {
      const children = ffmpegChildren(cli.pid).filter((p) => p.comm === 'ffmpeg');
      return performance.now() - started >= 1500 && children.length > 0 ? children : undefined;
    }, 30_000);
    expect(seen, 'an ffmpeg child within 30 s').toBeDefined();
    const signalledAt = performance.now();
    cli.child.kill('SIGINT');
    await expectCleanAbort(await cli.result, signalledAt, seen!, outDir);
  });

  it('Ctrl-C on a terminal (SIGINT to the whole process group) while ffprobe runs → 130 [ABORTED], not FFMPEG_FAILED', async () => {
    const outDir = join(root, 'out-interrupt-group');
    const cli = startCli(['process', video, '--out', outDir], { env: envFor(dataDir), detached: true });
    // The group signal also kills the tools: aim at the probe (ffprobe), the stage that runs without the
    // abort signal; if it is missed, the first ffmpeg child is hit instead (still a valid Ctrl-C).
    const seen = await pollFor(() => {
      const children = ffmpegChildren(cli.pid);
      return children.length > 0 ? children : undefined;
    }, 30_000, 5);
    expect(seen, 'an ffprobe/ffmpeg child within 30 s').toBeDefined();
    const signalledAt = performance.now();
    process.kill(-cli.pid, 'SIGINT');
    const run = await cli.result;
    if (!seen!.some((p) => p.comm === 'ffprobe')) console.warn(`[e2e] Ctrl-C hit ${seen!.map((p) => p.comm).join(', ')}, not the probe`);
    await expectCleanAbort(run, signalledAt, seen!, outDir);
  });

  it('SIGINT while the embedded database is created (first run) → 130, the database closed, unlocked and empty', async () => {
    // The database opens (PGlite creates it: 4-6 s the first time) beside the model, before decoding.
    const freshDataDir = join(root, 'data-interrupt-open');
    const outDir = join(root, 'out-interrupt-open');
    const lock = join(freshDataDir, 'db.lock'); // taken right before PGlite starts creating the database
    const cli = startCli(['process', singleCar.video, '--out', outDir], { env: envFor(freshDataDir) });
    const locked = await pollFor(() => (existsSync(lock) ? true : undefined), 60_000);
    expect(locked, 'the database lock file appeared').toBe(true);
    const signalledAt = performance.now();
    cli.child.kill('SIGINT');
    const run = await cli.result;
    expectErrorAfterLogs(run, 130, 'ABORTED'); // after the CLIP-off warning, if the models were opened first
    // The open is not interruptible: the abort takes effect once the database is ready.
    expect(performance.now() - signalledAt, 'exits within the time a database creation takes').toBeLessThan(15_000);
    expect(existsSync(lock), 'the lock is released').toBe(false);
    expect(outputEntries(outDir)).toEqual([]);
    expect((await embeddedCounts(freshDataDir)).videos).toBe(0);
  });
});

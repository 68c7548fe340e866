/**
 * CLIP throughput and CLIP's cost in the whole pipeline, with a full-size random-weight ViT-B/32 (the
 * fixture generator with ViT-B/32's dimensions: the same graph arithmetic as the real model, so the
 * same speed; no weights need downloading). Reuses the production encoder, CLIP stage and pipeline.
 *
 *   npx tsx benchmarks/clip-throughput.ts [--device cpu|cuda|auto] [--batches 1,4,8,16,32] [--frames 64]
 *                                         [--runs 1] [--no-e2e] [--video FILE] [--clip-threads N]
 *
 * Prints:
 * 1. image-encoder frames/s per batch size (preprocessing and inference per frame), text-encoder texts/s;
 * 2. end to end on the bench1080p fixture (~73 s 1920x1080 30 fps): wall time of a full ffmpeg decode
 *    (`ffmpeg -i VIDEO -f null -`), of `processVideo` with CLIP off, with CLIP on, and with CLIP on but
 *    no text reading (OCR), and the ratios (target: CLIP on within 1.5x of the full decode on a 2-core
 *    CPU), with each run's stage times. The catalogue's text embeddings
 *    are computed (or read from the cache) before timing and reported apart: a first run pays once.
 * Needs ../shared (YOLOX and the EPFL clips). Files go to .lotreel-test/ (the random model is rebuilt
 * when missing, about 600 MB).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { VIT_B32, writeTestClipFamily } from '../fixtures/clip-model.js';
import { projectRoot, sharedRoot } from '../fixtures/paths.js';
import { buildPreset } from '../fixtures/walkaround.js';
import { loadConfig, parseSettings, type Device } from '../src/config/config.js';
import { silentLogger } from '../src/core/log.js';
import { locateFfmpeg } from '../src/media/binaries.js';
import type { Frame } from '../src/media/types.js';
import { ClipStage } from '../src/pipeline/clip-stage.js';
import { processVideo } from '../test/helpers/pipeline.js';
import { openDatabase } from '../src/store/index.js';
import { ClipEncoder } from '../src/vision/clip.js';
import { parseModelManifest } from '../src/vision/manifest.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const device = option('device', 'cpu') as Device;
const batches = option('batches', '1,4,8,16,32').split(',').map(Number);
const frameCount = Number(option('frames', '64'));
const runs = Number(option('runs', '1'));
const binaries = locateFfmpeg({ ffmpegPath: process.env.LOTREEL_FFMPEG, ffprobePath: process.env.LOTREEL_FFPROBE });
const benchRoot = join(projectRoot, '.lotreel-test');
const modelsDir = join(benchRoot, 'bench-clip-b32');
const yoloxDir = join(sharedRoot, 'models', 'yolox_nano');

/** The full-size random family, built once; its manifest (with the files' hashes) is kept beside it. */
async function fullSizeFamily(): Promise<{ manifestFile: string }> {
  const manifestFile = join(modelsDir, 'manifest.json');
  if (existsSync(manifestFile)) return { manifestFile };
  mkdirSync(modelsDir, { recursive: true });
  const started = performance.now();
  const { manifest } = await writeTestClipFamily(modelsDir, { shape: VIT_B32, family: 'clip-bench-b32' });
  writeFileSync(manifestFile, JSON.stringify(manifest));
  console.log(`built the random ViT-B/32 in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { manifestFile };
}

function decodeFrames(file: string, width: number, height: number, limit: number): Frame[] {
  const out = spawnSync(binaries.ffmpeg, ['-v', 'error', '-i', file, '-frames:v', String(limit), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = width * height * 3;
  return Array.from({ length: Math.floor(out.stdout.length / size) }, (_, i) => ({
    timestampMs: i * 100,
    width,
    height,
    data: new Uint8Array(out.stdout.buffer, out.stdout.byteOffset + i * size, size),
  }));
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function throughput(manifestFile: string, threads: number | undefined): Promise<void> {
  const manifest = parseModelManifest(JSON.parse(readFileSync(manifestFile, 'utf8')));
  const frames = decodeFrames(join(sharedRoot, 'media', 'epfl-gims08', 'car02.mp4'), 376, 250, frameCount);
  const items = frames.map((image) => ({ image, box: { x1: 40, y1: 30, x2: 340, y2: 230 } }));
  for (const batch of batches) {
    const encoder = await ClipEncoder.create({ modelsDir, device, family: 'clip-bench-b32', manifest, imageBatchSize: batch, intraOpThreads: threads, skipChecksum: true });
    try {
      await encoder.encodeImages(items.slice(0, batch)); // this batch shape once
      Object.assign(encoder.stats, { images: 0, preprocessMs: 0, imageInferenceMs: 0 });
      const started = performance.now();
      await encoder.encodeImages(items);
      const ms = performance.now() - started;
      const s = encoder.stats;
      console.log(
        `image encoder batch ${String(batch).padStart(2)}: ${((items.length * 1000) / ms).toFixed(1).padStart(6)} frames/s, ${(ms / items.length).toFixed(1)} ms/frame ` +
          `(preprocess ${(s.preprocessMs / s.images).toFixed(2)}, inference wait ${(s.imageInferenceMs / s.images).toFixed(1)}) on ${encoder.provider}`,
      );
      if (batch === batches[batches.length - 1]) {
        const texts = Array.from({ length: 64 }, (_, i) => `a photo of a car number ${i}.`);
        const t0 = performance.now();
        await encoder.encodeTexts(texts);
        console.log(`text encoder: ${((texts.length * 1000) / (performance.now() - t0)).toFixed(1)} texts/s (batch ${encoder.textBatchSize})`);
      }
    } finally {
      await encoder.dispose();
    }
  }
}

function fullDecodeMs(video: string): number {
  const started = performance.now();
  const out = spawnSync(binaries.ffmpeg, ['-v', 'error', '-i', video, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (out.status !== 0) throw new Error(`ffmpeg decode failed: ${out.stderr.toString()}`);
  return performance.now() - started;
}

async function endToEnd(manifestFile: string): Promise<void> {
  const video = argv.includes('--video') ? option('video', '') : (await buildPreset('bench1080p')).video;
  const config = loadConfig({ LOTREEL_DATA_DIR: join(benchRoot, 'bench-clip-data'), LOTREEL_MODELS_DIR: yoloxDir, PATH: process.env.PATH });
  const clipThreads = Number(option('clip-threads', '0'));
  const settings = parseSettings(clipThreads > 0 ? { clip: { threads: clipThreads } } : {});
  const manifest = parseModelManifest(JSON.parse(readFileSync(manifestFile, 'utf8')));
  const encoder = await ClipEncoder.create({
    modelsDir,
    device,
    family: 'clip-bench-b32',
    manifest,
    imageBatchSize: settings.clip.imageBatchSize,
    intraOpThreads: settings.clip.threads,
    skipChecksum: true,
  });
  const stage = await ClipStage.withEncoder(encoder, { modelsDir, cacheDir: join(config.dataDir, 'cache'), device, settings, log: silentLogger });
  const db = await openDatabase(config);
  try {
    const t0 = performance.now();
    const { entries } = await stage.prepareCatalogue();
    console.log(`catalogue: ${entries.length} vPIC entries, text embeddings ready in ${seconds(performance.now() - t0)} s (computed once per catalogue and model, then cached)`);
    for (let r = 0; r < runs; r++) {
      const decode = fullDecodeMs(video);
      const run = async (clip: ClipStage | null, name: string, readText = true) => {
        const started = performance.now();
        const result = await processVideo({ file: video, outDir: join(benchRoot, `bench-clip-out-${name}`), device, settings: { ...settings, ocr: { ...settings.ocr, enabled: readText } }, config, log: silentLogger, database: db, clip });
        return { ms: performance.now() - started, result };
      };
      const off = await run(null, 'off');
      const on = await run(stage, 'on');
      const onNoText = await run(stage, 'on-no-text', false);
      const ratio = (ms: number) => `${seconds(ms)} s (${(ms / decode).toFixed(2)}x)`;
      console.log(
        `run ${r + 1}: full decode ${seconds(decode)} s | process, CLIP off ${ratio(off.ms)} | CLIP on ${ratio(on.ms)}; clip stage ${seconds(on.result.timingsMs.clip)} s, ` +
          `${on.result.video.framesAnalysed} frames, ${on.result.cars.length} cars | CLIP on, text reading off ${ratio(onNoText.ms)} on ${on.result.device.used}`,
      );
      const stages = (ms: Record<string, number>) => Object.entries(ms).map(([k, v]) => `${k} ${seconds(v)}`).join(', ');
      console.log(`  stages (s; overlapping stages each count their own wall time), CLIP off: ${stages(off.result.timingsMs)}`);
      console.log(`  stages (s), CLIP on: ${stages(on.result.timingsMs)}`);
      console.log(`  stages (s), CLIP on, text off: ${stages(onNoText.result.timingsMs)}`);
    }
  } finally {
    await stage.dispose();
    await db.close();
  }
}

async function main(): Promise<void> {
  const [l1, l5] = loadavg();
  console.log(`device ${device}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), load ${l1.toFixed(2)} / ${l5.toFixed(2)}`);
  const { manifestFile } = await fullSizeFamily();
  const threads = Number(option('threads', '0')) || undefined;
  await throughput(manifestFile, threads);
  if (!argv.includes('--no-e2e')) await endToEnd(manifestFile);
  const [a1] = loadavg();
  console.log(`load at the end ${a1.toFixed(2)} (figures under load are preliminary)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Frames a seller swaps in or adds in the editor are published like the exported photos: their plates
 * blurred. A real video of a car rear with a plate, real local storage, real ffmpeg, YOLOX and OCR: the
 * stored frame's plate no longer reads, and with a broken OCR model no frame is stored at all.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries, run } from '../../../fixtures/run.js';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { isLotreelError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/log.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { extractFrame } from '../../../src/service/editor/frames.js';
import { ModelPool } from '../../../src/pipeline/model-pool.js';
import type { ServiceContext } from '../../../src/service/context.js';
import { openStorage } from '../../../src/storage/index.js';
import { originalKey, videoPrefix } from '../../../src/storage/storage.js';
import { readRgb } from '../../../src/text/plate-blur.js';
import { looksLikePlateText } from '../../../src/text/plates.js';
import { ocrSettings } from '../../../src/text/text-stage.js';
import { locateOcrModels, OCR_MODEL_FILE_NAMES, OcrReader } from '../../../src/vision/ocr.js';
import { testConfig } from '../../helpers/pipeline.js';
import { scratchDir } from '../../helpers/shared.js';
import { camaroRear, PLATE_TEXT } from './scenes.js';

const root = scratchDir('frame-plates');
const video = join(root, 'rear.mp4');
let ocr: OcrReader;

/** A service context on local storage holding the video as dealer d1's video v1, with its model pool (db and queue unused here). */
async function context(name: string, overrides: Parameters<typeof testConfig>[1] = {}): Promise<ServiceContext> {
  const config = testConfig(join(root, name), overrides);
  const storage = openStorage(config);
  // putFile moves the file: a copy goes in.
  const copy = join(root, `${name}.mp4`);
  copyFileSync(video, copy);
  await storage.putFile(originalKey('d1', 'v1'), copy);
  const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: 'cpu', settings: config.analysis, ocrModelsDir: config.ocrModelsDir, log: silentLogger });
  return { config, storage, log: silentLogger, binaries: locateFfmpeg(config), models, db: undefined as never, queue: undefined as never };
}

async function readsOn(path: string): Promise<string[]> {
  return (await ocr.read(await readRgb(path))).map((line) => line.text);
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  const scene = await camaroRear(1600);
  const still = join(root, 'rear.jpg');
  writeFileSync(still, scene.jpeg);
  await run(binaries().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '10', '-i', still, '-t', '3', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', '-an', '-y', video]);
  ocr = await OcrReader.create({ files: (await locateOcrModels())!, device: 'cpu', settings: ocrSettings(DEFAULT_SETTINGS.ocr) });
  // The plate reads on the video's own frame.
  expect((await readsOn(still)).some((t) => t.replace(/\W/g, '').includes(PLATE_TEXT)), 'the plate reads before blurring').toBe(true);
});
afterAll(async () => {
  await ocr?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('editor frames', () => {
  it('stores a frame swapped in or added with its plate blurred, and says where', async () => {
    const ctx = await context('ok');
    try {
      const frame = await extractFrame(ctx, 'd1', 'v1', 1, 1500);
      expect(frame.plateRegions?.length).toBeGreaterThan(0);
      const stored = await ctx.storage.localCopy(`${videoPrefix('d1', 'v1')}/${frame.file}`);
      try {
        const read = await readsOn(stored.path);
        expect(read.some((t) => t.replace(/\W/g, '').includes(PLATE_TEXT)), read.join(' | ')).toBe(false);
        expect(read.filter(looksLikePlateText), read.join(' | ')).toEqual([]);
      } finally {
        await stored.release();
      }
    } finally {
      await ctx.models.close();
    }
  });

  it('stores no frame when the plates cannot be looked for (a broken OCR model)', async () => {
    const broken = join(root, 'broken-ocr');
    mkdirSync(broken, { recursive: true });
    const files = (await locateOcrModels())!;
    copyFileSync(files.recognition, join(broken, OCR_MODEL_FILE_NAMES.recognition));
    copyFileSync(files.keys, join(broken, OCR_MODEL_FILE_NAMES.keys));
    writeFileSync(join(broken, OCR_MODEL_FILE_NAMES.detection), 'not an onnx model');
    const ctx = await context('broken', { ocrModelsDir: broken });
    try {
      await extractFrame(ctx, 'd1', 'v1', 1, 1500);
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error, 'MODEL_MISSING'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/plates cannot be blurred/);
    } finally {
      await ctx.models.close();
    }
    // Nothing but the video itself under its prefix.
    expect(readdirSync(join(root, 'broken', 'media', 'd1', 'v1'))).toEqual(['original']);
  });
});

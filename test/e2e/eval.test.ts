/**
 * `lotreel eval DIR` end to end: a labelled folder of rendered pictures and one video (real car photo
 * with plate and sticker), run by the real command; the figures must reflect what is in the folder.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries, run } from '../../fixtures/run.js';
import type { EvalReport } from '../../src/eval/sections.js';
import { cliEnv, describeRun, runCli } from '../helpers/cli.js';
import { scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { CAMARO_VIN, camaroRear, doorJambLabel, KONA_VIN, vinPlate, windowSticker, type Rgb } from '../integration/text/scenes.js';

const root = scratchDir('eval');
const dir = join(root, 'lot');
const env = () => cliEnv({ home: join(root, 'home'), dataDir: join(root, 'data'), modelsDir: yoloxModelDir() });
const jpeg = (image: Rgb, file: string) => sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 92 }).toFile(join(dir, file));

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(root, 'home'), { recursive: true });
  await jpeg(await vinPlate(), 'vin-plate.jpg');
  await jpeg(await doorJambLabel(), 'door-jamb.jpg');
  await jpeg(await windowSticker(), 'sticker.jpg');
  const rear = await camaroRear(1800);
  writeFileSync(join(dir, 'camaro-rear.jpg'), rear.jpeg);
  await run(binaries().ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '10', '-i', join(dir, 'camaro-rear.jpg'), '-t', '4',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-g', '10', '-pix_fmt', 'yuv420p', '-an', '-y', join(dir, 'camaro.mp4'),
  ]);
  writeFileSync(join(dir, 'labels.json'), JSON.stringify({
    items: [
      { file: 'vin-plate.jpg', car: { vin: KONA_VIN, make: 'Hyundai', model: 'Kona', year: 2023 }, plates: 0 },
      { file: 'door-jamb.jpg', car: { vin: KONA_VIN, make: 'Hyundai', model: 'Kona', year: 2023 }, plates: 0 },
      { file: 'sticker.jpg', car: { make: 'Ford', model: 'Escape', year: 2019, mileage: '23456 mi' }, plates: 0 },
      // Labelled with a VIN that is not in the picture: a miss the figures must show.
      { file: 'camaro-rear.jpg', car: { vin: '1FMCU9J96EUA12345', make: 'Chevrolet', model: 'Camaro', year: 2017 }, plates: 1 },
      { file: 'camaro.mp4', cars: [{ vin: CAMARO_VIN, make: 'Chevrolet', model: 'Camaro', year: 2017, mileage: '23456 mi', segments: [[0, 4000]] }] },
      { file: 'missing.jpg', car: { make: 'Ford' } },
    ],
  }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lotreel eval', () => {
  it('prints per-component figures for a labelled folder', async () => {
    const result = await runCli(['eval', dir, '--json', '--device', 'cpu'], { env: env(), timeoutMs: 300_000 });
    expect(result.code, describeRun(result)).toBe(0);
    const report = JSON.parse(result.stdout) as EvalReport;
    const figure = (section: string, name: string) => report.sections.find((s) => s.id === section)?.figures.find((f) => f.name === name);
    expect(report.items).toBe(6);
    expect(report.failed.map((f) => f.file)).toEqual(['missing.jpg']);
    // 3 of 4 labelled VINs are in their pictures/video and read.
    expect(figure('vin', 'VIN read rate')?.detail).toBe('3/4');
    expect(figure('vin', 'decoded (of read)')?.detail).toBe('3/3');
    // The Camaro photo shows another VIN than its (deliberately wrong) label.
    expect(figure('vin', 'labelled cars given a wrong VIN')?.value).toBe(1);
    expect(figure('makeModel', 'make accuracy')?.detail).toBe('5/5');
    expect(figure('makeModel', 'make right when from vin')?.detail).toBe('4/4');
    // The sticker's headline ("2019 FORD ESCAPE") is read as the sticker's, not as a badge.
    expect(figure('makeModel', 'make right when from sticker')?.detail).toBe('1/1');
    expect(figure('sticker', 'mileage accuracy')?.detail).toBe('2/2');
    expect(figure('plates', 'plates found')?.detail).toBe('1/1');
    expect(figure('plates', 'regions blurred that are not plates')?.value).toBe(0);
    // The video (one car filmed throughout, labelled with its segment; a reporting item by default).
    expect(figure('segmentation', 'car count exact (reporting)')?.detail).toBe('1/1');
    expect(figure('segmentation', 'boundary error max ms (reporting)')?.value).toBeLessThanOrEqual(500);
    expect(figure('segmentation', 'stray photos (reporting)')?.value).toBe(0);
    expect(figure('segmentation', 'car count exact (tuning)')?.value).toBeNull();
  });

  it('reports a folder without labels.json as a missing input', async () => {
    const result = await runCli(['eval', root], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/labels\.json cannot be read.*\[INPUT_MISSING\]/);
  });
});

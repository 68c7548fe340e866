/**
 * A walk round a car where every other keyframe is motion-blurred (as when the dealer's step lands on a
 * keyframe): the photos must not be the blurred keyframes but sharp frames of the same views next to them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries, run } from '../../../fixtures/run.js';
import { scoreWalkaround } from '../../../fixtures/score.js';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { DEFAULT_SETTINGS, parseSettings } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { openDatabase, type Database } from '../../../src/store/index.js';
import { processVideo, testConfig } from '../../helpers/pipeline.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('sharpen');
const config = testConfig(join(root, 'data'));
const blurred = join(root, 'blurred-keyframes.mp4');
let db: Database;
let truth: Awaited<ReturnType<typeof buildPreset>>['truth'];

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  const fixture = await buildPreset('singleCar');
  truth = fixture.truth;
  // Same frames and keyframes (every 30th frame, 1 s), but the keyframes at 0, 2, 4 ... s are blurred.
  await run(binaries().ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-i', fixture.video,
    '-vf', "boxblur=luma_radius=8:luma_power=2:enable='eq(mod(n\\,60)\\,0)'",
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
    '-pix_fmt', 'yuv420p', '-an', '-y', blurred,
  ]);
  db = await openDatabase(config);
});
afterAll(async () => {
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

const process = (sharpenBelow: number, name: string) =>
  processVideo({ file: blurred, outDir: join(root, name), device: 'cpu', settings: parseSettings({ photos: { sharpenBelow } }), config, log: silentLogger, database: db });
const onBlurredKeyframe = (t: number) => t % 2000 === 0;

describe('blurry keyframes', () => {
  it('are replaced by sharp frames of the same view next to them', async () => {
    const plain = await process(0, 'plain');
    const plainTimes = plain.cars.flatMap((c) => c.photos.map((p) => p.timestampMs));
    // Without looking around, the photos can only be keyframes, blurred ones among them.
    expect(plainTimes.every((t) => t % 1000 === 0)).toBe(true);
    expect(plainTimes.some(onBlurredKeyframe)).toBe(true);

    const result = await process(DEFAULT_SETTINGS.photos.sharpenBelow, 'sharpened');
    expect(result.cars).toHaveLength(1);
    const times = result.cars[0].photos.map((p) => p.timestampMs);
    expect(times.filter(onBlurredKeyframe), `photos at ${times.join(', ')}`).toEqual([]);
    expect(times.some((t) => t % 1000 !== 0)).toBe(true);
    expect(scoreWalkaround(truth, result.cars).photosOutsideCar).toBe(0);

    // Each blurred keyframe photo of the plain run has a visibly sharper replacement next to it.
    const photoSharpness = async (dir: string, file: string) => (await sharp(join(root, dir, file)).stats()).sharpness;
    for (const blurredPhoto of plain.cars[0].photos.filter((p) => onBlurredKeyframe(p.timestampMs))) {
      const replacement = result.cars[0].photos.find((p) => Math.abs(p.timestampMs - blurredPhoto.timestampMs) <= 500 && p.timestampMs !== blurredPhoto.timestampMs);
      expect(replacement, `a replacement near ${blurredPhoto.timestampMs} ms`).toBeDefined();
      expect(await photoSharpness('sharpened', replacement!.file)).toBeGreaterThan(1.5 * (await photoSharpness('plain', blurredPhoto.file)));
    }
  });
});

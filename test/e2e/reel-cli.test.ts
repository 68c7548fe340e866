/**
 * End to end: `lotreel process --reel vertical` on a walkaround gives every car a reel beside its
 * photos, `lotreel reel PHOTO... --title` makes one from photos alone, and `lotreel reel --draft ID`
 * one of a dealer's stored draft (real PGlite, local storage) in the seller's order; all read back
 * with ffprobe.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { buildPreset, type BuiltWalkaround } from '../../fixtures/walkaround.js';
import { DEFAULT_SETTINGS } from '../../src/config/config.js';
import { planReel, shotMiddleMs } from '../../src/reel/reel-plan.js';
import { reorderPhotos, setCover } from '../../src/store/editor.repository.js';
import { openDatabase, saveVideoResult } from '../../src/store/index.js';
import { frameAt } from '../integration/reel/reel-check.js';
import { sampleResult } from '../integration/store/sample-result.js';
import { cliEnv, describeRun, runCli } from '../helpers/cli.js';
import { seedDealer, seedDealerVideo, SEED_PHOTO } from '../helpers/seed-cars.js';
import { scratchDir, sharedFile, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';
import { binaries } from '../../fixtures/run.js';

const root = scratchDir('e2e-reel');
const home = join(root, 'home');
const env = () => cliEnv({ home, dataDir: join(root, 'data'), modelsDir: yoloxModelDir() });

function probe(file: string) {
  const out = JSON.parse(execFileSync(binaries().ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { encoding: 'utf8' }));
  const video = out.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  const audio = out.streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
  return { width: video.width, height: video.height, video: video.codec_name, audio: audio?.codec_name, seconds: Number(out.format.duration) };
}

beforeAll(async () => {
  requireFreshBuild();
  await mkdir(home, { recursive: true });
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('lotreel process --reel', () => {
  let walk: BuiltWalkaround;
  beforeAll(async () => {
    walk = await buildPreset('hardCuts');
  }, 600_000);

  it('writes car-N/reel-vertical.mp4 for every car and lists it in cars[].reels', async () => {
    const outDir = join(root, 'out');
    // The wiring of --reel is what is tested: no text or plate search, the reels at x264's fastest.
    const settings = join(root, 'process-reel.json');
    await writeFile(settings, JSON.stringify({ ocr: { enabled: false }, plates: { blur: false }, reel: { preset: 'ultrafast' } }));
    const run = await runCli(['process', walk.video, '--json', '--out', outDir, '--reel', 'vertical', '--config', settings], { env: env(), timeoutMs: 1_400_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const result = JSON.parse(run.stdout) as { cars: { reels: { format: string; file: string; durationMs: number; width: number; height: number }[] }[] };
    expect(result.cars.length).toBe(walk.truth.cars.length);
    for (const [k, car] of result.cars.entries()) {
      expect(car.reels).toEqual([{ format: 'vertical', file: `car-${k + 1}/reel-vertical.mp4`, durationMs: expect.any(Number), width: 1080, height: 1920 }]);
      const file = join(outDir, car.reels[0].file);
      expect(existsSync(file)).toBe(true);
      const probed = probe(file);
      expect(probed).toMatchObject({ width: 1080, height: 1920, video: 'h264', audio: 'aac' });
      expect(probed.seconds).toBeGreaterThanOrEqual(12);
      expect(probed.seconds).toBeLessThanOrEqual(30);
      expect(Math.abs(probed.seconds * 1000 - car.reels[0].durationMs)).toBeLessThan(100);
    }
  }, 1_500_000);
});

describe('lotreel reel PHOTO... --title', () => {
  it('renders a photos-only reel, the facts file checked, bad input one clear line', async () => {
    const facts = join(root, 'facts.json');
    await writeFile(facts, JSON.stringify({ make: 'Chevrolet', model: 'Camaro', year: 2019, mileage: '12000 mi' }));
    const photos = ['010', '090', '180'].map((n) => sharedFile(`media/images/evox-camaro-spin/camaro_${n}.jpg`));
    const out = join(root, 'photos-square.mp4');
    const run = await runCli(['reel', ...photos, '--title', 'Camaro', '--facts', facts, '--format', 'square', '--out', out, '--json'], { env: env(), timeoutMs: 500_000 });
    expect(run.code, describeRun(run)).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'square', file: out, width: 1080, height: 1080 });
    expect(probe(out)).toMatchObject({ width: 1080, height: 1080, video: 'h264', audio: 'aac' });

    await writeFile(facts, JSON.stringify({ make: 'Chevrolet', price: 19999 }));
    const bad = await runCli(['reel', ...photos, '--title', 'Camaro', '--facts', facts, '--out', join(root, 'bad.mp4')], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lotreel: --facts .*price.* \[INVALID_ARGUMENT\]\n$/);
    expect(existsSync(join(root, 'bad.mp4'))).toBe(false);
  }, 600_000);
});

describe('lotreel reel --draft ID', () => {
  it("renders a stored draft's reel, its photos in the seller's order; a missing, held or process-made draft is one clear line", async () => {
    // The shortest reel the settings allow, at the cheapest encode: order is what is tested here.
    const reelSettings = { photoShotMs: 1000, transitionMs: 300, minDurationMs: 3000, preset: 'ultrafast' };
    const config = join(root, 'fast-reel.json');
    await writeFile(config, JSON.stringify({ reel: reelSettings }));
    const dataDir = join(root, 'data');
    const db = await openDatabase({ dataDir });
    let draftId: string;
    let heldId: string;
    let processId: string;
    const processOut = join(root, 'process-out');
    const colours = [[220, 30, 30], [30, 200, 40], [40, 50, 220]];
    try {
      const dealer = await seedDealer(db, 'Reel Motors');
      const saved = await seedDealerVideo(db, dealer.id, 2, { fingerprint: 'reel-draft', mediaRoot: join(dataDir, 'media') });
      const car = saved.cars[1]; // the unidentified car: no clip, its title "Car 2" the caption
      draftId = car.draftId;
      heldId = saved.cars[0].draftId;
      // Photo k (as analysed) in its own colour; the seller puts them in the order 3, 1, 2 and makes 2 the cover.
      for (const [k, rgb] of colours.entries()) {
        const file = join(dataDir, 'media', dealer.id, saved.videoId, `car-2/photo-0${k + 1}.jpg`);
        await sharp({ create: { ...SEED_PHOTO, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg({ quality: 95 }).toFile(file);
      }
      await reorderPhotos(db, dealer.id, draftId, [car.photoIds[2], car.photoIds[0], car.photoIds[1]]);
      await setCover(db, dealer.id, car.photoIds[1]);
      await db.query(`update drafts set attributes = attributes || '{"platesNotBlurred": "no plate reader"}'::jsonb where id = $1`, [heldId]);
      processId = (await saveVideoResult(db, sampleResult('reel-process-made', 1))).cars[0].draftId;
      // Its photos where lotreel process would have written them, under its --out folder.
      const files = await db.query<{ file: string }>('select p.file from photos p join drafts d on d.car_id = p.car_id where d.id = $1', [processId]);
      for (const { file } of files) {
        await mkdir(dirname(join(processOut, file)), { recursive: true });
        await sharp({ create: { ...SEED_PHOTO, channels: 3, background: { r: 200, g: 200, b: 40 } } }).jpeg().toFile(join(processOut, file));
      }
    } finally {
      await db.close();
    }

    const out = join(root, 'draft-square.mp4');
    const run = await runCli(['reel', '--draft', draftId, '--format', 'square', '--out', out, '--json', '--config', config], { env: env(), timeoutMs: 300_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const reel = JSON.parse(run.stdout) as { durationMs: number };
    expect(reel).toMatchObject({ format: 'square', file: out, width: 1080, height: 1080 });
    const probed = probe(out);
    expect(probed).toMatchObject({ width: 1080, height: 1080, video: 'h264', audio: 'aac' });
    expect(Math.abs(probed.seconds * 1000 - reel.durationMs)).toBeLessThan(100);

    // The cover (photo 2) first, then the seller's order without it: 3, 1.
    const plan = planReel({ format: 'square', photos: colours.map((_, k) => ({ file: `${k}`, ...SEED_PHOTO })) }, { ...DEFAULT_SETTINGS.reel, ...reelSettings });
    const shown = plan.shots.map((shot) => {
      const frame = frameAt(out, shotMiddleMs(plan, shot));
      const mean = [0, 1, 2].map((c) => {
        let sum = 0;
        const rows = Math.round(frame.height * 0.4); // the top: the caption is in the lower third
        for (let i = c; i < frame.width * rows * 3; i += 3) sum += frame.data[i];
        return sum / (frame.width * rows);
      });
      const distances = colours.map((rgb) => Math.max(...rgb.map((v, c) => Math.abs(v - mean[c]))));
      expect(Math.min(...distances)).toBeLessThan(20);
      return distances.indexOf(Math.min(...distances)) + 1;
    });
    expect(shown).toEqual([2, 3, 1]);

    for (const [id, message] of [
      ['0b6e3c1a-7d2f-4e8b-9c5a-1f2e3d4c5b6a', /^lotreel: no draft 0b6e3c1a-\S+ in the database .*\[INVALID_ARGUMENT\]\n$/],
      [heldId, /^lotreel: draft \S+ is held for review, its plates are not blurred \(no plate reader\): no reel \[INVALID_ARGUMENT\]\n$/],
      [processId, /^lotreel: draft \S+ was made by lotreel process: give --from DIR, the folder its --out wrote \[INVALID_ARGUMENT\]\n$/],
    ] as const) {
      const bad = await runCli(['reel', '--draft', id, '--out', join(root, 'bad-draft.mp4')], { env: env() });
      expect(bad.code, describeRun(bad)).toBe(2);
      expect(bad.stderr).toMatch(message);
      expect(existsSync(join(root, 'bad-draft.mp4'))).toBe(false);
    }

    // The process-made draft, its files found through --from.
    const fromOut = join(root, 'process-square.mp4');
    const fromRun = await runCli(['reel', '--draft', processId, '--from', processOut, '--format', 'square', '--out', fromOut, '--json', '--config', config], { env: env(), timeoutMs: 300_000 });
    expect(fromRun.code, describeRun(fromRun)).toBe(0);
    expect(probe(fromOut)).toMatchObject({ width: 1080, height: 1080, video: 'h264', audio: 'aac' });
    const wrongFrom = await runCli(['reel', '--draft', processId, '--from', root, '--out', join(root, 'bad-draft.mp4')], { env: env() });
    expect(wrongFrom.code, describeRun(wrongFrom)).toBe(2);
    expect(wrongFrom.stderr).toMatch(/^lotreel: no photo at .*: is --from the folder lotreel process wrote this draft's run to\? \[INPUT_MISSING\]\n$/);
  }, 400_000);
});

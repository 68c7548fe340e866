/**
 * End to end: `lotreel process --reel vertical` on a walkaround gives every car a reel beside its
 * photos, and `lotreel reel PHOTO... --title` makes one from photos alone; both read back with ffprobe.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset, type BuiltWalkaround } from '../../fixtures/walkaround.js';
import { cliEnv, describeRun, runCli } from '../helpers/cli.js';
import { scratchDir, sharedFile, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';

const root = scratchDir('e2e-reel');
const home = join(root, 'home');
const env = () => cliEnv({ home, dataDir: join(root, 'data'), modelsDir: yoloxModelDir() });

function probe(file: string) {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { encoding: 'utf8' }));
  const video = out.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  const audio = out.streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
  return { width: video.width, height: video.height, video: video.codec_name, audio: audio?.codec_name, seconds: Number(out.format.duration) };
}

let walk: BuiltWalkaround;
beforeAll(async () => {
  requireFreshBuild();
  await mkdir(home, { recursive: true });
  walk = await buildPreset('hardCuts');
}, 600_000);
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('lotreel process --reel', () => {
  it('writes car-N/reel-vertical.mp4 for every car and lists it in cars[].reels', async () => {
    const outDir = join(root, 'out');
    const run = await runCli(['process', walk.video, '--json', '--out', outDir, '--reel', 'vertical'], { env: env(), timeoutMs: 1_400_000 });
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

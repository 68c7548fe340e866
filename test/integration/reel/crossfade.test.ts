/**
 * The crossfade without `xfade` (the 2018 static ffmpeg from @ffmpeg-installer has none; which build
 * has it: test/integration/media/process-runner.test.ts): the fallback graph, forced on Debian's ffmpeg
 * and run on the npm build, blends the shots at the planned times, frame for frame like xfade. Tiny solid-colour
 * shots: every frame's colour says which shots it shows and in what share.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { listingFacts } from '../../../src/listing/listing-facts.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { runTool } from '../../../src/media/process-runner.js';
import { reelCommandArgs } from '../../../src/reel/reel-graph.js';
import { planReel, type ReelPlan } from '../../../src/reel/reel-plan.js';
import { captionFontFile, renderReel } from '../../../src/reel/render-reel.js';
import { meanVolumeDb, probeReel } from './reel-check.js';
import { scratchDir } from '../../helpers/shared.js';
import { binaries } from '../../../fixtures/run.js';

const dir = scratchDir('crossfade');
const debian = locateFfmpeg();
const npmFfmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const COLOURS = [[230, 20, 20], [20, 220, 30], [30, 40, 230]] as const;
const SIDE = 192; // the smallest square the shot filters take (their blurred fill needs room)
const settings = { ...DEFAULT_SETTINGS.reel, photoShotMs: 1000, transitionMs: 300, minDurationMs: 0, maxDurationMs: 60_000 };
let plan: ReelPlan;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const photos = await Promise.all(
    COLOURS.map(async ([r, g, b], k) => {
      const file = join(dir, `shot-${k}.png`);
      await sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } }).png().toFile(file);
      return { file, width: 64, height: 64 };
    }),
  );
  plan = { ...planReel({ format: 'square', photos }, settings), width: SIDE, height: SIDE };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function render(ffmpeg: string, xfade: boolean, name: string): Promise<string> {
  const outPath = join(dir, `${name}.mp4`);
  const args = reelCommandArgs({ plan, captions: [], fontFile: captionFontFile(), audio: {}, outPath, support: { xfade }, settings: { ...settings, crf: 10, preset: 'ultrafast' } });
  await runTool(ffmpeg, args, { stage: 'mux', file: outPath });
  return outPath;
}

/** Each frame's mean colour, decoded by Debian's ffmpeg. */
function frameColours(file: string): number[][] {
  const raw = execFileSync(binaries().ffmpeg, ['-v', 'error', '-i', file, '-vf', 'scale=8:8', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  const colours: number[][] = [];
  for (let at = 0; at < raw.length; at += 8 * 8 * 3) {
    const sum = [0, 0, 0];
    for (let p = at; p < at + 8 * 8 * 3; p += 3) for (let c = 0; c < 3; c++) sum[c] += raw[p + c];
    colours.push(sum.map((v) => v / 64));
  }
  return colours;
}

/** The planned picture at `ms`: each later shot laid over the earlier ones with its fade's share. */
function plannedColour(ms: number): number[] {
  let colour: number[] = [...COLOURS[0]];
  plan.shots.forEach((shot, k) => {
    if (k === 0) return;
    const a = Math.min(1, Math.max(0, (ms - shot.startMs) / plan.transitionMs));
    colour = colour.map((v, c) => (1 - a) * v + a * COLOURS[k][c]);
  });
  return colour;
}

const distance = (a: number[], b: number[]) => Math.max(...a.map((v, c) => Math.abs(v - b[c])));

function expectPlannedCrossfades(file: string) {
  const probed = probeReel(file);
  expect(probed.video).toMatchObject({ codec: 'h264', width: SIDE, height: SIDE, fps: '30/1' });
  expect(Math.abs(probed.durationSec * 1000 - plan.durationMs)).toBeLessThan(50);
  const colours = frameColours(file);
  expect(colours.length).toBe(Math.round((plan.durationMs * plan.fps) / 1000));
  // A frame's fade share may be a frame early or late (rounding); the blend itself must be right.
  const frameMs = 1000 / plan.fps;
  const off = colours.map((seen, i) => Math.min(...[-1, 0, 1].map((d) => distance(seen, plannedColour((i + d) * frameMs)))));
  expect(Math.max(...off)).toBeLessThan(10);
  // Mid-transition: a blend of both shots, both clearly present, nothing of the third.
  for (const k of [1, 2]) {
    const mid = colours[Math.round(((plan.shots[k].startMs + plan.transitionMs / 2) * plan.fps) / 1000)];
    const [from, to] = [COLOURS[k - 1], COLOURS[k]];
    const share = from.map((v, c) => (mid[c] - v) / (to[c] - v)).filter((_, c) => Math.abs(to[c] - from[c]) > 100);
    for (const s of share) expect(s).toBeGreaterThan(0.3), expect(s).toBeLessThan(0.7);
  }
  return colours;
}

describe('reel crossfades', () => {
  it('blends the shots at the planned times without xfade, frame for frame like xfade (Debian ffmpeg)', async () => {
    const fallback = expectPlannedCrossfades(await render(debian.ffmpeg, false, 'fallback'));
    const xfade = expectPlannedCrossfades(await render(debian.ffmpeg, true, 'xfade'));
    expect(Math.max(...fallback.map((c, i) => distance(c, xfade[i])))).toBeLessThan(10);
  }, 60_000);

  it('renders the fallback on the npm-shipped 2018 ffmpeg, and a whole reel there (caption, music)', async () => {
    expectPlannedCrossfades(await render(npmFfmpeg, false, 'npm'));
    const music = join(dir, 'music.m4a');
    execFileSync(binaries().ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=1', '-c:a', 'aac', '-y', music]);
    const npm = { ffmpeg: npmFfmpeg, ffprobe: (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path, source: 'npm' as const };
    const reel = await renderReel({
      format: 'square', photos: plan.photos.slice(0, 2), text: { title: 'Red to green', facts: listingFacts({ attributes: {}, colour: null, bodyType: null, photoCount: 2, videoSeconds: 0 }) }, musicFile: music,
      outPath: join(dir, 'npm-whole.mp4'), settings: { ...settings, preset: 'ultrafast' }, binaries: npm,
    });
    expect(reel.captions.map((c) => c.text)).toEqual(['Red to green']);
    const probed = probeReel(reel.file);
    expect(probed.video).toMatchObject({ codec: 'h264', width: 1080, height: 1080 });
    expect(probed.audio).toMatchObject({ codec: 'aac', channels: 2 });
    expect(meanVolumeDb(reel.file)).toBeGreaterThan(-40);
  }, 60_000);
});

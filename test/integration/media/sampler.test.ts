import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { isLotreelError } from '../../../src/core/errors.js';
import { encodeBlurredClip } from '../../../src/media/clip-encode.js';
import { extractKeyframeStills, extractStill } from '../../../src/media/extract.js';
import type { FfmpegBinaries } from '../../../src/media/binaries.js';
import { probe } from '../../../src/media/probe.js';
import { sampleFrames } from '../../../src/media/sampler.js';
import { KeyframeStills } from '../../../src/pipeline/keyframe-stills.js';
import { emptyDecodeStats, type Frame, type SampleOptions, type VideoInfo } from '../../../src/media/types.js';
import { epflCar, scratchDir, sharedFile } from '../../helpers/shared.js';
import { bins, channelMeans, collect, decodeRgb, ffmpeg, ffprobeJson, meanAbsDiff, pidExists, processesMentioning } from './media-helpers.js';

const dir = scratchDir('media-sampler');
const at = (name: string) => join(dir, name);
const keyframes: SampleOptions = { mode: { kind: 'keyframes' }, longSide: 640, batchSize: 4 };
const infos = new Map<string, VideoInfo>();
const info = (file: string) => infos.get(file)!;
const sample = (file: string, options: Partial<SampleOptions> = {}, b: FfmpegBinaries = bins) => collect(sampleFrames(file, info(file), { ...keyframes, ...options }, b));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keyframe packet times of car01 in ms, as ffprobe reads them. */
let car01Keyframes: number[] = [];

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const car01 = epflCar(1);
  copyFileSync(car01, at('car01.mp4'));
  copyFileSync(sharedFile('media/videos/davis-car-turn-720p.mp4'), at('davis.mp4'));
  ffmpeg('-i', car01, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', at('portrait.mp4')); // Display Matrix -90: turn 90 clockwise
  // 10-bit HEVC whose YCbCr really is BT.709 (converted from car01's BT.601), tagged so.
  ffmpeg('-i', car01, '-vf', 'zscale=matrixin=470bg:matrix=709:rangein=limited:range=limited,format=yuv420p10le', '-c:v', 'libx265', '-preset', 'ultrafast', '-crf', '12', '-x265-params', 'log-level=error', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', at('car01-10bit.mp4'));
  // Saturated colour bars: RGB reference, 8-bit H.264 and 10-bit HEVC, both BT.709.
  writeFileSync(at('bars.rgb'), decodeRgb('smptebars=s=320x240:r=10:d=1', 'format=rgb24', 1, ['-f', 'lavfi']));
  const bt709 = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'];
  ffmpeg('-f', 'lavfi', '-i', 'smptebars=s=320x240:r=10:d=1', '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p', '-c:v', 'libx264', '-crf', '4', ...bt709, at('bars-8bit.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'smptebars=s=320x240:r=10:d=1', '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p10le', '-c:v', 'libx265', '-preset', 'ultrafast', '-crf', '4', '-x265-params', 'log-level=error', ...bt709, at('bars-10bit.mp4'));
  // PQ-tagged 10-bit HEVC: the tone-mapping path must run and give a plausible picture.
  ffmpeg('-i', car01, '-t', '2', '-vf', 'format=yuv420p10le', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-colorspace', 'bt2020nc', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', at('hdr-pq.mp4'));
  // Index at the front, tail cut off: probes fine, decoding runs out of data.
  ffmpeg('-i', car01, '-c', 'copy', '-movflags', '+faststart', at('faststart.mp4'));
  const whole = readFileSync(at('faststart.mp4'));
  writeFileSync(at('truncated-faststart.mp4'), whole.subarray(0, Math.floor(whole.length * 0.4)));

  for (const name of ['car01.mp4', 'davis.mp4', 'portrait.mp4', 'car01-10bit.mp4', 'bars-8bit.mp4', 'bars-10bit.mp4', 'hdr-pq.mp4', 'truncated-faststart.mp4']) {
    infos.set(at(name), await probe(at(name), bins));
  }
  const scan = ffprobeJson<{ packets: { pts_time: string; flags: string }[] }>('-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', car01);
  car01Keyframes = scan.packets.filter((p) => p.flags.startsWith('K')).map((p) => Math.round(Number(p.pts_time) * 1000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keyframe and rate sampling of car01', () => {
  it('keyframes: one frame per keyframe with exact timestamps, in batches', async () => {
    const batches: Frame[][] = [];
    for await (const batch of sampleFrames(at('car01.mp4'), info(at('car01.mp4')), { ...keyframes, batchSize: 5 }, bins)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    const frames = batches.flat();
    expect(car01Keyframes).toHaveLength(12);
    expect(car01Keyframes.slice(0, 3)).toEqual([0, 900, 1900]);
    frames.forEach((f, i) => expect(Math.abs(f.timestampMs - car01Keyframes[i])).toBeLessThanOrEqual(1));
    for (const f of frames) {
      expect([f.width, f.height, f.data.length]).toEqual([376, 250, 376 * 250 * 3]);
      expect(Number.isInteger(f.timestampMs)).toBe(true);
    }
    // every frame owns its bytes
    expect(new Set(frames.map((f) => f.data.buffer)).size).toBe(frames.length);
    // and they are the pixels ffmpeg decodes (car01 is tagged BT.601)
    expect(meanAbsDiff(frames[0].data, decodeRgb(at('car01.mp4'), 'scale=in_color_matrix=bt601,format=rgb24', 1))).toBeLessThan(1);
  });

  it('rate mode at 2 fps: every 500 ms, source timestamps', async () => {
    const frames = await sample(at('car01.mp4'), { mode: { kind: 'rate', fps: 2 } });
    expect(frames.map((f) => f.timestampMs)).toEqual(Array.from({ length: 24 }, (_, i) => i * 500));
  });

  it('rate mode at 3 fps on 10 fps video keeps the first frame of each third of a second', async () => {
    const frames = await sample(at('car01.mp4'), { mode: { kind: 'rate', fps: 3 }, endMs: 2000 });
    expect(frames.map((f) => f.timestampMs)).toEqual([0, 400, 700, 1000, 1400, 1700]);
  });

  it('a window gives only its frames, with absolute timestamps', async () => {
    const key = await sample(at('car01.mp4'), { startMs: 3000, endMs: 6000 });
    expect(key.map((f) => f.timestampMs)).toEqual([3900, 4900, 5900]);
    // the end is exact even where ffmpeg's -t (counted from the first kept keyframe) would overshoot
    expect((await sample(at('car01.mp4'), { startMs: 3000, endMs: 6500 })).map((f) => f.timestampMs)).toEqual([3900, 4900, 5900]);
    expect((await sample(at('car01.mp4'), { startMs: 3000, endMs: 5900 })).map((f) => f.timestampMs)).toEqual([3900, 4900]);
    const rate = await sample(at('car01.mp4'), { mode: { kind: 'rate', fps: 4 }, startMs: 2950, endMs: 4500, longSide: 188 });
    expect(rate.map((f) => f.timestampMs)).toEqual([3000, 3300, 3500, 3800, 4000, 4300]);
    expect([rate[0].width, rate[0].height]).toEqual([188, 126]);
    // the frame at 3000 ms is the same picture whether reached by seeking or not
    const all = await sample(at('car01.mp4'), { mode: { kind: 'rate', fps: 4 }, longSide: 188, endMs: 3100 });
    expect(meanAbsDiff(all.at(-1)!.data, rate[0].data)).toBe(0);
  });

  it('the 2018 static ffmpeg from npm gives the same keyframes and pixels', async () => {
    const require = createRequire(import.meta.url);
    const npm: FfmpegBinaries = {
      ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
      ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
      source: 'npm',
    };
    const ours = await sample(at('car01.mp4'));
    const theirs = await sample(at('car01.mp4'), {}, npm);
    expect(theirs.map((f) => f.timestampMs)).toEqual(ours.map((f) => f.timestampMs));
    expect(meanAbsDiff(theirs[3].data, ours[3].data)).toBeLessThan(1);
    const rate = await sample(at('car01.mp4'), { mode: { kind: 'rate', fps: 2 }, startMs: 1000, endMs: 3000 }, npm);
    expect(rate.map((f) => f.timestampMs)).toEqual([1000, 1500, 2000, 2500]);
    const portrait = await sample(at('portrait.mp4'), { endMs: 1000 }, npm);
    expect([portrait[0].width, portrait[0].height]).toEqual([250, 376]);
  });
});

describe('upright frames and correct colours', () => {
  it('one decode, two outputs: the frames scaled and, as JPEGs by timestamp, at full size exactly as a keyframe still', async () => {
    const file = at('portrait.mp4');
    const stillsDir = at('stills');
    const stats = emptyDecodeStats();
    const frames = await sample(file, { longSide: 188, stills: { dir: stillsDir, quality: 85 }, stats });
    expect(frames).toHaveLength(12);
    expect([frames[0].width, frames[0].height]).toEqual([126, 188]);
    expect(readdirSync(stillsDir).sort()).toEqual(frames.map((f) => `${f.timestampMs}.jpg`).sort());
    const meta = await sharp(join(stillsDir, `${frames[1].timestampMs}.jpg`)).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([250, 376, undefined]);
    const reference = await extractKeyframeStills(file, info(file), frames.slice(0, 2).map((f) => ({ timestampMs: f.timestampMs, outPath: at(`ref-${f.timestampMs}.jpg`) })), { quality: 85 }, bins);
    for (const r of reference) expect(readFileSync(join(stillsDir, `${r.timestampMs}.jpg`)).equals(readFileSync(r.outPath))).toBe(true);
    expect(stats).toEqual({ runs: 1, frames: 12, bytes: 12 * (126 * 188 * 3 + 250 * 376 * 3) });
  });

  it('a reader during the decode gets each analysed frame\'s still once it is complete on disk; none for a frame never sampled', async () => {
    const file = at('car01.mp4');
    const analysed = new Set<number>();
    const stills = new KeyframeStills(at('stills-live'), 85, (t) => analysed.has(t));
    const seen: { timestampMs: number; bytes: number }[] = [];
    for await (const batch of sampleFrames(file, info(file), { ...keyframes, stills: stills.sampling }, bins)) {
      for (const frame of batch) analysed.add(frame.timestampMs);
      // Asked for while ffmpeg still decodes the frames after it.
      const path = await stills.at(batch[0].timestampMs);
      expect(path).toBe(join(at('stills-live'), `${batch[0].timestampMs}.jpg`));
      const meta = await sharp(path!).metadata();
      expect([meta.width, meta.height]).toEqual([info(file).width, info(file).height]);
      seen.push({ timestampMs: batch[0].timestampMs, bytes: readFileSync(path!).length });
      expect(await stills.at(batch[0].timestampMs + 1)).toBeNull(); // not a sampled frame: the caller decodes it
    }
    stills.end();
    expect(seen.length).toBeGreaterThan(2);
    // Complete when handed over: the same bytes once the decode is over.
    for (const s of seen) expect(readFileSync(join(at('stills-live'), `${s.timestampMs}.jpg`)).length).toBe(s.bytes);
    analysed.add(-1);
    expect(await stills.at(-1)).toBeNull(); // the decode ended without it
  });

  it('frames from a portrait (rotated) copy are upright', async () => {
    const frames = await sample(at('portrait.mp4'), { endMs: 1000 });
    expect([frames[0].width, frames[0].height]).toEqual([250, 376]);
    const turned = decodeRgb(epflCar(1), 'transpose=clock,scale=in_color_matrix=bt601,format=rgb24', 1);
    expect(meanAbsDiff(frames[0].data, turned)).toBeLessThan(1);
    const unturned = decodeRgb(epflCar(1), 'transpose=cclock,scale=in_color_matrix=bt601,format=rgb24', 1);
    expect(meanAbsDiff(frames[0].data, unturned)).toBeGreaterThan(20);
  });

  it('10-bit HEVC (BT.709) looks like the 8-bit original', async () => {
    const rate: Partial<SampleOptions> = { mode: { kind: 'rate', fps: 2 }, endMs: 2000 };
    const ten = await sample(at('car01-10bit.mp4'), rate);
    const eight = await sample(at('car01.mp4'), rate);
    expect(ten).toHaveLength(4);
    expect(ten.map((f) => f.timestampMs)).toEqual(eight.map((f) => f.timestampMs));
    const [a, b] = [channelMeans(ten[0].data), channelMeans(eight[0].data)];
    for (let c = 0; c < 3; c++) expect(Math.abs(a[c] - b[c])).toBeLessThan(2);
    expect(meanAbsDiff(ten[0].data, eight[0].data)).toBeLessThan(6);
  });

  it.each(['bars-8bit.mp4', 'bars-10bit.mp4'])('saturated BT.709 colour bars (%s) come back as the original RGB', async (name) => {
    const [frame] = await sample(at(name), { endMs: 100 });
    const reference = readFileSync(at('bars.rgb'));
    const ours = meanAbsDiff(frame.data, reference);
    // The same file read with swscale's default BT.601 matrix: what a naive decode gets.
    const naive = meanAbsDiff(decodeRgb(at(name), 'scale=in_color_matrix=bt601,format=rgb24', 1), reference);
    expect(ours).toBeLessThan(3);
    expect(naive).toBeGreaterThan(ours + 3);
  });

  it('untagged HD video is read as BT.709', async () => {
    const [frame] = await sample(at('davis.mp4'), { endMs: 30, longSide: 1280 });
    expect(meanAbsDiff(frame.data, decodeRgb(at('davis.mp4'), 'scale=in_color_matrix=bt709,format=rgb24', 1))).toBeLessThan(1);
  });

  it('PQ HDR is tone mapped to a plausible SDR picture', async () => {
    expect(info(at('hdr-pq.mp4'))).toMatchObject({ colorTransfer: 'smpte2084', bitDepth: 10 });
    const frames = await sample(at('hdr-pq.mp4'), { mode: { kind: 'rate', fps: 1 } });
    expect(frames.map((f) => f.timestampMs)).toEqual([0, 1000]);
    const mean = channelMeans(frames[0].data).reduce((s, v) => s + v) / 3;
    expect(mean).toBeGreaterThan(30);
    expect(mean).toBeLessThan(230);
    // stills take the same path at full size
    const out = at('hdr-still.jpg');
    expect(await extractStill(at('hdr-pq.mp4'), info(at('hdr-pq.mp4')), 0, out, {}, bins)).toEqual({ width: 376, height: 250 });
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(meanAbsDiff(data, frames[0].data)).toBeLessThan(4);
  });

  it("an HDR car's clip comes out SDR BT.709 with its photos' colours, not washed out", async () => {
    const clip = at('hdr-clip.mp4');
    await encodeBlurredClip(at('hdr-pq.mp4'), info(at('hdr-pq.mp4')), [], clip, bins, { size: { width: 376, height: 250 }, crf: 18, preset: 'veryfast' });
    const clipInfo = await probe(clip, bins);
    expect(clipInfo).toMatchObject({ codec: 'h264', bitDepth: 8, colorTransfer: 'bt709', colorPrimaries: 'bt709' });
    const [photo] = await sample(at('hdr-pq.mp4'), { mode: { kind: 'rate', fps: 1 }, longSide: 376 });
    const [fromClip] = await collect(sampleFrames(clip, clipInfo, { ...keyframes, mode: { kind: 'rate', fps: 1 }, longSide: 376 }, bins));
    expect(meanAbsDiff(fromClip.data, photo.data)).toBeLessThan(6);
    // Control: the same clip re-encoded without tone mapping is far from the photo.
    const untouched = decodeRgb(at('hdr-pq.mp4'), 'scale=376:250:in_color_matrix=bt709,format=rgb24', 1);
    expect(meanAbsDiff(untouched, photo.data)).toBeGreaterThan(20);
  });
});

describe('stopping, backpressure and damage', () => {
  const fullRate: Partial<SampleOptions> = { mode: { kind: 'rate', fps: 30 }, longSide: 1280, batchSize: 2 };
  const runningFfmpeg = (name: string) => processesMentioning(at(name));

  it('holds ffmpeg back while the consumer is slow, and still delivers every frame', async () => {
    const frames = sampleFrames(at('davis.mp4'), info(at('davis.mp4')), { ...keyframes, ...fullRate }, bins);
    const first = await frames.next();
    expect(first.done).toBe(false);
    await sleep(1000); // 80 frames of 720p take well under a second to decode when nobody waits
    const [pid] = runningFfmpeg('davis.mp4');
    expect(pid).toBeDefined();
    let count = (first.value as Frame[]).length;
    for await (const batch of { [Symbol.asyncIterator]: () => frames }) count += batch.length;
    expect(count).toBe(80);
    expect(pidExists(pid)).toBe(false);
  });

  it('abort kills ffmpeg and rejects with ABORTED', async () => {
    const controller = new AbortController();
    const frames = sampleFrames(at('davis.mp4'), info(at('davis.mp4')), { ...keyframes, ...fullRate, signal: controller.signal }, bins);
    await frames.next();
    const [pid] = runningFfmpeg('davis.mp4');
    expect(pid).toBeDefined();
    controller.abort();
    const error = await frames.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isLotreelError(error, 'ABORTED')).toBe(true);
    expect(pidExists(pid)).toBe(false); // gone, not even a zombie
    expect(runningFfmpeg('davis.mp4')).toEqual([]);
  });

  it('an already aborted signal never starts ffmpeg', async () => {
    const error = await sample(at('davis.mp4'), { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'ABORTED')).toBe(true);
  });

  it('breaking out of the loop kills ffmpeg', async () => {
    let pid: number | undefined;
    for await (const batch of sampleFrames(at('davis.mp4'), info(at('davis.mp4')), { ...keyframes, ...fullRate }, bins)) {
      expect(batch).toHaveLength(2);
      [pid] = runningFfmpeg('davis.mp4');
      break;
    }
    expect(pid).toBeDefined();
    expect(pidExists(pid!)).toBe(false);
  });

  it('a truncated file yields the frames it has, then INPUT_CORRUPT', async () => {
    const seen: number[] = [];
    const error = await (async () => {
      for await (const batch of sampleFrames(at('truncated-faststart.mp4'), info(at('truncated-faststart.mp4')), keyframes, bins)) seen.push(...batch.map((f) => f.timestampMs));
    })().catch((e: unknown) => e);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(12);
    expect(seen).toEqual(car01Keyframes.slice(0, seen.length));
    expect(isLotreelError(error, 'INPUT_CORRUPT')).toBe(true);
    expect((error as Error).message).toBe(`truncated-faststart.mp4 is incomplete (truncated): decoding stopped after ${seen.at(-1)} ms of 11800 ms`);
  });

  it('rejects a bad batch size', async () => {
    const error = await sample(at('car01.mp4'), { batchSize: 0 }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});

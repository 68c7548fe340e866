import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { cutClip, extractStill, extractStills } from '../../../src/media/extract.js';
import { probe } from '../../../src/media/probe.js';
import { sampleFrames } from '../../../src/media/sampler.js';
import type { VideoInfo } from '../../../src/media/types.js';
import { epflCar, scratchDir } from '../../helpers/shared.js';
import { bins, collect, decodeRgb, ffmpeg, ffprobeJson, meanAbsDiff } from './media-helpers.js';

const dir = scratchDir('media-extract');
const at = (name: string) => join(dir, name);
let car01: VideoInfo;
let portrait: VideoInfo;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  ffmpeg('-i', epflCar(1), '-c', 'copy', '-metadata:s:v:0', 'rotate=270', at('portrait.mp4')); // turn 90 clockwise to view
  car01 = await probe(epflCar(1), bins);
  portrait = await probe(at('portrait.mp4'), bins);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function jpegPixels(file: string) {
  const meta = await sharp(file).metadata();
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { meta, data, width: info.width, height: info.height };
}

interface PacketList {
  packets: { pts_time: string; size: string; flags: string }[];
}
const videoPackets = (file: string) => ffprobeJson<PacketList>('-select_streams', 'v:0', '-show_entries', 'packet=pts_time,size,flags', file).packets;

describe('extractStill', () => {
  it('writes the full-size frame at a timestamp as an (untagged) sRGB JPEG without orientation', async () => {
    const out = at('still-4900.jpg');
    expect(await extractStill(epflCar(1), car01, 4900, out, {}, bins)).toEqual({ width: 376, height: 250 });
    const jpeg = await jpegPixels(out);
    expect(jpeg.meta).toMatchObject({ format: 'jpeg', width: 376, height: 250, space: 'srgb' });
    expect(jpeg.meta.orientation ?? 1).toBe(1);
    // the same pixels as the sampled frame at 4900 ms (quality 90: a little JPEG noise)
    const frames = await collect(sampleFrames(epflCar(1), car01, { mode: { kind: 'keyframes' }, longSide: 376, batchSize: 16 }, bins));
    const frame = frames.find((f) => f.timestampMs === 4900)!;
    expect(meanAbsDiff(jpeg.data, frame.data)).toBeLessThan(3);
    const neighbour = frames.find((f) => f.timestampMs === 3900)!;
    expect(meanAbsDiff(jpeg.data, neighbour.data)).toBeGreaterThan(6);
  });

  it('finds frames between keyframes exactly', async () => {
    const out = at('still-2300.jpg');
    await extractStill(epflCar(1), car01, 2300, out, { quality: 95 }, bins);
    const reference = decodeRgb(epflCar(1), 'select=eq(n\\,23),scale=in_color_matrix=bt601:flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24', 1);
    const wrong = decodeRgb(epflCar(1), 'select=eq(n\\,24),scale=in_color_matrix=bt601:flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24', 1);
    const { data } = await jpegPixels(out);
    expect(meanAbsDiff(data, reference)).toBeLessThan(2.5);
    expect(meanAbsDiff(data, wrong)).toBeGreaterThan(meanAbsDiff(data, reference) + 1);
  });

  it('writes an upright still from a rotated video', async () => {
    const out = at('portrait.jpg');
    expect(await extractStill(at('portrait.mp4'), portrait, 0, out, {}, bins)).toEqual({ width: 250, height: 376 });
    const jpeg = await jpegPixels(out);
    expect([jpeg.width, jpeg.height]).toEqual([250, 376]);
    expect(jpeg.meta.orientation ?? 1).toBe(1);
    const turned = decodeRgb(epflCar(1), 'transpose=clock,scale=in_color_matrix=bt601,format=rgb24', 1);
    expect(meanAbsDiff(jpeg.data, turned)).toBeLessThan(3);
  });

  it('says so when there is no frame at the timestamp', async () => {
    const error = await extractStill(epflCar(1), car01, 60_000, at('none.jpg'), {}, bins).catch((e: unknown) => e);
    expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('none.jpg'))).toEqual([]);
  });

  it('extractStills writes many, in order, reporting progress', async () => {
    const requests = [0, 900, 4200, 7700, 11700].map((t) => ({ timestampMs: t, outPath: at(`many-${t}.jpg`) }));
    const progress: number[] = [];
    const results = await extractStills(epflCar(1), car01, requests, { onDone: (n) => progress.push(n) }, bins);
    expect(results.map((r) => [r.timestampMs, r.outPath, r.width, r.height])).toEqual(requests.map((r) => [r.timestampMs, r.outPath, 376, 250]));
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    for (const r of requests) expect((await sharp(r.outPath).metadata()).width).toBe(376);
  });

  it('extractStills stops at the first failure and honours abort', async () => {
    const bad = [0, 60_000, 900].map((t) => ({ timestampMs: t, outPath: at(`bad-${t}.jpg`) }));
    expect(isLotreelError(await extractStills(epflCar(1), car01, bad, {}, bins).catch((e: unknown) => e), 'INVALID_ARGUMENT')).toBe(true);
    const aborted = await extractStills(epflCar(1), car01, bad, { signal: AbortSignal.abort() }, bins).catch((e: unknown) => e);
    expect(isLotreelError(aborted, 'ABORTED')).toBe(true);
  });
});

describe('cutClip', () => {
  it('copies one segment, widened to keyframes, without re-encoding', async () => {
    const out = at('clip-one.mp4');
    const result = await cutClip(epflCar(1), [{ startMs: 2000, endMs: 3500 }], out, bins, { info: car01 });
    expect(result.segments).toEqual([{ startMs: 1900, endMs: 3900 }]);
    const clip = await probe(out, bins);
    expect(clip).toMatchObject({ codec: 'h264', width: 376, height: 250, fps: 10 });
    expect(clip.durationMs).toBeGreaterThanOrEqual(1950);
    expect(clip.durationMs).toBeLessThanOrEqual(2050);
    // stream copy: the clip's packets are the source's packets from 1.9 s to 3.9 s, byte for byte in size
    const source = videoPackets(epflCar(1)).filter((p) => Number(p.pts_time) >= 1.9 && Number(p.pts_time) < 3.9);
    const copied = videoPackets(out);
    expect(copied.map((p) => p.flags)).toEqual(source.map((p) => p.flags));
    // identical sizes, except that keyframes may get the SPS/PPS headers (< 64 bytes) put in front
    copied.forEach((p, i) => {
      const grew = Number(p.size) - Number(source[i].size);
      if (p.flags.startsWith('K')) expect(grew).toBeGreaterThanOrEqual(0), expect(grew).toBeLessThan(64);
      else expect(grew).toBe(0);
    });
    expect(copied[0].flags.startsWith('K')).toBe(true);
    // plays from its first frame to its last without errors
    expect(decodeRgb(out, 'format=rgb24', 100).length).toBe(20 * 376 * 250 * 3);
  });

  it('joins several segments and merges overlapping ones', async () => {
    const out = at('clip-two.mp4');
    const result = await cutClip(
      epflCar(1),
      [
        { startMs: 6000, endMs: 7000 },
        { startMs: 1000, endMs: 2000 },
        { startMs: 6500, endMs: 8000 },
      ],
      out,
      bins,
    );
    expect(result.segments).toEqual([
      { startMs: 900, endMs: 2900 },
      { startMs: 5900, endMs: 8900 },
    ]);
    const clip = await probe(out, bins);
    expect(clip.durationMs).toBeGreaterThanOrEqual(4950);
    expect(clip.durationMs).toBeLessThanOrEqual(5050);
    const frames = ffprobeJson<{ frames: { pts_time: string }[] }>('-select_streams', 'v:0', '-show_entries', 'frame=pts_time', out).frames;
    expect(frames.map((f) => Math.round(Number(f.pts_time) * 1000))).toEqual(Array.from({ length: 50 }, (_, i) => i * 100));
    // the first frame of the second part is the source frame at 5.9 s
    const joined = decodeRgb(out, 'select=eq(n\\,20),format=rgb24', 1);
    const source = decodeRgb(epflCar(1), 'select=eq(n\\,59),format=rgb24', 1);
    expect(meanAbsDiff(joined, source)).toBe(0);
  });

  it('runs to the end when the segment reaches past the last keyframe, and keeps rotation', async () => {
    const out = at('clip-end.mp4');
    const result = await cutClip(at('portrait.mp4'), [{ startMs: 11000, endMs: 11800 }], out, bins);
    expect(result.segments).toEqual([{ startMs: 10900, endMs: portrait.durationMs }]);
    expect(await probe(out, bins)).toMatchObject({ rotation: 90, width: 250, height: 376 });
  });

  it('keeps audio; a clip whose video starts after its audio still gives display times from the video start', async () => {
    ffmpeg('-i', epflCar(1), '-f', 'lavfi', '-i', 'sine=duration=11.8', '-c:v', 'copy', '-c:a', 'aac', '-shortest', at('av.mp4'));
    const out = at('clip-av.mp4');
    await cutClip(at('av.mp4'), [{ startMs: 2000, endMs: 3500 }, { startMs: 6000, endMs: 7000 }], out, bins);
    const clip = await probe(out, bins);
    expect(clip).toMatchObject({ hasAudio: true, codec: 'h264' });
    expect(clip.durationMs).toBeGreaterThanOrEqual(3950);
    expect(clip.durationMs).toBeLessThanOrEqual(4100);
    // the muxer delays video by the B-frame lag (~0.2 s) behind the audio: -ss must count from the file start
    expect(clip.streamStartMs - clip.fileStartMs).toBeGreaterThan(100);
    const frames = await collect(sampleFrames(out, clip, { mode: { kind: 'keyframes' }, longSide: 376, batchSize: 8 }, bins));
    expect(frames.map((f) => f.timestampMs)).toEqual([0, 1000, 2000, 3000]);
    const windowed = await collect(sampleFrames(out, clip, { mode: { kind: 'rate', fps: 10 }, longSide: 376, batchSize: 8, startMs: 2000, endMs: 2300 }, bins));
    expect(windowed.map((f) => f.timestampMs)).toEqual([2000, 2100, 2200]);
    expect(meanAbsDiff(windowed[0].data, frames[2].data)).toBe(0);
    // 2000 ms into the clip is 5900 ms into the source
    await extractStill(out, clip, 2000, at('av-2000.jpg'), {}, bins);
    const source = decodeRgb(epflCar(1), 'select=eq(n\\,59),scale=in_color_matrix=bt601:flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24', 1);
    expect(meanAbsDiff((await jpegPixels(at('av-2000.jpg'))).data, source)).toBeLessThan(2.5);
  });

  it('leaves no temporary files behind, also on failure', async () => {
    const error = await cutClip(epflCar(1), [{ startMs: 5, endMs: 5 }], at('bad-clip.mp4'), bins, { info: car01 }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
    expect(readdirSync(dir)).not.toContain('bad-clip.mp4');
  });

  it('works with the 2018 static ffmpeg from npm', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const npm = { ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path, ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path, source: 'npm' as const };
    const out = at('clip-npm.mp4');
    await cutClip(epflCar(1), [{ startMs: 1000, endMs: 2000 }, { startMs: 6000, endMs: 7000 }], out, npm, { info: car01 });
    const frames = ffprobeJson<{ frames: { pts_time: string }[] }>('-select_streams', 'v:0', '-show_entries', 'frame=pts_time', out).frames;
    expect(frames.map((f) => Math.round(Number(f.pts_time) * 1000))).toEqual(Array.from({ length: 40 }, (_, i) => i * 100));
    const still = at('still-npm.jpg');
    expect(await extractStill(at('portrait.mp4'), portrait, 900, still, {}, npm)).toEqual({ width: 250, height: 376 });
  });
});

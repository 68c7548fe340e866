/**
 * Moments of a car's video for the editor (I/O): a filmstrip of small frames across the car's
 * segments (one decode per segment, composed into one JPEG sprite), and any moment extracted at full
 * resolution as a new photo, stored beside the video's other photos.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { asLotreelError, LotreelError } from '../../core/errors.js';
import { extractStill } from '../../media/extract.js';
import { probe } from '../../media/probe.js';
import { sampleFrames } from '../../media/sampler.js';
import type { Frame, VideoInfo } from '../../media/types.js';
import type { ServiceContext } from '../context.js';
import { checkKey, originalKey, videoPrefix } from '../../storage/storage.js';
import type { NewFrame } from '../../store/editor.repository.js';
import { blurPicturePlates } from '../../text/picture-plates.js';

/** Blurs the plates of a frame file with the process's models (MODEL_MISSING without OCR). */
async function blurFramePlates(ctx: ServiceContext, path: string): Promise<Array<{ x1: number; y1: number; x2: number; y2: number }>> {
  const readers = await ctx.models.text();
  const detector = await ctx.models.detector().catch((error: unknown) => {
    ctx.log.warn('plates in editor frames are found without the vehicle detector', { error: asLotreelError(error).message });
    return null;
  });
  const plates = await blurPicturePlates(path, { ocr: readers.ocr, ocrProblem: readers.problem, detector }, ctx.config.analysis);
  return plates.map((p) => p.box);
}

export interface Filmstrip {
  frames: Array<{ timestampMs: number }>;
  thumbWidth: number;
  thumbHeight: number;
  /** The frames side by side, left to right. */
  sprite: Buffer;
}

export interface FilmstripSettings {
  frames: number;
  thumbLongSide: number;
}

export const FILMSTRIP: FilmstripSettings = { frames: 24, thumbLongSide: 192 };

/** Probes are cached per video: the original never changes under its id. */
const infoCache = new Map<string, VideoInfo>();

async function videoInfo(ctx: ServiceContext, videoId: string, path: string): Promise<VideoInfo> {
  const cached = infoCache.get(videoId);
  if (cached) return cached;
  const info = await probe(path, ctx.binaries);
  if (infoCache.size > 256) infoCache.clear();
  infoCache.set(videoId, info);
  return info;
}

export async function buildFilmstrip(
  ctx: ServiceContext,
  dealerId: string,
  videoId: string,
  segments: ReadonlyArray<{ startMs: number; endMs: number }>,
  settings: FilmstripSettings = FILMSTRIP,
): Promise<Filmstrip> {
  const original = await ctx.storage.localCopy(originalKey(dealerId, videoId));
  try {
    const info = await videoInfo(ctx, videoId, original.path);
    const frames: Frame[] = [];
    const total = segments.reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
    for (const segment of segments) {
      const span = Math.max(1, segment.endMs - segment.startMs);
      const count = Math.max(1, Math.round((settings.frames * span) / Math.max(1, total)));
      const stream = sampleFrames(
        original.path,
        info,
        { mode: { kind: 'rate', fps: Math.min(30, (count * 1000) / span) }, longSide: settings.thumbLongSide, batchSize: 8, startMs: segment.startMs, endMs: segment.endMs, roughDecode: true },
        ctx.binaries,
      );
      for await (const batch of stream) frames.push(...batch);
    }
    if (frames.length === 0) throw new LotreelError('INVALID_ARGUMENT', 'the car has no frames to show');
    const { width, height } = frames[0]!;
    const sprite = await sharp({ create: { width: width * frames.length, height, channels: 3, background: '#000000' } })
      .composite(frames.map((frame, i) => ({ input: Buffer.from(frame.data), raw: { width: frame.width, height: frame.height, channels: 3 as const }, left: i * width, top: 0 })))
      .jpeg({ quality: 70 })
      .toBuffer();
    return { frames: frames.map((f) => ({ timestampMs: f.timestampMs })), thumbWidth: width, thumbHeight: height, sprite };
  } finally {
    await original.release();
  }
}

/** The frame shown at `timestampMs`, full resolution, its plates blurred, stored under the video's prefix. */
export async function extractFrame(ctx: ServiceContext, dealerId: string, videoId: string, carOrdinal: number, timestampMs: number): Promise<NewFrame> {
  const original = await ctx.storage.localCopy(originalKey(dealerId, videoId));
  const dir = await mkdtemp(join(tmpdir(), 'lotreel-frame-'));
  try {
    const info = await videoInfo(ctx, videoId, original.path);
    if (timestampMs >= info.durationMs) {
      throw new LotreelError('INVALID_ARGUMENT', `the video lasts ${info.durationMs} ms: there is no frame at ${timestampMs} ms`);
    }
    const temp = join(dir, 'frame.jpg');
    const size = await extractStill(original.path, info, timestampMs, temp, { quality: ctx.config.editor.jpegQuality }, ctx.binaries);
    // What the seller adds is published like the rest: never with a readable plate.
    const plateRegions = await blurFramePlates(ctx, temp);
    const file = `car-${carOrdinal}/frame-${timestampMs}-${randomBytes(3).toString('hex')}.jpg`;
    await ctx.storage.putFile(checkKey(`${videoPrefix(dealerId, videoId)}/${file}`), temp);
    return { file, timestampMs, ...size, plateRegions };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await original.release();
  }
}

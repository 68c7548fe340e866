/**
 * Each car's published clip (I/O wiring; the decisions are in text/clip-plates.ts and plates.ts): its
 * stretch cut from the video without re-encoding into a scratch file, frames sampled along it searched
 * for plates (only where plates can be: text/plate-search.ts searchPlates), the plates tracked between samples and blurred by one ffmpeg filter
 * graph while the clip is re-encoded at a listing's size. With plate blurring off the cut is the clip.
 * When the plates cannot be looked for, no clip is written and the reason is returned: a clip never
 * goes out unblurred by chance.
 */
import { rm } from 'node:fs/promises';
import type { AnalysisSettings } from '../config/config.js';
import type { Box } from '../core/geometry.js';
import type { Logger } from '../core/log.js';
import type { FfmpegBinaries } from '../media/binaries.js';
import { clipSize } from '../media/clip-encode-args.js';
import { encodeBlurredClip } from '../media/clip-encode.js';
import { cutClip, probe, sampleFrames, type ClipSegment } from '../media/index.js';
import type { VideoInfo } from '../media/types.js';
import type { OcrReader } from '../vision/ocr.js';
import type { YoloxDetector } from '../vision/yolox.js';
import { clipBlurPieces, type PlateSample } from '../text/clip-plates.js';
import { heldForPlates } from '../listing/draft.js';
import type { FinishedCar } from './result.js';
import { searchPlates } from '../text/plate-search.js';

export interface CarClipContext {
  info: VideoInfo;
  binaries: FfmpegBinaries;
  settings: Pick<AnalysisSettings, 'plates'>;
  /** The readers the photos' plates were found with; `ocr` null: plates cannot be looked for (`ocrProblem` says why). */
  readers: { ocr: OcrReader | null; ocrProblem: string | null; detector: YoloxDetector | null };
  log: Logger;
  signal?: AbortSignal;
}

export interface CarClip {
  /** Whether the clip was written (false: held back, see `plateProblem`). */
  written: boolean;
  /** Why the clip's plates could not be looked for (no clip then), or null. */
  plateProblem: string | null;
  samples: number;
  blurPieces: number;
}

const scaled = (box: Box, s: number): Box => ({ x1: box.x1 * s, y1: box.y1 * s, x2: box.x2 * s, y2: box.y2 * s });

/** Plates on frames sampled along `file` every 1/`clipSampleFps` s, in output pixels of a `size` picture. */
async function samplePlates(file: string, info: VideoInfo, size: { width: number; height: number }, ocr: OcrReader, context: CarClipContext): Promise<PlateSample[]> {
  const { plates } = context.settings;
  const samples: PlateSample[] = [];
  const frames = sampleFrames(file, info, { mode: { kind: 'rate', fps: plates.clipSampleFps }, longSide: Math.max(size.width, size.height), batchSize: 4, signal: context.signal, background: true }, context.binaries);
  for await (const batch of frames) {
    for (const frame of batch) {
      // Nobody waits on a clip (its draft is out already): its OCR runs go after the drafts' text.
      const found = await searchPlates(frame, { ocr: ocr.background, detector: context.readers.detector }, { settings: plates });
      samples.push({ timeMs: frame.timestampMs, boxes: found.plates.map((p) => scaled(p.box, size.width / frame.width)) });
    }
  }
  return samples;
}

/** Writes the clip of `segments` (display ms of the video) to `outPath`, plates blurred unless `plates.blur` is off. */
export async function writeCarClip(segments: readonly ClipSegment[], outPath: string, context: CarClipContext): Promise<CarClip> {
  const { plates } = context.settings;
  const { info, binaries, signal } = context;
  if (!plates.blur) {
    await cutClip(info.file, segments, outPath, binaries, { info, signal });
    return { written: true, plateProblem: null, samples: 0, blurPieces: 0 };
  }
  const { ocr } = context.readers;
  if (!ocr) return { written: false, plateProblem: `the clip is not published: ${context.readers.ocrProblem ?? 'OCR is off'}`, samples: 0, blurPieces: 0 };
  const cut = `${outPath}.cut.mp4`;
  try {
    await cutClip(info.file, segments, cut, binaries, { info, signal });
    const cutInfo = await probe(cut, binaries, { signal });
    const size = clipSize(cutInfo.width, cutInfo.height, plates.clipShortSide);
    let samples: PlateSample[];
    try {
      samples = await samplePlates(cut, cutInfo, size, ocr, context);
    } catch (error) {
      if (signal?.aborted) throw error;
      const reason = `the clip is not published, its plates could not be looked for: ${error instanceof Error ? error.message : String(error)}`;
      context.log.warn('clip held back', { clip: outPath, reason });
      return { written: false, plateProblem: reason, samples: 0, blurPieces: 0 };
    }
    const pieces = clipBlurPieces(samples, { durationMs: cutInfo.durationMs, intervalMs: 1000 / plates.clipSampleFps }, plates);
    await encodeBlurredClip(cut, cutInfo, pieces, outPath, binaries, { size, crf: plates.clipCrf, preset: plates.clipPreset, signal, background: true });
    return { written: true, plateProblem: null, samples: samples.length, blurPieces: pieces.length };
  } finally {
    await rm(cut, { force: true });
  }
}

/** The car with its clip as written: none when held back, and then its draft held for review with the reason too. */
export function withCarClip(car: FinishedCar, clip: CarClip): FinishedCar {
  if (!clip.plateProblem) return clip.written ? car : { ...car, clip: null };
  const before = car.draft.attributes.platesNotBlurred;
  const reason = typeof before === 'string' ? `${before}; ${clip.plateProblem}` : clip.plateProblem;
  return { ...car, clip: clip.written ? car.clip : null, draft: heldForPlates(car.draft, reason) };
}

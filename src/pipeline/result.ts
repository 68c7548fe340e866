/**
 * What a processed video becomes (pure): the rows to store and the result the CLI prints. Both are
 * built from the same finished cars, so the JSON and the database always say the same thing.
 */
import { basename } from 'node:path';
import type { VideoInfo } from '../media/types.js';
import type { SavedVideoResult, VideoResultInput } from '../store/index.js';
import type { Draft } from './draft.js';
import type { TimeRange } from './observation.js';
import type { MakeModelResult } from './make-model.js';
import type { ChosenPhoto } from './photos.js';

export const TIMING_STAGES = ['total', 'probe', 'open', 'decode', 'detect', 'clip', 'segment', 'photos', 'clips', 'store'] as const;
export type TimingStage = (typeof TIMING_STAGES)[number];

export interface PhotoResult {
  file: string;
  timestampMs: number;
  view: string | null;
  /** CLIP's confidence in `view` (null without CLIP). */
  viewConfidence: number | null;
  sharpness: number;
  cover: boolean;
  width: number;
  height: number;
}

export interface CarResult {
  id: string;
  segments: TimeRange[];
  photos: PhotoResult[];
  makeModel: { make: string | null; model: string | null; year: number | null; confidence: number; candidates: unknown[] };
  color: string | null;
  bodyType: string | null;
  clip: string | null;
  draft: { id: string; title: string; description: string; status: string };
}

export interface ProcessResult {
  videoId: string;
  video: {
    file: string;
    durationMs: number;
    width: number;
    height: number;
    fps: number;
    rotation: number;
    codec: string;
    bitDepth: number;
    sampling: 'keyframes' | 'rate';
    framesAnalysed: number;
  };
  device: string;
  outDir: string;
  cars: CarResult[];
  timingsMs: Record<TimingStage, number>;
}

/** One car with everything decided and its files written (paths relative to the output folder). */
export interface FinishedCar {
  ordinal: number;
  segments: TimeRange[];
  colour: string | null;
  bodyType: string | null;
  draft: Draft;
  clip: string;
  /** In listing order: the cover first. */
  photos: { chosen: ChosenPhoto; file: string; size: { width: number; height: number } }[];
  /** CLIP's zero-shot make and model (absent without CLIP). */
  makeModel?: MakeModelResult;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const makeModelFields = (car: FinishedCar) => ({
  make: car.makeModel?.make ?? null,
  model: car.makeModel?.model ?? null,
  confidence: round3(car.makeModel?.confidence ?? 0),
  candidates: (car.makeModel?.candidates ?? []).map((c) => ({ ...c, confidence: round3(c.confidence) })),
});

const round2 = (x: number) => Math.round(x * 100) / 100;

export function toStoreInput(info: VideoInfo, fingerprint: string, device: string, timingsMs: Record<string, number>, cars: readonly FinishedCar[]): VideoResultInput {
  return {
    video: {
      fingerprint,
      fileName: basename(info.file),
      filePath: info.file,
      sizeBytes: info.sizeBytes,
      durationMs: info.durationMs,
      width: info.width,
      height: info.height,
      fps: info.fps,
      rotation: info.rotation,
      codec: info.codec,
      bitDepth: info.bitDepth,
      device,
      timingsMs,
    },
    cars: cars.map((car) => ({
      ordinal: car.ordinal,
      color: car.colour,
      bodyType: car.bodyType,
      make: makeModelFields(car).make,
      model: makeModelFields(car).model,
      year: null,
      makeModelConfidence: makeModelFields(car).confidence,
      makeModelCandidates: makeModelFields(car).candidates,
      clipFile: car.clip,
      segments: car.segments,
      photos: car.photos.map((photo, k) => ({
        ordinal: k + 1,
        file: photo.file,
        timestampMs: photo.chosen.candidate.timestampMs,
        width: photo.size.width,
        height: photo.size.height,
        view: photo.chosen.candidate.view?.view ?? null,
        sharpness: photo.chosen.sharpness,
        quality: {
          exposure: photo.chosen.exposure,
          framing: photo.chosen.framing,
          score: photo.chosen.score,
          ...(photo.chosen.candidate.view ? { viewConfidence: photo.chosen.candidate.view.confidence } : {}),
        },
        isCover: photo.chosen.cover,
      })),
      draft: car.draft,
    })),
  };
}

export function toProcessResult(
  saved: SavedVideoResult,
  info: VideoInfo,
  run: { sampling: 'keyframes' | 'rate'; framesAnalysed: number; device: string; outDir: string; timingsMs: Record<TimingStage, number> },
  cars: readonly FinishedCar[],
): ProcessResult {
  return {
    videoId: saved.videoId,
    video: {
      file: basename(info.file),
      durationMs: info.durationMs,
      width: info.width,
      height: info.height,
      fps: round2(info.fps),
      rotation: info.rotation,
      codec: info.codec,
      bitDepth: info.bitDepth,
      sampling: run.sampling,
      framesAnalysed: run.framesAnalysed,
    },
    device: run.device,
    outDir: run.outDir,
    cars: cars.map((car, i) => ({
      id: saved.cars[i].id,
      segments: car.segments,
      photos: car.photos.map((photo) => ({
        file: photo.file,
        timestampMs: photo.chosen.candidate.timestampMs,
        view: photo.chosen.candidate.view?.view ?? null,
        viewConfidence: photo.chosen.candidate.view ? round3(photo.chosen.candidate.view.confidence) : null,
        sharpness: round2(photo.chosen.sharpness),
        cover: photo.chosen.cover,
        width: photo.size.width,
        height: photo.size.height,
      })),
      makeModel: { ...makeModelFields(car), year: null },
      color: car.colour,
      bodyType: car.bodyType,
      clip: car.clip,
      draft: { id: saved.cars[i].draftId, title: car.draft.title, description: car.draft.description, status: car.draft.status },
    })),
    timingsMs: run.timingsMs,
  };
}

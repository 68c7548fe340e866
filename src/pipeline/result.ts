/**
 * What a processed video becomes (pure): the rows to store and the result the CLI prints. Both are
 * built from the same finished cars, so the JSON and the database always say the same thing.
 */
import { basename } from 'node:path';
import type { VideoInfo } from '../media/types.js';
import type { DeviceReport } from '../vision/providers.js';
import type { SavedVideoResult, VideoResultInput } from '../store/index.js';
import { videoFacts } from '../store/results.repository.js';
import type { Draft } from '../listing/draft.js';
import { resolveAttributes, type Evidence, type ResolvedAttributes } from '../evidence/evidence.js';
import type { Box } from '../core/geometry.js';
import type { TimeRange } from '../analysis/observation.js';
import type { MakeModelResult } from '../evidence/clip-make-model.js';
import type { ChosenPhoto } from '../photos/choose-photos.js';

export const TIMING_STAGES = ['total', 'probe', 'open', 'decode', 'detect', 'clip', 'segment', 'photos', 'clips', 'text', 'store'] as const;
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
  /** Licence plate regions blurred in this photo (photo pixels); the unblurred photo is `original`. */
  plates: Box[];
  original: string | null;
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
  /** Each known attribute with the source it came from (vin, sticker, badge, vision...) and confidence. */
  attributes: ResolvedAttributes;
  /** Everything learnt about the car, winners and losers. */
  evidence: Evidence[];
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
  /** Requested device, providers in order of preference with their options, and the one used. */
  device: DeviceReport;
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
  photos: { chosen: ChosenPhoto; file: string; size: { width: number; height: number }; plates?: Box[]; original?: string | null }[];
  evidence?: Evidence[];
  /** CLIP's zero-shot make and model (absent without CLIP); its evidence is also in `evidence`. */
  makeModel?: MakeModelResult;
}

/** Make, model and year as the draft shows them, with the confidence of the weakest of the three known. */
function identity(car: FinishedCar) {
  const resolved = resolveAttributes(car.evidence ?? []);
  const known = [resolved.make, resolved.model, resolved.year].filter((a) => a !== undefined);
  return {
    resolved,
    make: resolved.make ? String(resolved.make.value) : null,
    model: resolved.model ? String(resolved.model.value) : null,
    year: typeof resolved.year?.value === 'number' ? resolved.year.value : null,
    // The weakest known part; with nothing known, how sure the best guess (CLIP's top candidate) is.
    confidence: round3(known.length > 0 ? Math.min(...known.map((a) => a.confidence)) : (car.makeModel?.candidates[0]?.confidence ?? 0)),
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
/** CLIP's top candidates, for the seller to pick from (empty without CLIP). */
const candidates = (car: FinishedCar) => (car.makeModel?.candidates ?? []).map((c) => ({ ...c, confidence: round3(c.confidence) }));

const round2 = (x: number) => Math.round(x * 100) / 100;

export function toStoreInput(info: VideoInfo, fingerprint: string, device: string, timingsMs: Record<string, number>, cars: readonly FinishedCar[]): VideoResultInput {
  return {
    video: {
      fingerprint,
      fileName: basename(info.file),
      filePath: info.file,
      ...videoFacts(info),
      device,
      timingsMs,
    },
    cars: cars.map((car) => ({
      ordinal: car.ordinal,
      color: car.colour,
      bodyType: car.bodyType,
      make: identity(car).make,
      model: identity(car).model,
      year: identity(car).year,
      makeModelConfidence: identity(car).confidence,
      makeModelCandidates: candidates(car),
      evidence: car.evidence ?? [],
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
        plateRegions: photo.plates ?? [],
        originalFile: photo.original ?? null,
      })),
      draft: car.draft,
    })),
  };
}

export function toProcessResult(
  saved: SavedVideoResult,
  info: VideoInfo,
  run: { sampling: 'keyframes' | 'rate'; framesAnalysed: number; device: DeviceReport; outDir: string; timingsMs: Record<TimingStage, number> },
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
        plates: photo.plates ?? [],
        original: photo.original ?? null,
      })),
      makeModel: { make: identity(car).make, model: identity(car).model, year: identity(car).year, confidence: identity(car).confidence, candidates: candidates(car) },
      color: car.colour,
      bodyType: car.bodyType,
      clip: car.clip,
      draft: { id: saved.cars[i].draftId, title: car.draft.title, description: car.draft.description, status: car.draft.status },
      attributes: identity(car).resolved,
      evidence: car.evidence ?? [],
    })),
    timingsMs: run.timingsMs,
  };
}

/**
 * What an analysis returns and what the CLI prints (pure). The store builds its rows from the same
 * finished cars (store/analysis-rows.ts), so the JSON and the database always say the same thing.
 */
import { basename } from 'node:path';
import type { DecodeStats, VideoInfo } from '../media/types.js';
import type { DeviceReport } from '../vision/providers.js';
import type { Draft } from '../listing/draft.js';
import { resolveAttributes, type Evidence, type ResolvedAttributes } from '../evidence/evidence.js';
import type { Box } from '../core/geometry.js';
import type { TimeRange } from '../analysis/observation.js';
import type { MakeModelResult } from '../evidence/clip-make-model.js';
import type { ChosenPhoto } from '../photos/choose-photos.js';
import type { CarConfidence } from '../analysis/confidence.js';

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
  /** A close-up (VIN card, label, detail) filmed between views of the car, not a view of the whole car. */
  closeUp: boolean;
  width: number;
  height: number;
  /** Licence plate regions blurred in this photo (photo pixels); the unblurred photo is `original`. */
  plates: Box[];
  original: string | null;
  /** The car's box in the photo (photo pixels); null for a close-up. */
  carBox: Box | null;
}

/** A short video made from the car's photos and clip (`process --reel`, src/reel). */
export interface ReelFile {
  format: string;
  file: string;
  durationMs: number;
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
  /** Why this car's plates could not be blurred (its draft is held for review), or null. */
  platesNotBlurred: string | null;
  /** Each known attribute with the source it came from (vin, sticker, badge, vision...) and confidence. */
  attributes: ResolvedAttributes;
  /** Everything learnt about the car, winners and losers. */
  evidence: Evidence[];
  /** How sure the car's boundaries are (0..1), and what a seller may want to check (merge or split). */
  confidence: number;
  warnings: string[];
  /** Present when reels were asked for (`process --reel`). */
  reels?: ReelFile[];
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
  /**
   * CPU ms of the lotreel process (all its threads, not ffmpeg) while each stage ran; stages that run
   * side by side (photos and text beside segment and clips) both count what was used meanwhile.
   */
  cpuMs: Record<TimingStage, number>;
  /** From the start until every car's draft and photos were written (clips may still have been encoding then). */
  draftsReadyMs: number;
  /** Beside the timings: what this run's decoders delivered to Node (ffmpeg runs, frames, rgb24 bytes; the analysis pass, edge and photo windows, stills). */
  decoded: DecodeStats;
  /** Per model used for this video: whether it was already open (warm) when the video started. */
  warm: ModelWarmth;
}

/** Per model used: true when it was already open (a process's second video), false when opened for this one. */
export type ModelWarmth = Partial<Record<'yolox' | 'clip' | 'ocr' | 'vin', boolean>>;

/**
 * What `analyseVideo` returns: everything decided about the video, its files written into the staging
 * folder (paths relative to it). Nothing is stored; the shells publish the files and commit the rows.
 */
export interface AnalysisResult {
  info: VideoInfo;
  /** Content fingerprint: identifies "the same file" across runs. */
  fingerprint: string;
  sampling: 'keyframes' | 'rate';
  framesAnalysed: number;
  cars: FinishedCar[];
  device: DeviceReport;
  warm: ModelWarmth;
  /** Per stage; `store` is 0 here (the shells add it) and `total` is the analysis' own. */
  timingsMs: Record<TimingStage, number>;
  /** CPU ms of this process per stage (see ProcessResult); `store` is 0 here. */
  cpuMs: Record<TimingStage, number>;
  /** See ProcessResult. */
  draftsReadyMs: number;
  /** What the decoders delivered to Node over the run (see ProcessResult). */
  decoded: DecodeStats;
}

/** The ids the store gave a result's cars and drafts, in the order of the cars. */
export interface StoredIds {
  videoId: string;
  cars: readonly { id: string; draftId: string }[];
}

/** One car with everything decided and its files written (paths relative to the staging folder). */
export interface FinishedCar {
  ordinal: number;
  segments: TimeRange[];
  colour: string | null;
  bodyType: string | null;
  draft: Draft;
  /** The clip, plates blurred; null when it was held back (see the draft's `platesNotBlurred`). */
  clip: string | null;
  /** In listing order: the cover first. */
  photos: { chosen: ChosenPhoto; file: string; size: { width: number; height: number }; plates?: Box[]; original?: string | null }[];
  evidence?: Evidence[];
  /** CLIP's zero-shot make and model (absent without CLIP); its evidence is also in `evidence`. */
  makeModel?: MakeModelResult;
  /** How sure the split is about this car (see analysis/confidence.ts). */
  split?: CarConfidence;
  /** Handed to the shell before the result as car number `earlyOrdinal` (see streaming-cars.ts; early or by the final pass), and unchanged since. */
  earlyOrdinal?: number;
  /** Numbers of early cars whose sightings the final pass gave this car instead: a revisit merged, a split redrawn. */
  replaces?: number[];
}

/** Make, model and year as the draft shows them, with the confidence of the weakest of the three known. */
export function carIdentity(car: FinishedCar) {
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
export const makeModelCandidates = (car: FinishedCar) => (car.makeModel?.candidates ?? []).map((c) => ({ ...c, confidence: round3(c.confidence) }));

const round2 = (x: number) => Math.round(x * 100) / 100;

export function toProcessResult(
  analysis: AnalysisResult,
  saved: StoredIds,
  run: { outDir: string; timingsMs: Record<TimingStage, number> },
): ProcessResult {
  const { info, cars } = analysis;
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
      sampling: analysis.sampling,
      framesAnalysed: analysis.framesAnalysed,
    },
    device: analysis.device,
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
        closeUp: photo.chosen.closeUp === true,
        width: photo.size.width,
        height: photo.size.height,
        plates: photo.plates ?? [],
        original: photo.original ?? null,
        carBox: photo.chosen.closeUp ? null : photo.chosen.candidate.sighting.box,
      })),
      makeModel: { make: carIdentity(car).make, model: carIdentity(car).model, year: carIdentity(car).year, confidence: carIdentity(car).confidence, candidates: makeModelCandidates(car) },
      color: car.colour,
      bodyType: car.bodyType,
      clip: car.clip,
      draft: { id: saved.cars[i].draftId, title: car.draft.title, description: car.draft.description, status: car.draft.status },
      platesNotBlurred: typeof car.draft.attributes.platesNotBlurred === 'string' ? car.draft.attributes.platesNotBlurred : null,
      attributes: carIdentity(car).resolved,
      evidence: car.evidence ?? [],
      confidence: car.split?.confidence ?? 1,
      warnings: car.split?.warnings ?? [],
    })),
    timingsMs: run.timingsMs,
    cpuMs: analysis.cpuMs,
    draftsReadyMs: analysis.draftsReadyMs,
    decoded: { ...analysis.decoded },
    warm: analysis.warm,
  };
}

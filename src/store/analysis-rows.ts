/**
 * The rows an analysis result becomes (pure): the video's facts, each car with its segments, photos
 * and draft, file paths as published (under the run folder the shell published the staging folder to).
 */
import { basename } from 'node:path';
import type { AnalysisResult, FinishedCar } from '../pipeline/result.js';
import { carIdentity, makeModelCandidates } from '../pipeline/result.js';
import type { CarInput, VideoFacts, VideoResultInput } from './results.types.js';
import { videoFacts } from './results.types.js';

export interface RowsWhere {
  /** Prefix of every stored file path: the published run folder (e.g. `run-…`, `.lotreel/run-…`). */
  filePrefix: string;
  /** The service's video row; without it the video is found or created by fingerprint. */
  videoId?: string;
  /** Per-stage timings to record (the analysis' own plus the shell's). */
  timingsMs?: Record<string, number>;
}

export function analysisRows(analysis: AnalysisResult, where: RowsWhere): VideoResultInput {
  const facts: VideoFacts = videoFacts(analysis.info);
  return {
    video: {
      ...(where.videoId !== undefined ? { id: where.videoId } : {}),
      fingerprint: analysis.fingerprint,
      fileName: basename(analysis.info.file),
      filePath: analysis.info.file,
      ...facts,
      device: analysis.device.used,
      timingsMs: where.timingsMs ?? analysis.timingsMs,
    },
    cars: analysis.cars.map((car) => carRows(car, where.filePrefix)),
  };
}

/** One finished car's rows, its files under `filePrefix` (the run folder it was published in). */
export function carRows(car: FinishedCar, filePrefix: string): CarInput {
  const at = (file: string) => `${filePrefix}/${file}`;
  const identity = carIdentity(car);
  return {
    ordinal: car.ordinal,
    color: car.colour,
    bodyType: car.bodyType,
    make: identity.make,
    model: identity.model,
    year: identity.year,
    makeModelConfidence: identity.confidence,
    makeModelCandidates: makeModelCandidates(car),
    evidence: car.evidence ?? [],
    splitConfidence: car.split?.confidence ?? 1,
    splitWarnings: car.split?.warnings ?? [],
    clipFile: car.clip === null ? null : at(car.clip),
    segments: car.segments,
    photos: car.photos.map((photo, k) => ({
      ordinal: k + 1,
      file: at(photo.file),
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
      originalFile: photo.original ? at(photo.original) : null,
    })),
    draft: car.draft,
  };
}

/**
 * The text pass (I/O wiring; decisions in text/): reads every car's written photos and a few close-up
 * frames, one car after another. Only the coarse split is needed (a car's own samples), so it runs
 * while the edges are refined.
 */
import { join } from 'node:path';
import type { Box } from '../core/geometry.js';
import { scaledSize } from '../media/ffmpeg-args.js';
import type { Observation } from '../analysis/observation.js';
import type { Vehicle } from '../text/plates.js';
import type { CarGroup } from '../analysis/segmentation.js';
import { textCandidateFrames } from '../text/car-text.js';
import { readCarText, type CarTextResult, type TextReaders } from '../text/text-stage.js';
import type { StageContext } from './frame-stages.js';
import type { StillAt } from './keyframe-stills.js';
import { originalFile, photoFile, type PlannedCar } from './photo-stage.js';

export async function readAllText(
  planned: readonly PlannedCar[],
  coarse: readonly CarGroup[],
  observations: readonly Observation[],
  readers: TextReaders,
  context: StageContext & { stagingDir: string; stillAt: StillAt; vehiclesAt: ReadonlyMap<number, readonly Vehicle[]>; onCarDone: (done: number) => void },
): Promise<CarTextResult[]> {
  const { stagingDir, info, settings } = context;
  // Boxes seen by the analysis, as shares of the frame: the same shares of the full-size pictures.
  const analysed = scaledSize(info.width, info.height, settings.sampling.longSide);
  const share = (box: Box): Box => ({ x1: box.x1 / analysed.width, y1: box.y1 / analysed.height, x2: box.x2 / analysed.width, y2: box.y2 / analysed.height });
  const toPhoto = (box: Box): Box => ({ x1: (box.x1 * info.width) / analysed.width, y1: (box.y1 * info.height) / analysed.height, x2: (box.x2 * info.width) / analysed.width, y2: (box.y2 * info.height) / analysed.height });
  const texts: CarTextResult[] = [];
  for (const [i, car] of planned.entries()) {
    // The car's own samples and its close-ups (a VIN card filmed between two views of it).
    const members = [
      ...coarse[i].members.map((m) => ({ timestampMs: observations[m].timestampMs, sighting: observations[m].car! })),
      ...coarse[i].closeUps.map((k) => ({ timestampMs: observations[k].timestampMs, sighting: observations[k].closeUp! })),
    ];
    const photoTimes = car.photos.map((p) => p.candidate.timestampMs);
    const closeUps = readers.ocr ? textCandidateFrames(members, photoTimes, settings.ocr.extraFrames, settings.segmentation.maxGapMs) : [];
    const input = {
      ordinal: car.ordinal,
      photos: car.photos.map((p, k) => ({
        path: join(stagingDir, photoFile(car.ordinal, k)),
        file: photoFile(car.ordinal, k),
        originalPath: join(stagingDir, originalFile(car.ordinal, k)),
        carShare: share(p.candidate.sighting.box),
        // The vehicles the analysis saw in this very frame, in photo pixels: no second detector run.
        vehicles: context.vehiclesAt.get(p.candidate.timestampMs)?.map((v) => ({ box: toPhoto(v.box), score: v.score })),
      })),
      // Written by the analysis' decode when sampled there; the others are decoded again.
      extraFrames: await Promise.all(closeUps.map(async (t) => ({ timestampMs: t, carShare: share(members.find((m) => m.timestampMs === t)!.sighting.box), path: (await context.stillAt(t)) ?? undefined }))),
    };
    texts.push(
      await readCarText(input, {
        readers,
        detector: context.detector,
        info,
        binaries: context.binaries,
        settings,
        scratchDir: join(stagingDir, '.text'),
        log: context.log,
        signal: context.signal,
      }),
    );
    context.onCarDone(i + 1);
  }
  return texts;
}

/**
 * Finishing a set of cars whose split is decided (orchestration): choose photos, then write them and
 * read their text while the edges are refined, then the drafts; each car's clip (plates blurred, the
 * costliest step) is encoded beside the drafts and after them, so a draft never waits for its clip.
 * The streaming pass runs it for each car as soon as it is settled, the final pass for the cars it
 * found differently.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListingTextSettings } from '../config/config.js';
import { asLotreelError } from '../core/errors.js';
import type { Slots } from '../core/concurrency.js';
import { heldStage, type ProgressListener } from '../core/progress.js';
import type { StageTimer } from '../core/timer.js';
import type { LlmClient } from '../llm/client.js';
import { attachDetailShots, chooseCloseUps, detailRanges } from '../analysis/details.js';
import { separateCars } from '../analysis/boundaries.js';
import type { CarConfidence } from '../analysis/confidence.js';
import type { Observation, TimeRange } from '../analysis/observation.js';
import { mergeTouching, type CarGroup } from '../analysis/segmentation.js';
import { chooseCarPhotos, closeUpPhoto, referenceSharpness } from '../photos/choose-photos.js';
import type { Vehicle } from '../text/plates.js';
import type { TextReaders } from '../text/text-stage.js';
import type { ClipStage } from './clip-stage.js';
import { withCarClip, writeCarClip } from './car-clip.js';
import { finishCars } from './draft-stage.js';
import type { StillAt } from './keyframe-stills.js';
import { refineEdges, type StageContext } from './frame-stages.js';
import { carFolder, clipFile, listingOrder, writePhotos, type PlannedCar } from './photo-stage.js';
import type { FinishedCar, TimingStage } from './result.js';
import { readAllText } from './text-pass.js';

/** What finishing cars needs besides the cars: the run's context, models and staging folder. */
export interface FinishingContext {
  stage: StageContext;
  timer: StageTimer<TimingStage>;
  progress: ProgressListener;
  stagingDir: string;
  clip: ClipStage | null;
  /** Opens the text readers once (they are pooled), when the first car's photos are written. */
  textReaders: () => Promise<TextReaders>;
  llm: LlmClient | null;
  listingText: ListingTextSettings;
  /** Times of the sampled keyframes (photos there come out of one keyframe-only decode). */
  keyframeTimes: ReadonlySet<number>;
  /** The analysis' full-size keyframe stills, waited for while its decode goes on (photos copied from there). */
  stillAt: StillAt;
  /** The vehicles the analysis saw in each analysed frame (plates are looked for on them). */
  vehiclesAt: ReadonlyMap<number, readonly Vehicle[]>;
  /** Clip encodes in flight across every set of cars of the run (each is an ffmpeg run and a plate search). */
  clipSlots: Slots;
}

/**
 * Cars finished: their drafts and photos (`clip` null), and the same cars once their clips are
 * encoded (`clip` set, or null with the draft held for review when its plates could not be looked for).
 */
export interface FinishedGroups {
  drafts: FinishedCar[];
  clipped: Promise<FinishedCar[]>;
}

export interface CarsToFinish {
  observations: readonly Observation[];
  groups: readonly CarGroup[];
  splits: readonly CarConfidence[];
  /** Each car's number, which names its folder (`car-N/`) in the staging folder. */
  ordinals: readonly number[];
  /**
   * The split's other cars (finished already, or still to come): their sightings bound these cars'
   * edge windows and name what is on the other side of each edge, as the split of the whole video
   * does; their segments take their share where edges refined from each side overlap. Not refined here.
   */
  others?: readonly { group: CarGroup; segments: readonly TimeRange[] }[];
}

/** Each group's photo plan: its own samples, its detail shots (CLIP only) and close-ups. */
function planCars({ observations, groups, ordinals }: CarsToFinish, context: FinishingContext): { planned: PlannedCar[]; details: number[][] } {
  const { settings } = context.stage;
  // Interior and detail shots (CLIP only) join the car filmed around them.
  const details = context.clip ? attachDetailShots(observations, groups, settings.views) : groups.map(() => []);
  const planned = groups.map((group, i) => {
    // Close-ups CLIP already took as detail shots are photo candidates there; the others are chosen here.
    const closeUps = chooseCloseUps(
      observations,
      group.closeUps.filter((k) => !details[i].includes(k)),
      settings.photos.closeUpPhotos,
      settings.segmentation.maxGapMs,
      settings.photos.closeUpMinSharpness * referenceSharpness(group.members.map((m) => observations[m].car!)),
    );
    const candidates = [
      ...group.members.map((m) => ({ timestampMs: observations[m].timestampMs, sighting: observations[m].car!, view: observations[m].view })),
      ...details[i].map((d) => ({ timestampMs: observations[d].timestampMs, sighting: observations[d].detail!, view: observations[d].view })),
    ];
    // A car lost for a moment (a missed detection) is still the same stretch of filming.
    const stretches = mergeTouching([...group.segments, ...detailRanges(observations, details[i])], settings.segmentation.maxGapMs);
    const photoSettings = { ...settings.photos, maxPhotos: Math.max(1, settings.photos.maxPhotos - closeUps.length) };
    return {
      ordinal: ordinals[i],
      group,
      photos: [
        ...listingOrder(chooseCarPhotos(candidates, stretches, photoSettings, settings.views)),
        // Close-ups filmed between views of the car (a VIN card, a label) follow as detail photos.
        ...closeUps.map((k) => closeUpPhoto({ timestampMs: observations[k].timestampMs, sighting: observations[k].closeUp! })),
      ],
    };
  });
  return { planned, details };
}

export async function finishGroups(cars: CarsToFinish, context: FinishingContext): Promise<FinishedGroups> {
  // A run finishes many sets of cars: each follows the run's signal only while it works.
  const stopStills = new AbortController();
  const stop = () => stopStills.abort();
  context.stage.signal?.addEventListener('abort', stop, { once: true });
  if (context.stage.signal?.aborted) stop();
  try {
    return await finishStopping(cars, context, stopStills);
  } finally {
    context.stage.signal?.removeEventListener('abort', stop);
  }
}

async function finishStopping(cars: CarsToFinish, context: FinishingContext, stopStills: AbortController): Promise<FinishedGroups> {
  const { observations, groups } = cars;
  const { stage, timer, progress, stagingDir } = context;
  const { settings, signal, info, binaries } = stage;
  const { planned, details } = planCars(cars, context);
  for (const car of planned) {
    await rm(join(stagingDir, carFolder(car.ordinal)), { recursive: true, force: true });
    await mkdir(join(stagingDir, carFolder(car.ordinal)), { recursive: true });
  }
  const stillContext = { ...stage, signal: stopStills.signal };
  // Photos, then their text, run while the edges are refined and the clips cut; the stages are
  // shown one after another all the same.
  const photoCount = planned.reduce((n, car) => n + car.photos.length, 0);
  const photoProgress = heldStage(progress);
  const textProgress = heldStage(progress);
  const extracting = timer.time('photos', () =>
    writePhotos(planned, context.keyframeTimes, context.stillAt, stagingDir, stillContext, (done) => photoProgress.report({ stage: 'photos', done, total: photoCount })),
  );
  // Text on the photos and a few close-ups: VINs, badges, stickers; plates blurred in the photos.
  const reading = extracting.then(async () => {
    const readers = await timer.time('open', () => context.textReaders());
    return timer.time('text', () =>
      readAllText(planned, groups, observations, readers, {
        ...stillContext,
        stagingDir,
        stillAt: context.stillAt,
        vehiclesAt: context.vehiclesAt,
        onCarDone: (done) => textProgress.report({ stage: 'text', done, total: planned.length }),
      }),
    );
  });
  reading.catch(() => undefined); // its failure is reported where it is awaited below
  try {
    const others = cars.others ?? [];
    const refining = [...others.map((o) => o.group), ...groups];
    const refined = (await timer.time('segment', () => refineEdges(refining, [...observations], stage, (car) => car >= others.length))).slice(others.length);
    // Edges refined from each car's side may reach past each other: a moment belongs to one car.
    const separated = separateCars([...others.map((o) => o.segments), ...refined.map((g) => g.segments)]).slice(others.length);
    planned.forEach((car, i) => {
      const extra = detailRanges(observations, details[i]);
      car.group = { ...refined[i], segments: extra.length > 0 ? mergeTouching([...separated[i], ...extra], settings.segmentation.maxGapMs) : separated[i] };
    });
    progress({ stage: 'segment', done: 1, total: 1 });
  } catch (error) {
    stopStills.abort();
    await Promise.allSettled([extracting, reading]);
    throw asLotreelError(error);
  }
  photoProgress.show({ stage: 'photos', done: 0, total: photoCount });
  const sizes = await extracting;
  textProgress.show({ stage: 'text', done: 0, total: planned.length });
  const texts = await reading;
  await rm(join(stagingDir, '.text'), { recursive: true, force: true });
  // Each car's clip, plates blurred, is encoded while the drafts are written (an LLM's answers are
  // waited on) and after: the drafts are handed on without waiting for it.
  const readers = await context.textReaders();
  const clipContext = { info, binaries, settings, readers: { ocr: readers.ocr ?? null, ocrProblem: readers.problem ?? null, detector: stage.detector }, log: stage.log, signal };
  let clipsDone = 0;
  const clipping = timer.time('clips', () =>
    Promise.all(
      planned.map((car) =>
        context.clipSlots.run(async () => {
          const written = await writeCarClip(car.group.segments, join(stagingDir, clipFile(car.ordinal)), clipContext);
          progress({ stage: 'clips', done: ++clipsDone, total: planned.length });
          return written;
        }),
      ),
    ),
  );
  clipping.catch(() => undefined); // handed on in `clipped`
  try {
    const makeModels = context.clip ? await timer.time('clip', () => context.clip!.rankCars(planned.map((car) => car.group), observations)) : [];
    const found = { sizes, texts, makeModels, splits: cars.splits };
    const drafted = await finishCars(planned, observations, found, { stagingDir, llm: context.llm, textSettings: context.listingText, log: stage.log, signal });
    const clipped = clipping.then(
      (clips) => drafted.map((car, i) => withCarClip(car, clips[i])),
      (error: unknown) => Promise.reject(asLotreelError(error)),
    );
    return { drafts: drafted.map((car) => ({ ...car, clip: null })), clipped };
  } catch (error) {
    await clipping.catch(() => undefined);
    throw asLotreelError(error);
  }
}

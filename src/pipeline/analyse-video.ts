/**
 * The analysis core: probe -> sample and detect -> split per car -> choose photos -> write stills, read
 * text -> clips with plates blurred, drafts. It writes photos and clips into the caller's staging folder and returns
 * the result; it opens no database and publishes nothing (the shells do, in a safe order). Models
 * come from the caller's pool, open already when an earlier video used them.
 */
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnalysisSettings, Config } from '../config/config.js';
import { asLotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { createLlmClient } from '../llm/client.js';
import { locateFfmpeg } from '../media/binaries.js';
import { fingerprintFile } from '../media/fingerprint.js';
import { probe } from '../media/index.js';
import { emptyDecodeStats } from '../media/types.js';
import { heldStage, safeProgress, type ProgressListener } from '../core/progress.js';
import { mapWithConcurrency } from '../core/concurrency.js';
import { StageTimer } from '../core/timer.js';
import { attachDetailShots, chooseCloseUps, detailRanges } from '../analysis/details.js';
import { separateCars } from '../analysis/boundaries.js';
import { splitWithDenseLook } from '../analysis/change-check.js';
import { carConfidence } from '../analysis/confidence.js';
import { mergeTouching } from '../analysis/segmentation.js';
import { chooseCarPhotos, closeUpPhoto, referenceSharpness } from '../photos/choose-photos.js';
import type { TextReaders } from '../text/text-stage.js';
import { analyseFrames, observeStretch, refineEdges, type StageContext } from './frame-stages.js';
import { carFolder, clipFile, listingOrder, writePhotos, type PlannedCar } from './photo-stage.js';
import { readAllText } from './text-pass.js';
import { finishCars } from './draft-stage.js';
import { withCarClip, writeCarClip } from './car-clip.js';
import type { ModelPool, PooledModel } from './model-pool.js';
import { TIMING_STAGES, type AnalysisResult, type ModelWarmth, type TimingStage } from './result.js';

export { TIMING_STAGES, type AnalysisResult, type CarResult, type PhotoResult, type ProcessResult } from './result.js';

export interface AnalyseRequest {
  file: string;
  /** The video's name in the log: the name it was uploaded under (the service keeps it as `original`); default the file's. */
  name?: string;
  /** A folder only this run writes into (created if missing); photos and clips go under car-N/. */
  stagingDir: string;
  models: ModelPool;
  settings: AnalysisSettings;
  /** ffmpeg location and the LLM (when configured). */
  config: Pick<Config, 'ffmpegPath' | 'ffprobePath' | 'llm'>;
  log: Logger;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export async function analyseVideo(request: AnalyseRequest): Promise<AnalysisResult> {
  const { settings, stagingDir, signal, models } = request;
  const timer = new StageTimer<TimingStage>();
  const progress = safeProgress(request.onProgress);
  const log = request.log.child({ file: request.name ?? basename(request.file) });
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const warmAtStart = models.openModels();
  const binaries = locateFfmpeg(request.config);
  log.debug('ffmpeg', { source: binaries.source, ffmpeg: binaries.ffmpeg });

  const info = await timer.time('probe', () => probe(request.file, binaries, { signal }));
  progress({ stage: 'probe', done: 1, total: 1 });
  log.info('probed', { durationMs: info.durationMs, width: info.width, height: info.height, codec: info.codec, rotation: info.rotation });

  const detector = await timer.time('open', () => models.detector());
  const clip = await timer.time('open', () => models.clip());
  const decoded = emptyDecodeStats();
  const context: StageContext = { info, detector, binaries, settings, log, signal, decoded };
  await mkdir(stagingDir, { recursive: true });
  // The analysis decode also writes the keyframes at full size: the photos are copied from there.
  const keyframeStills = { dir: join(stagingDir, '.keyframes'), quality: settings.photos.jpegQuality };
  const [{ observations, sampling, stillsDir, vehiclesAt }, fingerprint] = await Promise.all([analyseFrames(context, timer, progress, clip, keyframeStills), fingerprintFile(info.file)]);

  // Where coarse samples disagree (a change of look on a continuous track), a denser look decides.
  const { groups: coarse, verdicts } = await timer.time('segment', () =>
    splitWithDenseLook(observations, settings.segmentation, (range, previous) => observeStretch({ ...range, roughDecode: true }, previous, context)),
  );
  const splits = carConfidence(observations, coarse, verdicts, settings.segmentation);
  log.debug('dense look at changes of look', { verdicts: verdicts.map((v) => ({ fromMs: v.fromMs, toMs: v.toMs, reason: v.reason, maxStep: Math.round(v.maxStep * 100) / 100 })) });
  // Interior and detail shots (CLIP only) join the car filmed around them.
  const details = clip ? attachDetailShots(observations, coarse, settings.views) : coarse.map(() => []);
  log.info('split into cars', { cars: coarse.length, framesAnalysed: observations.length, detailShots: details.map((d) => d.length) });
  // Close-ups CLIP already took as detail shots are photo candidates there; the others are chosen here.
  const closeUps = coarse.map((group, i) =>
    chooseCloseUps(
      observations,
      group.closeUps.filter((k) => !details[i].includes(k)),
      settings.photos.closeUpPhotos,
      settings.segmentation.maxGapMs,
      settings.photos.closeUpMinSharpness * referenceSharpness(group.members.map((m) => observations[m].car!)),
    ),
  );

  // Photos come from the cars' own samples, which edge refinement does not change, so their
  // extraction runs while the edges are refined.
  const planned: PlannedCar[] = coarse.map((group, i) => ({
    ordinal: i + 1,
    group,
    photos: [
      ...listingOrder(
        chooseCarPhotos(
          [
            ...group.members.map((m) => ({ timestampMs: observations[m].timestampMs, sighting: observations[m].car!, view: observations[m].view })),
            ...details[i].map((d) => ({ timestampMs: observations[d].timestampMs, sighting: observations[d].detail!, view: observations[d].view })),
          ],
          // A car lost for a moment (a missed detection) is still the same stretch of filming.
          mergeTouching([...group.segments, ...detailRanges(observations, details[i])], settings.segmentation.maxGapMs),
          { ...settings.photos, maxPhotos: Math.max(1, settings.photos.maxPhotos - closeUps[i].length) },
          settings.views,
        ),
      ),
      // Close-ups filmed between views of the car (a VIN card, a label) follow as detail photos.
      ...closeUps[i].map((k) => closeUpPhoto({ timestampMs: observations[k].timestampMs, sighting: observations[k].closeUp! })),
    ],
  }));
  for (const car of planned) await mkdir(join(stagingDir, carFolder(car.ordinal)), { recursive: true });
  const stopStills = new AbortController();
  const stillSignal = signal ? AbortSignal.any([signal, stopStills.signal]) : stopStills.signal;
  const stillContext = { ...context, signal: stillSignal };
  // Photos, then their text, run while the edges are refined and the clips cut; the stages are
  // shown one after another all the same.
  const photoCount = planned.reduce((n, car) => n + car.photos.length, 0);
  const photoProgress = heldStage(progress);
  const textProgress = heldStage(progress);
  const keyframeTimes = sampling === 'keyframes' ? new Set(observations.map((o) => o.timestampMs)) : new Set<number>();
  const extracting = timer.time('photos', () =>
    writePhotos(planned, keyframeTimes, stillsDir, stagingDir, stillContext, (done) => photoProgress.report({ stage: 'photos', done, total: photoCount })),
  );
  // Text on the photos and a few close-ups: VINs, badges, stickers; plates blurred in the photos.
  let readers: TextReaders | undefined;
  const reading = extracting.then(async () => {
    readers = await timer.time('open', () => models.text());
    return timer.time('text', () =>
      readAllText(planned, coarse, observations, readers!, {
        ...stillContext,
        stagingDir,
        stillsDir,
        vehiclesAt,
        onCarDone: (done) => textProgress.report({ stage: 'text', done, total: planned.length }),
      }),
    );
  });
  reading.catch(() => undefined); // its failure is reported where it is awaited below
  try {
    const refined = await timer.time('segment', () => refineEdges(coarse, observations, context));
    // Edges refined from each car's side may reach past each other: a moment belongs to one car.
    const separated = separateCars(refined.map((g) => g.segments));
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
  await Promise.all([rm(join(stagingDir, '.text'), { recursive: true, force: true }), rm(keyframeStills.dir, { recursive: true, force: true })]);
  // Each car's clip, plates blurred, is encoded while the drafts are written (an LLM's answers are waited on).
  const clipContext = { info, binaries, settings, readers: { ocr: readers?.ocr ?? null, ocrProblem: readers?.problem ?? null, detector }, log, signal };
  let clipsDone = 0;
  const clipping = timer.time('clips', () =>
    mapWithConcurrency(planned, 2, async (car) => {
      const written = await writeCarClip(car.group.segments, join(stagingDir, clipFile(car.ordinal)), clipContext);
      progress({ stage: 'clips', done: ++clipsDone, total: planned.length });
      return written;
    }),
  );
  clipping.catch(() => undefined); // awaited below, after the drafts
  const makeModels = clip ? await timer.time('clip', () => clip.rankCars(planned.map((car) => car.group), observations)) : [];

  const textSettings = settings.listingText;
  const llm = createLlmClient(request.config.llm, textSettings.llmMaxConsecutiveFailures, log);
  const draftsStarted = performance.now();
  const [drafted, clipped] = await Promise.allSettled([
    finishCars(planned, observations, { sizes, texts, makeModels, splits }, { stagingDir, llm, textSettings, log, signal }),
    clipping,
  ]);
  if (drafted.status === 'rejected') throw asLotreelError(drafted.reason);
  if (clipped.status === 'rejected') throw asLotreelError(clipped.reason);
  const cars = drafted.value.map((car, i) => withCarClip(car, clipped.value[i]));
  const textSources = cars.map((car) => car.draft.text?.source ?? 'template');
  log.info('drafts written', { ms: Math.round(performance.now() - draftsStarted), llm: llm !== null, byLlm: textSources.filter((s) => s === 'llm').length });

  const used: PooledModel[] = ['yolox', ...(clip ? ['clip' as const] : []), ...(readers?.ocr ? ['ocr' as const] : []), ...(readers?.vin ? ['vin' as const] : [])];
  const warm: ModelWarmth = Object.fromEntries(used.map((model) => [model, warmAtStart.has(model)]));
  const ocr = readers?.ocr;
  const device = { ...detector.device, models: { yolox: detector.provider, ...(clip && { clip: clip.encoder.provider }), ...(ocr && { ocr: ocr.provider }) } };
  const timingsMs = { ...timer.snapshot(TIMING_STAGES), total: Math.round(performance.now() - started) };
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = { ...timer.cpuSnapshot(TIMING_STAGES), total: Math.round((cpu.user + cpu.system) / 1000) };
  log.info('analysed', { cars: cars.length, timingsMs, device: detector.provider, warm });
  return { info, fingerprint, sampling, framesAnalysed: observations.length, cars, device, warm, timingsMs, cpuMs, decoded };
}

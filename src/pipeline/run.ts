/**
 * The one orchestrator: probe -> sample and detect -> split per car -> choose photos -> extract stills
 * and clips -> store. Everything it decides is delegated to pure modules; this file only wires I/O.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnalysisSettings, Config, Device, ListingTextSettings } from '../config/config.js';
import { asLotreelError } from '../core/errors.js';
import type { Box } from '../core/geometry.js';
import { createLlmClient, type LlmClient } from '../llm/client.js';
import { writeListingText } from '../listing/listing-text.js';
import { askMakeModel } from '../listing/llm-make-model.js';
import type { Logger } from '../core/log.js';
import { locateFfmpeg, type FfmpegBinaries } from '../media/binaries.js';
import { fingerprintFile } from '../media/fingerprint.js';
import { chooseSampleMode, cutClip, extractKeyframeStills, extractStills, probe, sampleFrames } from '../media/index.js';
import { scaledSize } from '../media/ffmpeg-args.js';
import type { VideoInfo } from '../media/types.js';
import { heldStage, safeProgress, type ProgressListener } from '../core/progress.js';
import { openDatabase, saveVideoResult, type Database } from '../store/index.js';
import { mapWithConcurrency } from '../core/concurrency.js';
import { prefetch } from '../core/prefetch.js';
import { StageTimer } from '../core/timer.js';
import { YoloxDetector } from '../vision/index.js';
import { frameKernels } from '../vision/kernels.js';
import { carBodyType, carColour } from '../analysis/car-summary.js';
import { ClipStage } from './clip-stage.js';
import { attachDetailShots, detailRanges } from '../analysis/details.js';
import type { Draft } from '../listing/draft.js';
import { resolveAttributes, type Evidence } from '../evidence/evidence.js';
import { listingFacts } from '../listing/listing-facts.js';
import { withMakeModelOpinion } from '../listing/llm-opinion.js';
import { TIMING_STAGES, toProcessResult, toStoreInput, type FinishedCar, type ProcessResult, type TimingStage } from './result.js';
import { observeFrame } from '../analysis/observe.js';
import type { Observation } from '../analysis/observation.js';
import { chooseCarPhotos, replacePhotoFrame, sharperNeighbour, type ChosenPhoto } from '../photos/choose-photos.js';
import { applyEdges, edgeWindows, refineEdge } from '../analysis/boundaries.js';
import { mergeTouching, splitIntoCars, type CarGroup } from '../analysis/segmentation.js';
import { textCandidateFrames } from '../text/car-text.js';
import { openTextReaders, readCarText, type CarTextResult, type TextReaders } from '../text/text-stage.js';

export { TIMING_STAGES, type CarResult, type PhotoResult, type ProcessResult } from './result.js';

export interface ProcessOptions {
  file: string;
  outDir: string;
  device: Device;
  settings: AnalysisSettings;
  config: Config;
  log: Logger;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** An open database to use; otherwise one is opened from config and closed at the end. */
  database?: Database;
  /** The existing video row (the service's) the result is stored into; else found or made by fingerprint. */
  videoId?: string;
  /** An open CLIP stage to use (null: CLIP off); otherwise opened when its weights are in the models folder. */
  clip?: ClipStage | null;
}

const carFolder = (ordinal: number) => `car-${ordinal}`;
const photoFile = (ordinal: number, k: number) => join(carFolder(ordinal), `${String(k + 1).padStart(2, '0')}.jpg`);
/** Where a photo's unblurred original is kept when plates were blurred in it. */
const originalFile = (ordinal: number, k: number) => join(carFolder(ordinal), 'originals', `${String(k + 1).padStart(2, '0')}.jpg`);

/** Samples the video and keeps one small Observation per analysed frame. */
async function analyseFrames(
  info: VideoInfo,
  detector: YoloxDetector,
  binaries: FfmpegBinaries,
  options: ProcessOptions,
  timer: StageTimer<TimingStage>,
  progress: ProgressListener,
  clip: ClipStage | null,
): Promise<{ observations: Observation[]; sampling: 'keyframes' | 'rate' }> {
  const { sampling, detection } = options.settings;
  const mode = chooseSampleMode(info, sampling);
  const frames = sampleFrames(
    info.file,
    info,
    { mode, longSide: sampling.longSide, batchSize: sampling.batchSize, signal: options.signal },
    binaries,
  );
  const observations: Observation[] = [];
  let previous: Box | null = null;
  // CLIP labels one batch while the detector works on the next (at most one batch in flight).
  let labelling: Promise<void> | undefined;
  const batches = prefetch(frames, 2)[Symbol.asyncIterator]();
  for (;;) {
    const waitStart = performance.now();
    const next = await batches.next();
    timer.add('decode', performance.now() - waitStart);
    if (next.done) break;
    const batch = next.value;
    const detections = await timer.time('detect', () => detector.detect(batch));
    const observed = batch.map((frame, k) => {
      const observation = observeFrame(frame, detections[k], previous, detection, frameKernels().measureCropQuality);
      previous = observation.car?.box ?? null;
      return observation;
    });
    if (clip) {
      await labelling;
      labelling = timer.time('clip', () => clip.labelFrames(batch, observed));
      labelling.catch(() => undefined); // awaited above or below; this only marks it handled meanwhile
    }
    observations.push(...observed);
    const last = batch.at(-1)!.timestampMs;
    progress({ stage: 'decode', done: Math.min(last, info.durationMs), total: info.durationMs });
  }
  await labelling;
  return { observations, sampling: mode.kind };
}

/**
 * Decodes one short stretch densely (`refineFps`) and observes every frame, following the car from
 * `previous`: the closer look used at unclear edges and around blurry photos.
 */
async function observeStretch(
  stretch: { startMs: number; endMs: number; roughDecode: boolean },
  previous: Box | null,
  info: VideoInfo,
  detector: YoloxDetector,
  binaries: FfmpegBinaries,
  options: ProcessOptions,
): Promise<Observation[]> {
  const { sampling: frames, edges, detection } = options.settings;
  const observations: Observation[] = [];
  const mode = { kind: 'rate', fps: edges.refineFps } as const;
  const sampling = { mode, longSide: frames.longSide, batchSize: frames.batchSize, ...stretch, signal: options.signal };
  for await (const batch of sampleFrames(info.file, info, sampling, binaries)) {
    const detections = await detector.detect(batch);
    batch.forEach((frame, k) => {
      const observation = observeFrame(frame, detections[k], previous, detection, frameKernels().measureCropQuality);
      previous = observation.car?.box ?? previous;
      observations.push(observation);
    });
  }
  return observations;
}

/**
 * Decodes short stretches around uncertain segment edges at `refineFps` and moves each edge to where
 * the car really starts or stops being filmed. Only these windows are decoded densely; an edge whose
 * neighbouring samples are close enough already is left where the coarse pass put it.
 */
async function refineEdges(
  groups: CarGroup[],
  observations: Observation[],
  info: VideoInfo,
  detector: YoloxDetector,
  binaries: FfmpegBinaries,
  options: ProcessOptions,
): Promise<CarGroup[]> {
  const { edges: edgeSettings, segmentation } = options.settings;
  const windows = edgeWindows(observations, groups, info.durationMs, edgeSettings.windowMs).filter((w) => w.uncertaintyMs > edgeSettings.toleranceMs);
  options.log.debug('refining segment edges', { windows: windows.map((w) => [w.edge, w.fromMs, w.toMs]) });
  const denseByRange = new Map<string, Observation[]>();
  for (const w of windows) {
    const key = `${w.fromMs}-${w.toMs}`;
    if (denseByRange.has(key)) continue;
    denseByRange.set(key, await observeStretch({ startMs: w.fromMs, endMs: w.toMs, roughDecode: true }, null, info, detector, binaries, options));
  }
  return groups.map((group, c) => {
    const edges = windows
      .filter((w) => w.car === c)
      .map((w) => ({ segment: w.segment, edge: w.edge, timeMs: refineEdge(w, denseByRange.get(`${w.fromMs}-${w.toMs}`)!, segmentation.splitDistance) }));
    return { ...group, segments: mergeTouching(applyEdges(group.segments, edges)) };
  });
}

/**
 * Writes every car's photos: first a blurry pick (a keyframe caught mid-step) is swapped for a sharper
 * frame of the same view decoded from just around it; then photos at keyframes come out of one
 * keyframe-only decode when they are a good share of the keyframes, the others one seek each.
 * Returns the picture sizes in the order of the cars' photos.
 */
async function writePhotos(
  planned: PlannedCar[],
  keyframeTimes: ReadonlySet<number>,
  stagingDir: string,
  info: VideoInfo,
  detector: YoloxDetector,
  binaries: FfmpegBinaries,
  options: ProcessOptions & { onPhotoDone: (done: number) => void },
): Promise<{ width: number; height: number }[]> {
  const { settings, signal } = options;
  const { photos: photoSettings, segmentation } = settings;
  for (const car of planned) {
    for (let k = 0; k < car.photos.length; k++) {
      const photo = car.photos[k];
      if (photo.sharpness >= photoSettings.sharpenBelow) continue;
      const t = photo.candidate.timestampMs;
      // After a keyframe only: decoding before it would mean decoding from the keyframe before that.
      const from = keyframeTimes.has(t) ? t : Math.max(0, t - photoSettings.sharpenWindowMs);
      const window = { startMs: from, endMs: Math.min(info.durationMs, t + photoSettings.sharpenWindowMs), roughDecode: false };
      const nearby = await observeStretch(window, photo.candidate.sighting.box, info, detector, binaries, options);
      const sharper = sharperNeighbour(photo, nearby, segmentation.splitDistance);
      options.log.debug('looked for a sharper photo', { car: car.ordinal, at: t, found: sharper?.timestampMs ?? null });
      if (sharper) car.photos[k] = replacePhotoFrame(photo, sharper);
    }
  }
  const requests = planned.flatMap((car) => car.photos.map((p, k) => ({ timestampMs: p.candidate.timestampMs, outPath: join(stagingDir, photoFile(car.ordinal, k)) })));
  const atKeyframe = requests.filter((r) => keyframeTimes.has(r.timestampMs));
  const onePass = atKeyframe.length * 3 >= keyframeTimes.size;
  const inOnePass = onePass ? atKeyframe : [];
  const bySeek = requests.filter((r) => !inOnePass.includes(r));
  let done = 0;
  const stillOptions = { quality: photoSettings.jpegQuality, signal, onDone: () => options.onPhotoDone(++done) };
  const written = [
    ...(await extractKeyframeStills(info.file, info, inOnePass, stillOptions, binaries)),
    ...(await extractStills(info.file, info, bySeek, stillOptions, binaries)),
  ];
  const sizeOf = new Map(written.map((w) => [w.outPath, { width: w.width, height: w.height }]));
  return requests.map((r) => sizeOf.get(r.outPath)!);
}

interface PlannedCar {
  ordinal: number;
  group: CarGroup;
  photos: ChosenPhoto[];
}

export async function processVideo(request: ProcessOptions): Promise<ProcessResult> {
  // Everything below stops on the caller's signal, and also when the database cannot be opened.
  const databaseFailed = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, databaseFailed.signal]) : databaseFailed.signal;
  const options: ProcessOptions = { ...request, signal };
  const timer = new StageTimer<TimingStage>();
  const progress = safeProgress(options.onProgress);
  const log = options.log.child({ video: basename(options.file) });
  const started = performance.now();
  const binaries = locateFfmpeg(options.config);
  log.debug('ffmpeg', { source: binaries.source, ffmpeg: binaries.ffmpeg });

  const info = await timer.time('probe', () => probe(options.file, binaries, { signal: options.signal }));
  progress({ stage: 'probe', done: 1, total: 1 });
  log.info('probed', { durationMs: info.durationMs, width: info.width, height: info.height, codec: info.codec, rotation: info.rotation });

  // The database opens while the video is analysed (PGlite takes a while); if it fails, the analysis
  // stops at once with the database's error. The model is needed first.
  const databaseOpening = options.database
    ? Promise.resolve(options.database)
    : openDatabase({ dataDir: options.config.dataDir, databaseUrl: options.config.databaseUrl }, { logger: log });
  const databaseError = databaseOpening.then(
    () => null,
    (error: unknown) => {
      databaseFailed.abort();
      return error;
    },
  );
  const closeDatabase = () => databaseOpening.then((db) => (options.database ? undefined : db.close()), () => undefined);
  // OCR opens when the text stage starts (an abort before it never waits for it); it is simply off
  // when its models cannot be used.
  let textOpening: Promise<TextReaders> | undefined;
  const closeText = () => textOpening?.then((readers) => readers.close(), () => undefined);
  let detector: YoloxDetector;
  try {
    detector = await timer.time('open', () =>
      YoloxDetector.create({
        modelsDir: options.config.modelsDir,
        device: options.device,
        batchSize: options.settings.detection.batchSize ?? options.settings.sampling.batchSize,
        scoreThreshold: options.settings.detection.scoreThreshold,
        nmsIou: options.settings.detection.nmsIou,
        intraOpThreads: options.settings.detection.threads,
        log,
      }),
    );
  } catch (error) {
    await closeDatabase();
    throw asLotreelError(error);
  }
  let clip: ClipStage | null;
  try {
    clip =
      options.clip !== undefined
        ? options.clip
        : await timer.time('open', () =>
            ClipStage.openIfPresent({ modelsDir: options.config.modelsDir, cacheDir: join(options.config.dataDir, 'cache'), device: options.device, settings: options.settings, log }),
          );
  } catch (error) {
    await detector.dispose();
    await closeDatabase();
    throw asLotreelError(error);
  }
  const ownClip = options.clip === undefined ? clip : null;
  const stagingDir = join(options.outDir, `.lotreel-staging-${process.pid}-${Date.now()}`);
  try {
    const [{ observations, sampling }, fingerprint] = await Promise.all([
      analyseFrames(info, detector, binaries, options, timer, progress, clip),
      fingerprintFile(info.file),
    ]);

    const coarse = await timer.time('segment', async () => splitIntoCars(observations, options.settings.segmentation));
    // Interior and detail shots (CLIP only) join the car filmed around them.
    const details = clip ? attachDetailShots(observations, coarse, options.settings.views) : coarse.map(() => []);
    log.info('split into cars', { cars: coarse.length, framesAnalysed: observations.length, detailShots: details.map((d) => d.length) });

    // Photos come from the cars' own samples, which edge refinement does not change, so their
    // extraction runs while the edges are refined.
    const planned: PlannedCar[] = coarse.map((group, i) => ({
      ordinal: i + 1,
      group,
      photos: listingOrder(
        chooseCarPhotos(
          [
            ...group.members.map((m) => ({ timestampMs: observations[m].timestampMs, sighting: observations[m].car!, view: observations[m].view })),
            ...details[i].map((d) => ({ timestampMs: observations[d].timestampMs, sighting: observations[d].detail!, view: observations[d].view })),
          ],
          // A car lost for a moment (a missed detection) is still the same stretch of filming.
          mergeTouching([...group.segments, ...detailRanges(observations, details[i])], options.settings.segmentation.maxGapMs),
          options.settings.photos,
          options.settings.views,
        ),
      ),
    }));
    for (const car of planned) await mkdir(join(stagingDir, carFolder(car.ordinal)), { recursive: true });
    const stopStills = new AbortController();
    const stillSignal = options.signal ? AbortSignal.any([options.signal, stopStills.signal]) : stopStills.signal;
    // Photos, then their text, run while the edges are refined and the clips cut; the stages are
    // shown one after another all the same.
    const photoCount = planned.reduce((n, car) => n + car.photos.length, 0);
    const photoProgress = heldStage(progress);
    const textProgress = heldStage(progress);
    const photoOptions = { ...options, signal: stillSignal, onPhotoDone: (done: number) => photoProgress.report({ stage: 'photos', done, total: photoCount }) };
    const keyframeTimes = sampling === 'keyframes' ? new Set(observations.map((o) => o.timestampMs)) : new Set<number>();
    const extracting = timer.time('photos', () => writePhotos(planned, keyframeTimes, stagingDir, info, detector, binaries, photoOptions));
    // Text on the photos and a few close-ups: VINs, badges, stickers; plates blurred in the photos.
    const reading = extracting.then(async () => {
      textOpening = openTextReaders({ device: options.device, settings: options.settings.ocr, dataDir: options.config.dataDir, log });
      const readers = await timer.time('open', () => textOpening!);
      return timer.time('text', () =>
        readAllText(planned, coarse, observations, readers, {
          stagingDir,
          info,
          detector,
          binaries,
          options: { ...options, signal: stillSignal },
          log,
          onCarDone: (done) => textProgress.report({ stage: 'text', done, total: planned.length }),
        }),
      );
    });
    reading.catch(() => undefined); // its failure is reported where it is awaited below
    let clips: string[];
    try {
      const refined = await timer.time('segment', () => refineEdges(coarse, observations, info, detector, binaries, options));
      planned.forEach((car, i) => {
        const extra = detailRanges(observations, details[i]);
        car.group = extra.length > 0 ? { ...refined[i], segments: mergeTouching([...refined[i].segments, ...extra], options.settings.segmentation.maxGapMs) } : refined[i];
      });
      progress({ stage: 'segment', done: 1, total: 1 });
      // Two at a time: each clip is an ffprobe and an ffmpeg, and a lot can have dozens of cars.
      clips = await timer.time('clips', () =>
        mapWithConcurrency(planned, 2, async (car) => {
          const clip = join(carFolder(car.ordinal), 'clip.mp4');
          await cutClip(info.file, car.group.segments, join(stagingDir, clip), binaries, { info, signal: options.signal });
          progress({ stage: 'clips', done: car.ordinal, total: planned.length });
          return clip;
        }),
      );
    } catch (error) {
      stopStills.abort();
      await reading.catch(() => undefined);
      throw error;
    }
    photoProgress.show({ stage: 'photos', done: 0, total: photoCount });
    const sizes = await extracting;
    textProgress.show({ stage: 'text', done: 0, total: planned.length });
    const texts = await reading;
    await rm(join(stagingDir, '.text'), { recursive: true, force: true });
    const makeModels = clip ? await timer.time('clip', () => clip.rankCars(planned.map((car) => car.group), observations)) : [];

    const firstStill = planned.map((_, i) => planned.slice(0, i).reduce((n, car) => n + car.photos.length, 0));
    const textSettings = options.settings.listingText;
    const llm = createLlmClient(options.config.llm, textSettings.llmMaxConsecutiveFailures, log);
    // Two cars at a time: with an LLM configured each draft waits on its answers.
    const draftsStarted = performance.now();
    const cars: FinishedCar[] = await mapWithConcurrency(planned, 2, async (car, i) => {
      const sightings = car.group.members.map((m) => observations[m].car!);
      const colour = carColour(sightings);
      const bodyType = carBodyType(sightings);
      const videoMs = car.group.segments.reduce((sum, s) => sum + s.endMs - s.startMs, 0);
      const evidence: Evidence[] = [
        ...(colour ? [{ attribute: 'colour', value: colour, source: 'vision', confidence: 0.7 } as const] : []),
        ...(bodyType ? [{ attribute: 'bodyType', value: bodyType, source: 'vision', confidence: 0.5 } as const] : []),
        ...texts[i].evidence,
        ...(makeModels[i]?.evidence ?? []),
      ];
      const photos = car.photos.map((chosen, k) => {
        const plates = texts[i].plates[k] ?? [];
        return { chosen, file: photoFile(car.ordinal, k), size: sizes[firstStill[i] + k], plates, original: plates.length > 0 ? originalFile(car.ordinal, k) : null };
      });
      const known = { colour, bodyType, photoCount: car.photos.length, videoSeconds: videoMs / 1000 };
      // The photos as exported (plates already blurred) are what an LLM may look at.
      const photoFiles = photos.map((p) => join(stagingDir, p.file));
      const draft = await carDraft(known, evidence, photoFiles, llm, textSettings, log.child({ car: car.ordinal }), options.signal);
      return { ordinal: car.ordinal, segments: car.group.segments, colour, bodyType, draft, clip: clips[i], photos, evidence, makeModel: makeModels[i] };
    });
    const textSources = cars.map((car) => car.draft.text?.source ?? 'template');
    log.info('drafts written', { ms: Math.round(performance.now() - draftsStarted), llm: llm !== null, byLlm: textSources.filter((s) => s === 'llm').length });

    const database = await timer.time('open', () => databaseOpening);
    // Last moment to stop: after this the result is committed.
    options.signal?.throwIfAborted();
    const storeInput = toStoreInput(info, fingerprint, detector.provider, timer.snapshot(TIMING_STAGES), cars);
    if (options.videoId !== undefined) storeInput.video.id = options.videoId;
    const saved = await timer.time('store', () => saveVideoResult(database, storeInput));
    progress({ stage: 'store', done: 1, total: 1 });

    await publishStaging(stagingDir, options.outDir);
    const timingsMs = { ...timer.snapshot(TIMING_STAGES), total: Math.round(performance.now() - started) };
    log.info('done', { cars: cars.length, timingsMs, device: detector.provider });
    const ocr = (await textOpening)?.ocr;
    const device = { ...detector.device, models: { yolox: detector.provider, ...(clip && { clip: clip.encoder.provider }), ...(ocr && { ocr: ocr.provider }) } };
    return toProcessResult(saved, info, { sampling, framesAnalysed: observations.length, device, outDir: options.outDir, timingsMs }, cars);
  } catch (error) {
    // When the database failed, the analysis was stopped for it: report the database's error.
    const cause = databaseFailed.signal.aborted ? await databaseError : null;
    throw asLotreelError(cause ?? error);
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
    await detector.dispose();
    await closeText();
    await ownClip?.dispose();
    await closeDatabase();
  }
}

/**
 * Reads the text of every car's written photos and close-up frames, one car after another. Only the
 * coarse split is needed (a car's own samples), so this runs while the edges are refined.
 */
async function readAllText(
  planned: readonly PlannedCar[],
  coarse: readonly CarGroup[],
  observations: readonly Observation[],
  readers: TextReaders,
  context: { stagingDir: string; info: VideoInfo; detector: YoloxDetector; binaries: FfmpegBinaries; options: ProcessOptions; log: Logger; onCarDone: (done: number) => void },
): Promise<CarTextResult[]> {
  const { stagingDir, info, options } = context;
  // Boxes seen by the analysis, as shares of the frame: the same shares of the full-size pictures.
  const analysed = scaledSize(info.width, info.height, options.settings.sampling.longSide);
  const share = (box: Box): Box => ({ x1: box.x1 / analysed.width, y1: box.y1 / analysed.height, x2: box.x2 / analysed.width, y2: box.y2 / analysed.height });
  const texts: CarTextResult[] = [];
  for (const [i, car] of planned.entries()) {
    const members = coarse[i].members.map((m) => ({ timestampMs: observations[m].timestampMs, sighting: observations[m].car! }));
    const photoTimes = car.photos.map((p) => p.candidate.timestampMs);
    const closeUps = readers.ocr ? textCandidateFrames(members, photoTimes, options.settings.ocr.extraFrames, options.settings.segmentation.maxGapMs) : [];
    const input = {
      ordinal: car.ordinal,
      photos: car.photos.map((p, k) => ({
        path: join(stagingDir, photoFile(car.ordinal, k)),
        file: photoFile(car.ordinal, k),
        originalPath: join(stagingDir, originalFile(car.ordinal, k)),
        carShare: share(p.candidate.sighting.box),
      })),
      extraFrames: closeUps.map((t) => ({ timestampMs: t, carShare: share(members.find((m) => m.timestampMs === t)!.sighting.box) })),
    };
    const { settings, signal } = options;
    texts.push(
      await readCarText(input, { readers, detector: context.detector, info, binaries: context.binaries, settings, scratchDir: join(stagingDir, '.text'), log: context.log, signal }),
    );
    context.onCarDone(i + 1);
  }
  return texts;
}

/**
 * A car's draft from its evidence (more of it as later stages learn to read the car): with vision
 * enabled the LLM's look at the photos is added as the least trusted evidence, then the text is written
 * by the LLM under the rules, or by the template.
 */
async function carDraft(
  known: { colour: string | null; bodyType: string | null; photoCount: number; videoSeconds: number },
  evidence: Evidence[],
  photoFiles: string[],
  llm: LlmClient | null,
  settings: ListingTextSettings,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<Draft> {
  const seen = listingFacts({ attributes: resolveAttributes(evidence), ...known });
  const opinion = llm?.config.vision ? await askMakeModel(photoFiles, seen, { llm, settings, log, signal }) : [];
  const attributes = resolveAttributes([...evidence, ...opinion]);
  const draft = await writeListingText(listingFacts({ attributes, ...known }), { llm, settings, log, signal });
  return withMakeModelOpinion(draft, attributes, opinion);
}

/** Listing order: the cover first, then the walk round the car; 01.jpg is the cover. */
function listingOrder(photos: ChosenPhoto[]): ChosenPhoto[] {
  return [...photos.filter((p) => p.cover), ...photos.filter((p) => !p.cover)];
}

/** Replaces the car folders of an earlier run with the new ones; other files in the folder are left alone. */
async function publishStaging(stagingDir: string, outDir: string): Promise<void> {
  for (const entry of await readdir(outDir)) {
    if (/^car-\d+$/.test(entry)) await rm(join(outDir, entry), { recursive: true, force: true });
  }
  for (const entry of await readdir(stagingDir)) await rename(join(stagingDir, entry), join(outDir, entry));
}

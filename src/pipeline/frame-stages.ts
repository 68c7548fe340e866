/**
 * The stages that look at frames (I/O wiring; decisions in analysis/): the coarse pass over the whole
 * video, a dense look at one short stretch, and edge refinement built on it.
 */
import type { AnalysisSettings } from '../config/config.js';
import type { Box } from '../core/geometry.js';
import type { Logger } from '../core/log.js';
import { prefetch } from '../core/prefetch.js';
import type { ProgressListener } from '../core/progress.js';
import type { StageTimer } from '../core/timer.js';
import type { FfmpegBinaries } from '../media/binaries.js';
import { chooseSampleMode, sampleFrames } from '../media/index.js';
import type { DecodeStats, SampleOptions, VideoInfo } from '../media/types.js';
import type { YoloxDetector } from '../vision/yolox.js';
import { frameKernels } from '../vision/kernels.js';
import { observeFrame } from '../analysis/observe.js';
import { VEHICLE_CLASS_IDS } from '../analysis/dominant-car.js';
import type { Vehicle } from '../text/plates.js';
import type { Observation } from '../analysis/observation.js';
import { applyEdges, edgeWindows, refineEdge } from '../analysis/boundaries.js';
import { mergeTouching, type CarGroup } from '../analysis/segmentation.js';
import type { ClipStage } from './clip-stage.js';
import type { TimingStage } from './result.js';

/** What every stage of one video's analysis works with. */
export interface StageContext {
  info: VideoInfo;
  detector: YoloxDetector;
  binaries: FfmpegBinaries;
  settings: AnalysisSettings;
  log: Logger;
  signal?: AbortSignal;
  /** What this run's decoders delivered, added up over every decode. */
  decoded?: DecodeStats;
}

/**
 * Samples the video and keeps one small Observation per analysed frame. With `keyframeStills`, a
 * keyframe-sampled video's frames are also written at full size as `<dir>/<timestampMs>.jpg` by the
 * same decode (photo candidates; returned as `stillsDir`).
 */
export async function analyseFrames(
  context: StageContext,
  timer: StageTimer<TimingStage>,
  progress: ProgressListener,
  clip: ClipStage | null,
  options: {
    /** A keyframe-sampled video's frames are also written at full size (see the comment above). */
    keyframeStills?: SampleOptions['stills'];
    /** Filled as frames are analysed (the caller's map, read while the analysis goes on); else a new one. */
    vehiclesAt?: Map<number, Vehicle[]>;
    /** Every sample observed so far (a copy, CLIP's labels included), after each batch; the next batch waits for a returned promise. */
    onObservations?: (observations: readonly Observation[]) => Promise<void> | void;
  } = {},
): Promise<{ observations: Observation[]; sampling: 'keyframes' | 'rate'; stillsDir: string | null; vehiclesAt: Map<number, Vehicle[]> }> {
  const { keyframeStills, onObservations } = options;
  const { info, detector } = context;
  const { sampling, detection } = context.settings;
  const mode = chooseSampleMode(info, sampling);
  // Keyframes are few (about one a second): writing them all costs less than decoding the chosen ones again.
  const stills = mode.kind === 'keyframes' ? keyframeStills : undefined;
  const frames = sampleFrames(info.file, info, { mode, longSide: sampling.longSide, batchSize: sampling.batchSize, stills, stats: context.decoded, signal: context.signal }, context.binaries);
  const observations: Observation[] = [];
  // Every vehicle seen per frame (analysis pixels): the text pass looks for plates on them in the photos.
  const vehiclesAt = options.vehiclesAt ?? new Map<number, Vehicle[]>();
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
      vehiclesAt.set(frame.timestampMs, detections[k].filter((d) => VEHICLE_CLASS_IDS.has(d.classId)).map((d) => ({ box: d.box, score: d.score })));
      const observation = observeFrame(frame, detections[k], previous, detection, frameKernels().measureCropQuality);
      previous = observation.car?.box ?? null;
      return observation;
    });
    if (clip) {
      await labelling;
      await onObservations?.(observations.slice()); // the batches labelled so far
      labelling = timer.time('clip', () => clip.labelFrames(batch, observed));
      labelling.catch(() => undefined); // awaited above or below; this only marks it handled meanwhile
    }
    observations.push(...observed);
    if (!clip) await onObservations?.(observations.slice());
    const last = batch.at(-1)!.timestampMs;
    progress({ stage: 'decode', done: Math.min(last, info.durationMs), total: info.durationMs });
  }
  await labelling;
  return { observations, sampling: mode.kind, stillsDir: stills?.dir ?? null, vehiclesAt };
}

/**
 * Decodes one short stretch densely (`refineFps`) and observes every frame, following the car from
 * `previous`: the closer look used at unclear edges and around blurry photos.
 */
export async function observeStretch(stretch: { startMs: number; endMs: number; roughDecode: boolean }, previous: Box | null, context: StageContext): Promise<Observation[]> {
  const { info } = context;
  const { sampling: frames, edges, detection } = context.settings;
  const observations: Observation[] = [];
  const mode = { kind: 'rate', fps: edges.refineFps } as const;
  const sampling = { mode, longSide: frames.longSide, batchSize: frames.batchSize, ...stretch, stats: context.decoded, signal: context.signal };
  for await (const batch of sampleFrames(info.file, info, sampling, context.binaries)) {
    const detections = await context.detector.detect(batch);
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
 * neighbouring samples are close enough already is left where the coarse pass put it. Only the cars
 * `refines` names are refined; the others bound their windows and are returned as they are.
 */
export async function refineEdges(groups: CarGroup[], observations: Observation[], context: StageContext, refines: (car: number) => boolean = () => true): Promise<CarGroup[]> {
  const { info } = context;
  const { edges: edgeSettings, segmentation } = context.settings;
  const windows = edgeWindows(observations, groups, info.durationMs, edgeSettings.windowMs).filter((w) => refines(w.car) && w.uncertaintyMs > edgeSettings.toleranceMs);
  context.log.debug('refining segment edges', { windows: windows.map((w) => [w.edge, w.fromMs, w.toMs]) });
  const denseByRange = new Map<string, Observation[]>();
  for (const w of windows) {
    const key = `${w.fromMs}-${w.toMs}`;
    if (denseByRange.has(key)) continue;
    denseByRange.set(key, await observeStretch({ startMs: w.fromMs, endMs: w.toMs, roughDecode: true }, null, context));
  }
  return groups.map((group, c) => {
    const edges = windows
      .filter((w) => w.car === c)
      .map((w) => ({ segment: w.segment, edge: w.edge, timeMs: refineEdge(w, denseByRange.get(`${w.fromMs}-${w.toMs}`)!, segmentation.splitDistance) }));
    return { ...group, segments: mergeTouching(applyEdges(group.segments, edges)) };
  });
}

/**
 * The analysis core: probe -> sample and detect -> split per car -> choose photos -> write stills, read
 * text -> clips with plates blurred, drafts. It writes photos and clips into the caller's staging folder and returns
 * the result; it opens no database and publishes nothing (the shells do, in a safe order). Models
 * come from the caller's pool, open already when an earlier video used them.
 */
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnalysisSettings, Config } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { asLotreelError } from '../core/errors.js';
import { createLlmClient } from '../llm/client.js';
import { locateFfmpeg } from '../media/binaries.js';
import { fingerprintFile } from '../media/fingerprint.js';
import { chooseSampleMode, probe } from '../media/index.js';
import { emptyDecodeStats } from '../media/types.js';
import { safeProgress, type ProgressListener } from '../core/progress.js';
import { StageTimer } from '../core/timer.js';
import { Slots } from '../core/concurrency.js';
import { splitWithDenseLook } from '../analysis/change-check.js';
import { carConfidence } from '../analysis/confidence.js';
import { sameSightings } from '../analysis/settled-cars.js';
import type { Vehicle } from '../text/plates.js';
import type { TextReaders } from '../text/text-stage.js';
import { finishGroups, type FinishingContext } from './car-finishing.js';
import { analyseFrames, observeStretch, type StageContext } from './frame-stages.js';
import { KeyframeStills, noStills } from './keyframe-stills.js';
import type { ModelPool, PooledModel } from './model-pool.js';
import { TIMING_STAGES, type AnalysisResult, type FinishedCar, type ModelWarmth, type TimingStage } from './result.js';
import { handDraftsThenClips, memoisedLook, numberFinalCars, StreamingCars, type CarListener } from './streaming-cars.js';

/** Clips encoded at once in a run, early cars' and the final pass' together (each an ffmpeg encode and a plate search). */
const CLIP_ENCODES_AT_ONCE = 2;

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
  /**
   * A car finished before the whole video is (see streaming-cars.ts: its draft, then its clip), its
   * files under its `car-N/` in the staging folder until each returned promise settles; the result
   * says which ones the final pass kept.
   */
  onCarFinished?: CarListener;
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
  let readers: TextReaders | undefined;
  const keyframeTimes = new Set<number>();
  const keyframeSampling = chooseSampleMode(info, settings.sampling).kind === 'keyframes';
  // Every vehicle the analysis saw per frame, filled while it runs: plates are looked for on them.
  const vehiclesAt = new Map<number, Vehicle[]>();
  // The analysis decode also writes the keyframes at full size: the photos are copied from there, by
  // cars finished early too (they wait for a still the writer has not finished yet).
  const stills = keyframeSampling ? new KeyframeStills(join(stagingDir, '.keyframes'), settings.photos.jpegQuality, (t) => vehiclesAt.has(t)) : null;
  const textSettings = settings.listingText;
  const finishing: FinishingContext = {
    stage: context,
    timer,
    progress,
    stagingDir,
    clip,
    textReaders: async () => (readers ??= await models.text()),
    llm: createLlmClient(request.config.llm, textSettings.llmMaxConsecutiveFailures, log),
    listingText: textSettings,
    keyframeTimes,
    stillAt: stills?.at ?? noStills,
    vehiclesAt,
    clipSlots: new Slots(CLIP_ENCODES_AT_ONCE),
  };
  const look = memoisedLook((range, previous) => observeStretch({ ...range, roughDecode: true }, previous, context));
  const streaming = new StreamingCars(finishing, look, request.onCarFinished);
  const earlyCars = settings.segmentation.earlyCars;
  const framesAnalysed = analyseFrames(context, timer, progress, clip, {
    keyframeStills: stills?.sampling,
    vehiclesAt,
    onObservations: (observations) => {
      if (earlyCars === 'off') return;
      if (keyframeSampling) for (const o of observations) keyframeTimes.add(o.timestampMs);
      const finishing = streaming.offer(observations);
      return earlyCars === 'first' ? finishing : undefined;
    },
  }).finally(() => stills?.end());
  // A failed run first waits for the early cars' clips: their ffmpeg runs write into the staging folder the caller removes.
  const orSettleClips = <T>(work: Promise<T>): Promise<T> =>
    work.catch(async (error: unknown) => {
      await streaming.settleClips();
      throw error;
    });
  const [analysed, fingerprint] = await orSettleClips(Promise.all([framesAnalysed.finally(() => streaming.drain()), fingerprintFile(info.file)]));
  const { observations, sampling } = analysed;
  if (sampling === 'keyframes') for (const o of observations) keyframeTimes.add(o.timestampMs);
  const early = await streaming.drain();

  // The final pass: the split of the whole video. Where coarse samples disagree (a change of look on
  // a continuous track), a denser look decides.
  const { groups, verdicts } = await orSettleClips(timer.time('segment', () => splitWithDenseLook(observations, settings.segmentation, look)));
  const splits = carConfidence(observations, groups, verdicts, settings.segmentation);
  log.debug('dense look at changes of look', { verdicts: verdicts.map((v) => ({ fromMs: v.fromMs, toMs: v.toMs, reason: v.reason, maxStep: Math.round(v.maxStep * 100) / 100 })) });
  log.info('split into cars', { cars: groups.length, framesAnalysed: observations.length, finishedEarly: early.length });
  // A car found again with the same sightings is kept as finished early; the others are finished now.
  const kept = groups.map((group) => early.find((e) => sameSightings(e.group, group)));
  const redo = groups.flatMap((_, i) => (kept[i] ? [] : [i]));
  // Early cars whose sightings a car of the final pass took (a revisit merged, a split redrawn).
  const replaced = redo.map((i) => {
    const members = new Set(groups[i].members);
    return early.filter((e) => e.group.members.some((m) => members.has(m))).map((e) => e.car.ordinal);
  });
  // Each names the early cars it takes the place of, in its draft and with its clip.
  const withReplaced = (cars: FinishedCar[]) => cars.map((car, k) => (replaced[k].length > 0 ? { ...car, replaces: replaced[k] } : car));
  const redone = await orSettleClips(
    finishGroups(
      {
        observations,
        groups: redo.map((i) => groups[i]),
        splits: redo.map((i) => splits[i]),
        ordinals: redo.map((_, k) => early.length + k + 1),
        others: kept.flatMap((e) => (e ? [{ group: e.group, segments: e.car.segments }] : [])),
      },
      finishing,
    ),
  );
  // The final pass's cars are handed on like the early ones: each draft now, its clip once encoded.
  const handed = handDraftsThenClips(request.onCarFinished, withReplaced(redone.drafts), redone.clipped.then(withReplaced), log);
  await handed.taken;
  const draftsReadyMs = Math.round(performance.now() - started);
  // Every clip, early cars' and the final pass's: a clip that failed fails the run (it is retried),
  // once no clip is being written any more.
  const clips = await Promise.allSettled([...early.map((e) => e.clipped), ...handed.clipped]);
  const failed = clips.find((c) => c.status === 'rejected');
  if (failed) throw asLotreelError(failed.reason);
  const withClips = clips.map((c) => (c as PromiseFulfilledResult<FinishedCar>).value);
  const [earlyClipped, redoneClipped] = [withClips.slice(0, early.length), withClips.slice(early.length)];
  const finished = groups.map((_, i): FinishedCar => {
    const same = kept[i];
    // The split's confidence and warnings (which name other cars) as the whole video shows them.
    if (same) return { ...earlyClipped[early.indexOf(same)], split: splits[i], earlyOrdinal: same.car.ordinal };
    const k = redo.indexOf(i);
    return { ...redoneClipped[k], ...(request.onCarFinished && { earlyOrdinal: redoneClipped[k].ordinal }) };
  });
  const dropped = early.map((e) => e.car.ordinal).filter((n) => !finished.some((car) => car.earlyOrdinal === n));
  if (stills) await rm(stills.dir, { recursive: true, force: true });
  const cars = await numberFinalCars(stagingDir, finished, dropped);
  const textSources = cars.map((car) => car.draft.text?.source ?? 'template');
  log.info('drafts written', { llm: finishing.llm !== null, byLlm: textSources.filter((s) => s === 'llm').length, early: early.length, kept: kept.filter(Boolean).length });

  const used: PooledModel[] = ['yolox', ...(clip ? ['clip' as const] : []), ...(readers?.ocr ? ['ocr' as const] : []), ...(readers?.vin ? ['vin' as const] : [])];
  const warm: ModelWarmth = Object.fromEntries(used.map((model) => [model, warmAtStart.has(model)]));
  const ocr = readers?.ocr;
  const device = { ...detector.device, models: { yolox: detector.provider, ...(clip && { clip: clip.encoder.provider }), ...(ocr && { ocr: ocr.provider }) } };
  const timingsMs = { ...timer.snapshot(TIMING_STAGES), total: Math.round(performance.now() - started) };
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = { ...timer.cpuSnapshot(TIMING_STAGES), total: Math.round((cpu.user + cpu.system) / 1000) };
  log.info('analysed', { cars: cars.length, timingsMs, device: detector.provider, warm });
  return { info, fingerprint, sampling, framesAnalysed: observations.length, cars, device, warm, timingsMs, cpuMs, draftsReadyMs, decoded };
}

/**
 * YOLOX detector (I/O): loads the checked model, applies the rewrite its manifest entry declares (a
 * dynamic batch, the stride-16 neck features as an extra output; in memory only), runs batches of
 * frames and returns detections
 * in source-frame pixels with label names and appearance vectors.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { DEFAULT_SETTINGS, type Device } from '../config/config.js';
import { LotreelError, isLotreelError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { Frame } from '../media/types.js';
import { getModelSpec, loadModelManifest, type ModelManifest, type ModelSpec } from './manifest.js';
import { resolveModelFile } from './model-files.js';
import { rewriteToDynamicBatch } from './onnx-graph.js';
import { createSession, type DeviceReport, type ManagedSession, type ProviderAttempt } from './session.js';
import type { Detection, Provider } from './types.js';
import { findYoloxHeadInputs } from './yolox.graph.js';
import { frameKernels, nativeKernelStatus, type FrameKernels } from './kernels.js';
import { inputSliceLength, type LetterboxGeometry, type PreprocessOptions } from './yolox.preprocess.js';
import { boxToFrame, decodeYoloxOutput, nonMaxSuppression, roiEmbedding, type FeatureMap, type YoloxDecodeOptions } from './yolox.postprocess.js';

export const YOLOX_MODEL_ID = 'yolox-nano';

export interface YoloxDetectorOptions {
  modelsDir: string;
  device: Device;
  /** Frames per inference run (default: the analysis settings' batchSize, 8). */
  batchSize?: number;
  /** Minimum objectness × class probability (default: detectScore, 0.3). */
  scoreThreshold?: number;
  /** IoU above which a lower-scoring box of the same class is dropped (default: nmsIou, 0.45). */
  nmsIou?: number;
  /** Most detections kept per frame, best first (default 100). */
  maxDetections?: number;
  /** Keep only these class ids (default: all). */
  classIds?: readonly number[];
  /** Compute `Detection.embedding` (default true). */
  embeddings?: boolean;
  /** onnxruntime intra-op threads on the CPU (default: onnxruntime's choice). */
  intraOpThreads?: number;
  /** Skip the checksum check (default false: the file is checked, with a cached hash). */
  skipChecksum?: boolean;
  log?: Logger;
  /** Manifest to use instead of the package's own (tests). */
  manifest?: ModelManifest;
  modelId?: string;
}

export interface YoloxStats {
  frames: number;
  runs: number;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

interface PreparedModel {
  bytes: Uint8Array;
  /** Whether `bytes` is our rewrite (false: the file as it is). */
  rewritten: boolean;
  dynamicBatch: boolean;
  /** Graph output holding the feature map pooled for embeddings. */
  featureOutput?: string;
  rewriteNote: string;
}

/** Rewritten model bytes per source hash, kept in memory only (never written next to the user's file). */
const preparedModels = new Map<string, PreparedModel>();

function prepareModel(bytes: Uint8Array, spec: ModelSpec, cacheKey: string, log: Logger): PreparedModel {
  const hit = preparedModels.get(cacheKey);
  if (hit) return hit;
  let prepared: PreparedModel;
  const alreadyDynamic = spec.input.batch === 'dynamic';
  // Only what the manifest declares (what runs is what is declared).
  const batch = spec.rewrite?.batch === 'dynamic' && !alreadyDynamic;
  const exposeEmbedding = spec.rewrite?.exposeEmbedding === true && spec.embedding !== undefined;
  if (!batch && !exposeEmbedding) {
    prepared = { bytes, rewritten: false, dynamicBatch: alreadyDynamic, rewriteNote: 'no rewrite declared: the file runs as it is' };
    preparedModels.set(cacheKey, prepared);
    return prepared;
  }
  try {
    const started = performance.now();
    let featureOutput: string | undefined;
    let featureNote = 'no embedding output declared';
    if (exposeEmbedding) {
      try {
        featureOutput = findYoloxHeadInputs(bytes, spec.output.name).headInputs[spec.embedding!.level];
        featureNote = `feature map ${featureOutput} exposed`;
      } catch (error) {
        featureNote = `no embeddings: ${error instanceof Error ? error.message : String(error)}`;
        log.warn('YOLOX feature map not found; detections will have no embedding', { error: featureNote });
        featureOutput = undefined;
      }
    }
    const rewritten = rewriteToDynamicBatch(bytes, { extraOutputs: featureOutput ? [featureOutput] : [], batch });
    prepared = {
      bytes: rewritten.model,
      rewritten: true,
      dynamicBatch: batch || alreadyDynamic,
      featureOutput,
      rewriteNote:
        (batch ? `rewritten to a dynamic batch (Reshape ${rewritten.reshapes.join(', ') || 'none'})` : alreadyDynamic ? 'batch already dynamic' : 'batch of 1 kept (declared)') +
        ` in ${Math.round(performance.now() - started)} ms; ${featureNote}`,
    };
  } catch (error) {
    // Fall back to the original graph: frames then run one at a time (unless the batch is dynamic already) without embeddings.
    const message = error instanceof Error ? error.message : String(error);
    log.warn(alreadyDynamic ? 'cannot add the feature output; no embeddings' : 'cannot rewrite the model to a dynamic batch; running frames one by one', { error: message });
    prepared = { bytes, rewritten: false, dynamicBatch: alreadyDynamic, rewriteNote: `graph rewrite failed: ${message}` };
  }
  preparedModels.set(cacheKey, prepared);
  return prepared;
}

/**
 * One run on a padding-grey image; for a batchable graph also a batch of two (grey, pattern) whose
 * second result must equal a single run of the pattern, which catches a Reshape that mixes images.
 */
export async function warmUp(session: ort.InferenceSession, spec: ModelSpec, batched: boolean): Promise<void> {
  const { width: W, height: H } = spec.input;
  const size = 3 * W * H;
  const inputName = session.inputNames.includes(spec.input.name) ? spec.input.name : session.inputNames[0];
  const outputName = session.outputNames.includes(spec.output.name) ? spec.output.name : session.outputNames[0];
  const grey = new Float32Array(size).fill(spec.input.padValue);
  const single = await session.run({ [inputName]: new ort.Tensor('float32', grey, [1, 3, H, W]) }, [outputName]);
  if (!batched) return;
  const pair = new Float32Array(2 * size);
  pair.set(grey);
  for (let i = 0; i < size; i++) pair[size + i] = (i * 37 + ((i / W) | 0) * 11) % 256;
  const alone = (await session.run({ [inputName]: new ort.Tensor('float32', pair.subarray(size), [1, 3, H, W]) }, [outputName]))[outputName].data as Float32Array;
  const both = (await session.run({ [inputName]: new ort.Tensor('float32', pair, [2, 3, H, W]) }, [outputName]))[outputName].data as Float32Array;
  const first = single[outputName].data as Float32Array;
  if (both.length !== 2 * alone.length) throw new Error(`a batch of 2 gave ${both.length} values, expected ${2 * alone.length}`);
  let worst = 0;
  for (let i = 0; i < alone.length; i++) {
    // Loose enough for GPU kernels that differ per batch size, far tighter than images mixed up.
    const tolerance = 0.05 + 0.01 * Math.abs(alone[i]);
    worst = Math.max(worst, Math.abs(both[alone.length + i] - alone[i]) / tolerance, Math.abs(both[i] - first[i]) / tolerance);
  }
  if (worst > 1) throw new Error('a batch of 2 does not match single runs');
}

/** Defaults come from the analysis settings schema (thresholds live in config). */
const { sampling, detection } = DEFAULT_SETTINGS;
const DEFAULTS = { batchSize: detection.batchSize ?? sampling.batchSize, scoreThreshold: detection.scoreThreshold, nmsIou: detection.nmsIou, maxDetections: 100 } as const;

export class YoloxDetector {
  readonly provider: Provider;
  /** Providers considered when the session was opened (failed/skipped CUDA included). */
  readonly attempts: readonly ProviderAttempt[];
  /** Requested device, order of preference, options and the provider used (the result's `device`). */
  readonly device: DeviceReport;
  /** Frames per run actually used (1 when the model could not be made batchable). */
  readonly batchSize: number;
  /** Whether detections carry `embedding`. */
  readonly embeddings: boolean;
  readonly modelPath: string;
  readonly stats: YoloxStats = { frames: 0, runs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };

  readonly #managed: ManagedSession;
  readonly #spec: ModelSpec;
  readonly #inputName: string;
  readonly #outputName: string;
  readonly #featureOutput: string | undefined;
  readonly #pre: PreprocessOptions;
  readonly #decode: YoloxDecodeOptions;
  readonly #nmsIou: number;
  readonly #maxDetections: number;
  readonly #classIds: ReadonlySet<number> | undefined;
  readonly #embeddingMean: Float32Array | undefined;
  /** Native letterbox when the addon is built, else JavaScript (same tensor). */
  readonly #kernels: FrameKernels = frameKernels();
  #buffer: Float32Array | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  private constructor(init: {
    managed: ManagedSession;
    spec: ModelSpec;
    modelPath: string;
    prepared: PreparedModel;
    batchSize: number;
    scoreThreshold: number;
    nmsIou: number;
    maxDetections: number;
    classIds?: readonly number[];
    embeddings: boolean;
    log: Logger;
  }) {
    const { managed, spec, prepared } = init;
    this.#managed = managed;
    this.#spec = spec;
    this.provider = managed.provider;
    this.attempts = managed.attempts;
    this.device = managed.report;
    this.modelPath = init.modelPath;
    this.batchSize = prepared.dynamicBatch ? init.batchSize : 1;
    const inputs = managed.session.inputNames;
    this.#inputName = inputs.includes(spec.input.name) ? spec.input.name : inputs[0];
    if (this.#inputName !== spec.input.name) init.log.warn('model input name differs from the manifest', { expected: spec.input.name, found: this.#inputName });
    const outputs = managed.session.outputNames;
    this.#outputName = outputs.includes(spec.output.name) ? spec.output.name : outputs[0];
    this.#featureOutput = init.embeddings && prepared.featureOutput && outputs.includes(prepared.featureOutput) ? prepared.featureOutput : undefined;
    this.embeddings = this.#featureOutput !== undefined;
    this.#embeddingMean = spec.embedding?.mean ? Float32Array.from(spec.embedding.mean) : undefined;
    this.#pre = {
      inputWidth: spec.input.width,
      inputHeight: spec.input.height,
      padValue: spec.input.padValue,
      channelOrder: spec.input.channelOrder === 'BGR' ? 'bgr' : 'rgb',
    };
    this.#decode = {
      inputWidth: spec.input.width,
      inputHeight: spec.input.height,
      strides: spec.output.strides,
      numClasses: spec.labels.length,
      scoreThreshold: init.scoreThreshold,
      sigmoidApplied: spec.output.sigmoidApplied,
    };
    this.#nmsIou = init.nmsIou;
    this.#maxDetections = init.maxDetections;
    this.#classIds = init.classIds ? new Set(init.classIds) : undefined;
  }

  /** Finds and checks the model, opens a warmed-up session on the requested device. */
  static async create(options: YoloxDetectorOptions): Promise<YoloxDetector> {
    const log = (options.log ?? silentLogger).child({ model: options.modelId ?? YOLOX_MODEL_ID });
    const batchSize = options.batchSize ?? DEFAULTS.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new LotreelError('INVALID_ARGUMENT', `batch size must be a positive integer, got ${batchSize}`);
    const manifest = options.manifest ?? loadModelManifest();
    const spec = getModelSpec(manifest, options.modelId ?? YOLOX_MODEL_ID);
    const file = await resolveModelFile(spec, options.modelsDir, { verify: !options.skipChecksum, log });
    const bytes = new Uint8Array(await readFile(file.path));
    const cacheKey = `${spec.id}:${spec.embedding?.level ?? '-'}:${JSON.stringify(spec.rewrite ?? null)}:${file.sha256 || `${file.path}:${file.size}`}`;
    let prepared = prepareModel(bytes, spec, cacheKey, log);
    log.debug('model prepared', { path: file.path, note: prepared.rewriteNote });
    log.debug('frame kernels', { kernels: frameKernels().name, reason: nativeKernelStatus().reason });

    const sessionOptions = { device: options.device, intraOpThreads: options.intraOpThreads, log };
    let managed: ManagedSession;
    try {
      managed = await createSession(prepared.bytes, { ...sessionOptions, warmup: (session) => warmUp(session, spec, prepared.dynamicBatch) });
    } catch (error) {
      // A rewritten graph that does not load, or whose batch of two differs from two single runs:
      // fall back to the original graph, one frame per run.
      if (!prepared.rewritten || !isLotreelError(error, 'INTERNAL')) throw error;
      log.warn('the batch-rewritten model failed its check; running frames one by one', { error: error.message });
      prepared = { bytes, rewritten: false, dynamicBatch: spec.input.batch === 'dynamic', rewriteNote: `rewrite rejected: ${error.message}` };
      preparedModels.set(cacheKey, prepared);
      managed = await createSession(bytes, { ...sessionOptions, warmup: (session) => warmUp(session, spec, prepared.dynamicBatch) });
    }
    try {
      return new YoloxDetector({
        managed,
        spec,
        modelPath: file.path,
        prepared,
        batchSize,
        scoreThreshold: options.scoreThreshold ?? DEFAULTS.scoreThreshold,
        nmsIou: options.nmsIou ?? DEFAULTS.nmsIou,
        maxDetections: options.maxDetections ?? DEFAULTS.maxDetections,
        classIds: options.classIds,
        embeddings: options.embeddings ?? true,
        log,
      });
    } catch (error) {
      await managed.release();
      throw error;
    }
  }

  get labels(): readonly string[] {
    return this.#spec.labels;
  }

  /** Detections per frame (same order), boxes in each frame's own pixels. Runs are serialised. */
  detect(frames: readonly Frame[]): Promise<Detection[][]> {
    if (this.#disposed) return Promise.reject(new LotreelError('INTERNAL', 'the YOLOX detector was disposed'));
    const run = this.#queue.then(() => this.#detectAll(frames));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #detectAll(frames: readonly Frame[]): Promise<Detection[][]> {
    const results: Detection[][] = [];
    for (let start = 0; start < frames.length; start += this.batchSize) {
      results.push(...(await this.#detectBatch(frames.slice(start, start + this.batchSize))));
    }
    return results;
  }

  async #detectBatch(frames: readonly Frame[]): Promise<Detection[][]> {
    const n = frames.length;
    const { inputWidth: W, inputHeight: H } = this.#pre;
    const slice = inputSliceLength(this.#pre);
    const t0 = performance.now();
    if (!this.#buffer || this.#buffer.length < n * slice) this.#buffer = new Float32Array(this.batchSize * slice);
    const input = this.#buffer.subarray(0, n * slice);
    const geometry: LetterboxGeometry[] = frames.map((frame, k) => this.#kernels.fillLetterboxedInput(frame, input, k * slice, this.#pre));
    const t1 = performance.now();

    const fetches = this.#featureOutput ? [this.#outputName, this.#featureOutput] : [this.#outputName];
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.#managed.session.run({ [this.#inputName]: new ort.Tensor('float32', input, [n, 3, H, W]) }, fetches);
    } catch (error) {
      throw new LotreelError('INTERNAL', `YOLOX inference failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`, { cause: error });
    }
    const t2 = performance.now();

    const raw = outputs[this.#outputName].data as Float32Array;
    const perImage = raw.length / n;
    let feature: Omit<FeatureMap, 'offset'> | undefined;
    if (this.#featureOutput) {
      const t = outputs[this.#featureOutput];
      const [, c, fh, fw] = t.dims;
      const stride = H / fh;
      if (t.dims.length === 4 && Number.isInteger(stride) && fw * stride === W) {
        feature = { data: t.data as Float32Array, channels: c, height: fh, width: fw, stride };
      }
    }
    const mean = this.#embeddingMean && feature && this.#embeddingMean.length === feature.channels ? this.#embeddingMean : undefined;

    const results = frames.map((frame, k) => {
      let candidates = decodeYoloxOutput(raw, k * perImage, this.#decode);
      if (this.#classIds) candidates = candidates.filter((c) => this.#classIds!.has(c.classId));
      const kept = nonMaxSuppression(candidates, this.#nmsIou, this.#maxDetections);
      const featureMap = feature ? { ...feature, offset: k * feature.channels * feature.height * feature.width } : undefined;
      const detections: Detection[] = [];
      for (const c of kept) {
        const box = boxToFrame(c.box, geometry[k].scale, frame.width, frame.height);
        // A box in the letterbox padding clamps to nothing: not a detection in this frame.
        if (box.x2 - box.x1 < 1 || box.y2 - box.y1 < 1) continue;
        const detection: Detection = { box, score: c.score, classId: c.classId, label: this.#spec.labels[c.classId] ?? String(c.classId) };
        if (featureMap) detection.embedding = roiEmbedding(featureMap, c.box, mean);
        detections.push(detection);
      }
      return detections;
    });
    const t3 = performance.now();
    this.stats.frames += n;
    this.stats.runs += 1;
    this.stats.preprocessMs += t1 - t0;
    this.stats.inferenceMs += t2 - t1;
    this.stats.postprocessMs += t3 - t2;
    return results;
  }

  /** Releases the session; later `detect` calls fail. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    this.#buffer = undefined;
    await this.#managed.release();
  }
}

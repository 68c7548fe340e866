/**
 * CLIP image and text encoders (I/O): the two towers of a CLIP-family model from the manifest, its own
 * tokenizer files, sessions on the requested device. Embeddings come back L2-normalised, so a dot
 * product is the cosine similarity. Image batches are double-buffered: the next batch is prepared on
 * the JavaScript thread while onnxruntime runs the current one on its own threads.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import type { Device } from '../config/config.js';
import { LotreelError, isLotreelError } from '../core/errors.js';
import type { Box } from '../core/geometry.js';
import { silentLogger, type Logger } from '../core/log.js';
import { CLIP_MEAN, CLIP_STD, type ClipPreprocessOptions } from './clip.preprocess.js';
import { CLIP_CONTEXT_LENGTH, ClipTokenizer } from './clip.tokenizer.js';
import { frameKernels, type FrameKernels } from './kernels.js';
import { getClipFamily, loadModelManifest, type ClipFileTask, type ModelManifest } from './manifest.js';
import { resolveModelFile, type ModelFile } from './model-files.js';
import { createSession, type ManagedSession } from './session.js';
import type { Provider } from './types.js';
import type { RgbImage } from './yolox.preprocess.js';

export const DEFAULT_CLIP_FAMILY = 'clip-vit-base-patch32';

export interface ClipEncoderOptions {
  modelsDir: string;
  device: Device;
  family?: string;
  /** Images per inference run. */
  imageBatchSize?: number;
  /** Texts per inference run. */
  textBatchSize?: number;
  intraOpThreads?: number;
  skipChecksum?: boolean;
  log?: Logger;
  manifest?: ModelManifest;
}

export interface ClipImage {
  image: RgbImage;
  /** Crop to this box first (the car); the whole image when absent. */
  box?: Box;
}

export interface ClipStats {
  images: number;
  texts: number;
  preprocessMs: number;
  imageInferenceMs: number;
  textInferenceMs: number;
}

/** Which files of a CLIP family are missing from the models folder (none: CLIP can run). */
export async function missingClipFiles(modelsDir: string, family = DEFAULT_CLIP_FAMILY, manifest: ModelManifest = loadModelManifest()): Promise<string[]> {
  const files = getClipFamily(manifest, family);
  const missing: string[] = [];
  for (const spec of Object.values(files)) {
    try {
      await resolveModelFile(spec, modelsDir, { verify: false });
    } catch (error) {
      if (isLotreelError(error, 'MODEL_MISSING')) missing.push(spec.file);
      else throw error;
    }
  }
  return missing;
}

/** A known sentence and OpenAI's ids for it: a vocabulary without a published hash must still give these. */
const TOKENIZER_CHECK = { text: 'a photo of a cat', ids: [320, 1125, 539, 320, 2368] };

const l2 = (v: Float32Array): Float32Array => {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
};

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

export class ClipEncoder {
  readonly family: string;
  readonly provider: Provider;
  readonly imageBatchSize: number;
  readonly textBatchSize: number;
  readonly embedDim: number;
  /** Identifies the exact weights (both towers' hashes, or their paths and sizes unchecked): cache key. */
  readonly modelKey: string;
  readonly tokenizer: ClipTokenizer;
  readonly stats: ClipStats = { images: 0, texts: 0, preprocessMs: 0, imageInferenceMs: 0, textInferenceMs: 0 };

  readonly #vision: ManagedSession;
  readonly #text: ManagedSession;
  readonly #pre: ClipPreprocessOptions;
  /** Native CLIP preprocessing when the addon is built, else JavaScript (same floats). */
  readonly #kernels: FrameKernels = frameKernels();
  readonly #names: { pixels: string; image: string; ids: string; mask?: string; text: string };
  /** Whether the text tower takes any sequence length (then batches are padded to their longest text). */
  readonly #dynamicLength: boolean;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  private constructor(init: {
    family: string;
    vision: ManagedSession;
    text: ManagedSession;
    tokenizer: ClipTokenizer;
    pre: ClipPreprocessOptions;
    names: { pixels: string; image: string; ids: string; mask?: string; text: string };
    dynamicLength: boolean;
    imageBatchSize: number;
    textBatchSize: number;
    embedDim: number;
    modelKey: string;
  }) {
    this.family = init.family;
    this.#vision = init.vision;
    this.#text = init.text;
    this.provider = init.vision.provider;
    this.tokenizer = init.tokenizer;
    this.#pre = init.pre;
    this.#names = init.names;
    this.#dynamicLength = init.dynamicLength;
    this.imageBatchSize = init.imageBatchSize;
    this.textBatchSize = init.textBatchSize;
    this.embedDim = init.embedDim;
    this.modelKey = init.modelKey;
  }

  /** Finds and checks the family's files, reads its tokenizer, opens both towers warmed up. MODEL_MISSING when a file is absent. */
  static async create(options: ClipEncoderOptions): Promise<ClipEncoder> {
    const family = options.family ?? DEFAULT_CLIP_FAMILY;
    const log = (options.log ?? silentLogger).child({ model: family });
    const manifest = options.manifest ?? loadModelManifest();
    const specs = getClipFamily(manifest, family);
    const files = {} as Record<ClipFileTask, ModelFile>;
    for (const task of Object.keys(specs) as ClipFileTask[]) {
      files[task] = await resolveModelFile(specs[task], options.modelsDir, { verify: !options.skipChecksum, log });
    }
    const tokenizer = ClipTokenizer.fromFiles(await readFile(files['clip-vocab'].path, 'utf8'), await readFile(files['clip-merges'].path, 'utf8'));
    const check = tokenizer.encode(TOKENIZER_CHECK.text);
    if (tokenizer.startId !== 49406 || tokenizer.endId !== 49407 || check.join() !== TOKENIZER_CHECK.ids.join()) {
      throw new LotreelError('MODEL_CHECKSUM', `the CLIP tokenizer files of ${family} do not give OpenAI's token ids: replace ${specs['clip-vocab'].file} and ${specs['clip-merges'].file}`);
    }
    const visionSpec = specs['clip-vision'];
    const textSpec = specs['clip-text'];
    const sessionOptions = { device: options.device, intraOpThreads: options.intraOpThreads, log };
    const vision = await createSession(files['clip-vision'].path, sessionOptions);
    let text: ManagedSession;
    try {
      text = await createSession(files['clip-text'].path, sessionOptions);
    } catch (error) {
      await vision.release();
      throw error;
    }
    const pick = (available: readonly string[], wanted: string | undefined, fallback: string) => (wanted && available.includes(wanted) ? wanted : available.includes(fallback) ? fallback : available[0]);
    const names = {
      pixels: pick(vision.session.inputNames, visionSpec.input?.name, 'pixel_values'),
      image: pick(vision.session.outputNames, visionSpec.output?.name, 'image_embeds'),
      ids: pick(text.session.inputNames, textSpec.input?.name, 'input_ids'),
      mask: text.session.inputNames.includes('attention_mask') ? 'attention_mask' : undefined,
      text: pick(text.session.outputNames, textSpec.output?.name, 'text_embeds'),
    };
    const idsMeta = text.session.inputMetadata.find((m) => m.name === names.ids);
    const sequenceDim = idsMeta && idsMeta.isTensor ? idsMeta.shape[1] : CLIP_CONTEXT_LENGTH;
    const fingerprint = (f: ModelFile) => f.sha256 || `${f.path}:${f.size}`;
    const encoder = new ClipEncoder({
      family,
      vision,
      text,
      tokenizer,
      pre: { size: visionSpec.input?.size ?? 224, mean: visionSpec.input?.mean ?? CLIP_MEAN, std: visionSpec.input?.std ?? CLIP_STD },
      names,
      dynamicLength: typeof sequenceDim !== 'number',
      imageBatchSize: options.imageBatchSize ?? 16,
      textBatchSize: options.textBatchSize ?? 64,
      embedDim: visionSpec.output?.dim ?? 512,
      modelKey: `${family}:${fingerprint(files['clip-vision'])}:${fingerprint(files['clip-text'])}`,
    });
    log.info('CLIP ready', { provider: encoder.provider, inputs: names, dynamicTextLength: typeof sequenceDim !== 'number', imageBatchSize: encoder.imageBatchSize, kernels: encoder.#kernels.name });
    return encoder;
  }

  /** L2-normalised image embeddings, one per item, same order. Runs are serialised. */
  encodeImages(items: readonly ClipImage[]): Promise<Float32Array[]> {
    return this.#serial(() => this.#encodeImages(items));
  }

  /** L2-normalised text embeddings, one per text, same order. */
  encodeTexts(texts: readonly string[]): Promise<Float32Array[]> {
    return this.#serial(() => this.#encodeTexts(texts));
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.#disposed) return Promise.reject(new LotreelError('INTERNAL', 'the CLIP encoder was disposed'));
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #encodeImages(items: readonly ClipImage[]): Promise<Float32Array[]> {
    const size = this.#pre.size;
    const slice = 3 * size * size;
    const batches: ClipImage[][] = [];
    for (let i = 0; i < items.length; i += this.imageBatchSize) batches.push(items.slice(i, i + this.imageBatchSize));
    const fill = (batch: readonly ClipImage[]): Float32Array => {
      const started = performance.now();
      const input = new Float32Array(batch.length * slice);
      batch.forEach((item, k) => this.#kernels.fillClipInput(item.image, input, k * slice, item.box, this.#pre));
      this.stats.preprocessMs += performance.now() - started;
      return input;
    };
    const results: Float32Array[] = [];
    let next = batches.length > 0 ? fill(batches[0]) : undefined;
    for (let b = 0; b < batches.length; b++) {
      const input = next!;
      const n = batches[b].length;
      const started = performance.now();
      const running = this.#vision.session.run({ [this.#names.pixels]: new ort.Tensor('float32', input, [n, 3, size, size]) }, [this.#names.image]);
      // Prepare the next batch while this one runs on onnxruntime's threads.
      next = b + 1 < batches.length ? fill(batches[b + 1]) : undefined;
      let output: ort.InferenceSession.OnnxValueMapType;
      try {
        output = await running;
      } catch (error) {
        throw new LotreelError('INTERNAL', `CLIP image inference failed: ${firstLine(error)}`, { cause: error });
      }
      this.stats.imageInferenceMs += performance.now() - started;
      results.push(...this.#rows(output[this.#names.image], n));
    }
    this.stats.images += items.length;
    return results;
  }

  async #encodeTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const results: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.textBatchSize) {
      const batch = this.tokenizer.encodeBatch(texts.slice(i, i + this.textBatchSize), CLIP_CONTEXT_LENGTH, this.#dynamicLength ? 'longest' : 'max');
      const dims = [batch.count, batch.contextLength];
      const feeds: Record<string, ort.Tensor> = { [this.#names.ids]: new ort.Tensor('int64', batch.inputIds, dims) };
      if (this.#names.mask) feeds[this.#names.mask] = new ort.Tensor('int64', batch.attentionMask, dims);
      const started = performance.now();
      let output: ort.InferenceSession.OnnxValueMapType;
      try {
        output = await this.#text.session.run(feeds, [this.#names.text]);
      } catch (error) {
        throw new LotreelError('INTERNAL', `CLIP text inference failed: ${firstLine(error)}`, { cause: error });
      }
      this.stats.textInferenceMs += performance.now() - started;
      results.push(...this.#rows(output[this.#names.text], batch.count));
    }
    this.stats.texts += texts.length;
    return results;
  }

  #rows(tensor: ort.Tensor, n: number): Float32Array[] {
    const data = tensor.data as Float32Array;
    const dim = data.length / n;
    return Array.from({ length: n }, (_, k) => l2(data.slice(k * dim, (k + 1) * dim)));
  }

  /** Releases both sessions; later calls fail. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    await Promise.all([this.#vision.release(), this.#text.release()]);
  }
}

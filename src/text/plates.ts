/**
 * Licence plates among the text read on a photo (pure): a short line of letters and digits, shaped
 * like plate text, low on the car (bumpers), not a VIN, price or mileage. The region returned covers
 * the whole plate (the text box grown to the plate's border), in the photo's pixels.
 */
import { clampBox, type Box } from '../core/geometry.js';
import { mentionsPrice, readMileage } from './text-evidence.js';

export interface PlateSettings {
  /** Plate text box width / height. */
  minAspect: number;
  maxAspect: number;
  /** The text's centre must lie below this share of the car box's height (from its top). */
  minHeightOnCar: number;
  /** The text box may be at most this share of the car box's width. */
  maxWidthOnCar: number;
}

export const DEFAULT_PLATE_SETTINGS: PlateSettings = { minAspect: 1.8, maxAspect: 9, minHeightOnCar: 0.35, maxWidthOnCar: 0.5 };

export interface PlateLine {
  text: string;
  box: Box;
}

export interface PlateRegion {
  box: Box;
  text: string;
}

/** Whether `text` reads like a plate: 4 to 9 letters and digits (spaces, dashes, dots apart) with at least one digit. */
export function looksLikePlateText(text: string): boolean {
  if (mentionsPrice(text) || readMileage(text)) return false;
  const compact = text.toUpperCase().replace(/[\s\-.·:]/g, '');
  if (!/^[A-Z0-9]{4,9}$/.test(compact)) return false;
  return /\d/.test(compact) && !/^\d{4}$/.test(compact);
}

/**
 * Plate regions among a photo's text lines. With the car's box, the text must sit low on the car and
 * be narrow beside it; without one (no car found in the photo) text and shape alone decide.
 */
export function findPlates(lines: readonly PlateLine[], carBox: Box | null, image: { width: number; height: number }, settings: PlateSettings = DEFAULT_PLATE_SETTINGS): PlateRegion[] {
  const plates: PlateRegion[] = [];
  for (const line of lines) {
    const { box } = line;
    const w = box.x2 - box.x1;
    const h = box.y2 - box.y1;
    if (!(w > 0 && h > 0)) continue;
    const aspect = w / h;
    if (aspect < settings.minAspect || aspect > settings.maxAspect || !looksLikePlateText(line.text)) continue;
    if (carBox) {
      const cx = (box.x1 + box.x2) / 2;
      const cy = (box.y1 + box.y2) / 2;
      const carW = carBox.x2 - carBox.x1;
      const carH = carBox.y2 - carBox.y1;
      if (cx < carBox.x1 || cx > carBox.x2 || cy > carBox.y2 || cy < carBox.y1 + settings.minHeightOnCar * carH) continue;
      if (w > settings.maxWidthOnCar * carW) continue;
    }
    // The plate's border and any country strip lie around the characters.
    const grown = { x1: box.x1 - 0.2 * w, y1: box.y1 - 0.45 * h, x2: box.x2 + 0.2 * w, y2: box.y2 + 0.45 * h };
    plates.push({ box: clampBox(grown, image.width, image.height), text: line.text });
  }
  return plates;
}

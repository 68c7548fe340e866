/**
 * Finding the plates in one picture (I/O wiring; the decisions are in plates.ts): the vehicle
 * detector gives every vehicle in the picture, the text detector the text regions on them, the
 * recogniser reads them (its reading only helps the decision: it is not kept). The caller's text
 * region (the car being listed) is searched and read whole, as the text stage always did; other
 * vehicles only below their roof line, small ones looked at closer, and only their plate-shaped text
 * is read.
 */
import { boxArea, clampBox, intersection, intersectionOverUnion, type Box } from '../core/geometry.js';
import { VEHICLE_CLASS_IDS } from '../analysis/dominant-car.js';
import type { OcrLine, TextBox, TextFinder } from '../vision/ocr.js';
import type { RgbImage } from '../vision/yolox.preprocess.js';
import type { YoloxDetector } from '../vision/yolox.js';
import { DEFAULT_PLATE_SETTINGS, findPlates, joinLineFragments, textLine, type PlateRegion, type PlateSettings, type PlateText, type Vehicle } from './plates.js';

export interface PictureText {
  /** Every line read in the searched region (for the text evidence). */
  lines: OcrLine[];
  /** The plates found anywhere in the picture. */
  plates: PlateRegion[];
  vehicles: Vehicle[];
}

/** Every vehicle the detector sees in the picture. */
export async function vehiclesIn(image: RgbImage, detector: YoloxDetector): Promise<Vehicle[]> {
  const [detections] = await detector.detect([{ ...image, timestampMs: 0 }]);
  return detections.filter((d) => VEHICLE_CLASS_IDS.has(d.classId)).map((d) => ({ box: d.box, score: d.score }));
}

const overlapShare = (inner: Box, outer: Box) => boxArea(intersection(inner, outer)) / Math.max(1, boxArea(inner));

/** A vehicle's part below its roof line, where its plate can be. */
export const lowerPart = (v: Vehicle, image: { width: number; height: number }, settings: PlateSettings) =>
  clampBox({ ...v.box, y1: v.box.y1 + settings.minHeightOnCar * (v.box.y2 - v.box.y1) }, image.width, image.height);

/** Pixels from the picture's edge within which a vehicle box counts as cut by it. */
const EDGE = 3;

/**
 * Whether a vehicle is worth a closer look: too small at the picture's detector scale for its plate
 * to be found, whole in the picture (a small vehicle cut by the edge is a neighbour seen in part), and
 * the listed car (or any, with `zoomOtherVehicles`). The callers count against `maxZoomedVehicles`.
 */
function wantsCloserLook(v: Vehicle, listed: Vehicle | null, image: { width: number; height: number }, pictureScale: number, settings: PlateSettings): boolean {
  const whole = v.box.x1 >= EDGE && v.box.x2 <= image.width - EDGE && v.box.y2 <= image.height - EDGE;
  return (v.box.x2 - v.box.x1) * pictureScale < settings.zoomBelowWidth && whole && (v === listed || settings.zoomOtherVehicles);
}

export interface VehiclePass {
  region: Box;
  /** Detector pixels per picture pixel; absent: the whole picture's. */
  scale?: number;
  /** A closer look at this vehicle (too small for its plate to be found at the picture's scale). */
  closerLookAt?: Vehicle;
}

/**
 * The extra detector passes vehicles need, kept cheap: the listed car, when too small in the picture
 * for its plate to be found at the picture's detector scale, is looked at closer (its width brought
 * to `zoomToWidth` detector pixels; other small vehicles too with `zoomOtherVehicles`, never one cut
 * by the picture's edge); a vehicle mostly outside what was searched is searched at
 * `otherVehicleScale` of the picture's scale (a near car's plate is large).
 */
export function vehiclePasses(vehicles: readonly Vehicle[], searched: Box, image: { width: number; height: number }, pictureScale: number, settings: PlateSettings): VehiclePass[] {
  const passes: VehiclePass[] = [];
  let zoomed = 0;
  const bySize = [...vehicles].filter((v) => v.score >= settings.minPassVehicleScore).sort((a, b) => b.box.x2 - b.box.x1 - (a.box.x2 - a.box.x1));
  // The car searched (the one listed): the vehicle that best fills what was searched; the largest when the whole picture was.
  const wholePicture = searched.x1 <= 0 && searched.y1 <= 0 && searched.x2 >= image.width && searched.y2 >= image.height;
  const listed = wholePicture
    ? (bySize[0] ?? null)
    : bySize.reduce<Vehicle | null>((best, v) => (intersectionOverUnion(v.box, searched) > (best ? intersectionOverUnion(best.box, searched) : 0.3) ? v : best), null);
  for (const v of bySize) {
    const region = lowerPart(v, image, settings);
    if (boxArea(region) < 1) continue;
    const width = v.box.x2 - v.box.x1;
    const inSearch = overlapShare(region, searched) >= 0.5;
    if (wantsCloserLook(v, listed, image, pictureScale, settings) && zoomed < settings.maxZoomedVehicles) {
      zoomed++;
      passes.push({ region, scale: Math.min(settings.maxZoom, settings.zoomToWidth / width), closerLookAt: v });
    } else if (!inSearch) {
      passes.push({ region, scale: pictureScale * settings.otherVehicleScale });
    }
  }
  return passes;
}

const onVehicle = (v: Vehicle, x: number, y: number) => x >= v.box.x1 && x <= v.box.x2 && y >= v.box.y1 && y <= v.box.y2;

/** Whether a plate found lies on the vehicle (its centre in the vehicle's box). */
const plateOn = (v: Vehicle, plate: PlateRegion) => onVehicle(v, (plate.box.x1 + plate.box.x2) / 2, (plate.box.y1 + plate.box.y2) / 2);

/** Whether a text region could be a plate by its shape alone (what is worth reading outside the listed car). */
function plateShaped(region: TextBox, settings: PlateSettings): boolean {
  const line = textLine(region);
  const aspect = line.width / line.height;
  return line.height >= settings.minTextHeight && aspect >= settings.minAspect && aspect <= settings.maxAspect && Math.abs(line.angle) <= (settings.maxAngleDeg * Math.PI) / 180;
}

/** Joins detector regions with what was read in them (the recogniser keeps the region objects it was given). */
function withReading(regions: readonly TextBox[], lines: readonly OcrLine[]): PlateText[] {
  const read = new Map(lines.map((line) => [line.box, line]));
  return regions.map((r) => {
    const line = read.get(r.box);
    return { box: r.box, quad: r.quad, ...(line ? { text: line.text, textScore: line.textScore } : {}) };
  });
}

/**
 * Reads the text in `search` (the whole picture when absent) and finds the plates on every vehicle.
 * `vehicles` may be given when already known.
 */
export async function searchPicture(
  image: RgbImage,
  readers: { ocr: TextFinder; detector: YoloxDetector | null },
  options: { search?: Box; vehicles?: Vehicle[]; findPlates: boolean; settings?: PlateSettings },
): Promise<PictureText> {
  const settings = options.settings ?? DEFAULT_PLATE_SETTINGS;
  const { ocr } = readers;
  const search = options.search ?? { x1: 0, y1: 0, x2: image.width, y2: image.height };
  const regions = await ocr.findText(image, search);
  const lines = regions.length === 0 ? [] : await ocr.recognise(image, regions);
  if (!options.findPlates) return { lines, plates: [], vehicles: [] };
  const vehicles = options.vehicles ?? (readers.detector ? await vehiclesIn(image, readers.detector) : []);
  const texts = withReading(regions, lines);
  const pictureScale = ocr.detectorScale(image.width, image.height);
  const look = async (pass: VehiclePass) => {
    const found = joinedRegions(await ocr.findText(image, pass.region, pass.scale), settings).filter((r) => plateShaped(r, settings));
    texts.push(...withReading(found, found.length === 0 ? [] : await ocr.recognise(image, found)));
  };
  // A closer look is for a plate the reading could not find: a vehicle whose plate it found needs none.
  const platesRead = findPlates(texts, vehicles, image, settings);
  const passes = vehiclePasses(vehicles, search, image, pictureScale, settings).filter((p) => !(p.closerLookAt && platesRead.some((plate) => plateOn(p.closerLookAt!, plate))));
  for (const pass of passes) await look(pass);
  const plates = passes.length > 0 ? findPlates(texts, vehicles, image, settings) : platesRead;
  const second = stubLooks(texts, vehicles, plates, image, pictureScale, settings);
  for (const pass of second) await look(pass);
  return { lines, plates: second.length > 0 ? findPlates(texts, vehicles, image, settings) : plates, vehicles };
}

/** Text regions with the pieces of each line joined (see joinLineFragments), ready for the recogniser. */
function joinedRegions(regions: readonly TextBox[], settings: PlateSettings): TextBox[] {
  return joinLineFragments(regions, settings).map((r) => ({ box: r.box, quad: r.quad, score: 'score' in r ? (r as TextBox).score : 1 }));
}

/**
 * A second, closer look where a vehicle shows no plate but a stub of text as thick as one, low on it
 * (a plate the detector saw only in part: blurred, dark, split): the stretch of its line around the
 * stub (`maxAspect` thicknesses either side along it, `stubLookContext` across: the detector needs
 * some surroundings), its text brought to `stubLookTextHeight` detector pixels. At most `maxStubLooks` per picture,
 * the thickest stubs first.
 */
export function stubLooks(texts: readonly PlateText[], vehicles: readonly Vehicle[], plates: readonly PlateRegion[], image: { width: number; height: number }, pictureScale: number, settings: PlateSettings): VehiclePass[] {
  const maxAngle = (settings.maxAngleDeg * Math.PI) / 180;
  const lines = joinLineFragments(texts, settings).map(textLine);
  const stubs = new Set<ReturnType<typeof textLine>>();
  for (const v of vehicles) {
    if (v.score < settings.minVehicleScore) continue;
    if (plates.some((p) => plateOn(v, p))) continue;
    const low = v.box.y1 + settings.minHeightOnCar * (v.box.y2 - v.box.y1);
    for (const l of lines) {
      const aspect = l.width / l.height;
      if (onVehicle(v, l.cx, l.cy) && l.cy >= low && l.height >= settings.minTextHeight && Math.abs(l.angle) <= maxAngle && aspect >= settings.stubMinAspect && aspect < settings.minAspect) stubs.add(l);
    }
  }
  return [...stubs]
    .sort((a, b) => b.height - a.height)
    .slice(0, settings.maxStubLooks)
    .map((line) => ({
      region: clampBox({ x1: line.cx - settings.maxAspect * line.height, y1: line.cy - settings.stubLookContext * line.height, x2: line.cx + settings.maxAspect * line.height, y2: line.cy + settings.stubLookContext * line.height }, image.width, image.height),
      scale: Math.max(pictureScale, Math.min(settings.maxZoom, settings.stubLookTextHeight / line.height)),
    }));
}

/** A search at a scale of its own. */
export type ScaledPass = Required<Pick<VehiclePass, 'region' | 'scale'>>;

/** What a search costs the text detector: its area in detector pixels. */
const searchCost = (p: ScaledPass) => boxArea(p.region) * p.scale ** 2;

/**
 * Searches that overlap joined into their bounds, until no join is left that pays: a joined search
 * keeps the closest look (largest scale) of its parts, so two are joined only when that costs the text
 * detector no more (area times scale squared) than searching them apart. A close look at a small
 * vehicle is never spread over the large one beside it (that made 1344x3488 detector inputs and most of
 * a run's peak memory); their overlap is searched twice, as the photos' car and its closer look are.
 */
export function mergedPasses(passes: readonly ScaledPass[]): ScaledPass[] {
  const merged = passes.map((p) => ({ ...p }));
  for (let joined = true; joined; ) {
    joined = false;
    outer: for (let i = 0; i < merged.length; i++) {
      for (let j = i + 1; j < merged.length; j++) {
        if (boxArea(intersection(merged[i].region, merged[j].region)) === 0) continue;
        const [a, b] = [merged[i], merged[j]];
        const both = { region: { x1: Math.min(a.region.x1, b.region.x1), y1: Math.min(a.region.y1, b.region.y1), x2: Math.max(a.region.x2, b.region.x2), y2: Math.max(a.region.y2, b.region.y2) }, scale: Math.max(a.scale, b.scale) };
        if (searchCost(both) > searchCost(a) + searchCost(b)) continue;
        merged[i] = both;
        merged.splice(j, 1);
        joined = true;
        break outer;
      }
    }
  }
  return merged;
}

/**
 * Where a plates-only search looks in a picture (a clip's sampled frame): each vehicle's part below
 * its roof line (`minHeightOnCar`), grown by `clipSearchMargin` of its height (a plate's line may
 * reach above its centre; the detector needs some surroundings), at the picture's detector scale or,
 * for a vehicle wider than `clipVehicleWidth` detector pixels, at the scale that brings it to that
 * width (its plate is large); the largest vehicle, when too small for its plate to be found at the
 * picture's scale, closer (as `vehiclePasses` does).
 * Overlapping searches are merged where that costs no more (mergedPasses). The whole picture (scale
 * absent) when no vehicle is seen (a plate is never skipped because the vehicle detector missed its
 * car), or when the searches would cost as much as it.
 */
export function plateSearchPasses(vehicles: readonly Vehicle[], image: { width: number; height: number }, pictureScale: number, settings: PlateSettings): VehiclePass[] {
  const whole: VehiclePass[] = [{ region: { x1: 0, y1: 0, x2: image.width, y2: image.height } }];
  const seen = vehicles.filter((v) => v.score >= settings.minVehicleScore);
  if (seen.length === 0) return whole;
  const bySize = [...seen].sort((a, b) => b.box.x2 - b.box.x1 - (a.box.x2 - a.box.x1));
  const listed = bySize.find((v) => v.score >= settings.minPassVehicleScore) ?? null;
  let zoomed = 0;
  const passes: ScaledPass[] = [];
  for (const v of bySize) {
    const m = settings.clipSearchMargin * (v.box.y2 - v.box.y1);
    const low = lowerPart(v, image, settings);
    const region = clampBox({ x1: low.x1 - m, y1: low.y1 - m, x2: low.x2 + m, y2: low.y2 + m }, image.width, image.height);
    if (boxArea(region) < 1) continue;
    const width = v.box.x2 - v.box.x1;
    const closer = v.score >= settings.minPassVehicleScore && wantsCloserLook(v, listed, image, pictureScale, settings) && zoomed < settings.maxZoomedVehicles;
    if (closer) zoomed++;
    // A plate's size follows its vehicle's: a large vehicle's is found with its width at `clipVehicleWidth` detector pixels.
    const scale = closer ? Math.max(pictureScale, Math.min(settings.maxZoom, settings.zoomToWidth / width)) : Math.min(pictureScale, settings.clipVehicleWidth / width);
    passes.push({ region, scale });
  }
  const merged = mergedPasses(passes);
  const cost = merged.reduce((sum, p) => sum + searchCost(p), 0);
  return zoomed === 0 && cost >= image.width * image.height * pictureScale ** 2 ? whole : merged;
}

/**
 * The plates in a picture, looked for where plates can be (see plateSearchPasses) and read only where
 * the text is plate-shaped: a clip's sampled frames, which need no other text. `vehicles` may be
 * given when already known.
 */
export async function searchPlates(
  image: RgbImage,
  readers: { ocr: TextFinder; detector: YoloxDetector | null },
  options: { vehicles?: Vehicle[]; settings?: PlateSettings } = {},
): Promise<{ plates: PlateRegion[]; vehicles: Vehicle[] }> {
  const settings = options.settings ?? DEFAULT_PLATE_SETTINGS;
  const { ocr } = readers;
  const vehicles = options.vehicles ?? (readers.detector ? await vehiclesIn(image, readers.detector) : []);
  const pictureScale = ocr.detectorScale(image.width, image.height);
  const texts: PlateText[] = [];
  // Every region is kept (the closer looks at stubs need the short ones); only plate-shaped ones are read.
  const look = async (pass: VehiclePass) => {
    const found = joinedRegions(await ocr.findText(image, pass.region, pass.scale), settings);
    const shaped = found.filter((r) => plateShaped(r, settings));
    texts.push(...withReading(found, shaped.length === 0 ? [] : await ocr.recognise(image, shaped)));
  };
  for (const pass of plateSearchPasses(vehicles, image, pictureScale, settings)) await look(pass);
  const plates = findPlates(texts, vehicles, image, settings);
  const second = stubLooks(texts, vehicles, plates, image, pictureScale, settings);
  for (const pass of second) await look(pass);
  return { plates: second.length > 0 ? findPlates(texts, vehicles, image, settings) : plates, vehicles };
}

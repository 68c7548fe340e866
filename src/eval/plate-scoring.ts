/**
 * Plate regions found against labelled plate boxes (pure): DIR/plates.json maps a picture to its
 * plate box(es), `{ "file.jpg": { "box": [x1, y1, x2, y2] } }` (or `"boxes": [[...], ...]`; other
 * fields, such as the plate's text, are ignored). A labelled plate is found when a region overlaps it
 * with IoU >= 0.3 or covers >= 70% of it; a region is a false blur when it finds no labelled plate and
 * lies mostly outside all of them (a second region on the same plate is not).
 */
import { z } from 'zod';
import { boxArea, intersectionOverUnion, type Box } from '../core/geometry.js';
import { LotreelError } from '../core/errors.js';

const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const entrySchema = z.union([z.object({ box: boxSchema }).passthrough(), z.object({ boxes: z.array(boxSchema) }).passthrough(), boxSchema]);
const platesSchema = z.record(z.string(), entrySchema);

export const PLATE_MATCH = { minIou: 0.3, minCovered: 0.7, maxOutside: 0.5 };

/** plates.json text to file -> labelled boxes; INVALID_ARGUMENT when it is not that. */
export function parsePlateBoxes(text: string): Map<string, Box[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LotreelError('INVALID_ARGUMENT', `plates.json is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = platesSchema.safeParse(json);
  if (!parsed.success) throw new LotreelError('INVALID_ARGUMENT', `plates.json: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const toBox = ([x1, y1, x2, y2]: [number, number, number, number]): Box => ({ x1, y1, x2, y2 });
  const out = new Map<string, Box[]>();
  for (const [file, entry] of Object.entries(parsed.data)) {
    out.set(file, Array.isArray(entry) ? [toBox(entry)] : 'box' in entry ? [toBox(entry.box as [number, number, number, number])] : (entry.boxes as [number, number, number, number][]).map(toBox));
  }
  return out;
}

const overlap = (a: Box, b: Box) => boxArea({ x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) });

/** Whether a found region counts as finding the labelled plate. */
export function findsPlate(found: Box, labelled: Box): boolean {
  const area = boxArea(labelled);
  return intersectionOverUnion(found, labelled) >= PLATE_MATCH.minIou || (area > 0 && overlap(found, labelled) / area >= PLATE_MATCH.minCovered);
}

export interface PlateScore {
  labelled: number;
  found: number;
  falseBlurs: number;
}

/** One picture's regions scored against its labelled plates. */
export function scorePlates(found: readonly Box[], labelled: readonly Box[]): PlateScore {
  const hits = labelled.filter((l) => found.some((f) => findsPlate(f, l))).length;
  const falseBlurs = found.filter((f) => {
    if (labelled.some((l) => findsPlate(f, l))) return false;
    const area = boxArea(f);
    const inside = labelled.reduce((sum, l) => sum + overlap(f, l), 0);
    return !(area > 0 && inside / area > 1 - PLATE_MATCH.maxOutside);
  }).length;
  return { labelled: labelled.length, found: hits, falseBlurs };
}

/** Recall and false blurs per picture over many pictures. */
export function plateTotals(scores: readonly PlateScore[]): { recall: number | null; found: number; labelled: number; falseBlurs: number; falseBlursPerPicture: number | null; pictures: number } {
  const labelled = scores.reduce((n, s) => n + s.labelled, 0);
  const found = scores.reduce((n, s) => n + s.found, 0);
  const falseBlurs = scores.reduce((n, s) => n + s.falseBlurs, 0);
  return { recall: labelled > 0 ? found / labelled : null, found, labelled, falseBlurs, falseBlursPerPicture: scores.length > 0 ? falseBlurs / scores.length : null, pictures: scores.length };
}

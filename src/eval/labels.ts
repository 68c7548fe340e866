/**
 * The labelled folder `lotreel eval` measures on (pure: schema and parsing).
 *
 * DIR/labels.json lists the folder's pictures and videos with the truth about the car(s) in each:
 *
 *   { "items": [
 *       { "file": "vin-plate.jpg", "car": { "vin": "KM8K2CAB4PU001140", "make": "Hyundai", "model": "Kona", "year": 2023 } },
 *       { "file": "rear.jpg", "car": { "make": "Chevrolet" }, "plates": 1 },
 *       { "file": "lot.mp4", "cars": [ { "make": "Toyota", "model": "Camry" }, { "make": "Honda" } ] } ] }
 *
 * `file` is relative to DIR; .jpg/.jpeg/.png/.webp are pictures, anything else a video. A picture has
 * one `car`; a video has `cars` in the order they are filmed. Every car field is optional: only what
 * is labelled is scored. `plates` is the number of licence plates visible in a picture. A video's cars
 * may carry `segments` ([startMs, endMs] stretches) for the segmentation figures, and an item may say
 * its `purpose`: `tuning` (thresholds were chosen on it) or `reporting` (the default).
 */
import { z } from 'zod';
import { LotreelError } from '../core/errors.js';

export const carLabelSchema = z
  .object({
    vin: z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, 'a VIN is 17 characters without I, O, Q').optional(),
    make: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    year: z.number().int().min(1900).max(2100).optional(),
    mileage: z.string().min(1).optional(),
    /** Videos: when the car is filmed, [startMs, endMs] per stretch (close-ups of it included). */
    segments: z.array(z.tuple([z.number().int().min(0), z.number().int().positive()])).min(1).optional(),
  })
  .strict();
export type CarLabel = z.infer<typeof carLabelSchema>;

const itemSchema = z
  .object({
    file: z.string().min(1),
    car: carLabelSchema.optional(),
    cars: z.array(carLabelSchema).optional(),
    plates: z.number().int().min(0).optional(),
    /** Whether thresholds were chosen on this item (`tuning`) or it only reports them (`reporting`, the default). */
    purpose: z.enum(['tuning', 'reporting']).optional(),
  })
  .strict()
  .refine((item) => !(item.car && item.cars), { message: 'an item has either car or cars, not both' });

export const labelsSchema = z.object({ items: z.array(itemSchema).min(1) }).strict();
export type EvalLabels = z.infer<typeof labelsSchema>;
export type EvalItem = EvalLabels['items'][number];

const PICTURE = /\.(jpe?g|png|webp)$/i;
export const isPicture = (file: string) => PICTURE.test(file);

/** The cars an item is labelled with, in order. */
export const carsOf = (item: EvalItem): CarLabel[] => item.cars ?? (item.car ? [item.car] : []);

/** Parses labels.json text; INVALID_ARGUMENT listing every problem. */
export function parseLabels(text: string): EvalLabels {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LotreelError('INVALID_ARGUMENT', `labels.json is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = labelsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new LotreelError('INVALID_ARGUMENT', `labels.json: ${problems.join('; ')}`, { details: { problems } });
  }
  for (const item of parsed.data.items) {
    if (item.cars && isPicture(item.file)) throw new LotreelError('INVALID_ARGUMENT', `labels.json: ${item.file} is a picture: label it with car, not cars`);
  }
  return parsed.data;
}

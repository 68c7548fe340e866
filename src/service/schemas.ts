/** The API's request and response shapes (zod): validated at the edge and published as OpenAPI. */
import { z } from 'zod';

export const idParams = z.object({ id: z.uuid() });

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const jobStatus = z.enum(['queued', 'processing', 'done', 'failed']);

export const videoStatus = z.object({
  id: z.uuid(),
  status: jobStatus,
  progress: z.number().min(0).max(1),
  stage: z.string().nullable(),
  error: z.string().nullable(),
});

export const videoSummary = videoStatus.extend({
  fileName: z.string(),
  sizeBytes: z.number().int(),
  durationMs: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const videoCreated = z.object({ id: z.uuid() });

export const draftStatus = z.enum(['needs_review', 'ready', 'published']);

/** Attribute values a draft keeps: scalars only, bounded. */
const attributeValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
const attributes = z.record(z.string().min(1).max(64), attributeValue);

export const photo = z.object({
  id: z.uuid(),
  ordinal: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  cover: z.boolean(),
  timestampMs: z.number().int(),
  /** Path of the rendered JPEG (same bearer token). */
  url: z.string(),
});

export const draft = z.object({
  id: z.uuid(),
  carId: z.uuid(),
  videoId: z.uuid(),
  title: z.string(),
  description: z.string(),
  status: draftStatus,
  attributes: z.record(z.string(), z.unknown()),
  photos: z.array(photo),
  updatedAt: z.iso.datetime(),
});

export const draftPatch = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    attributes: attributes.refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes').optional(),
    status: draftStatus.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');

export const car = z.object({
  id: z.uuid(),
  ordinal: z.number().int(),
  color: z.string().nullable(),
  bodyType: z.string().nullable(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  year: z.number().int().nullable(),
  segments: z.array(z.object({ startMs: z.number().int(), endMs: z.number().int() })),
  photos: z.array(photo),
  draft: draft.omit({ photos: true }).nullable(),
});

export const exportQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });

export const feedItem = z.object({
  vehicle_id: z.string(),
  title: z.string(),
  description: z.string(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  year: z.number().int().nullable(),
  body_style: z.string().nullable(),
  exterior_color: z.string().nullable(),
  mileage: z.object({ value: z.number(), unit: z.string() }).nullable(),
  vin: z.string().nullable(),
  image_urls: z.array(z.string()),
  state: draftStatus,
});

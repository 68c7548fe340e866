/**
 * The API's request and response shapes (zod): validated at the edge, published as OpenAPI, and the
 * web page's types (z.infer, imported type-only). The lists in them come from their domains' owners.
 * Pure: this file and what it imports are compiled into the browser's type check too, so no Node here.
 */
import { z } from 'zod';
import { editSchema } from '../edits/model.js';
import { DRAFT_FIELDS, FIELD_SOURCES } from '../listing/draft-fields.js';
import { DRAFT_STATUSES } from '../listing/draft-status.js';
import { REEL_FORMATS } from '../reel/reel-formats.js';
import { VIDEO_STATUSES } from '../store/video-status.js';
import { REEL_STATUSES } from '../store/reels.repository.js';

export const idParams = z.object({ id: z.uuid() });

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const jobStatus = z.enum(VIDEO_STATUSES);

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
  /** Cars found so far, and the first car's cover photo (for a thumbnail), or null. */
  carCount: z.number().int(),
  coverPhotoId: z.uuid().nullable(),
});

export const videoCreated = z.object({ id: z.uuid() });

export const draftStatus = z.enum(DRAFT_STATUSES);

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
  /** The seller wrote the text by hand and changed a fact since: POST /api/drafts/:id/text writes it again. */
  textStale: z.boolean(),
  /** The seller's cover first, then their order (as in the feed). */
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
  /** How sure the split into cars is about this car's boundaries (0..1), and what the seller may want to check. */
  confidence: z.number().min(0).max(1),
  warnings: z.array(z.string()),
  segments: z.array(z.object({ startMs: z.number().int(), endMs: z.number().int() })),
  photos: z.array(photo),
  draft: draft.omit({ photos: true }).nullable(),
});

/** Merge a car with another car of its video (the earlier one keeps its id and draft). */
export const carMerge = z.strictObject({ carId: z.uuid() });

/** Split a car at a moment of the video, or at one of its photos (which then starts the new car). */
export const carSplit = z.union([z.strictObject({ atMs: z.number().int().min(0) }), z.strictObject({ photoId: z.uuid() })]);

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
  /** The draft's rendered reels, when it has any (the CSV's `video[n].url` columns). */
  video_urls: z.array(z.string()).optional(),
});

// ------------------------------------------------------------------------------ the seller's editor

const size = z.object({ width: z.number().int(), height: z.number().int() });
export const fieldSource = z.enum(FIELD_SOURCES);
const scalar = z.union([z.string(), z.number()]);
const fieldValue = z.object({
  value: scalar.nullable(),
  source: fieldSource.nullable(),
  machine: z.object({ value: scalar, source: fieldSource }).nullable(),
});

export const editorPhoto = z.object({
  id: z.uuid(),
  ordinal: z.number().int(),
  cover: z.boolean(),
  timestampMs: z.number().int(),
  original: size,
  /** The edited picture's size (full resolution). */
  displayed: size,
  /** The straightened picture before any crop: the frame a crop box is drawn on. */
  straightened: size,
  edits: z.array(editSchema),
  edited: z.boolean(),
  /** Licence plates the finder marked (and blurred), in the displayed picture's pixels; cropped-out ones left out. */
  plates: z.array(z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() })),
  /** Preview of the edited photo, of the straightened uncropped one (for the crop tool), and full size. */
  previewUrl: z.string(),
  uncroppedUrl: z.string(),
  fullUrl: z.string(),
});

export const editorDraft = z.object({
  id: z.uuid(),
  carId: z.uuid(),
  videoId: z.uuid(),
  carOrdinal: z.number().int(),
  status: draftStatus,
  fields: z.object(Object.fromEntries(DRAFT_FIELDS.map((f) => [f, fieldValue])) as Record<(typeof DRAFT_FIELDS)[number], typeof fieldValue>),
  photos: z.array(editorPhoto),
  segments: z.array(z.object({ startMs: z.number().int(), endMs: z.number().int() })),
  /** The car's clip (MP4, same bearer token), or null when none was cut. */
  clipUrl: z.string().nullable(),
  /** No clip yet: it is being encoded (the car was stored before its video was done). */
  clipPending: z.boolean(),
  /** Why the car's plates could not be looked for (the draft is held for review), or null. */
  platesNotBlurred: z.string().nullable(),
  /** The seller wrote text by hand and changed a fact since: ask before writing it again. */
  textStale: z.boolean(),
  /** The parts of the text the seller wrote (a fact change rebuilds only the others). */
  handWritten: z.array(z.enum(['title', 'description'])),
  updatedAt: z.iso.datetime(),
});

/** What the editor words by the service's settings: the market's units, and when a photo is small. */
export const editorSettings = z.object({
  market: z.enum(['us', 'eu']),
  mileageUnit: z.enum(['mi', 'km']),
  smallPhoto: z.object({ longSide: z.number().int(), shortSide: z.number().int() }),
});

/** Write the title and description again from the facts; hand-written text only when the seller said so. */
export const textRegeneration = z.strictObject({ replaceHandWritten: z.boolean().default(false) });

export const fieldsPatch = z
  .strictObject({
    fields: z
      .strictObject({
        title: z.string().trim().min(1).max(200).optional(),
        description: z.string().max(10_000).optional(),
        make: z.string().trim().max(100).nullable().optional(),
        model: z.string().trim().max(100).nullable().optional(),
        year: z.number().int().min(1886).max(2100).nullable().optional(),
        colour: z.string().trim().max(60).nullable().optional(),
        mileage: z.number().int().min(0).max(10_000_000).nullable().optional(),
      })
      .optional(),
    status: draftStatus.optional(),
  })
  .refine((p) => p.fields !== undefined || p.status !== undefined, 'nothing to change');

export const photoOrder = z.object({ photoIds: z.array(z.uuid()).max(200) });

/** A moment of the video, for another frame in a photo or a new photo. */
export const frameChoice = z.object({ timestampMs: z.number().int().min(0) });

export const filmstrip = z.object({
  frames: z.array(z.object({ timestampMs: z.number().int() })),
  thumbWidth: z.number().int(),
  thumbHeight: z.number().int(),
  spriteUrl: z.string(),
});

export const renderQuery = z.object({
  size: z.enum(['preview', 'full']).default('preview'),
  frame: z.enum(['cropped', 'straightened']).default('cropped'),
  /** The edit list's version, so a changed photo gets a new URL (ignored otherwise). */
  v: z.string().max(64).optional(),
});

export const reelFormat = z.enum(REEL_FORMATS);

/** A draft's reel: its render state and, once rendered, where it is served. */
export const reelView = z.object({
  format: reelFormat,
  status: z.enum(REEL_STATUSES),
  progress: z.number(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** The photos or text changed since it was rendered: render it again. */
  stale: z.boolean(),
  url: z.string().nullable(),
});

/** A published link's expiry (unix seconds) and signature (image-links.ts). */
export const signedLinkQuery = z.object({ expires: z.coerce.number().int().min(0), signature: z.string().min(1).max(100) });

/**
 * The seller's editor in the database: a draft with its fields and their sources, its photos with their
 * edit lists, and every change the seller makes, each written in one transaction with the feedback
 * event that records it. Every read and write is scoped to the dealer: another dealer's draft or photo
 * is not found (null), exactly like one that does not exist.
 */
import { LotreelError } from '../core/errors.js';
import { recordFeedback } from './feedback.repository.js';
import { editListSchema, type Edit } from '../edits/model.js';
import { PHOTO_COLUMNS, photoOf, photosOf, type EditorPhoto, type PhotoRow } from './editor-photos.read.js';
import { json } from './results.types.js';
import type { Database, Queryable } from './database.js';
import { draftFieldsView, type DraftFieldName, type DraftFields, type SellerFields } from '../listing/draft-fields.js';
import type { DraftStatus } from '../listing/draft-status.js';
import { isVideoFinished, type VideoStatus } from './video-status.js';
import { FACT_FIELDS, handWritten, sellerListingFacts, templateText, textIsStale, type TextField } from '../listing/seller-text.js';
import type { ListingFacts } from '../listing/listing-facts.js';

export type { EditorPhoto } from './editor-photos.read.js';

export interface EditorDraft {
  id: string;
  carId: string;
  videoId: string;
  carOrdinal: number;
  status: DraftStatus;
  fields: DraftFields;
  photos: EditorPhoto[];
  segments: Array<{ startMs: number; endMs: number }>;
  /** Storage-relative file of the car's clip, or null (none was cut). */
  clipFile: string | null;
  /** No clip yet because it is still being encoded (the car was stored before the video was done). */
  clipPending: boolean;
  /** Why the car's plates could not be looked for (the draft is held for review), or null. */
  platesNotBlurred: string | null;
  /** The seller wrote text by hand and changed a fact after it (see listing/seller-text.ts). */
  textStale: boolean;
  /** The parts of the text the seller wrote by hand (a fact change leaves them alone). */
  handWritten: TextField[];
  updatedAt: Date;
}

interface DraftRow {
  id: string;
  car_id: string;
  video_id: string;
  car_ordinal: number;
  title: string;
  description: string;
  status: DraftStatus;
  attributes: Record<string, unknown>;
  seller_fields: SellerFields;
  updated_at: Date;
  car_make: string | null;
  car_model: string | null;
  car_year: number | null;
  car_color: string | null;
  clip_file: string | null;
  car_body_type: string | null;
  car_evidence: unknown;
  video_status: VideoStatus;
}

const DRAFT_SELECT = `select d.id, d.car_id, c.video_id, c.ordinal as car_ordinal, d.title, d.description, d.status, d.attributes,
    d.seller_fields, d.updated_at, c.make as car_make, c.model as car_model, c.year as car_year, c.color as car_color, c.clip_file,
    c.body_type as car_body_type, c.evidence as car_evidence, v.status as video_status
  from drafts d join cars c on c.id = d.car_id join videos v on v.id = c.video_id`;

async function draftRow(db: Queryable, dealerId: string, draftId: string, lock = false): Promise<DraftRow | null> {
  const [row] = await db.query<DraftRow>(`${DRAFT_SELECT} where d.id = $1 and v.dealer_id = $2${lock ? ' for update of d' : ''}`, [draftId, dealerId]);
  return row ?? null;
}

async function assemble(db: Queryable, row: DraftRow): Promise<EditorDraft> {
  const segments = await db.query<{ start_ms: number; end_ms: number }>('select start_ms, end_ms from segments where car_id = $1 order by start_ms', [row.car_id]);
  return {
    id: row.id,
    carId: row.car_id,
    videoId: row.video_id,
    carOrdinal: row.car_ordinal,
    status: row.status,
    fields: draftFieldsView(row),
    photos: await photosOf(db, row.car_id),
    segments: segments.map((s) => ({ startMs: s.start_ms, endMs: s.end_ms })),
    clipFile: row.clip_file,
    clipPending: row.clip_file === null && !isVideoFinished(row.video_status) && typeof row.attributes.platesNotBlurred !== 'string',
    platesNotBlurred: typeof row.attributes.platesNotBlurred === 'string' ? row.attributes.platesNotBlurred : null,
    textStale: textIsStale(row.seller_fields),
    handWritten: handWritten(row.seller_fields),
    updatedAt: row.updated_at,
  };
}

/** A draft of `lotreel process` (no dealer), as the editor would show it, or null. */
export const getProcessDraft = async (db: Queryable, draftId: string): Promise<EditorDraft | null> =>
  (await db.query<DraftRow>(`${DRAFT_SELECT} where d.id = $1 and v.dealer_id is null`, [draftId])).map((row) => assemble(db, row))[0] ?? null;
/** The draft as the editor shows it, or null (missing or another dealer's). */
export async function getEditorDraft(db: Queryable, dealerId: string, draftId: string): Promise<EditorDraft | null> {
  const row = await draftRow(db, dealerId, draftId);
  return row ? assemble(db, row) : null;
}

/**
 * Whose draft this is (for `lotreel reel --draft`, which has no dealer): undefined when there is no
 * such draft, null for one of `lotreel process` (no dealer).
 */
export async function draftDealerId(db: Queryable, draftId: string): Promise<string | null | undefined> {
  const [row] = await db.query<{ dealer_id: string | null }>('select v.dealer_id from drafts d join cars c on c.id = d.car_id join videos v on v.id = c.video_id where d.id = $1', [draftId]);
  return row === undefined ? undefined : row.dealer_id;
}

export interface FieldChanges {
  fields?: Partial<Record<DraftFieldName, string | number | null>>;
  status?: DraftStatus;
}

/**
 * The seller's values: each one wins over the machine's from now on and is recorded with the value it
 * replaced. A value equal to the one shown changes nothing and records nothing. A fact changed
 * rebuilds the text lotreel wrote (a typed mileage in `mileageUnit`, the market's).
 */
export async function changeDraftFields(db: Database, dealerId: string, draftId: string, changes: FieldChanges, mileageUnit = 'km'): Promise<EditorDraft | null> {
  return db.transaction(async (tx) => {
    const row = await draftRow(tx, dealerId, draftId, true);
    if (!row) return null;
    const shown = draftFieldsView(row);
    const seller: SellerFields = { ...row.seller_fields };
    const attributes: Record<string, unknown> = {};
    let title = row.title;
    let description = row.description;
    for (const [name, value] of Object.entries(changes.fields ?? {}) as Array<[DraftFieldName, string | number | null]>) {
      const before = shown[name];
      if (before.value === value) continue;
      seller[name] = { value, at: new Date().toISOString(), machine: before.machine };
      if (name === 'title') title = String(value ?? '');
      else if (name === 'description') description = String(value ?? '');
      else attributes[name] = value;
      await recordFeedback(tx, { videoId: row.video_id, carId: row.car_id, kind: 'field_changed', field: name, before: before.value, after: value });
    }
    const factChanged = FACT_FIELDS.some((field) => seller[field] !== row.seller_fields[field]);
    if (factChanged) {
      // The machine's text follows the facts; the seller's own stays, its machine proposal refreshed.
      const rebuilt = templateText(await listingFactsOf(tx, { ...row, seller_fields: seller }, mileageUnit));
      if (!seller.title) title = rebuilt.title;
      else seller.title = { ...seller.title, machine: { value: rebuilt.title, source: 'generated' } };
      if (!seller.description) description = rebuilt.description;
      else seller.description = { ...seller.description, machine: { value: rebuilt.description, source: 'generated' } };
    }
    const status = changes.status ?? row.status;
    if (changes.status !== undefined && changes.status !== 'needs_review' && row.status === 'needs_review') {
      await recordFeedback(tx, { videoId: row.video_id, carId: row.car_id, kind: 'draft_reviewed', before: row.status, after: changes.status });
    }
    await tx.query(
      `update drafts set title = $2, description = $3, status = $4, attributes = attributes || $5::jsonb, seller_fields = $6::jsonb,
         updated_at = now() where id = $1`,
      [draftId, title, description, status, json(attributes), json(seller)],
    );
    return assemble(tx, (await draftRow(tx, dealerId, draftId))!);
  });
}

/** What the draft's text is written from now: the car's evidence under the seller's fields, its photos and time on video. */
async function listingFactsOf(db: Queryable, row: DraftRow, mileageUnit: string): Promise<ListingFacts> {
  const [counts] = await db.query<{ photos: number; ms: number }>(
    `select (select count(*)::int from photos where car_id = $1) as photos,
       (select coalesce(sum(end_ms - start_ms), 0)::int from segments where car_id = $1) as ms`,
    [row.car_id],
  );
  return sellerListingFacts({ ...row, carEvidence: row.car_evidence, carBodyType: row.car_body_type, photoCount: counts!.photos, videoSeconds: counts!.ms / 1000, mileageUnit });
}

/** A dealer's draft's listing facts as the seller left them, and which text they wrote by hand; null when not theirs. */
export async function getDraftListingFacts(
  db: Queryable,
  dealerId: string,
  draftId: string,
  mileageUnit: string,
): Promise<{ facts: ListingFacts; handWritten: TextField[] } | null> {
  const row = await draftRow(db, dealerId, draftId);
  return row ? { facts: await listingFactsOf(db, row, mileageUnit), handWritten: handWritten(row.seller_fields) } : null;
}

/**
 * New text for the draft, written from its facts: the title and description replace the ones shown,
 * hand-written ones included (the caller asked the seller), and are the machine's again.
 */
export async function replaceDraftText(
  db: Database,
  dealerId: string,
  draftId: string,
  text: { title: string; description: string; attributes: Record<string, unknown> },
): Promise<EditorDraft | null> {
  return db.transaction(async (tx) => {
    const row = await draftRow(tx, dealerId, draftId, true);
    if (!row) return null;
    const { title: _title, description: _description, ...seller } = row.seller_fields;
    await tx.query(
      `update drafts set title = $2, description = $3, attributes = attributes || $4::jsonb, seller_fields = $5::jsonb, updated_at = now() where id = $1`,
      [draftId, text.title, text.description, json(text.attributes), json(seller)],
    );
    return assemble(tx, (await draftRow(tx, dealerId, draftId))!);
  });
}

/** A dealer's photo with the ids it hangs from, or null. */
export interface PhotoOwner {
  photo: EditorPhoto;
  carId: string;
  videoId: string;
  draftId: string;
  carOrdinal: number;
}

export async function getPhotoOwner(db: Queryable, dealerId: string, photoId: string, lock = false): Promise<PhotoOwner | null> {
  const [row] = await db.query<PhotoRow & { car_id: string; video_id: string; draft_id: string; car_ordinal: number }>(
    `select ${PHOTO_COLUMNS}, p.car_id, c.video_id, d.id as draft_id, c.ordinal as car_ordinal
     from photos p left join photo_edits e on e.photo_id = p.id
       join cars c on c.id = p.car_id join videos v on v.id = c.video_id join drafts d on d.car_id = c.id
     where p.id = $1 and v.dealer_id = $2${lock ? ' for update of p' : ''}`,
    [photoId, dealerId],
  );
  return row ? { photo: photoOf(row), carId: row.car_id, videoId: row.video_id, draftId: row.draft_id, carOrdinal: row.car_ordinal } : null;
}

/** The crop in force at the end of an edit list (crop or uncrop), or null. */
const lastCrop = (list: readonly Edit[]): Edit | null => [...list].reverse().find((e) => e.op === 'crop' || e.op === 'uncrop') ?? null;

/** Replaces a photo's edit list; a crop added or changed is recorded as feedback. */
export async function setPhotoEdits(db: Database, dealerId: string, photoId: string, edits: readonly Edit[]): Promise<EditorPhoto | null> {
  const checked = editListSchema.parse(edits);
  return db.transaction(async (tx) => {
    const owner = await getPhotoOwner(tx, dealerId, photoId, true);
    if (!owner) return null;
    await tx.query(
      `insert into photo_edits (photo_id, edits, updated_at) values ($1, $2::jsonb, now())
       on conflict (photo_id) do update set edits = excluded.edits, updated_at = now()`,
      [photoId, json(checked)],
    );
    const before = lastCrop(owner.photo.edits);
    const after = lastCrop(checked);
    if (after?.op === 'crop' && json(before) !== json(after)) {
      await recordFeedback(tx, { videoId: owner.videoId, carId: owner.carId, photoId, kind: 'photo_cropped', before, after });
    }
    return { ...owner.photo, edits: checked };
  });
}

/** Makes a photo the car's cover (the only one). */
export async function setCover(db: Database, dealerId: string, photoId: string): Promise<EditorPhoto[] | null> {
  return db.transaction(async (tx) => {
    const owner = await getPhotoOwner(tx, dealerId, photoId, true);
    if (!owner) return null;
    if (!owner.photo.isCover) {
      const [old] = await tx.query<{ id: string }>('select id from photos where car_id = $1 and is_cover', [owner.carId]);
      await tx.query('update photos set is_cover = false where car_id = $1 and is_cover', [owner.carId]);
      await tx.query('update photos set is_cover = true where id = $1', [photoId]);
      await recordFeedback(tx, { videoId: owner.videoId, carId: owner.carId, photoId, kind: 'cover_changed', before: old?.id ?? null, after: photoId });
    }
    return photosOf(tx, owner.carId);
  });
}

/** Gives the car's photos the ordinals 1..n in the given order, inside one transaction. */
export async function renumberPhotos(tx: Queryable, carId: string, orderedIds: readonly string[]): Promise<void> {
  // Two steps: the unique (car_id, ordinal) would trip over a swap done in one.
  await tx.query('update photos set ordinal = ordinal + 100000 where car_id = $1', [carId]);
  for (const [index, id] of orderedIds.entries()) await tx.query('update photos set ordinal = $2 where id = $1', [id, index + 1]);
}

/** Puts a draft's photos in the given order: exactly the car's photo ids, each once. */
export async function reorderPhotos(db: Database, dealerId: string, draftId: string, photoIds: readonly string[]): Promise<EditorPhoto[] | null> {
  return db.transaction(async (tx) => {
    const row = await draftRow(tx, dealerId, draftId, true);
    if (!row) return null;
    const current = (await photosOf(tx, row.car_id)).map((p) => p.id);
    if (photoIds.length !== current.length || new Set(photoIds).size !== photoIds.length || !photoIds.every((id) => current.includes(id))) {
      throw new LotreelError('INVALID_ARGUMENT', 'the new order must list each of the draft\'s photos exactly once');
    }
    if (photoIds.some((id, i) => id !== current[i])) {
      await renumberPhotos(tx, row.car_id, photoIds);
      await recordFeedback(tx, { videoId: row.video_id, carId: row.car_id, kind: 'photos_reordered', before: current, after: photoIds });
    }
    return photosOf(tx, row.car_id);
  });
}

/** Deletes a photo; when it was the cover, the first remaining photo becomes the cover. */
export async function deletePhoto(db: Database, dealerId: string, photoId: string): Promise<EditorPhoto[] | null> {
  return db.transaction(async (tx) => {
    const owner = await getPhotoOwner(tx, dealerId, photoId, true);
    if (!owner) return null;
    await tx.query('delete from photos where id = $1', [photoId]);
    const rest = await photosOf(tx, owner.carId);
    await renumberPhotos(tx, owner.carId, rest.map((p) => p.id));
    if (owner.photo.isCover && rest.length > 0) await tx.query('update photos set is_cover = true where id = $1', [rest[0]!.id]);
    const { edits, ...before } = owner.photo;
    await recordFeedback(tx, { videoId: owner.videoId, carId: owner.carId, photoId, kind: 'photo_deleted', before: { ...before, edits }, after: null });
    return photosOf(tx, owner.carId);
  });
}

export interface NewFrame {
  file: string;
  timestampMs: number;
  width: number;
  height: number;
  /** Plate regions blurred in the frame (its pixels). */
  plateRegions?: Array<{ x1: number; y1: number; x2: number; y2: number }>;
}

/** The photo shows another moment of the video from now on; its edits start again from that frame. */
export async function swapFrame(db: Database, dealerId: string, photoId: string, frame: NewFrame): Promise<EditorPhoto | null> {
  return db.transaction(async (tx) => {
    const owner = await getPhotoOwner(tx, dealerId, photoId, true);
    if (!owner) return null;
    await tx.query('update photos set file = $2, timestamp_ms = $3, width = $4, height = $5, plate_regions = $6::jsonb, original_file = null where id = $1', [
      photoId,
      frame.file,
      frame.timestampMs,
      frame.width,
      frame.height,
      JSON.stringify(frame.plateRegions ?? []),
    ]);
    await tx.query('delete from photo_edits where photo_id = $1', [photoId]);
    await recordFeedback(tx, {
      videoId: owner.videoId,
      carId: owner.carId,
      photoId,
      kind: 'frame_swapped',
      before: { timestampMs: owner.photo.timestampMs, file: owner.photo.file, edits: owner.photo.edits },
      after: { timestampMs: frame.timestampMs, file: frame.file },
    });
    return (await getPhotoOwner(tx, dealerId, photoId))!.photo;
  });
}

/** Adds a moment of the video as the draft's last photo. */
export async function addFrame(db: Database, dealerId: string, draftId: string, frame: NewFrame): Promise<EditorPhoto | null> {
  return db.transaction(async (tx) => {
    const row = await draftRow(tx, dealerId, draftId, true);
    if (!row) return null;
    const [next] = await tx.query<{ ordinal: number; covers: number }>(
      'select coalesce(max(ordinal), 0) + 1 as ordinal, count(*) filter (where is_cover) as covers from photos where car_id = $1',
      [row.car_id],
    );
    const [inserted] = await tx.query<{ id: string }>(
      `insert into photos (car_id, ordinal, file, timestamp_ms, width, height, view, sharpness, quality, is_cover, plate_regions)
       values ($1, $2, $3, $4, $5, $6, null, 0, '{"addedBySeller": 1}'::jsonb, $7, $8::jsonb) returning id`,
      [row.car_id, next!.ordinal, frame.file, frame.timestampMs, frame.width, frame.height, Number(next!.covers) === 0, JSON.stringify(frame.plateRegions ?? [])],
    );
    await recordFeedback(tx, { videoId: row.video_id, carId: row.car_id, photoId: inserted!.id, kind: 'photo_added', before: null, after: frame });
    return (await getPhotoOwner(tx, dealerId, inserted!.id))!.photo;
  });
}

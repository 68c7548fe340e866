/**
 * A draft's reels: one row per draft and format with its render state, its file in storage once done,
 * and the version of the photos and text it was made from (a reel whose version differs from the
 * draft's current one is stale). Reads are scoped to the dealer like every draft read.
 */
import type { Queryable } from './queryable.js';
import { isUuid } from './service.repository.js';

/** A reel's render state: the one list (the API schema and the editor read it from here). */
export const REEL_STATUSES = ['queued', 'rendering', 'done', 'failed'] as const;
export type ReelStatus = (typeof REEL_STATUSES)[number];

export interface ReelRow {
  draftId: string;
  format: string;
  status: ReelStatus;
  progress: number;
  error: string | null;
  /** Storage key of the finished MP4, or null. */
  file: string | null;
  sourceVersion: string | null;
  durationMs: number | null;
  updatedAt: Date;
}

interface Row {
  draft_id: string;
  format: string;
  status: ReelStatus;
  progress: number;
  error: string | null;
  file: string | null;
  source_version: string | null;
  duration_ms: number | null;
  updated_at: Date;
}

const reelOf = (r: Row): ReelRow => ({
  draftId: r.draft_id,
  format: r.format,
  status: r.status,
  progress: Number(r.progress),
  error: r.error,
  file: r.file,
  sourceVersion: r.source_version,
  durationMs: r.duration_ms,
  updatedAt: r.updated_at,
});

const COLUMNS = 'r.draft_id, r.format, r.status, r.progress, r.error, r.file, r.source_version, r.duration_ms, r.updated_at';
const OWNED = 'join drafts d on d.id = r.draft_id join cars c on c.id = d.car_id join videos v on v.id = c.video_id';

/** Queues a render: the row goes back to 'queued' (a finished file stays until the new one replaces it). */
export async function queueReel(db: Queryable, draftId: string, format: string, jobId: string | null): Promise<void> {
  await db.query(
    `insert into reels (draft_id, format, status, progress, job_id) values ($1, $2, 'queued', 0, $3)
     on conflict (draft_id, format) do update set status = 'queued', progress = 0, error = null, job_id = $3, updated_at = now()`,
    [draftId, format, jobId],
  );
}

export async function setReelJob(db: Queryable, draftId: string, format: string, jobId: string): Promise<void> {
  await db.query('update reels set job_id = $3 where draft_id = $1 and format = $2', [draftId, format, jobId]);
}

/** Render progress (0..1); false when the row is gone (the draft was deleted). */
export async function setReelProgress(db: Queryable, draftId: string, format: string, progress: number): Promise<boolean> {
  const rows = await db.query(`update reels set status = 'rendering', progress = $3, updated_at = now() where draft_id = $1 and format = $2 returning draft_id`, [draftId, format, progress]);
  return rows.length > 0;
}

export async function markReelDone(db: Queryable, draftId: string, format: string, done: { file: string; sourceVersion: string; durationMs: number }): Promise<boolean> {
  const rows = await db.query(
    `update reels set status = 'done', progress = 1, error = null, file = $3, source_version = $4, duration_ms = $5, updated_at = now()
     where draft_id = $1 and format = $2 returning draft_id`,
    [draftId, format, done.file, done.sourceVersion, done.durationMs],
  );
  return rows.length > 0;
}

export async function markReelFailed(db: Queryable, draftId: string, format: string, error: string): Promise<void> {
  await db.query(`update reels set status = 'failed', error = $3, updated_at = now() where draft_id = $1 and format = $2`, [draftId, format, error]);
}

/** One reel of the dealer's draft, or null. */
export async function getReel(db: Queryable, dealerId: string, draftId: string, format: string): Promise<ReelRow | null> {
  const [row] = await db.query<Row>(`select ${COLUMNS} from reels r ${OWNED} where r.draft_id = $1 and r.format = $2 and v.dealer_id = $3`, [draftId, format, dealerId]);
  return row ? reelOf(row) : null;
}

/** A reel named by a published link, with what checks the link (not scoped: the signature is the check). */
export async function getLinkedReel(db: Queryable, draftId: string, format: string): Promise<{ reel: ReelRow; linkKey: string; draftAttributes: Record<string, unknown> } | null> {
  if (!isUuid(draftId)) return null;
  const [row] = await db.query<Row & { image_link_key: string; attributes: Record<string, unknown> }>(
    `select ${COLUMNS}, dl.image_link_key, d.attributes from reels r ${OWNED} join dealers dl on dl.id = v.dealer_id where r.draft_id = $1 and r.format = $2`,
    [draftId, format],
  );
  return row ? { reel: reelOf(row), linkKey: row.image_link_key, draftAttributes: row.attributes ?? {} } : null;
}

/** The reels of a draft (not scoped: the caller has checked the draft is the dealer's). */
export async function listDraftReels(db: Queryable, draftId: string): Promise<ReelRow[]> {
  return (await db.query<Row>(`select ${COLUMNS} from reels r where r.draft_id = $1 order by r.format`, [draftId])).map(reelOf);
}

/** The reels of all drafts of a video, for its events stream and its export. */
export async function listVideoReels(db: Queryable, videoId: string): Promise<ReelRow[]> {
  return (await db.query<Row>(`select ${COLUMNS} from reels r join drafts d on d.id = r.draft_id join cars c on c.id = d.car_id where c.video_id = $1 order by r.draft_id, r.format`, [videoId])).map(reelOf);
}

/** The editor's photos read from the database (one car's, or one photo with its edits), for editor.repository.ts. */
import type { Box } from '../core/geometry.js';
import { editListSchema, type Edit } from '../edits/model.js';
import type { Queryable } from './database.js';

export interface EditorPhoto {
  id: string;
  ordinal: number;
  isCover: boolean;
  /** Storage-relative file of the original frame. */
  file: string;
  timestampMs: number;
  width: number;
  height: number;
  edits: Edit[];
  /** Plates the finder marked (and blurred into `file`), original pixels. */
  plateRegions: Box[];
}

export interface PhotoRow {
  id: string;
  ordinal: number;
  is_cover: boolean;
  file: string;
  timestamp_ms: number;
  width: number;
  height: number;
  edits: unknown;
  plate_regions: Box[] | null;
}

export const PHOTO_COLUMNS = `p.id, p.ordinal, p.is_cover, p.file, p.timestamp_ms, p.width, p.height, p.plate_regions, coalesce(e.edits, '[]'::jsonb) as edits`;

const PHOTO_SELECT = `select ${PHOTO_COLUMNS}
  from photos p left join photo_edits e on e.photo_id = p.id`;

export function photoOf(row: PhotoRow): EditorPhoto {
  // A stored list that no longer parses (written by a newer version) is shown as the original.
  const edits = editListSchema.safeParse(row.edits);
  return {
    id: row.id,
    ordinal: row.ordinal,
    isCover: row.is_cover,
    file: row.file,
    timestampMs: row.timestamp_ms,
    width: row.width,
    height: row.height,
    edits: edits.success ? edits.data : [],
    plateRegions: Array.isArray(row.plate_regions) ? row.plate_regions : [],
  };
}

export async function photosOf(db: Queryable, carId: string): Promise<EditorPhoto[]> {
  const rows = await db.query<PhotoRow>(`${PHOTO_SELECT} where p.car_id = $1 order by p.ordinal`, [carId]);
  return rows.map(photoOf);
}

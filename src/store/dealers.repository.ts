/** Dealers and their hashed API tokens. */
import type { Queryable } from './database.js';

export interface Dealer {
  id: string;
  name: string;
  createdAt: Date;
}

interface DealerRow {
  id: string;
  name: string;
  created_at: Date;
}

const fromRow = (row: DealerRow): Dealer => ({ id: row.id, name: row.name, createdAt: row.created_at });

export async function insertDealer(db: Queryable, name: string, tokenHash: string): Promise<Dealer> {
  const [row] = await db.query<DealerRow>('insert into dealers (name, token_hash) values ($1, $2) returning id, name, created_at', [name, tokenHash]);
  return fromRow(row!);
}

export async function findDealerByTokenHash(db: Queryable, tokenHash: string): Promise<Dealer | null> {
  const [row] = await db.query<DealerRow>('select id, name, created_at from dealers where token_hash = $1', [tokenHash]);
  return row ? fromRow(row) : null;
}

export async function findDealersByName(db: Queryable, name: string): Promise<Dealer[]> {
  const rows = await db.query<DealerRow>('select id, name, created_at from dealers where name = $1 order by created_at', [name]);
  return rows.map(fromRow);
}

export async function listDealers(db: Queryable): Promise<Dealer[]> {
  const rows = await db.query<DealerRow>('select id, name, created_at from dealers order by created_at');
  return rows.map(fromRow);
}

/** A dealer's image-link key and the days its links stay valid (null: the service's default). */
export interface ImageLinkKey {
  key: string;
  days: number | null;
}

export async function getImageLinkKey(db: Queryable, dealerId: string): Promise<ImageLinkKey | null> {
  const [row] = await db.query<{ image_link_key: string; image_link_days: number | null }>('select image_link_key, image_link_days from dealers where id = $1', [dealerId]);
  return row ? { key: row.image_link_key, days: row.image_link_days } : null;
}

/** How long the dealer's image links stay valid from now on (null: the service's default). */
export async function setImageLinkDays(db: Queryable, dealerId: string, days: number | null): Promise<void> {
  await db.query('update dealers set image_link_days = $2 where id = $1', [dealerId, days]);
}

/** A new image-link key: every link signed with the old one stops working. */
export async function revokeImageLinks(db: Queryable, dealerId: string): Promise<void> {
  await db.query(`update dealers set image_link_key = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') where id = $1`, [dealerId]);
}

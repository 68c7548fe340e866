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

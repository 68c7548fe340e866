/**
 * The make/model catalogue that text is matched against (data access only): generated from vPIC per
 * market by scripts/generate-catalogue.ts (see catalogue-build.ts for the rules) and committed under
 * catalogue/. Nothing here is written by hand.
 */
import us from './catalogue/us.json' with { type: 'json' };
import eu from './catalogue/eu.json' with { type: 'json' };
import { MARKETS, type GeneratedCatalogue, type Market } from './catalogue-build.js';

export { MARKETS, type Market };

export interface CatalogueModel {
  name: string;
  /** Other spellings seen on badges and stickers ("3" for Mazda3, "RAV 4"). */
  aliases?: readonly string[];
  /** First and last model year known to vPIC (null: open). */
  years?: readonly [number | null, number | null];
  /** A common word or short name: counts alone only as a badge on the car, else beside its make. */
  ambiguous?: boolean;
  /** Another make uses the spelling: it never implies this make. */
  shared?: boolean;
}

export interface CatalogueMake {
  make: string;
  aliases?: readonly string[];
  models: readonly CatalogueModel[];
}

export interface BadgeCatalogue {
  market: string;
  makes: readonly CatalogueMake[];
  /** Trim words (LIMITED, XLT, xDrive, 4MATIC...): trim evidence beside a model, never a model. */
  trims: readonly string[];
  /** WMI (VIN positions 1-3) -> make (null: several makes), for VINs without a check digit. */
  wmis: Readonly<Record<string, string | null>>;
}

const FILES: Record<Market, GeneratedCatalogue> = { us: us as unknown as GeneratedCatalogue, eu: eu as unknown as GeneratedCatalogue };
const loaded = new Map<Market, BadgeCatalogue>();

/** The committed catalogue of a market. */
export function marketCatalogue(market: Market = 'us'): BadgeCatalogue {
  let catalogue = loaded.get(market);
  if (!catalogue) {
    const file = FILES[market];
    catalogue = {
      market,
      trims: file.trims,
      wmis: file.wmis,
      makes: file.makes.map((make) => ({ make: make.make, aliases: make.aliases, models: make.models.map((m) => ({ ...m, ambiguous: m.ambiguous === true, shared: m.shared === true })) })),
    };
    loaded.set(market, catalogue);
  }
  return catalogue;
}

/** The makes CLIP chooses among: those configured, else every make of the market's generated catalogue. */
export function catalogueMakes(configured: readonly string[], market: Market): readonly string[] {
  return configured.length > 0 ? configured : marketCatalogue(market).makes.map((make) => make.make);
}

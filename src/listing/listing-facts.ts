/**
 * What listing text may be written from (pure): the car's resolved attributes plus what the video shows
 * (colour, body, photos, views). Nothing else reaches a writer, a person or an LLM: no price, no VIN,
 * no guess below the evidence threshold.
 */
import type { CarAttribute, EvidenceSource, ResolvedAttributes } from '../evidence/evidence.js';

/** What the draft's template is built from. */
export interface CarFacts {
  colour: string | null;
  bodyType: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  /** From a VIN or a sticker, when known. */
  trim?: string | null;
  mileage?: string | null;
  /** From a sticker, when read. */
  transmission?: string | null;
  interiorColour?: string | null;
  photoCount: number;
  videoSeconds: number;
}

export interface ListingFacts {
  make: string | null;
  model: string | null;
  year: number | null;
  trim: string | null;
  bodyType: string | null;
  colour: string | null;
  /** As read, with its unit when one was printed ("45000 mi"). */
  mileage: string | null;
  engine: string | null;
  fuel: string | null;
  drive: string | null;
  transmission: string | null;
  interiorColour: string | null;
  /** Equipment stated by a trusted source (seller, sticker); empty until one does. */
  features: string[];
  photoCount: number;
  /** Seconds of the car on video, rounded as the template says it. */
  videoSeconds: number;
  /** Views the photos show ('front', 'rear', 'interior', ...), when known. */
  viewsSeen: string[];
  /** Where each attribute above came from; for the draft, not for the text. */
  sources: Partial<Record<CarAttribute, EvidenceSource>>;
}

export interface ListingFactsInput {
  attributes: ResolvedAttributes;
  /** From the car's pixels: used when no evidence names them. */
  colour: string | null;
  bodyType: string | null;
  photoCount: number;
  videoSeconds: number;
  viewsSeen?: readonly string[];
  features?: readonly string[];
}

const TEXT_ATTRIBUTES = ['make', 'model', 'trim', 'bodyType', 'colour', 'mileage', 'engine', 'fuel', 'drive', 'transmission', 'interiorColour'] as const;

const asText = (value: string | number | undefined) => (value === undefined || value === '' ? null : String(value));
const asNumber = (value: string | number | undefined) => {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').replace(/[,\s]/g, ''));
  return value === undefined || value === '' || !Number.isFinite(n) ? null : n;
};

/** Equipment a window sticker or the seller states: grounded features the text may name. */
function statedEquipment(attributes: ResolvedAttributes): string[] {
  const equipment = attributes.equipment;
  if (!equipment || (equipment.source !== 'sticker' && equipment.source !== 'seller')) return [];
  return String(equipment.value).split(/\s*,\s*/).filter((item) => item !== '');
}

export function listingFacts(input: ListingFactsInput): ListingFacts {
  const a = input.attributes;
  const text = Object.fromEntries(TEXT_ATTRIBUTES.map((key) => [key, asText(a[key]?.value)])) as Record<(typeof TEXT_ATTRIBUTES)[number], string | null>;
  const sources: ListingFacts['sources'] = {};
  for (const [key, resolved] of Object.entries(a)) if (resolved) sources[key as CarAttribute] = resolved.source;
  return {
    ...text,
    year: asNumber(a.year?.value),
    colour: text.colour ?? input.colour,
    bodyType: text.bodyType ?? input.bodyType,
    features: [...new Set([...(input.features ?? []), ...statedEquipment(a)])],
    photoCount: input.photoCount,
    videoSeconds: Math.max(1, Math.round(input.videoSeconds)),
    viewsSeen: [...new Set(input.viewsSeen ?? [])],
    sources,
  };
}

/** The facts as sent to a writer: known values only, no sources, no nulls. */
export function factsForPrompt(facts: ListingFacts): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (key === 'sources' || value === null || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value as string | number | string[];
  }
  return out;
}

/** Every fact value as one line of text: what a claim in listing text must be traceable to. */
export function factsText(facts: ListingFacts): string {
  return Object.values(factsForPrompt(facts)).flat().join(' | ');
}

/** The template writer's input. */
export function templateFacts(facts: ListingFacts): CarFacts {
  return {
    colour: facts.colour,
    bodyType: facts.bodyType,
    make: facts.make,
    model: facts.model,
    year: facts.year,
    trim: facts.trim,
    mileage: facts.mileage,
    transmission: facts.transmission,
    interiorColour: facts.interiorColour,
    photoCount: facts.photoCount,
    videoSeconds: facts.videoSeconds,
  };
}

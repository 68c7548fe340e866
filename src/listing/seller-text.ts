/**
 * The listing text after the seller's edits (pure): the facts it is written from, with the seller's
 * values winning (seller > VIN > sticker > badge > vision, as in src/evidence/evidence.ts), and which
 * part of the text the seller wrote by hand, so a fact change rebuilds only what the machine wrote and
 * says when hand-written text may no longer match the facts.
 */
import { CAR_ATTRIBUTES, resolveAttributes, type CarAttribute, type Evidence, type ResolvedAttributes } from '../evidence/evidence.js';
import { buildDraft } from './draft.js';
import { draftFieldsView, type DraftFieldName, type DraftFieldsInput, type SellerFields } from './draft-fields.js';
import { listingFacts, templateFacts, type ListingFacts } from './listing-facts.js';

/** The draft fields that are facts about the car (the rest, title and description, are the text). */
export const FACT_FIELDS = ['make', 'model', 'year', 'colour', 'mileage'] as const satisfies readonly DraftFieldName[];
export const TEXT_FIELDS = ['title', 'description'] as const satisfies readonly DraftFieldName[];
export type TextField = (typeof TEXT_FIELDS)[number];

export interface SellerTextInput extends DraftFieldsInput {
  /** The evidence the analysis stored for the car (cars.evidence). */
  carEvidence: unknown;
  carBodyType: string | null;
  photoCount: number;
  videoSeconds: number;
  /** The unit of a mileage the draft names none for (the market's); km when not given. */
  mileageUnit?: string;
}

const isEvidence = (item: unknown): item is Evidence => {
  const e = item as Partial<Evidence> | null;
  return (
    typeof e === 'object' && e !== null && (CAR_ATTRIBUTES as readonly string[]).includes(String(e.attribute)) &&
    (typeof e.value === 'string' || typeof e.value === 'number') && typeof e.source === 'string' && typeof e.confidence === 'number'
  );
};

/** A mileage the seller typed as a number, with the draft's unit (else the market's). */
function mileageText(value: string | number, attributes: Record<string, unknown>, fallbackUnit: string): string {
  if (typeof value !== 'number') return value;
  const unit = typeof attributes.mileageUnit === 'string' && attributes.mileageUnit.trim() !== '' ? attributes.mileageUnit.trim().toLowerCase() : fallbackUnit;
  return `${value} ${unit}`;
}

/**
 * The facts the text is written from: the analysis' evidence resolved as the pipeline resolves it,
 * each of the seller's fields over it (a field the seller emptied is unknown), and where evidence has
 * nothing, the value the editor shows for the field.
 */
export function sellerListingFacts(input: SellerTextInput): ListingFacts {
  const evidence = Array.isArray(input.carEvidence) ? input.carEvidence.filter(isEvidence) : [];
  const attributes: ResolvedAttributes = resolveAttributes(evidence);
  const shown = draftFieldsView(input);
  for (const field of FACT_FIELDS) {
    const attribute: CarAttribute = field;
    const own = input.seller_fields?.[field];
    if (own) {
      if (own.value === null || own.value === '') delete attributes[attribute];
      else attributes[attribute] = { value: field === 'mileage' ? mileageText(own.value, input.attributes, input.mileageUnit ?? 'km') : own.value, source: 'seller', confidence: 1 };
    } else if (!attributes[attribute] && shown[field].value !== null && shown[field].source !== null && shown[field].source !== 'generated') {
      attributes[attribute] = { value: shown[field].value!, source: shown[field].source as Evidence['source'], confidence: 1 };
    }
  }
  return listingFacts({ attributes, colour: input.car_color, bodyType: input.carBodyType, photoCount: input.photoCount, videoSeconds: input.videoSeconds });
}

/** The template's title and description from these facts. */
export function templateText(facts: ListingFacts): { title: string; description: string } {
  const { title, description } = buildDraft(templateFacts(facts));
  return { title, description };
}

/** The parts of the text the seller wrote by hand. */
export const handWritten = (seller: SellerFields | null | undefined): TextField[] => TEXT_FIELDS.filter((field) => seller?.[field] !== undefined);

/**
 * True when the seller wrote text by hand and changed a fact after it: the text may say something the
 * facts no longer do, and the editor offers to write it again (it never replaces it unasked).
 */
export function textIsStale(seller: SellerFields | null | undefined): boolean {
  const written = handWritten(seller).map((field) => seller![field]!.at);
  if (written.length === 0) return false;
  const lastWritten = written.reduce((a, b) => (a > b ? a : b));
  return FACT_FIELDS.some((field) => seller?.[field] !== undefined && seller[field]!.at > lastWritten);
}

/**
 * A draft's fields as the editor shows them (pure): each value with where it came from. The seller's
 * own value always wins; otherwise the machine's, from the resolved evidence the pipeline stored
 * (`attributes.resolved`, see src/evidence/evidence.ts), else the plain attribute with its recorded
 * source (`attributes.sources`), else the car's own columns (colour from the car's pixels).
 */
import { EVIDENCE_SOURCES, type EvidenceSource } from '../evidence/evidence.js';

export const DRAFT_FIELDS = ['title', 'description', 'make', 'model', 'year', 'colour', 'mileage'] as const;
export type DraftFieldName = (typeof DRAFT_FIELDS)[number];

/** Evidence sources, plus `generated` for the text lotreel wrote from the facts. */
export const FIELD_SOURCES = [...EVIDENCE_SOURCES, 'generated'] as const;
export type FieldSource = (typeof FIELD_SOURCES)[number];

export interface FieldValue {
  value: string | number | null;
  source: FieldSource | null;
  /** What the machine proposed (shown beside a seller's value; null when it had nothing). */
  machine: { value: string | number; source: FieldSource } | null;
}

export type DraftFields = Record<DraftFieldName, FieldValue>;

export interface SellerField {
  value: string | number | null;
  /** ISO time of the change. */
  at: string;
  machine: FieldValue['machine'];
}

export type SellerFields = Partial<Record<DraftFieldName, SellerField>>;

export interface DraftFieldsInput {
  title: string;
  description: string;
  attributes: Record<string, unknown>;
  seller_fields: SellerFields;
  car_make: string | null;
  car_model: string | null;
  car_year: number | null;
  car_color: string | null;
}

const isSource = (value: unknown): value is EvidenceSource => typeof value === 'string' && (EVIDENCE_SOURCES as readonly string[]).includes(value);
const isValue = (value: unknown): value is string | number => (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value));
const attributeKey = (field: DraftFieldName) => (field === 'colour' ? ['colour', 'color'] : [field]);

function machineValue(field: DraftFieldName, input: DraftFieldsInput, generatedTitle: string, generatedDescription: string): FieldValue['machine'] {
  if (field === 'title') return { value: generatedTitle, source: 'generated' };
  if (field === 'description') return { value: generatedDescription, source: 'generated' };
  const attributes = input.attributes;
  const resolved = attributes.resolved as Record<string, { value?: unknown; source?: unknown }> | undefined;
  const sources = attributes.sources as Record<string, unknown> | undefined;
  for (const key of attributeKey(field)) {
    const r = resolved?.[key];
    if (r && isValue(r.value) && isSource(r.source)) return { value: r.value, source: r.source };
  }
  for (const key of attributeKey(field)) {
    const value = attributes[key];
    if (isValue(value) && isSource(sources?.[key])) return { value, source: sources[key] as EvidenceSource };
  }
  // The car's columns hold what the pipeline found; colour is named from the car's pixels.
  const column = { make: input.car_make, model: input.car_model, year: input.car_year, colour: input.car_color, mileage: null }[field];
  if (isValue(column)) return { value: column, source: 'vision' };
  return null;
}

/** Each field's shown value and source. */
export function draftFieldsView(input: DraftFieldsInput): DraftFields {
  const seller = input.seller_fields ?? {};
  // Title and description are columns the seller's change overwrites: the generated text is kept in seller_fields.
  const generatedTitle = seller.title?.machine?.value !== undefined ? String(seller.title.machine.value) : input.title;
  const generatedDescription = seller.description?.machine?.value !== undefined ? String(seller.description.machine.value) : input.description;
  const fields = {} as DraftFields;
  for (const field of DRAFT_FIELDS) {
    const own = seller[field];
    const machine = own ? own.machine : machineValue(field, input, generatedTitle, generatedDescription);
    fields[field] = own ? { value: own.value, source: 'seller', machine } : { value: machine?.value ?? null, source: machine?.source ?? null, machine };
  }
  return fields;
}

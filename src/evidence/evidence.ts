/**
 * Where each fact about a car came from, and which one wins (pure).
 *
 * Every stage that learns something about a car (the detector and pixels, CLIP, OCR of a VIN, a badge
 * or a window sticker, an LLM, the seller) adds `Evidence`; the draft shows the winner of each
 * attribute with its source. Order of trust: the seller's word, then a decoded VIN (the manufacturer's
 * own record), then printed text (sticker, badge), then what the pixels suggest, then an LLM. Within
 * one source the most confident item wins. Evidence below `minConfidence` never sets a value: it stays
 * as a candidate for the seller to confirm.
 */
export const EVIDENCE_SOURCES = ['seller', 'vin', 'sticker', 'badge', 'vision', 'clip', 'llm'] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

export const CAR_ATTRIBUTES = [
  'make',
  'model',
  'year',
  'trim',
  'bodyType',
  'colour',
  'mileage',
  'vin',
  'engine',
  'fuel',
  'drive',
  /** As printed on a sticker ("8-Speed Automatic"). */
  'transmission',
  /** The upholstery's colour and material as printed ("Black Cloth"); `colour` is the body's. */
  'interiorColour',
  /** Equipment a sticker or the seller states, as a list joined by ", ". */
  'equipment',
] as const;
export type CarAttribute = (typeof CAR_ATTRIBUTES)[number];

export interface Evidence {
  attribute: CarAttribute;
  value: string | number;
  source: EvidenceSource;
  /** 0..1; 1 for a checked VIN or the seller. */
  confidence: number;
  /** Free text for people: the OCR line, the photo, the prompt... */
  detail?: string;
}

export interface ResolvedAttribute {
  value: string | number;
  source: EvidenceSource;
  confidence: number;
}

export type ResolvedAttributes = Partial<Record<CarAttribute, ResolvedAttribute>>;

const trustRank = (source: EvidenceSource) => EVIDENCE_SOURCES.indexOf(source);

/** Orders evidence best first: more trusted source, then higher confidence. */
export function compareEvidence(a: Evidence, b: Evidence): number {
  return trustRank(a.source) - trustRank(b.source) || b.confidence - a.confidence;
}

/** The winning value of each attribute that has evidence at or above `minConfidence`. */
export function resolveAttributes(evidence: readonly Evidence[], minConfidence = 0.5): ResolvedAttributes {
  const resolved: ResolvedAttributes = {};
  for (const item of [...evidence].sort(compareEvidence)) {
    if (item.confidence < minConfidence || resolved[item.attribute]) continue;
    resolved[item.attribute] = { value: item.value, source: item.source, confidence: item.confidence };
  }
  return resolved;
}

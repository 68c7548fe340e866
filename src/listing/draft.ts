/**
 * The listing draft of one car, from what is known and nothing else (pure): no price, no marketing
 * words, no features nobody saw. Make and model stay empty until a later stage knows them, and the
 * draft then waits for the seller's review.
 */
import type { CarFacts } from './listing-facts.js';
import type { TextOutcome } from './listing-rules.js';
import type { MachineDraftStatus } from './draft-status.js';

export type { CarFacts } from './listing-facts.js';

export interface Draft {
  title: string;
  description: string;
  status: MachineDraftStatus;
  attributes: Record<string, DraftAttributeValue>;
  /** How the text was written, when writeListingText wrote it (src/listing/listing-text.ts). */
  text?: TextOutcome;
}

export type DraftAttributeValue = string | number | null | string[];

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function buildDraft(facts: CarFacts): Draft {
  const identity = [facts.year, facts.make, facts.model].filter((x) => x !== null && x !== '').join(' ');
  const noun = facts.bodyType ?? 'car';
  const title = capitalise([facts.colour, identity || noun].filter(Boolean).join(' '));
  const lines = [
    identity ? `${capitalise(identity)}.` : 'Make, model and year to be confirmed.',
    facts.colour ? `Exterior colour: ${facts.colour}.` : null,
    facts.bodyType ? `Body type: ${facts.bodyType}.` : null,
    facts.trim ? `Trim: ${facts.trim}.` : null,
    facts.mileage ? `Mileage: ${facts.mileage}.` : null,
    facts.transmission ? `Transmission: ${facts.transmission}.` : null,
    facts.interiorColour ? `Interior: ${facts.interiorColour}.` : null,
    `${facts.photoCount} photo${facts.photoCount === 1 ? '' : 's'} and a ${Math.max(1, Math.round(facts.videoSeconds))}-second walkaround video.`,
  ].filter((line): line is string => line !== null);
  const known = Boolean(facts.make && facts.model);
  return {
    title,
    description: lines.join(' '),
    status: known ? 'ready' : 'needs_review',
    attributes: {
      colour: facts.colour,
      bodyType: facts.bodyType,
      make: facts.make,
      model: facts.model,
      year: facts.year,
      ...(facts.trim ? { trim: facts.trim } : {}),
      ...(facts.mileage ? { mileage: facts.mileage } : {}),
      ...(facts.transmission ? { transmission: facts.transmission } : {}),
      ...(facts.interiorColour ? { interiorColour: facts.interiorColour } : {}),
    },
  };
}

/**
 * A draft whose photos' plates could not be looked for: it waits for the seller's review, the reason
 * in its attributes (`platesNotBlurred`), so nothing is published unblurred by chance.
 */
export function heldForPlates(draft: Draft, reason: string): Draft {
  return { ...draft, status: 'needs_review', attributes: { ...draft.attributes, platesNotBlurred: reason } };
}

/** What is known of one car from its sightings (pure): colour, body type. */
import { addVotes, emptyVotes, nameCarColour, type ColourName } from './colour-name.js';
import type { CarSighting } from './observation.js';

/** COCO truck and bus mean a pickup and a van on a car lot; COCO car says nothing about the body. */
const BODY_BY_CLASS: Record<number, string> = { 7: 'pickup', 5: 'van' };

export function carColour(sightings: readonly CarSighting[]): ColourName | null {
  return nameCarColour(sightings.reduce((votes, s) => addVotes(votes, s.colour), emptyVotes()));
}

/** A body type only when most sightings agree on a class that implies one. */
export function carBodyType(sightings: readonly CarSighting[]): string | null {
  const counts = new Map<number, number>();
  for (const s of sightings) counts.set(s.classId, (counts.get(s.classId) ?? 0) + 1);
  const [classId, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  return classId !== undefined && count > sightings.length / 2 ? (BODY_BY_CLASS[classId] ?? null) : null;
}

/**
 * `draft.md` beside each car's photos in the output folder (pure): the listing draft as a person
 * reads it, with what the analysis found and the photos in listing order (the cover first).
 */
import { basename } from 'node:path';
import { carIdentity, type FinishedCar } from '../pipeline/result.js';

const row = (name: string, value: unknown) => (value === null || value === undefined || value === '' ? null : `| ${name} | ${String(value).replace(/\|/g, '\\|')} |`);

export function draftMarkdown(car: FinishedCar): string {
  const identity = carIdentity(car);
  const a = car.draft.attributes;
  const facts = [
    row('Make', identity.make),
    row('Model', identity.model),
    row('Year', identity.year),
    row('Colour', car.colour),
    row('Body type', car.bodyType),
    row('Trim', a.trim),
    row('Mileage', a.mileage),
  ].filter((line): line is string => line !== null);
  const held = typeof a.platesNotBlurred === 'string' ? `\n> Held for review: the plates are not blurred (${a.platesNotBlurred}).\n` : '';
  return [
    `# ${car.draft.title}`,
    '',
    car.draft.description,
    '',
    `Status: ${car.draft.status === 'ready' ? 'ready' : 'needs review'}${held}`,
    '',
    ...(facts.length > 0 ? ['| Fact | Value |', '|---|---|', ...facts, ''] : []),
    '## Photos',
    '',
    ...car.photos.map((photo, k) => `${k + 1}. ![${k === 0 ? 'cover' : `photo ${k + 1}`}](${basename(photo.file)})`),
    '',
    ...(car.clip ? [`Walkaround clip: [${basename(car.clip)}](${basename(car.clip)})`, ''] : []),
  ].join('\n');
}

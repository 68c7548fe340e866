/** Names a car's paint colour from its pixels (pure). */
import type { Box } from '../core/geometry.js';
import type { Frame } from '../media/types.js';
import { innerRect, rgbToHsv } from '../vision/image-stats.js';

export const COLOUR_NAMES = [
  'white', 'silver', 'grey', 'black', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'brown', 'beige',
] as const;
export type ColourName = (typeof COLOUR_NAMES)[number];
export type ColourVotes = Record<ColourName, number>;

export const emptyVotes = (): ColourVotes => Object.fromEntries(COLOUR_NAMES.map((n) => [n, 0])) as ColourVotes;

/** The colour word a single pixel votes for. */
export function pixelColourName(r: number, g: number, b: number): ColourName {
  const [h, s, v] = rgbToHsv(r, g, b);
  const warm = h < 0.17 || h >= 0.95;
  // Light paint picks up a cool tint from the sky or the showroom lights; that is still white or silver.
  const tintedLight = v > 0.7 && s < 0.3 && !warm;
  if (s < 0.2 || v < 0.15 || tintedLight) {
    if (v >= 0.7) return 'white';
    if (v >= 0.5) return 'silver';
    if (v >= 0.27) return 'grey';
    return 'black';
  }
  if (warm && s < 0.4 && v >= 0.6) return 'beige';
  if (warm && h >= 0.02 && h < 0.12 && v < 0.45) return 'brown';
  if (h < 0.04 || h >= 0.93) return 'red';
  if (h < 0.1) return 'orange';
  if (h < 0.18) return 'yellow';
  if (h < 0.45) return 'green';
  if (h < 0.72) return 'blue';
  return 'purple';
}

/**
 * Votes of the body band of the box: the middle of its height and width, where doors, bonnet or boot
 * are, away from roof glass, tyres and the floor.
 */
export function colourVotes(frame: Frame, box: Box, maxPixels = 3_000): ColourVotes {
  const votes = emptyVotes();
  const h = box.y2 - box.y1;
  const band = innerRect({ x1: box.x1, y1: box.y1 + 0.4 * h, x2: box.x2, y2: box.y1 + 0.75 * h }, frame.width, frame.height, 0);
  const x1 = Math.floor(band.x1 + (band.x2 - band.x1) * 0.15);
  const x2 = Math.ceil(band.x2 - (band.x2 - band.x1) * 0.15);
  const step = Math.max(1, Math.floor(Math.sqrt(((x2 - x1) * (band.y2 - band.y1)) / maxPixels)));
  for (let y = band.y1; y < band.y2; y += step) {
    for (let x = x1; x < x2; x += step) {
      const i = (y * frame.width + x) * 3;
      votes[pixelColourName(frame.data[i], frame.data[i + 1], frame.data[i + 2])]++;
    }
  }
  return votes;
}

export function addVotes(into: ColourVotes, more: ColourVotes): ColourVotes {
  for (const name of COLOUR_NAMES) into[name] += more[name];
  return into;
}

const CHROMATIC: readonly ColourName[] = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'brown', 'beige'];

/**
 * The car's colour from the votes of all its frames, or null when there are none. Glass, tyres and
 * shadows vote black, and paint reflects its surroundings, so a chromatic colour wins when it has a
 * clear share and outvotes every light grey; black only wins when it dominates.
 */
export function nameCarColour(votes: ColourVotes): ColourName | null {
  const total = COLOUR_NAMES.reduce((sum, n) => sum + votes[n], 0);
  if (total === 0) return null;
  const top = (names: readonly ColourName[]) => [...names].sort((a, b) => votes[b] - votes[a])[0];
  const chromatic = top([...CHROMATIC]);
  const light = top(['white', 'silver', 'grey']);
  if (votes[chromatic] >= 0.25 * total && votes[chromatic] >= votes[light]) return chromatic;
  if (votes.black >= 0.6 * total || votes[light] === 0) return 'black';
  return light;
}

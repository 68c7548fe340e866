/**
 * Several appearance prototypes per car (pure), one per view the camera has shown so far (front,
 * side, rear...): the front and the rear of a two-tone car do not look alike, so one mean signature
 * would call them two cars. A sighting is compared with its nearest prototype; a sighting that drifts
 * away from every prototype (the view turning) opens a new one, so a gradual change never splits.
 */
import { appearanceDistance, meanAppearance, type Appearance } from './appearance.js';

export interface PrototypeSettings {
  /** A sighting further than this from every prototype opens a new one (a new view of the car). */
  prototypeDistance: number;
  /** Prototypes kept per car; beyond this a new view joins its nearest prototype. */
  maxPrototypes: number;
}

/** How many recent sightings make up one prototype (it follows slow drift within a view). */
const PROTOTYPE_WINDOW = 4;

export interface Prototype {
  recent: Appearance[];
  mean: Appearance;
}

export class Prototypes {
  readonly items: Prototype[] = [];

  constructor(private readonly settings: PrototypeSettings) {}

  /** Distance to the nearest prototype (Infinity when there is none) and its index. */
  nearest(a: Appearance): { distance: number; index: number } {
    let best = { distance: Infinity, index: -1 };
    this.items.forEach((p, index) => {
      const distance = appearanceDistance(a, p.mean);
      if (distance < best.distance) best = { distance, index };
    });
    return best;
  }

  distance(a: Appearance): number {
    return this.nearest(a).distance;
  }

  add(a: Appearance): void {
    const { distance, index } = this.nearest(a);
    if (index < 0 || (distance > this.settings.prototypeDistance && this.items.length < this.settings.maxPrototypes)) {
      this.items.push({ recent: [a], mean: a });
      return;
    }
    const p = this.items[index];
    p.recent = [...p.recent.slice(-(PROTOTYPE_WINDOW - 1)), a];
    p.mean = meanAppearance(p.recent);
  }

  static of(appearances: readonly Appearance[], settings: PrototypeSettings): Prototypes {
    const out = new Prototypes(settings);
    for (const a of appearances) out.add(a);
    return out;
  }
}

/** The smallest distance between any prototype of one set and any of the other. */
export function nearestPrototypeDistance(a: Prototypes, b: Prototypes): number {
  let best = Infinity;
  for (const p of a.items) best = Math.min(best, b.distance(p.mean));
  return best;
}

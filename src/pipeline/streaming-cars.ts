/**
 * The first drafts early (orchestration): while the frames are still being analysed, the frames after
 * the last settled car are split again after each batch, and every car that has become settled (see
 * analysis/settled-cars.ts) is finished at once, photos, text and draft, and handed to the shell,
 * which may publish and store it; its clip follows when encoded, while the next cars are finished.
 * The final pass over the whole video keeps each early car it finds again with the same sightings and
 * redoes the others (a revisit merged, a split drawn differently), handing them on the same way.
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box } from '../core/geometry.js';
import type { Logger } from '../core/log.js';
import { asLotreelError } from '../core/errors.js';
import type { Observation } from '../analysis/observation.js';
import { splitWithDenseLook } from '../analysis/change-check.js';
import { carConfidence } from '../analysis/confidence.js';
import type { CarGroup, SegmentationSettings } from '../analysis/segmentation.js';
import type { ChangeCheckSettings } from '../analysis/change-check.js';
import { settledCarCount, shiftGroups, shiftVerdicts } from '../analysis/settled-cars.js';
import { finishGroups, type FinishingContext } from './car-finishing.js';
import { carFolder } from './photo-stage.js';
import type { FinishedCar } from './result.js';

/**
 * The shell's hooks for a car finished before the result (early, or by the final pass: then `replaces`
 * names the early cars it takes the place of): `draft` with its photos and draft (`clip` null; the
 * clip's file may be being written in its folder), then `clipped` once the clip is encoded (`clip` set;
 * or null and the draft held for review when the clip's plates could not be looked for). The car's
 * staging files must not be needed once each settles.
 */
export interface CarListener {
  draft(car: FinishedCar): Promise<void>;
  clipped?(car: FinishedCar): Promise<void>;
}

export type DenseLook = (range: { startMs: number; endMs: number }, previous: Box | null) => Promise<Observation[]>;

/** A dense look decodes a stretch once per run, however often the split is redone. */
export function memoisedLook(look: DenseLook): DenseLook {
  const seen = new Map<string, Promise<Observation[]>>();
  return (range, previous) => {
    const key = `${range.startMs}-${range.endMs}`;
    let found = seen.get(key);
    if (!found) {
      found = look(range, previous);
      seen.set(key, found);
      found.catch(() => seen.delete(key));
    }
    return found;
  };
}

/** A car handed to the shell before the whole video is done: its draft now, its clip when encoded. */
export interface EarlyCar {
  group: CarGroup;
  /** Its draft and photos (`clip` null): `ordinal` is its number in the order cars were handed on, and names its folder. */
  car: FinishedCar;
  /** The car with its clip, once the shell has taken that too; rejected when its clip failed. */
  clipped: Promise<FinishedCar>;
}

/**
 * Hands a car to the shell; a shell that cannot take it now does not stop the run (the final result
 * still has the car).
 */
async function handToShell(listener: CarListener | undefined, car: FinishedCar, give: (listener: CarListener) => Promise<void> | undefined, log: Logger): Promise<void> {
  if (!listener) return;
  try {
    await give(listener);
  } catch (error) {
    log.warn('a finished car was not taken', { car: car.ordinal, error: asLotreelError(error).message });
  }
}

/**
 * Hands each car's draft to the shell, then, once encoded, the car with its clip: the returned
 * promise per car settles when the shell has taken both (rejected when the clips failed).
 */
export function handDraftsThenClips(listener: CarListener | undefined, drafts: readonly FinishedCar[], clipped: Promise<FinishedCar[]>, log: Logger): { taken: Promise<void>; clipped: Promise<FinishedCar>[] } {
  const taken = (async () => {
    for (const car of drafts) await handToShell(listener, car, (l) => l.draft(car), log);
  })();
  const each = drafts.map((_, i) =>
    Promise.all([clipped, taken]).then(async ([cars]) => {
      await handToShell(listener, cars[i], (l) => l.clipped?.(cars[i]), log);
      return cars[i];
    }),
  );
  for (const car of each) car.catch(() => undefined); // awaited by the caller
  return { taken, clipped: each };
}

export class StreamingCars {
  readonly #context: FinishingContext;
  readonly #look: DenseLook;
  readonly #settings: SegmentationSettings & ChangeCheckSettings;
  readonly #onCar: CarListener | undefined;
  readonly #emitted: EarlyCar[] = [];
  /** The first sample not in a settled car: later splits start there. */
  #from = 0;
  #latest: readonly Observation[] | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(context: FinishingContext, look: DenseLook, onCar: CarListener | undefined) {
    this.#context = context;
    this.#look = look;
    this.#settings = context.stage.settings.segmentation;
    this.#onCar = onCar;
  }

  /**
   * The samples so far (a copy); looked at once the car being finished, if any, is done. The promise
   * settles when no car is being finished (with `earlyCars: 'first'` the analysis waits for it).
   */
  offer(observations: readonly Observation[]): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#latest = observations;
    this.#running ??= this.#work().finally(() => (this.#running = null));
    return this.#running;
  }

  /** Waits for the car being finished, and stops; the cars finished early, in order (their clips may still be being encoded). */
  async drain(): Promise<EarlyCar[]> {
    this.#stopped = true;
    while (this.#running) await this.#running;
    return [...this.#emitted];
  }

  /** Waits until no early car is being finished and no early car's clip is being encoded (a failed run). */
  async settleClips(): Promise<void> {
    await this.drain();
    await Promise.allSettled(this.#emitted.map((e) => e.clipped));
  }

  async #work(): Promise<void> {
    while (this.#latest && !this.#stopped) {
      const observations = this.#latest;
      this.#latest = null;
      try {
        await this.#settle(observations);
      } catch (error) {
        // Nothing is lost: the final pass finishes every car not finished here.
        this.#stopped = true;
        this.#context.stage.log.warn('cars are no longer finished early', { error: asLotreelError(error).message });
      }
    }
  }

  async #settle(observations: readonly Observation[]): Promise<void> {
    const from = this.#from;
    const slice = observations.slice(from);
    const split = await splitWithDenseLook(slice, this.#settings, this.#look);
    const count = settledCarCount(slice, split.groups, this.#settings.maxGapMs);
    if (count === 0) return;
    const groups = shiftGroups(split.groups, from, observations);
    const splits = carConfidence(observations, groups, shiftVerdicts(split.verdicts, from), this.#settings);
    for (let k = 0; k < count && !this.#stopped; k++) {
      // The cars around it as the final pass will see them: those finished, and those still to come.
      const finished = this.#emitted.map((e) => ({ group: e.group, segments: e.car.segments }));
      const toCome = groups.slice(k + 1).map((group) => ({ group, segments: group.segments }));
      const ordinal = this.#emitted.length + 1;
      const quiet = () => undefined; // the stages' progress belongs to the final pass
      const { drafts, clipped } = await finishGroups({ observations, groups: [groups[k]], splits: [splits[k]], ordinals: [ordinal], others: [...finished, ...toCome] }, { ...this.#context, progress: quiet });
      const [car] = drafts;
      this.#from = Math.max(...groups[k].members) + 1;
      this.#context.stage.log.info('car finished early', { car: ordinal, atMs: observations.at(-1)?.timestampMs });
      // The clip is handed on after the draft, while the next cars are finished.
      const handed = handDraftsThenClips(this.#onCar, drafts, clipped, this.#context.stage.log);
      this.#emitted.push({ group: groups[k], car, clipped: handed.clipped[0] });
      await handed.taken;
    }
  }
}

/** `car-<from>/…` paths of a finished car as `car-<to>/…`, with its number. */
export function renumberCar(car: FinishedCar, to: number): FinishedCar {
  const from = `${carFolder(car.ordinal)}/`;
  const move = (path: string) => (path.startsWith(from) ? `${carFolder(to)}/${path.slice(from.length)}` : path);
  return {
    ...car,
    ordinal: to,
    clip: car.clip === null ? null : move(car.clip),
    photos: car.photos.map((p) => ({ ...p, file: move(p.file), ...(p.original ? { original: move(p.original) } : {}) })),
  };
}

/**
 * Gives the final cars their numbers in order of first appearance: folders renamed (through temporary
 * names, as numbers may swap), paths rewritten, the folders of early cars the final pass replaced removed.
 */
export async function numberFinalCars(stagingDir: string, cars: readonly FinishedCar[], dropped: readonly number[]): Promise<FinishedCar[]> {
  for (const slot of dropped) await rm(join(stagingDir, carFolder(slot)), { recursive: true, force: true });
  const moving = cars.map((car, i) => ({ car, to: i + 1 })).filter(({ car, to }) => car.ordinal !== to);
  for (const { car } of moving) await rename(join(stagingDir, carFolder(car.ordinal)), join(stagingDir, `renumber-${car.ordinal}`));
  for (const { car, to } of moving) await rename(join(stagingDir, `renumber-${car.ordinal}`), join(stagingDir, carFolder(to)));
  return cars.map((car, i) => renumberCar(car, i + 1));
}

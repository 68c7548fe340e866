import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { sameSightings, settledCarCount, shiftGroups } from '../../../src/analysis/settled-cars.js';
import { splitIntoCars } from '../../../src/analysis/segmentation.js';
import { script } from './fakes.js';

const settings = DEFAULT_SETTINGS.segmentation;
/** How many cars of the frames so far (`text`, one sample a second) are settled. */
const settled = (text: string) => {
  const observations = script(text, 1000);
  return settledCarCount(observations, splitIntoCars(observations, settings), settings.maxGapMs);
};

describe('settledCarCount', () => {
  it('settles a car once another car is filmed after it for longer than the gap the tracker bridges', () => {
    expect(settings.maxGapMs).toBe(1500);
    expect(settled('11111.2')).toBe(0); // one sighting of the next car: maybe a glimpse
    expect(settled('1111122')).toBe(1);
    expect(settled('11111...22')).toBe(1);
    expect(settled('11111...2222222...333')).toBe(2);
  });

  it('never settles the car being filmed, nor one only left for a stretch with no car (close-ups may follow)', () => {
    expect(settled('1111111111')).toBe(0);
    expect(settled('11111..........')).toBe(0);
  });

  it('leaves a car whose stretch another car interleaves (a revisit so far) and those after it to the final pass', () => {
    // car 1, car 2, car 1 again (merged with the first stretch), car 3: car 1 spans car 2.
    const observations = script('11111...22222...11111...33333', 1000);
    const groups = splitIntoCars(observations, settings);
    expect(groups).toHaveLength(3);
    expect(settledCarCount(observations, groups, settings.maxGapMs)).toBe(0);
  });

  it('settles the cars of a later part of the video split on its own, with indices into the whole video', () => {
    const observations = script('11111...22222...333', 1000);
    const from = 8;
    const groups = shiftGroups(splitIntoCars(observations.slice(from), settings), from, observations);
    expect(settledCarCount(observations, groups, settings.maxGapMs)).toBe(1);
    expect(groups[0].members).toEqual([8, 9, 10, 11, 12]);
    const whole = splitIntoCars(observations, settings);
    expect(sameSightings(groups[0], whole[1])).toBe(true);
    expect(groups[0].segments).toEqual(whole[1].segments); // its first edge half-way to the sample before the slice
    expect(sameSightings(groups[0], splitIntoCars(observations, settings)[0])).toBe(false);
  });
});

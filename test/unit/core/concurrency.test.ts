import { describe, expect, it } from 'vitest';
import { Slots } from '../../../src/core/concurrency.js';

/** A task that stays in flight until released, recording how many were in flight with it. */
function gate() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { release, released };
}

describe('Slots', () => {
  it('keeps at most its limit in flight across callers, starts waiting tasks in order, and frees a slot when a task fails', async () => {
    const slots = new Slots(2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const runs = gates.map((g, i) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++inFlight);
        await g.released;
        inFlight--;
        if (i === 1) throw new Error('task 1 failed');
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[1].release();
    await expect(runs[1]).rejects.toThrow('task 1 failed');
    // A newcomer does not take the slot the failed task handed to the first waiting one.
    const late = slots.run(async () => (started.push(99), 99));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.release();
    expect(await Promise.all([runs[0], runs[2], runs[3], runs[4], late])).toEqual([0, 2, 3, 4, 99]);
    expect(started).toEqual([0, 1, 2, 3, 4, 99]);
    expect(most).toBe(2);
  });
});

describe('Slots of one, in two lanes', () => {
  it('runs one task at a time, waiting foreground tasks before waiting background ones, each lane in order', async () => {
    const lanes = new Slots(1);
    const order: string[] = [];
    let inFlight = 0;
    let late: Promise<string> | undefined;
    const task = (name: string, fail = false) => async () => {
      if (++inFlight > 1) throw new Error('two at once');
      order.push(name);
      // A foreground task asked for while b2 runs still goes before b3, which was waiting already.
      if (name === 'b2') late = lanes.run(task('f3'));
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const runs = [
      lanes.run(task('b1'), 'background'),
      lanes.run(task('b2', true), 'background'),
      lanes.run(task('b3'), 'background'),
      lanes.run(task('f1')),
      lanes.run(task('f2')),
    ];
    await expect(runs[1]).rejects.toThrow('b2 failed');
    await Promise.allSettled([...runs, late]);
    await lanes.idle();
    // b1 had started before any foreground task came; a failed task does not stop the others.
    expect(order).toEqual(['b1', 'f1', 'f2', 'b2', 'f3', 'b3']);
    expect(await runs[4]).toBe('f2');
    expect(await late).toBe('f3');
    const throwsAtOnce = lanes.run(() => {
      throw new Error('at once');
    });
    await expect(throwsAtOnce).rejects.toThrow('at once');
    expect(await lanes.run(task('after'))).toBe('after');
  });
});

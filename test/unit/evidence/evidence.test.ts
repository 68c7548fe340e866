import { describe, expect, it } from 'vitest';
import { resolveAttributes, type Evidence } from '../../../src/evidence/evidence.js';

const ev = (attribute: Evidence['attribute'], value: string | number, source: Evidence['source'], confidence: number): Evidence => ({
  attribute,
  value,
  source,
  confidence,
});

describe('resolveAttributes', () => {
  it('trusts a decoded VIN over a more confident CLIP guess, and the seller over both', () => {
    const evidence = [ev('make', 'BMW', 'clip', 0.95), ev('make', 'Ford', 'vin', 1), ev('model', 'Kuga', 'vin', 1)];
    expect(resolveAttributes(evidence).make).toEqual({ value: 'Ford', source: 'vin', confidence: 1 });
    expect(resolveAttributes([...evidence, ev('make', 'Mercury', 'seller', 1)]).make?.value).toBe('Mercury');
  });

  it('takes the most confident item within one source', () => {
    const resolved = resolveAttributes([ev('model', 'Focus', 'clip', 0.6), ev('model', 'Kuga', 'clip', 0.8)]);
    expect(resolved.model).toEqual({ value: 'Kuga', source: 'clip', confidence: 0.8 });
  });

  it('leaves an attribute unset when all its evidence is below the threshold', () => {
    const resolved = resolveAttributes([ev('make', 'Ford', 'clip', 0.4), ev('colour', 'white', 'vision', 0.9)], 0.5);
    expect(resolved.make).toBeUndefined();
    expect(resolved.colour?.value).toBe('white');
  });
});

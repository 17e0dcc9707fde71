/**
 * The random-action baseline source: every action lies in the [low, high) box, the same seed gives the
 * same stream, another seed another one, and the per-dimension mean approaches the box centre.
 */
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/app/RandomSource';

const low = [-0.02, -0.03, -0.03, -0.08, -0.07, -0.15, 0];
const high = [0.023, 0.029, 0.03, 0.071, 0.068, 0.15, 1];

describe('RandomSource', () => {
  it('draws inside the box, with the uniform mean (lo + hi) / 2', () => {
    const src = new RandomSource({ low, high, seed: 7 });
    const n = 4000;
    const sum = new Array<number>(7).fill(0);
    for (let i = 0; i < n; i++) {
      const a = src.act();
      expect(a).toHaveLength(7);
      a.forEach((v, d) => {
        expect(v).toBeGreaterThanOrEqual(low[d]!);
        expect(v).toBeLessThan(high[d]!);
        sum[d]! += v;
      });
    }
    // Uniform std is (hi − lo)/√12; the mean of n draws is within 4 standard errors of the centre.
    sum.forEach((s, d) => {
      const w = high[d]! - low[d]!;
      expect(Math.abs(s / n - (low[d]! + high[d]!) / 2)).toBeLessThan((4 * w) / Math.sqrt(12 * n));
    });
  });

  it('is deterministic under its seed', () => {
    const a = new RandomSource({ low, high, seed: 1_000_001 });
    const b = new RandomSource({ low, high, seed: 1_000_001 });
    const c = new RandomSource({ low, high, seed: 1_000_002 });
    const sa = [a.act(), a.act()];
    expect([b.act(), b.act()]).toEqual(sa);
    expect([c.act(), c.act()]).not.toEqual(sa);
  });

  it('takes its box from norm stats and rejects a bad one', () => {
    const r = RandomSource.rangeOf({ q01: [-1, 0], q99: [1, 1], mask: [true, false] });
    expect(r).toEqual({ low: [-1, 0], high: [1, 1] });
    expect(() => new RandomSource({ low: [0, 1], high: [1, 0], seed: 0 })).toThrow(/bad range/);
    expect(() => new RandomSource({ low: [0], high: [1, 2], seed: 0 })).toThrow(/same length/);
  });
});

import { describe, expect, it } from 'vitest';
import { mix32, Rng } from '../../src/core/prng';

const draws = (seed: number, n: number) => {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('Rng', () => {
  it('gives the same sequence for the same seed', () => {
    expect(draws(42, 100)).toEqual(draws(42, 100));
  });

  it('gives different sequences for different (also adjacent) seeds', () => {
    const a = draws(1, 20);
    const b = draws(2, 20);
    expect(a).not.toEqual(b);
    expect(a.filter((v, i) => v === b[i]).length).toBe(0);
  });

  it('is uniform on [0, 1): mean ≈ 0.5 and variance ≈ 1/12 over 10k draws', () => {
    const xs = draws(7, 10_000);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    // Standard error of the mean: sqrt(1/12 / 10000) ≈ 0.0029; 0.015 is ~5 sigma.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.005);
  });

  it('int(lo, hi) is inclusive on both ends and hits every value', () => {
    const r = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(-2, 3);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(3);
      seen.add(v);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it('uniform(lo, hi) stays in range', () => {
    const r = new Rng(9);
    for (let i = 0; i < 1000; i++) {
      const v = r.uniform(0.3, 0.65);
      expect(v).toBeGreaterThanOrEqual(0.3);
      expect(v).toBeLessThan(0.65);
    }
  });

  it('normal() has mean ≈ 0 and variance ≈ 1', () => {
    const r = new Rng(11);
    const xs = Array.from({ length: 10_000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('pick throws on an empty array; shuffle is a permutation and deterministic', () => {
    expect(() => new Rng(1).pick([])).toThrow(/empty/);
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const s1 = new Rng(5).shuffle(items);
    expect([...s1].sort((a, b) => a - b)).toEqual(items);
    expect(new Rng(5).shuffle(items)).toEqual(s1);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('fork gives a stream independent of the parent and deterministic', () => {
    const a = new Rng(8);
    const fa = a.fork(1);
    const b = new Rng(8);
    const fb = b.fork(1);
    expect(fa.next()).toBe(fb.next());
    expect(new Rng(8).fork(1).next()).not.toBe(new Rng(8).fork(2).next());
  });

  it('mix32 returns unsigned 32-bit integers', () => {
    for (const x of [0, 1, -1, 0x7fffffff, 123456789]) {
      const h = mix32(x);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
    expect(mix32(1)).not.toBe(mix32(2));
  });
});

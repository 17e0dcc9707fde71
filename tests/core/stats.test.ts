/**
 * Wilson score interval against values worked by hand from the published formula
 * (center = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²), z = 1.959964).
 */
import { describe, expect, it } from 'vitest';
import { fisherExactGreater, formatRate, rate, wilsonInterval, Z95 } from '../../src/core/stats';

describe('wilsonInterval', () => {
  it('uses the 97.5% normal quantile', () => {
    expect(Z95).toBeCloseTo(1.959964, 6);
  });

  // Hand computation for 5/10: p = 0.5, z² = 3.841459, 1 + z²/n = 1.3841459, center = 0.5,
  // half = 1.959964 / 1.3841459 · √(0.025 + 0.0096036) = 1.416009 · 0.186020 = 0.263407.
  const golden: [number, number, number, number][] = [
    [0, 10, 0, 0.277533], // hi = z² / (n + z²) = 3.841459 / 13.841459
    [5, 10, 0.236593, 0.763407],
    [8, 10, 0.490162, 0.943318],
    [10, 10, 0.722467, 1], // lo = n / (n + z²) = 10 / 13.841459
    [1, 9, 0.019891, 0.435],
    [3, 9, 0.120584, 0.645798],
    [45, 50, 0.786398, 0.956524],
    [0, 50, 0, 0.071348],
  ];
  for (const [k, n, lo, hi] of golden) {
    it(`${k}/${n} → [${lo}, ${hi}]`, () => {
      const [a, b] = wilsonInterval(k, n);
      expect(a).toBeCloseTo(lo, 5);
      expect(b).toBeCloseTo(hi, 5);
    });
  }

  it('is symmetric: k/n ↔ (n−k)/n mirror about 1/2', () => {
    const [a, b] = wilsonInterval(2, 7);
    const [c, d] = wilsonInterval(5, 7);
    expect(a).toBeCloseTo(1 - d, 12);
    expect(b).toBeCloseTo(1 - c, 12);
  });

  it('is [0, 1] with no trials and rejects impossible counts', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
  });

  it('narrows with z: z = 0 collapses to the point estimate', () => {
    const [a, b] = wilsonInterval(3, 12, 0);
    expect(a).toBeCloseTo(0.25, 12);
    expect(b).toBeCloseTo(0.25, 12);
  });
});

describe('rate and formatRate', () => {
  it('formats count, percent and interval', () => {
    expect(rate(3, 4)).toBe(0.75);
    expect(rate(0, 0)).toBe(0);
    expect(formatRate(5, 10)).toBe('5/10 50.0% [23.7–76.3]');
    expect(formatRate(0, 0)).toBe('—');
  });
});

describe('fisherExactGreater', () => {
  // Fisher's lady tasting tea (The Design of Experiments, 1935): 8 cups, 4 with the milk poured first.
  // All 4 picked right: p = 1/C(8,4) = 1/70; 3 of 4: p = (C(4,3)·C(4,1) + 1)/70 = 17/70.
  it("gives Fisher's published tea-tasting p-values", () => {
    expect(fisherExactGreater(4, 4, 0, 4)).toBeCloseTo(1 / 70, 12);
    expect(fisherExactGreater(3, 4, 1, 4)).toBeCloseTo(17 / 70, 12);
  });

  it('with no successes in B and all in A it is C(nA, K) / C(N, K)', () => {
    // 4 of 12 against 0 of 12: C(12,4)/C(24,4) = 495/10626.
    expect(fisherExactGreater(4, 12, 0, 12)).toBeCloseTo(495 / 10626, 12);
  });

  it('is 1 when A does no better than it must, and falls as A pulls ahead', () => {
    expect(fisherExactGreater(0, 9, 0, 9)).toBe(1);
    expect(fisherExactGreater(0, 9, 5, 9)).toBe(1);
    const ps = [0, 1, 2, 3, 4, 5].map((k) => fisherExactGreater(k, 12, 0, 12));
    for (let i = 1; i < ps.length; i++) expect(ps[i]!).toBeLessThan(ps[i - 1]!);
  });

  it('rejects impossible counts', () => {
    expect(() => fisherExactGreater(5, 4, 0, 4)).toThrow(RangeError);
    expect(() => fisherExactGreater(1, 4, -1, 4)).toThrow(RangeError);
  });
});

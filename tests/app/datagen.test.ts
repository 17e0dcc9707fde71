import { describe, expect, it } from 'vitest';
import { columnStats, episodeName, episodeSpec, quantile } from '../../scripts/datagen';
import {
  createDriverSchedule,
  createNoiseSchedule,
  DRIVER_SEGMENT_STEPS,
  NOISE_POS_STD,
  NOISE_ROT_STD,
  SEGMENT_STEPS,
} from '../../src/app/datagen';
import { isHeldOutCombo } from '../../src/core/splits';

describe('dataset statistics', () => {
  it('quantile interpolates linearly between order statistics (numpy default)', () => {
    // positions p·(n−1): 0.03 → 1 + 0.03·(2−1); 2.97 → 3 + 0.97·(4−3)
    expect(quantile([1, 2, 3, 4], 0.01)).toBeCloseTo(1.03, 12);
    expect(quantile([1, 2, 3, 4], 0.99)).toBeCloseTo(3.97, 12);
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([0, 10], 0.5)).toBe(5);
  });

  it('columnStats per dimension', () => {
    const s = columnStats(
      [
        [1, -2],
        [3, -4],
      ],
      2,
    );
    expect(s.mean).toEqual([2, -3]);
    expect(s.std).toEqual([1, 1]);
    expect(s.min).toEqual([1, -4]);
    expect(s.max).toEqual([3, -2]);
    expect(s.q01[0]).toBeCloseTo(1.02, 12);
    expect(s.q99[1]).toBeCloseTo(-2.02, 12);
  });
});

describe('episode indexing', () => {
  it('names and specs are stable, families rotate, tasks are training tasks', () => {
    expect(episodeName(7)).toBe('000007');
    expect(episodeName(123456)).toBe('123456');
    for (let i = 0; i < 30; i++) {
      const e = episodeSpec(100, i);
      expect(e).toEqual(episodeSpec(100, i));
      expect(e.seed).toBe(100 + i);
      expect(e.family).toBe(['pick', 'put', 'push'][i % 3]);
      expect(isHeldOutCombo(e.task)).toBe(false);
    }
  });
});

describe('DART noise schedule', () => {
  const clean = [0.01, -0.02, 0.005, 0.1, -0.1, 0.05, 0];

  it('zero noise never perturbs', () => {
    for (let seed = 0; seed < 20; seed++) {
      const s = createNoiseSchedule(0, seed);
      expect(s.episodeNoisy).toBe(false);
      for (let t = 0; t < 50; t++) expect(s.perturb(clean)).toEqual({ action: clean, inSegment: false });
    }
  });

  it('about half the episodes are noisy; segments hold a constant offset for 3–8 steps; gripper untouched', () => {
    let noisy = 0;
    const problems: string[] = [];
    const lengths: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      const s = createNoiseSchedule(0.5, seed);
      const again = createNoiseSchedule(0.5, seed);
      if (s.episodeNoisy) noisy++;
      let run: number[] | null = null;
      let len = 0;
      for (let t = 0; t < 80; t++) {
        const r = s.perturb(clean);
        const r2 = again.perturb(clean);
        if (r2.action.some((v, k) => v !== r.action[k])) problems.push(`seed ${seed}: not deterministic`);
        if (r.action[6] !== clean[6]) problems.push(`seed ${seed}: gripper perturbed`);
        const off = r.action.slice(0, 6).map((v, k) => v - clean[k]!);
        if (!r.inSegment) {
          if (off.some((v) => v !== 0)) problems.push(`seed ${seed}: offset outside a segment`);
          if (run) lengths.push(len);
          run = null;
          len = 0;
          continue;
        }
        if (!s.episodeNoisy) problems.push(`seed ${seed}: segment in a clean episode`);
        // offsets are Gaussian draws: within 6 sigma
        for (let k = 0; k < 6; k++) {
          if (Math.abs(off[k]!) > 6 * 0.5 * (k < 3 ? NOISE_POS_STD : NOISE_ROT_STD))
            problems.push(`seed ${seed}: offset`);
        }
        // a new segment may start right after one ends: a constant offset marks one segment
        const same = run !== null && off.every((v, k) => Math.abs(v - run![k]!) < 1e-15);
        if (same && len < SEGMENT_STEPS[1]) len++;
        else {
          if (run) lengths.push(len);
          run = off;
          len = 1;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(noisy).toBeGreaterThan(70);
    expect(noisy).toBeLessThan(130);
    expect(lengths.length).toBeGreaterThan(50);
    // a segment cut by the end of the loop is not counted; every completed one lasts 3–8 steps
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(SEGMENT_STEPS[0]);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(SEGMENT_STEPS[1]);
  });
});

describe('DAgger driver schedule', () => {
  const run = (mix: number, seed: number, n: number) => {
    const d = createDriverSchedule(mix, seed);
    return Array.from({ length: n }, () => d.policyDrives());
  };
  /** Lengths of the maximal runs of equal values. */
  const runs = (xs: boolean[]) => {
    const out: { value: boolean; length: number }[] = [];
    for (const x of xs) {
      const last = out[out.length - 1];
      if (last && last.value === x) last.length++;
      else out.push({ value: x, length: 1 });
    }
    return out;
  };

  it('mix 0 never lets the policy drive, mix 1 always does', () => {
    for (const seed of [1, 2, 3]) {
      expect(run(0, seed, 300).some(Boolean)).toBe(false);
      expect(run(1, seed, 300).every(Boolean)).toBe(true);
    }
  });

  it('the policy drives about `mix` of the steps, in segments of at least the minimum length', () => {
    const all: boolean[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const xs = run(0.5, seed, 200);
      all.push(...xs);
      // A run of equal drivers is one or more whole segments, so never shorter than one segment
      // (except the cut-off last run).
      for (const r of runs(xs).slice(0, -1)) expect(r.length).toBeGreaterThanOrEqual(DRIVER_SEGMENT_STEPS[0]);
    }
    const share = all.filter(Boolean).length / all.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('is a function of the seed', () => {
    expect(run(0.5, 7, 100)).toEqual(run(0.5, 7, 100));
    expect(run(0.5, 7, 100)).not.toEqual(run(0.5, 8, 100));
  });
});

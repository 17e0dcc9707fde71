/**
 * The bench/soak/perf scripts' pure statistics and formatting. Goldens are computed by hand from the
 * definitions: numpy's linear percentile (position q·(n − 1), e.g. p95 of 1..100 = 95 + 0.05·1 = 95.05),
 * growth = (median of the last 3 − median of the first 3 after warm-up) / the latter, least-squares slope.
 */
import { describe, expect, it } from 'vitest';
import {
  fmtBytes,
  fmtPercent,
  fmtSummary,
  markdownTable,
  median,
  memoryGrowth,
  quantile,
  ratio,
  replaceSection,
  summarize,
  textTable,
  verdict,
  verdictWord,
} from '../../scripts/lib/benchStats';

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('quantiles and summaries', () => {
  it('interpolates linearly between order statistics, whatever the input order', () => {
    expect(quantile(range(1, 100), 0.95)).toBeCloseTo(95.05, 10);
    expect(quantile([4, 1, 3, 2], 0.95)).toBeCloseTo(3.85, 10);
    expect(quantile([10, 20], 0.95)).toBeCloseTo(19.5, 10);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([5, 1, 3], 0)).toBe(1);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('summarizes n, median, p95, mean, min and max without changing the input', () => {
    const xs = [9, 1, 5, 3, 7];
    const s = summarize(xs);
    expect(s).toEqual({ n: 5, median: 5, p95: 8.6, mean: 5, min: 1, max: 9 });
    expect(xs).toEqual([9, 1, 5, 3, 7]);
    const e = summarize([]);
    expect(e.n).toBe(0);
    expect(e.median).toBeNaN();
  });

  it('gives NaN ratios for missing figures and zero denominators', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('memory growth after warm-up', () => {
  it('is zero for a flat series whatever the warm-up did', () => {
    const samples = [
      { step: 0, bytes: 100 },
      { step: 100, bytes: 900 },
      ...range(2, 9).map((i) => ({ step: i * 100, bytes: 1000 })),
    ];
    const g = memoryGrowth(samples, 200);
    expect(g.samples).toBe(8);
    expect(g.baseline).toBe(1000);
    expect(g.final).toBe(1000);
    expect(g.growth).toBe(0);
    expect(g.slopePer1000Steps).toBeCloseTo(0, 10);
  });

  it('measures a linear leak from the first and last three samples after warm-up', () => {
    const samples = range(0, 9).map((i) => ({ step: i * 100, bytes: 1000 + i * 100 }));
    const g = memoryGrowth(samples, 200);
    // after warm-up: steps 200..900 → bytes 1200..1900; medians of 1200,1300,1400 and 1700,1800,1900.
    expect(g.baseline).toBe(1300);
    expect(g.final).toBe(1800);
    expect(g.growth).toBeCloseTo(500 / 1300, 10);
    expect(g.slopePer1000Steps).toBeCloseTo(1000, 6);
  });

  it('lets one outlier at either end not decide the verdict', () => {
    const bytes = [1000, 1000, 1000, 1000, 1000, 1000, 5000, 1000];
    const g = memoryGrowth(
      bytes.map((b, i) => ({ step: i * 10, bytes: b })),
      0,
    );
    expect(g.growth).toBe(0);
  });

  it('reports NaN growth with too few samples after warm-up', () => {
    const g = memoryGrowth([{ step: 10, bytes: 5 }], 0);
    expect(g.growth).toBeNaN();
    expect(g.baseline).toBe(5);
  });
});

describe('targets', () => {
  it('judges ≤ and ≥ limits, and unmeasured values as neither', () => {
    const a = verdict('r', 'ratio', 1.4, '<=', 1.5, '×');
    expect(a).toMatchObject({ target: '≤ 1.5×', shown: '1.40×', met: true });
    expect(verdict('r', 'ratio', 1.6, '<=', 1.5, '×').met).toBe(false);
    expect(verdict('hz', 'loop', 9.9, '>=', 10, ' Hz', 1)).toMatchObject({ met: false, shown: '9.9 Hz' });
    const none = verdict('x', 'x', Number.NaN, '>=', 10, ' Hz');
    expect(none.met).toBeNull();
    expect(verdictWord(none)).toBe('not measured');
    expect(verdictWord(a)).toBe('met');
  });
});

describe('formatting', () => {
  it('pads text tables to the widest cell with a rule under the header', () => {
    const t = textTable(
      ['a', 'long header'],
      [
        ['wide cell', 'x'],
        ['y', ''],
      ],
    );
    expect(t.split('\n')).toEqual(['a          long header', '---------  -----------', 'wide cell  x', 'y']);
  });

  it('writes markdown tables with escaped pipes', () => {
    expect(markdownTable(['k', 'v'], [['a|b', '1']])).toBe('| k | v |\n|---|---|\n| a\\|b | 1 |');
  });

  it('formats summaries, bytes and percentages', () => {
    expect(fmtSummary(summarize([1, 2, 3]), 2)).toBe('2.00 / 2.90');
    expect(fmtSummary(summarize([]))).toBe('—');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(2048)).toBe('2 KiB');
    expect(fmtBytes(3 * 1024 ** 2)).toBe('3.00 MiB');
    expect(fmtPercent(0.0321)).toBe('+3.2%');
    expect(fmtPercent(-0.5)).toBe('-50.0%');
  });

  it('replaces a marked section in place and appends a missing one', () => {
    const doc = 'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\noutro\n';
    expect(replaceSection(doc, 'bench', 'new')).toBe(
      'intro\n<!-- bench:start -->\nnew\n<!-- bench:end -->\noutro\n',
    );
    const added = replaceSection(doc, 'soak', 'soaked');
    expect(added).toContain('<!-- bench:start -->\nold\n<!-- bench:end -->');
    expect(added.endsWith('<!-- soak:start -->\nsoaked\n<!-- soak:end -->\n')).toBe(true);
  });
});

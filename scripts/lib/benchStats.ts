/**
 * Pure statistics and formatting for the bench, soak and perf scripts: median and percentiles (linear
 * interpolation between order statistics, numpy's default), summaries of timing samples, memory growth
 * after warm-up, target verdicts, and text/markdown tables. No I/O; imports nothing.
 */

/** Summary of a sample (ms unless stated). Empty samples give n 0 and NaN figures. */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `xs`, linearly interpolated between the order statistics around
 * position q·(n − 1) (numpy `percentile(…, method='linear')`). NaN for an empty sample.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** n, median, p95, mean, min, max of `xs`. */
export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0)
    return { n: 0, median: Number.NaN, p95: Number.NaN, mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { n: xs.length, median: median(xs), p95: quantile(xs, 0.95), mean: sum / xs.length, min, max };
}

/** a / b, NaN when either is not a finite number or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/** One memory reading: after `step` closed-loop steps, `bytes` in use. */
export interface MemorySample {
  step: number;
  bytes: number;
}

export interface Growth {
  /** Median of the first `window` samples at or after the warm-up, bytes. */
  baseline: number;
  /** Median of the last `window` samples, bytes. */
  final: number;
  /** (final − baseline) / baseline; NaN with fewer than two samples after warm-up. */
  growth: number;
  /** Least-squares slope over the samples after warm-up, bytes per 1000 steps. */
  slopePer1000Steps: number;
  /** Samples after warm-up that the figures use. */
  samples: number;
}

/**
 * Memory growth after warm-up: samples before `warmupSteps` are dropped; baseline and final are medians of
 * the first and last `window` remaining samples (so one GC-timing outlier does not decide the verdict).
 */
export function memoryGrowth(samples: readonly MemorySample[], warmupSteps: number, window = 3): Growth {
  const after = samples.filter((s) => s.step >= warmupSteps).sort((a, b) => a.step - b.step);
  const n = after.length;
  if (n < 2) {
    const b = n === 1 ? after[0]!.bytes : Number.NaN;
    return { baseline: b, final: b, growth: Number.NaN, slopePer1000Steps: Number.NaN, samples: n };
  }
  const w = Math.max(1, Math.min(window, Math.floor(n / 2)));
  const baseline = median(after.slice(0, w).map((s) => s.bytes));
  const final = median(after.slice(n - w).map((s) => s.bytes));
  let sx = 0;
  let sy = 0;
  for (const s of after) {
    sx += s.step;
    sy += s.bytes;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of after) {
    sxy += (s.step - mx) * (s.bytes - my);
    sxx += (s.step - mx) ** 2;
  }
  const slope = sxx > 0 ? (sxy / sxx) * 1000 : Number.NaN;
  return { baseline, final, growth: ratio(final - baseline, baseline), slopePer1000Steps: slope, samples: n };
}

/** A target and whether a measured value meets it. `met` is null when the value was not measured. */
export interface TargetVerdict {
  id: string;
  label: string;
  /** e.g. "≤ 1.5×". */
  target: string;
  value: number;
  /** Formatted value, e.g. "1.23×" or "n/a". */
  shown: string;
  met: boolean | null;
}

/** Verdict of `value` against `op limit` (NaN → not measured). */
export function verdict(
  id: string,
  label: string,
  value: number,
  op: '<=' | '>=',
  limit: number,
  unit: string,
  digits = 2,
): TargetVerdict {
  const measured = Number.isFinite(value);
  return {
    id,
    label,
    target: `${op === '<=' ? '≤' : '≥'} ${limit}${unit}`,
    value,
    shown: measured ? `${value.toFixed(digits)}${unit}` : 'n/a',
    met: measured ? (op === '<=' ? value <= limit : value >= limit) : null,
  };
}

/** "met" / "NOT met" / "not measured". */
export function verdictWord(v: Pick<TargetVerdict, 'met'>): string {
  return v.met === null ? 'not measured' : v.met ? 'met' : 'NOT met';
}

/** A number for a table cell: fixed digits, '—' for NaN/undefined. */
export function fmt(x: number | undefined | null, digits = 1): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** "median / p95" of a summary, or '—' when it is empty. */
export function fmtSummary(s: Summary | undefined, digits = 1): string {
  return !s || s.n === 0 ? '—' : `${fmt(s.median, digits)} / ${fmt(s.p95, digits)}`;
}

/** Bytes as "1.23 MiB" / "456 KiB" / "78 B". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (a >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  if (a >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

/** A fraction as a signed percentage, e.g. "+3.2%". */
export function fmtPercent(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%` : '—';
}

/** Plain-text table: columns padded to their widest cell, a dashed rule under the header. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (i: number) => Math.max(header[i]!.length, ...rows.map((r) => (r[i] ?? '').length));
  const widths = header.map((_, i) => width(i));
  const line = (r: readonly string[]) =>
    widths
      .map((w, i) => (r[i] ?? '').padEnd(w))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** GitHub-flavoured markdown table (pipes in cells escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const line = (r: readonly string[]) => `| ${header.map((_, i) => cell(r[i] ?? '')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * Replace the block between `<!-- name:start -->` and `<!-- name:end -->` in `doc` with `body` (markers
 * kept); appends a new block at the end when the markers are absent.
 */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = i < 0 ? -1 : doc.indexOf(end, i);
  if (i < 0 || j < 0) return `${doc.trimEnd()}${doc.trim() ? '\n\n' : ''}${block}\n`;
  return doc.slice(0, i) + block + doc.slice(j + end.length);
}

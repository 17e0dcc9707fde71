/**
 * Small statistics for evaluation reports: the Wilson score interval of a binomial proportion (success
 * rates with few episodes, where the normal approximation fails near 0 and 1), Fisher's exact test of two
 * success counts, and formatting helpers.
 * Pure; must not import DOM, three.js, ORT, React or mujoco.
 */

/** Two-sided 95% standard normal quantile, Φ⁻¹(0.975). */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for `successes` out of `trials` (Wilson 1927):
 * center = (p̂ + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
 * Returns [lo, hi] clamped to [0, 1]; [0, 1] when trials is 0.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): [number, number] {
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`wilsonInterval: bad trials ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`wilsonInterval: successes ${successes} is not in [0, ${trials}]`);
  }
  if (trials === 0) return [0, 1];
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At p̂ = 0 or 1 the bound is exactly 0 or 1; pin it against rounding.
  const lo = successes === 0 ? 0 : Math.max(0, center - half);
  const hi = successes === n ? 1 : Math.min(1, center + half);
  return [lo, hi];
}

/** Success rate k / n (0 when n is 0). */
export function rate(successes: number, trials: number): number {
  return trials > 0 ? successes / trials : 0;
}

/** `0.4567` → `"45.7%"` (digits after the point, default 1). */
export function formatPercent(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** `"7/9  77.8% [45.3–93.7]"`: count, rate and its 95% Wilson interval in percent. */
export function formatRate(successes: number, trials: number, digits = 1): string {
  if (trials === 0) return '—';
  const [lo, hi] = wilsonInterval(successes, trials);
  return `${successes}/${trials} ${formatPercent(rate(successes, trials), digits)} [${(100 * lo).toFixed(digits)}–${(100 * hi).toFixed(digits)}]`;
}

/** ln C(n, k) as a sum of logs (exact enough for the episode counts of an eval, n ≤ a few thousand). */
function logChoose(n: number, k: number): number {
  let s = 0;
  const m = Math.min(k, n - k);
  for (let i = 1; i <= m; i++) s += Math.log(n - m + i) - Math.log(i);
  return s;
}

/**
 * One-sided Fisher exact test (Fisher 1935) that A's success rate exceeds B's: the probability, with both
 * groups' sizes and the total number of successes fixed and no difference between the groups, that A gets
 * `successesA` or more successes. Under that null A's count is hypergeometric:
 * P(X = x) = C(K, x) · C(N − K, nA − x) / C(N, nA), N = nA + nB, K = successesA + successesB.
 */
export function fisherExactGreater(
  successesA: number,
  trialsA: number,
  successesB: number,
  trialsB: number,
): number {
  for (const [k, n] of [
    [successesA, trialsA],
    [successesB, trialsB],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || k > n)
      throw new RangeError(`fisherExactGreater: ${k} successes out of ${n} trials`);
  }
  const N = trialsA + trialsB;
  const K = successesA + successesB;
  // A's fewest possible successes: every table counts, so the sum is 1 (exactly, not by rounding).
  if (successesA <= Math.max(0, K - trialsB)) return 1;
  const xMax = Math.min(K, trialsA);
  const logTotal = logChoose(N, trialsA);
  let p = 0;
  for (let x = successesA; x <= xMax; x++) {
    p += Math.exp(logChoose(K, x) + logChoose(N - K, trialsA - x) - logTotal);
  }
  return Math.min(1, p);
}

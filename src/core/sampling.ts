/**
 * Choosing action tokens from decoder logits: restrict to the action-token range
 * [vocab_size − bins, vocab_size), softmax → per-dimension probabilities, then greedy
 * argmax or seeded temperature / top-k sampling (Rng from ./prng). Pure; must not
 * import DOM, three.js, ORT or React.
 */
import { InvalidLogitsError } from './errors';
import type { Rng } from './prng';

/** How a token is chosen without sampling: the most likely bin, or the distribution's median bin. */
export const DECODINGS = ['argmax', 'median'] as const;
export type Decoding = (typeof DECODINGS)[number];

export interface SamplingOptions {
  /** 0 or undefined: deterministic (`decoding`). > 0: sample from softmax(logits / temperature). */
  temperature?: number;
  /**
   * Without sampling: 'argmax' (greedy) or 'median' — the first bin at which the cumulative probability
   * reaches ½. Bins are ordered values of one action dimension, so where the model splits its mass between
   * two values (e.g. "keep moving" and "arrived"), the median follows the majority side and lands between
   * the modes instead of jumping to whichever peak is a little higher. @default 'argmax'
   */
  decoding?: Decoding;
  /** Keep only the k most likely action tokens before sampling (0/undefined: all). */
  topK?: number;
}

/**
 * Softmax over the action-token slice of one logits row. `logits[rowOffset + id]` for id in
 * [vocabSize − bins, vocabSize); writes `bins` probabilities to `out[outOffset …]` (slot order:
 * slot k is id vocabSize − bins + k). Throws InvalidLogitsError on NaN/±Inf.
 */
export function actionProbs(
  logits: ArrayLike<number>,
  rowOffset: number,
  vocabSize: number,
  bins: number,
  out: Float32Array,
  outOffset: number,
  temperature = 1,
): void {
  const start = rowOffset + vocabSize - bins;
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < bins; k++) {
    const v = logits[start + k]!;
    if (!Number.isFinite(v))
      throw new InvalidLogitsError(
        `the model produced a non-finite logit (${v}) for action token ${vocabSize - bins + k}`,
      );
    if (v > max) max = v;
  }
  let sum = 0;
  for (let k = 0; k < bins; k++) {
    const e = Math.exp((logits[start + k]! - max) / temperature);
    out[outOffset + k] = e;
    sum += e;
  }
  for (let k = 0; k < bins; k++) out[outOffset + k] = out[outOffset + k]! / sum;
}

/** First index k with p[offset] + … + p[offset + k] ≥ ½ of the total of `p[offset … offset + n)`. */
export function medianIndex(p: ArrayLike<number>, offset: number, n: number): number {
  let total = 0;
  for (let k = 0; k < n; k++) total += p[offset + k]!;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += p[offset + k]!;
    if (acc >= total / 2) return k;
  }
  return n - 1;
}

/** Index of the largest value in `p[offset … offset + n)` (first on ties). */
export function argmax(p: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bv = p[offset]!;
  for (let k = 1; k < n; k++) {
    const v = p[offset + k]!;
    if (v > bv) {
      bv = v;
      best = k;
    }
  }
  return best;
}

const scratch = { p: new Float32Array(0), order: [] as number[] };

/**
 * Choose one action token from a logits row. Writes the model's distribution at temperature 1
 * (what the UI shows) into `probsOut[probsOffset …]` and returns the chosen token id.
 */
export function chooseActionToken(
  logits: ArrayLike<number>,
  rowOffset: number,
  vocabSize: number,
  bins: number,
  probsOut: Float32Array,
  probsOffset: number,
  options: SamplingOptions = {},
  rng?: Rng,
): number {
  actionProbs(logits, rowOffset, vocabSize, bins, probsOut, probsOffset, 1);
  const start = vocabSize - bins;
  const t = options.temperature ?? 0;
  if (!(t > 0))
    return (
      start +
      (options.decoding === 'median'
        ? medianIndex(probsOut, probsOffset, bins)
        : argmax(probsOut, probsOffset, bins))
    );
  if (!rng) throw new Error('chooseActionToken: sampling (temperature > 0) needs an Rng');
  if (scratch.p.length < bins) scratch.p = new Float32Array(bins);
  const p = scratch.p;
  actionProbs(logits, rowOffset, vocabSize, bins, p, 0, t);
  const k = options.topK && options.topK > 0 ? Math.min(options.topK, bins) : bins;
  if (k < bins) {
    const order = scratch.order;
    order.length = 0;
    for (let i = 0; i < bins; i++) order.push(i);
    order.sort((a, b) => p[b]! - p[a]! || a - b);
    const keep = new Set(order.slice(0, k));
    let sum = 0;
    for (let i = 0; i < bins; i++) {
      if (!keep.has(i)) p[i] = 0;
      sum += p[i]!;
    }
    for (let i = 0; i < bins; i++) p[i] = p[i]! / sum;
  }
  const u = rng.next();
  let acc = 0;
  let last = 0;
  for (let i = 0; i < bins; i++) {
    if (p[i]! <= 0) continue;
    last = i;
    acc += p[i]!;
    if (u < acc) return start + i;
  }
  return start + last;
}

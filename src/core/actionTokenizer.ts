/**
 * OpenVLA action tokenization: `bins` bin edges linspace(−1, 1, bins), bins − 1 centers;
 * token id = vocab_size − digitize(a); decode index = vocab_size − id, clip(index − 1, 0, bins − 2),
 * then the bin center; BOUNDS_Q99 un-normalization a = 0.5 (a + 1)(q99 − q01) + q01 where mask.
 * Pure; must not import DOM, three.js, ORT or React.
 */
import type { ActionSpec, NormStats } from './manifest';

/** numpy.linspace(-1, 1, bins): start + i·step, last edge exactly 1. */
export function binEdges(bins: number): Float64Array {
  const e = new Float64Array(bins);
  const step = 2 / (bins - 1);
  for (let i = 0; i < bins; i++) e[i] = -1 + i * step;
  e[bins - 1] = 1;
  return e;
}

/** The bins − 1 bin centers (edges[i] + edges[i + 1]) / 2. */
export function binCenters(bins: number): Float64Array {
  const e = binEdges(bins);
  const c = new Float64Array(bins - 1);
  for (let i = 0; i < bins - 1; i++) c[i] = (e[i]! + e[i + 1]!) / 2;
  return c;
}

const centersCache = new Map<number, Float64Array>();
function centers(bins: number): Float64Array {
  let c = centersCache.get(bins);
  if (!c) {
    c = binCenters(bins);
    centersCache.set(bins, c);
  }
  return c;
}

/** First action token id: vocab_size − bins. Action tokens are [start, vocab_size). */
export function actionTokenStart(vocabSize: number, bins: number): number {
  return vocabSize - bins;
}

export function isActionToken(id: number, vocabSize: number, bins: number): boolean {
  return Number.isInteger(id) && id >= vocabSize - bins && id < vocabSize;
}

/** numpy.digitize(x, edges) (right=False): the number of edges ≤ x, in [0, bins]. */
function digitize(x: number, edges: Float64Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Normalized action value in [−1, 1] (clipped) → token id, OpenVLA `vocab_size − digitize(a)`. */
export function normalizedToToken(a: number, vocabSize: number, bins: number): number {
  const x = Math.min(1, Math.max(-1, a));
  return vocabSize - digitize(x, binEdges(bins));
}

/** Token id → normalized action value (a bin center). Ids outside the action range clip to the end bins. */
export function tokenToNormalized(id: number, vocabSize: number, bins: number): number {
  const idx = Math.min(bins - 2, Math.max(0, vocabSize - id - 1));
  return centers(bins)[idx]!;
}

/** Vocabulary slot k = id − start (0 … bins − 1) → normalized value; probs arrays are indexed by slot. */
export function slotToNormalized(slot: number, bins: number): number {
  return centers(bins)[Math.min(bins - 2, Math.max(0, bins - 1 - slot))]!;
}

/** BOUNDS_Q99 un-normalization of one action vector; dims where mask is false pass through. */
export function unnormalize(normalized: ArrayLike<number>, stats: NormStats): number[] {
  const out: number[] = new Array(normalized.length);
  for (let i = 0; i < normalized.length; i++) {
    const a = normalized[i]!;
    out[i] = stats.mask[i] ? 0.5 * (a + 1) * (stats.q99[i]! - stats.q01[i]!) + stats.q01[i]! : a;
  }
  return out;
}

/** BOUNDS_Q99 normalization (inverse of `unnormalize`, clipped to [−1, 1]) where mask is true. */
export function normalize(action: ArrayLike<number>, stats: NormStats): number[] {
  const out: number[] = new Array(action.length);
  for (let i = 0; i < action.length; i++) {
    const a = action[i]!;
    if (!stats.mask[i]) {
      out[i] = a;
      continue;
    }
    const n = (2 * (a - stats.q01[i]!)) / (stats.q99[i]! - stats.q01[i]! + 1e-8) - 1;
    out[i] = Math.min(1, Math.max(-1, n));
  }
  return out;
}

/** Action token ids → { normalized values, un-normalized action } with the spec's `unnorm_key` stats. */
export function detokenizeActions(
  ids: ArrayLike<number>,
  spec: Pick<ActionSpec, 'vocab_size' | 'bins'>,
  stats: NormStats,
): { normalized: number[]; action: number[] } {
  const normalized: number[] = [];
  for (let i = 0; i < ids.length; i++)
    normalized.push(tokenToNormalized(ids[i]!, spec.vocab_size, spec.bins));
  return { normalized, action: unnormalize(normalized, stats) };
}

/** Continuous action → token ids (normalize, then discretize); the training-side inverse. */
export function tokenizeActions(
  action: ArrayLike<number>,
  spec: Pick<ActionSpec, 'vocab_size' | 'bins'>,
  stats: NormStats,
): number[] {
  return normalize(action, stats).map((a) => normalizedToToken(a, spec.vocab_size, spec.bins));
}

/**
 * The random-action baseline as an EpisodeRunner action source: every step draws each action dimension
 * uniformly in [low, high) — the model's un-normalized q01..q99 range — from a seeded PRNG, so the same
 * seed gives the same actions. The floor an evaluated policy must clear. Imports core only.
 */
import type { NormStats } from '../core/manifest';
import { mix32, Rng } from '../core/prng';
import type { Action } from '../core/types';
import type { ActionSource } from './EpisodeRunner';

export interface RandomSourceOptions {
  /** Per-dimension lower bounds, manifest units. */
  low: readonly number[];
  /** Per-dimension upper bounds, manifest units (same length as low). */
  high: readonly number[];
  /** PRNG seed (e.g. the episode seed). */
  seed: number;
}

/** Salt so the action stream is unrelated to the scene stream of the same seed. */
const RANDOM_SALT = 0x7a4d0b5e;

export class RandomSource implements ActionSource {
  /** Runs where a policy would: the runner, UI and records treat it as one. */
  readonly kind = 'policy' as const;
  private readonly low: readonly number[];
  private readonly high: readonly number[];
  private readonly rng: Rng;

  constructor(options: RandomSourceOptions) {
    const { low, high } = options;
    if (low.length !== high.length || low.length === 0) {
      throw new Error(
        `RandomSource: low (${low.length}) and high (${high.length}) must be non-empty, same length`,
      );
    }
    low.forEach((lo, i) => {
      if (!(Number.isFinite(lo) && Number.isFinite(high[i]!) && high[i]! >= lo)) {
        throw new Error(`RandomSource: bad range [${lo}, ${high[i]}] for dimension ${i}`);
      }
    });
    this.low = low.slice();
    this.high = high.slice();
    this.rng = new Rng(mix32((options.seed | 0) ^ RANDOM_SALT));
  }

  /** The range of a model's un-normalization statistics (q01..q99 per dimension, every dimension). */
  static rangeOf(stats: NormStats): { low: number[]; high: number[] } {
    return { low: stats.q01.slice(), high: stats.q99.slice() };
  }

  act(): Action {
    const out = new Array<number>(this.low.length);
    for (let i = 0; i < out.length; i++) out[i] = this.rng.uniform(this.low[i]!, this.high[i]!);
    return out;
  }
}

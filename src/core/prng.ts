/**
 * Seeded pseudo-random numbers for scenes, noise and sampling (pure; no DOM).
 * Mulberry32 over a 32-bit state, seeded through splitmix32 so nearby seeds
 * give unrelated streams. Same seed → same sequence in Node and the browser.
 */

/** Hash a 32-bit integer (splitmix32 finalizer). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Deterministic PRNG. `next()` is uniform in [0, 1). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(Math.trunc(seed) | 0);
  }

  /** Uniform float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /**
   * Approximately standard normal (Irwin–Hall: sum of 12 uniforms − 6, support ±6). Arithmetic
   * only, so bit-identical in every JS engine, unlike Box–Muller's Math.log/Math.cos.
   */
  normal(): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += this.next();
    return s - 6;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** A derived generator, independent of this one's future draws. */
  fork(salt: number): Rng {
    return new Rng(mix32(this.state ^ mix32(salt)));
  }
}

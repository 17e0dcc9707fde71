/**
 * `window.vla.runRandom({ seed, task, maxSteps? })`: the random-action baseline on the same scene an
 * evaluated policy gets (RandomSource over the loaded model's q01..q99 range, seeded by the episode seed),
 * run fast on the app's EpisodeRunner. Added with extendAutomation. Must not import React or ORT.
 */
import { unnormStats } from '../core/manifest';
import { extendAutomation } from './automation';
import { RandomSource } from './RandomSource';
import type { AppState } from './store';

export interface VlaRandomResult {
  success: boolean;
  steps: number;
  reason: string;
  /** Actions applied, [steps][dims]. */
  actions: number[][];
}

export interface VlaRandomApi {
  /**
   * Reset to (seed, task) and run uniform random actions until success or maxSteps (default: the policy's
   * max steps). The range is the loaded model's q01..q99 unless `low`/`high` are given; `randomSeed`
   * defaults to `seed`.
   */
  runRandom(args: {
    seed: number;
    task: string;
    maxSteps?: number;
    randomSeed?: number;
    low?: number[];
    high?: number[];
  }): Promise<VlaRandomResult>;
}

interface Store {
  getState(): AppState;
  subscribe(l: (s: AppState) => void): () => void;
}

/** The loaded model's manifest, waiting for a load in progress; null when none is or will be loaded. */
function loadedManifest(store: Store) {
  return new Promise<NonNullable<AppState['model']['info']>['manifest'] | null>((resolve) => {
    const check = (s: AppState): boolean => {
      if (s.model.status === 'ready' && s.model.info) resolve(s.model.info.manifest);
      else if (s.model.status === 'error') resolve(null);
      else return false;
      return true;
    };
    if (check(store.getState())) return;
    const off = store.subscribe((s) => {
      if (check(s)) off();
    });
  });
}

export function createRandomAutomation(store: Store): VlaRandomApi {
  return {
    runRandom: async ({ seed, task, maxSteps, randomSeed, low, high }) => {
      let range: { low: number[]; high: number[] };
      if (low && high) range = { low, high };
      else {
        const manifest = await loadedManifest(store);
        if (!manifest)
          throw new Error('runRandom: no model is loaded (pass low and high to run without one)');
        range = RandomSource.rangeOf(unnormStats(manifest));
      }
      const get = store.getState;
      const world = get().world;
      if (!world) throw new Error('runRandom: the world is not loaded yet');
      await get().resetScene(seed, task);
      const source = new RandomSource({ ...range, seed: randomSeed ?? seed });
      const r = await world.runner.run(source, { pace: 'fast', maxSteps: maxSteps ?? get().policyMaxSteps });
      return { success: r.success, steps: r.steps, reason: r.reason, actions: r.actions };
    },
  };
}

/** Add runRandom to window.vla. */
export function installRandomAutomation(store: Store): VlaRandomApi {
  const api = createRandomAutomation(store);
  extendAutomation(api as unknown as Record<string, unknown>);
  return api;
}

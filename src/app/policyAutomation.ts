/**
 * The policy calls of `window.vla` (ready, setExecutionProvider, loadModel, predict, runEpisode), added
 * with extendAutomation. They go through the same store actions as the UI, so the page shows what
 * automation does. Results are plain arrays (structured-clone friendly for Playwright).
 */
import type { ExecutionProvider, ExecutionProviderPreference, PolicyStep } from '../core/policy';
import { extendAutomation } from './automation';
import { installRandomAutomation } from './randomAutomation';
import type { AppState } from './store';

export interface VlaPredictResult {
  tokens: number[];
  /** Un-normalized action, manifest units. */
  action: number[];
  /** [dims][bins] probability of each action bin. */
  probs: number[][];
  /** [dims][keys] attention of each action token over the sequence, mean over layers and heads. */
  attention?: number[][];
  /** preprocessMs, visionMs, embedMs, prefillMs, decodeMs (sum), decode1Ms…, detokenizeMs, totalMs. */
  timings: Record<string, number>;
}

export interface VlaEpisodeResult {
  success: boolean;
  steps: number;
  reason: string;
  /** Actions applied, [steps][7]. */
  actions: number[][];
  /** Action tokens of each step, [steps][dims]. */
  tokens: number[][];
  /** Wall time of each step (capture, predict, IK, physics), ms. */
  stepMs: number[];
}

export interface VlaPolicyApi {
  /** Resolves once the model is loaded (rejects if loading it failed). */
  ready(): Promise<{ modelId: string; executionProvider: ExecutionProvider }>;
  setExecutionProvider(ep: ExecutionProviderPreference): Promise<{ executionProvider: ExecutionProvider }>;
  /** A bundled model id or a folder URL. */
  loadModel(urlOrId: string): Promise<{ modelId: string }>;
  /** One policy step on the current frame (after resetting to seed/task when given); the arm does not move. */
  predict(args: { instruction: string; seed?: number; task?: string }): Promise<VlaPredictResult>;
  /** Reset to (seed, task) and run the policy as fast as possible until success or maxSteps. */
  runEpisode(args: {
    seed: number;
    task: string;
    instruction?: string;
    maxSteps?: number;
  }): Promise<VlaEpisodeResult>;
}

/** Flatten a PolicyStep into the automation result shape. */
export function toPredictResult(step: PolicyStep): VlaPredictResult {
  const dims = step.tokens.length;
  const bins = dims > 0 ? step.probs.length / dims : 0;
  const probs: number[][] = [];
  for (let d = 0; d < dims; d++) probs.push(Array.from(step.probs.subarray(d * bins, (d + 1) * bins)));
  const t = step.timings;
  const timings: Record<string, number> = {
    preprocessMs: t.preprocessMs,
    visionMs: t.visionMs,
    embedMs: t.embedMs,
    prefillMs: t.prefillMs,
    decodeMs: t.decodeMs.reduce((a, b) => a + b, 0),
    detokenizeMs: t.detokenizeMs,
    totalMs: t.totalMs,
  };
  t.decodeMs.forEach((ms, i) => {
    timings[`decode${i + 1}Ms`] = ms;
  });
  const out: VlaPredictResult = { tokens: [...step.tokens], action: [...step.action], probs, timings };
  if (step.attention) {
    const [D, L, H, K] = step.attention.shape;
    const a = step.attention.data;
    const att: number[][] = [];
    for (let d = 0; d < D; d++) {
      const row = new Array<number>(K).fill(0);
      for (let l = 0; l < L; l++)
        for (let h = 0; h < H; h++) {
          const base = ((d * L + l) * H + h) * K;
          for (let k = 0; k < K; k++) row[k]! += a[base + k]! / (L * H);
        }
      att.push(row);
    }
    out.attention = att;
  }
  return out;
}

/** Wait until the model is ready; reject when it failed with nothing loaded. */
function waitForModel(store: {
  getState(): AppState;
  subscribe(l: (s: AppState) => void): () => void;
}): Promise<AppState['model']> {
  return new Promise((resolve, reject) => {
    const check = (s: AppState): boolean => {
      const m = s.model;
      if (m.status === 'ready' && m.info) {
        resolve(m);
        return true;
      }
      if (m.status === 'error') {
        reject(new Error(`model ${m.ref} failed to load: ${m.error?.message ?? 'unknown error'}`));
        return true;
      }
      return false;
    };
    if (check(store.getState())) return;
    const off = store.subscribe((s) => {
      if (check(s)) off();
    });
  });
}

export function createPolicyAutomation(store: {
  getState(): AppState;
  subscribe(l: (s: AppState) => void): () => void;
}): VlaPolicyApi {
  const get = store.getState;
  return {
    ready: async () => {
      const m = await waitForModel(store);
      return { modelId: m.info!.id, executionProvider: m.info!.executionProvider };
    },
    setExecutionProvider: async (ep) => {
      await waitForModel(store);
      const info = await get().setExecutionProvider(ep);
      return { executionProvider: info.executionProvider };
    },
    loadModel: async (urlOrId) => {
      const info = await get().loadModel(urlOrId);
      return { modelId: info.id };
    },
    predict: async ({ instruction, seed, task }) => {
      await waitForModel(store);
      if (seed !== undefined || task !== undefined)
        await get().resetScene(seed ?? get().seed, task ?? get().task);
      const record = await get().predictHere(instruction);
      return toPredictResult(record.result);
    },
    runEpisode: async ({ seed, task, instruction, maxSteps }) => {
      await waitForModel(store);
      const text = await get().resetScene(seed, task);
      // The Policy panel shows what this call runs: its instruction (when it is not the scene's
      // default) and its step limit, so a screenshot or a person watching reads the truth.
      get().setPolicyInstruction(instruction !== undefined && instruction !== text ? instruction : null);
      if (maxSteps !== undefined) get().setPolicyMaxSteps(maxSteps);
      const r = await get().runPolicy({
        pace: 'fast',
        instruction: instruction ?? text,
        taskFromInstruction: false, // the caller named the task: check that one
        ...(maxSteps === undefined ? {} : { maxSteps }),
      });
      if (!r) throw new Error('runEpisode: the policy did not run');
      return {
        success: r.success,
        steps: r.steps,
        reason: r.reason,
        actions: r.actions,
        tokens: get().policyRecords.map((rec) => [...rec.result.tokens]),
        stepMs: r.stepMs,
      };
    },
  };
}

/** Add the policy calls to window.vla. */
export function installPolicyAutomation(store: {
  getState(): AppState;
  subscribe(l: (s: AppState) => void): () => void;
}): VlaPolicyApi {
  const api = createPolicyAutomation(store);
  extendAutomation(api as unknown as Record<string, unknown>);
  installRandomAutomation(store); // window.vla.runRandom: the random-action baseline
  return api;
}

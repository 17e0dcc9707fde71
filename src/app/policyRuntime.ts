/**
 * Starts the policy side of the app: reads `?instruction=…&ep=…&model=…&autorun=1`, spawns the inference
 * worker client, binds the runner's resets to the policy records, adds the policy calls to window.vla and
 * loads the model (then runs it when autorun is set). Must not import React.
 */
import type { ExecutionProviderPreference } from '../core/policy';
import { createWorkerPolicy } from '../inference/client';
import type { EpisodeRunner } from './EpisodeRunner';
import { DEFAULT_MODEL_ID } from './models';
import { installPolicyAutomation } from './policyAutomation';
import type { AppState } from './store';

export interface PolicyUrlParams {
  instruction?: string;
  ep?: ExecutionProviderPreference;
  /** A bundled model id or a folder URL. */
  model?: string;
  autorun: boolean;
}

const EPS: readonly ExecutionProviderPreference[] = ['auto', 'webgpu', 'wasm'];

/** Parse the policy's URL parameters; invalid values are dropped with a warning. */
export function readPolicyParams(search: string): PolicyUrlParams {
  const q = new URLSearchParams(search);
  const out: PolicyUrlParams = { autorun: ['1', 'true', 'yes'].includes(q.get('autorun') ?? '') };
  const instruction = q.get('instruction');
  if (instruction?.trim()) out.instruction = instruction;
  const ep = q.get('ep');
  if (ep) {
    if ((EPS as readonly string[]).includes(ep)) out.ep = ep as ExecutionProviderPreference;
    else console.warn(`ignoring ?ep=${ep}: expected one of ${EPS.join(', ')}`);
  }
  const model = q.get('model');
  if (model?.trim()) out.model = model.trim();
  return out;
}

interface Store {
  getState(): AppState;
  setState(partial: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void;
  subscribe(l: (s: AppState, prev: AppState) => void): () => void;
}

/**
 * Clear the policy records on every reset, and let the instruction box follow the default instruction
 * again when the task changes. Returns an unsubscribe function.
 */
export function bindPolicyRecords(runner: Pick<EpisodeRunner, 'subscribe'>, store: Store): () => void {
  const offRunner = runner.subscribe((e) => {
    if (e.type === 'reset') store.getState().clearPolicyRecords();
  });
  const offStore = store.subscribe((s, prev) => {
    if (s.task !== prev.task && s.policyInstruction !== null) store.setState({ policyInstruction: null });
  });
  return () => {
    offRunner();
    offStore();
  };
}

/** Start the policy runtime after the world is up (bootstrap calls this once). */
export async function startPolicy(search: string, store: Store): Promise<void> {
  const params = readPolicyParams(search);
  const state = store.getState();
  const world = state.world;
  if (!world) return;
  bindPolicyRecords(world.runner, store);
  store.setState((s) => ({
    model: { ...s.model, epPreference: params.ep ?? s.model.epPreference },
    ...(params.instruction ? { policyInstruction: params.instruction } : {}),
    matchCameraToModel: !new URLSearchParams(search).has('cam'),
  }));
  state.setPolicy(createWorkerPolicy());
  installPolicyAutomation(store);
  try {
    await store.getState().loadModel(params.model ?? DEFAULT_MODEL_ID);
  } catch (err) {
    console.warn('model failed to load:', err instanceof Error ? err.message : err);
    return;
  }
  if (params.autorun)
    await store
      .getState()
      .runPolicy()
      .catch((e: unknown) => console.warn('autorun:', e));
}

/**
 * Starts the policy side of the app: reads `?instruction=…&ep=…&model=…&autorun=1`, spawns the inference
 * worker client, binds the runner's resets to the policy records, adds the policy calls to window.vla and
 * loads the model (then runs it when autorun is set). Must not import React.
 */
import type { ExecutionProviderPreference } from '../core/policy';
import { DECODINGS, type Decoding } from '../core/sampling';
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
  /** `?decoding=argmax|median`: override the model's decoding (PolicySlice.policyDecoding). */
  decoding?: Decoding;
  autorun: boolean;
}

const EPS: readonly ExecutionProviderPreference[] = ['auto', 'webgpu', 'wasm'];

/** `?autorun=1|true|yes`. */
function autorunOf(search: string): boolean {
  return ['1', 'true', 'yes'].includes(new URLSearchParams(search).get('autorun') ?? '');
}

/** Parse the policy's URL parameters; invalid values are dropped with a warning. */
export function readPolicyParams(search: string): PolicyUrlParams {
  const q = new URLSearchParams(search);
  const out: PolicyUrlParams = { autorun: autorunOf(search) };
  const instruction = q.get('instruction');
  if (instruction?.trim()) out.instruction = instruction;
  const ep = q.get('ep');
  if (ep) {
    if ((EPS as readonly string[]).includes(ep)) out.ep = ep as ExecutionProviderPreference;
    else console.warn(`ignoring ?ep=${ep}: expected one of ${EPS.join(', ')}`);
  }
  const model = q.get('model');
  if (model?.trim()) out.model = model.trim();
  const decoding = q.get('decoding');
  if (decoding) {
    if ((DECODINGS as readonly string[]).includes(decoding)) out.decoding = decoding as Decoding;
    else console.warn(`ignoring ?decoding=${decoding}: expected one of ${DECODINGS.join(', ')}`);
  }
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

/**
 * Spawn the inference worker and start loading the model right away, before the world is up, so that the
 * download and the ORT session creation overlap MuJoCo's start (bootstrap calls this first, then
 * startPolicy with the returned promise). Resolves when the load has settled (a failed load is logged
 * and shown in the model panel; it never rejects).
 */
export function preloadPolicy(search: string, store: Store): Promise<boolean> {
  const params = readPolicyParams(search);
  store.setState((s) => ({
    model: { ...s.model, epPreference: params.ep ?? s.model.epPreference },
    ...(params.instruction ? { policyInstruction: params.instruction } : {}),
    ...(params.decoding ? { policyDecoding: params.decoding } : {}),
    matchCameraToModel: !new URLSearchParams(search).has('cam'),
  }));
  store.getState().setPolicy(createWorkerPolicy());
  installPolicyAutomation(store);
  return store
    .getState()
    .loadModel(params.model ?? DEFAULT_MODEL_ID)
    .then(
      () => true,
      (err: unknown) => {
        console.warn('model failed to load:', err instanceof Error ? err.message : err);
        return false;
      },
    );
}

/**
 * Start the policy runtime once the world is up (bootstrap calls this once): bind the runner's resets to
 * the policy records, and — after the model load started by preloadPolicy (or here, without one) —
 * size the model camera for the model and autorun when asked.
 */
export async function startPolicy(search: string, store: Store, preload?: Promise<boolean>): Promise<void> {
  const world = store.getState().world;
  if (!world) return;
  bindPolicyRecords(world.runner, store);
  const loaded = await (preload ?? preloadPolicy(search, store));
  if (!loaded) return;
  // A model that loaded before the world existed could only record its camera size in the store.
  store.getState().matchCameraToLoadedModel();
  if (autorunOf(search))
    await store
      .getState()
      .runPolicy()
      .catch((e: unknown) => console.warn('autorun:', e));
}

/**
 * Store slice for the policy: the worker-backed Policy handle, the loaded model (info, EP and why, load
 * progress, the last error), the instruction box, and the current episode's full per-step policy records
 * (frames, tokens, probs, attention, timings) that the visualizations and timeline read.
 * Actions drive the EpisodeRunner through PolicySource: run, pause/resume, single step. Runtime faults the
 * client reports are handled here: a crashed worker interrupts the policy episode (its records are kept)
 * and is restarted; a WebGPU → WASM fallback updates the model info. Both leave a notice for the panel.
 */
import { PolicyInputError } from '../../core/errors';
import { taskForInstruction } from '../../core/instructionTask';
import type {
  ExecutionProviderPreference,
  LoadProgress,
  ModelInfo,
  ModelSource,
  Policy,
} from '../../core/policy';
import { checkInstruction } from '../../core/prompt';
import type { Decoding } from '../../core/sampling';
import type { WorkerPolicy, WorkerPolicyEvent } from '../../inference/client';
import { DEFAULT_MAX_STEPS, type EpisodeResult, type RunOptions } from '../EpisodeRunner';
import { DEFAULT_MODEL_ID, resolveModelRef } from '../models';
import { PolicySource, type PolicyStepRecord } from '../PolicySource';
import type { SliceCreator } from './types';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

/** A policy handle the slice can use: the worker client, or (tests) anything with the same calls. */
export type AppPolicy = Policy &
  Pick<WorkerPolicy, 'setExecutionProvider'> &
  Partial<Pick<WorkerPolicy, 'restart' | 'onEvent'>> & {
    readonly info: ModelInfo | null;
  };

export interface ModelError {
  /** Error class name, e.g. ManifestError, ModelLoadError. */
  name: string;
  message: string;
  /** What was being done: 'load' | 'execution-provider' | 'predict'. */
  during: string;
}

/** A runtime fault the app recovered from (shown in the model panel until the next load). */
export interface ModelNotice {
  kind: 'worker-restarted' | 'device-lost';
  message: string;
}

export interface ModelView {
  status: ModelStatus;
  /** What was asked for: a bundled id, a URL or a folder name. */
  ref: string;
  /** The model in use (kept when a later load fails: the old one still runs). */
  info: ModelInfo | null;
  progress: LoadProgress | null;
  error: ModelError | null;
  notice: ModelNotice | null;
  /** The EP preference the user chose. */
  epPreference: ExecutionProviderPreference;
}

export interface PolicySlice {
  policy: AppPolicy | null;
  model: ModelView;
  /** The instruction box text; null follows the task's default instruction. */
  policyInstruction: string | null;
  /** Max control steps of a policy episode. */
  policyMaxSteps: number;
  /** How tokens are chosen: the model's default (manifest action.decoding, else argmax), or an override. */
  policyDecoding: PolicyDecoding;
  setPolicyDecoding(d: PolicyDecoding): void;
  /** Set the model camera to the model's input size on load (false when `?cam=` fixed it). */
  matchCameraToModel: boolean;
  /**
   * Size the model camera for the loaded model, as a load does (no-op without a model or when
   * matchCameraToModel is off): for a model that loaded before the world was up.
   */
  matchCameraToLoadedModel(): void;
  /** The current episode's policy steps, in order (cleared on reset). */
  policyRecords: PolicyStepRecord[];
  /** The latest prediction (an episode step or a one-off predict). */
  lastPrediction: PolicyStepRecord | null;
  /** Install the policy handle (bootstrap: the worker client; tests: an in-process policy). */
  setPolicy(policy: AppPolicy): void;
  /** Load a bundled model id or a folder URL. Rejects (and shows the error) on failure. */
  loadModel(ref: string): Promise<ModelInfo>;
  /** Load a local folder's files (paths relative to the folder). */
  loadModelFiles(files: Record<string, Blob>, label: string): Promise<ModelInfo>;
  setExecutionProvider(ep: ExecutionProviderPreference): Promise<ModelInfo>;
  setPolicyInstruction(text: string | null): void;
  setPolicyMaxSteps(n: number): void;
  /** The instruction the policy gets: the box text, or the task default. */
  effectiveInstruction(): string;
  /**
   * Run the policy (resuming a paused episode; a finished one is reset first). `pace` defaults to the
   * UI's playback pace; real time means the model's control rate × speed.
   */
  runPolicy(options?: {
    pace?: 'realtime' | 'fast';
    maxSteps?: number;
    instruction?: string;
    /**
     * Check success for the task the instruction asks for in this scene (core/instructionTask.ts) rather
     * than the scene's own, when it names another block or target (default true; window.vla.runEpisode,
     * whose caller names the task, passes false).
     */
    taskFromInstruction?: boolean;
  }): Promise<EpisodeResult | null>;
  /** One policy step, then pause. */
  stepPolicy(): Promise<EpisodeResult | null>;
  pausePolicy(): Promise<void>;
  /** Space: pause a running episode, resume a paused one. */
  togglePolicyPause(): Promise<void>;
  /** One prediction on the current frame; the arm does not move. */
  predictHere(instruction?: string): Promise<PolicyStepRecord>;
  clearPolicyRecords(): void;
}

/** 'model': whatever the manifest's action.decoding says (argmax when it says nothing). */
export type PolicyDecoding = 'model' | Decoding;

/** PolicySource options for a decoding choice: none for 'model' (the runtime then follows the manifest). */
function decodingOption(d: PolicyDecoding): { predictOptions?: { decoding: Decoding } } {
  return d === 'model' ? {} : { predictOptions: { decoding: d } };
}

const PROGRESS_INTERVAL_MS = 50;
/** While the policy runs as fast as it can, policy records reach the store at most this often, ms. */
const FAST_REPORT_MS = 250;

function toModelError(e: unknown, during: string, info?: ModelInfo | null): ModelError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), during };
  // Non-finite logits come from the decoder graph: name the file.
  if (e.name === 'InvalidLogitsError' && info)
    return { name: e.name, message: `${info.manifest.graphs.decoder}: ${e.message}`, during };
  return { name: e.name, message: e.message, during };
}

/** The instruction the policy will get, or PolicyInputError when there is nothing to read. */
function requireInstruction(text: string, info: ModelInfo): string {
  const check = checkInstruction(text, info.manifest.prompt.max_chars);
  if (check.empty) throw new PolicyInputError('the instruction is empty: type what the robot should do');
  return text;
}

export const createPolicySlice: SliceCreator<PolicySlice> = (set, get) => {
  const requireReady = () => {
    const { world, policy, model } = get();
    if (!world) throw new Error('the world is not loaded yet');
    if (!policy || !model.info) throw new Error('no model is loaded');
    return { world, policy, info: model.info };
  };

  /**
   * A policy source on the chosen input; `record` appends each step to policyRecords (batched to one store
   * update per FAST_REPORT_MS when `pace` is 'fast', so that the UI re-renders at a few Hz, not per step).
   */
  const makeSource = (instruction: string, record = true, pace: RunOptions['pace'] = 'realtime') => {
    const { policy, info } = requireReady();
    return new PolicySource({
      policy,
      manifest: info.manifest,
      instruction: requireInstruction(instruction, info),
      capture: () => get().captureSourceFrameAsync(), // the chosen input source (sourceSlice; sim by default)
      ...decodingOption(get().policyDecoding),
      ...(record
        ? {
            onStep: (r: PolicyStepRecord) =>
              set((s) => ({ policyRecords: [...s.policyRecords, r], lastPrediction: r })),
            reportIntervalMs: pace === 'fast' ? FAST_REPORT_MS : 0,
          }
        : {}),
    });
  };

  /**
   * Before an episode's first step: check success for the task `instruction` asks for in the scene, or
   * the scene's own task when it asks for nothing this scene can resolve.
   */
  const checkAskedTask = (instruction: string) => {
    const { runner } = requireReady().world;
    const scene = runner.scene;
    if (!scene || runner.steps > 0) return;
    const task = taskForInstruction(instruction, scene) ?? scene.task;
    if (task !== runner.checkedTask) runner.checkTask(task);
  };

  /** Run `source` on the runner; a policy error is shown in the model panel and rethrown. */
  const runSource = async (source: PolicySource, options: RunOptions) => {
    const { world } = requireReady();
    try {
      return await world.runner.run(source, options);
    } catch (e) {
      set((s) => ({ model: { ...s.model, error: toModelError(e, 'predict', s.model.info) } }));
      throw e;
    }
  };

  /** The worker died: interrupt a running policy episode (records kept), restart it, reload the model. */
  const recoverFromCrash = async (message: string) => {
    const { world, policy } = get();
    if (world?.runner.running && get().episode.source === 'policy') await world.runner.interrupt(message);
    if (!policy?.restart) return;
    const id = get().model.info?.id ?? get().model.ref;
    set((s) => ({
      model: {
        ...s.model,
        status: 'loading',
        progress: null,
        notice: { kind: 'worker-restarted', message: `${message}; restarting it and reloading ${id}…` },
      },
    }));
    try {
      const info = await policy.restart();
      set((s) => ({
        model: {
          ...s.model,
          status: info ? 'ready' : s.model.info ? 'ready' : 'idle',
          info: info ?? s.model.info,
          notice: {
            kind: 'worker-restarted',
            message: `${message}; restarted it${info ? ` and reloaded ${info.id} (${info.executionProvider === 'webgpu' ? 'WebGPU' : 'WASM'})` : ''}.`,
          },
        },
      }));
    } catch (e) {
      set((s) => ({ model: { ...s.model, status: 'error', error: toModelError(e, 'restart') } }));
    }
  };

  const onRuntimeEvent = (e: WorkerPolicyEvent) => {
    if (e.type === 'crashed') void recoverFromCrash(e.message);
    else
      set((s) => ({
        model: {
          ...s.model,
          status: 'ready',
          info: e.info,
          notice: { kind: 'device-lost', message: e.reason },
          epPreference: s.model.epPreference === 'webgpu' ? 'wasm' : s.model.epPreference,
        },
      }));
  };
  let offRuntime: (() => void) | null = null;

  /** Capture at the size the model was trained on (manifest image.camera_size, else its input size). */
  const matchCamera = (info: ModelInfo) => {
    const { width, height, camera_size } = info.manifest.image;
    const size = camera_size ?? width;
    if (!get().matchCameraToModel || width !== height || size < 8 || size > 512) return;
    if (get().cameraSize !== size) get().setCameraSize(size);
  };

  const load = async (source: ModelSource, ref: string): Promise<ModelInfo> => {
    const { policy, world } = get();
    if (!policy) throw new Error('the policy runtime is not started yet');
    if (world?.runner.running) await world.runner.pause();
    set((s) => ({
      model: { ...s.model, status: 'loading', ref, progress: null, error: null, notice: null },
    }));
    let lastSet = 0;
    const onProgress = (p: LoadProgress) => {
      const t = Date.now();
      const done = p.totalAll > 0 && p.loadedAll >= p.totalAll;
      if (!done && t - lastSet < PROGRESS_INTERVAL_MS) return;
      lastSet = t;
      set((s) => ({ model: { ...s.model, progress: p } }));
    };
    try {
      const info = await policy.load(source, { executionProvider: get().model.epPreference, onProgress });
      set((s) => ({ model: { ...s.model, status: 'ready', info, error: null } }));
      matchCamera(info);
      return info;
    } catch (e) {
      set((s) => ({
        model: { ...s.model, status: s.model.info ? 'ready' : 'error', error: toModelError(e, 'load') },
      }));
      throw e;
    }
  };

  return {
    policy: null,
    model: {
      status: 'idle',
      ref: DEFAULT_MODEL_ID,
      info: null,
      progress: null,
      error: null,
      notice: null,
      epPreference: 'auto',
    },
    policyInstruction: null,
    policyMaxSteps: DEFAULT_MAX_STEPS,
    policyDecoding: 'model',
    setPolicyDecoding: (d) => set({ policyDecoding: d }),
    matchCameraToModel: true,
    matchCameraToLoadedModel: () => {
      const info = get().model.info;
      if (info) matchCamera(info);
    },
    policyRecords: [],
    lastPrediction: null,
    setPolicy: (policy) => {
      offRuntime?.();
      offRuntime = policy.onEvent?.(onRuntimeEvent) ?? null;
      set({ policy });
    },
    loadModel: (ref) => {
      const { url, id } = resolveModelRef(ref);
      return load({ url }, id);
    },
    loadModelFiles: (files, label) => load({ files }, label),
    setExecutionProvider: async (ep) => {
      const { policy, model, world } = get();
      const previous = model.epPreference;
      set((s) => ({ model: { ...s.model, epPreference: ep } }));
      if (!policy || !model.info) return Promise.reject(new Error('no model is loaded'));
      if (world?.runner.running) await world.runner.pause();
      set((s) => ({ model: { ...s.model, status: 'loading', progress: null, error: null, notice: null } }));
      try {
        const info = await policy.setExecutionProvider(ep);
        set((s) => ({ model: { ...s.model, status: 'ready', info } }));
        return info;
      } catch (e) {
        const error = toModelError(e, 'execution-provider');
        set((s) => ({ model: { ...s.model, epPreference: previous, error } }));
        // The worker may have been replaced without a model: go back to the EP that worked.
        const info = await policy.setExecutionProvider(previous).catch(() => null);
        set((s) => ({
          model: { ...s.model, status: info ? 'ready' : 'error', info: info ?? s.model.info, error },
        }));
        throw e;
      }
    },
    setPolicyInstruction: (text) => set({ policyInstruction: text }),
    setPolicyMaxSteps: (n) => set({ policyMaxSteps: Math.max(1, Math.round(n)) }),
    effectiveInstruction: () => get().policyInstruction ?? get().instruction,
    runPolicy: async (options = {}) => {
      const { world, info } = requireReady();
      const status = world.runner.status;
      const pace = options.pace ?? get().pace;
      const instruction = options.instruction ?? get().effectiveInstruction();
      const source = makeSource(instruction, true, pace);
      if (status === 'success' || status === 'failure' || status === 'stopped' || status === 'interrupted')
        await get().resetScene();
      if (options.taskFromInstruction ?? true) checkAskedTask(instruction);
      return runSource(source, {
        pace,
        speed: get().speed,
        hz: info.manifest.control_hz,
        maxSteps: options.maxSteps ?? get().policyMaxSteps,
      });
    },
    stepPolicy: async () => {
      const { world } = requireReady();
      const status = world.runner.status;
      if (status === 'running') return world.runner.pause().then(() => null);
      const instruction = get().effectiveInstruction();
      const source = makeSource(instruction);
      if (status === 'success' || status === 'failure' || status === 'stopped' || status === 'interrupted')
        await get().resetScene();
      checkAskedTask(instruction);
      return runSource(source, { stepsThisRun: 1, maxSteps: get().policyMaxSteps });
    },
    pausePolicy: async () => {
      await get().world?.runner.pause();
    },
    togglePolicyPause: async () => {
      const runner = get().world?.runner;
      if (!runner) return;
      if (runner.running) await runner.pause();
      else if (runner.status === 'paused')
        void get()
          .runPolicy()
          .catch(() => undefined);
    },
    predictHere: async (instruction) => {
      const { world } = requireReady();
      const source = makeSource(instruction ?? get().effectiveInstruction(), false);
      try {
        const record = await source.predict(world.sim.state(), world.runner.steps);
        set({ lastPrediction: record });
        return record;
      } catch (e) {
        set((s) => ({ model: { ...s.model, error: toModelError(e, 'predict', s.model.info) } }));
        throw e;
      }
    },
    clearPolicyRecords: () => set({ policyRecords: [], lastPrediction: null }),
  };
};

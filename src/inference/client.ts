/**
 * Main-thread client of the inference worker: a `Policy` whose calls go to
 * inference.worker.ts over Comlink. Frames are transferred in, results transferred
 * out, worker errors rebuilt as typed errors, and a dead worker rejects pending calls
 * with WorkerCrashedError (restart() replaces it). A lost WebGPU device makes it fall back
 * to WASM in a fresh worker (retrying the predict that hit the loss). `onEvent` reports both.
 * Never runs a model on the main thread.
 */
import * as Comlink from 'comlink';
import {
  DeviceLostError,
  PolicyStateError,
  reviveError,
  type SerializedError,
  WorkerCrashedError,
} from '../core/errors';
import type {
  ExecutionProviderPreference,
  Frame,
  LoadOptions,
  LoadProgress,
  ModelInfo,
  ModelSource,
  Policy,
  PolicyStep,
  PredictOptions,
} from '../core/policy';
import { trackedCall } from '../core/trackedCall';
import type { WorkerDeviceApi } from './executionProvider';
import type { WorkerApi } from './workerApi';

/**
 * What happened to the runtime on its own: the worker died (`crashed`; calls reject until restart()),
 * or its WebGPU device was lost and the model now runs on WASM in a fresh worker (`fell-back`).
 */
export type WorkerPolicyEvent =
  | { type: 'crashed'; message: string }
  | { type: 'fell-back'; info: ModelInfo; reason: string };

export interface WorkerPolicy extends Policy {
  /**
   * Run the loaded model on another EP; resolves with the EP actually used. In the browser this
   * starts a fresh worker and reloads the model there (from the Cache API, so nothing is downloaded
   * again), because onnxruntime-web cannot start WebGPU in a worker that already ran WASM sessions.
   */
  setExecutionProvider(ep: ExecutionProviderPreference): Promise<ModelInfo>;
  /** Replace the worker (e.g. after a crash) and reload the last model, if any. */
  restart(): Promise<ModelInfo | null>;
  /** Subscribe to load progress (all loads); returns an unsubscribe function. */
  onProgress(cb: (p: LoadProgress) => void): () => void;
  /** The loaded model, or null. */
  readonly info: ModelInfo | null;
  /** Whether the current worker died (then calls reject with WorkerCrashedError until restart()). */
  readonly crashed: boolean;
  /** Kill the worker now, as a crash would (pending calls reject with WorkerCrashedError; onEvent hears 'crashed'). */
  terminate(): void;
  /** Subscribe to crashes and WebGPU → WASM fallbacks; returns an unsubscribe function. */
  onEvent(cb: (e: WorkerPolicyEvent) => void): () => void;
  /** Fault injection: destroy the worker's WebGPU device; false when the model is not on WebGPU. */
  debugLoseGpuDevice(): Promise<boolean>;
}

type Endpoint = Comlink.Endpoint & { terminate?: () => void };

export interface WorkerPolicyOptions {
  /** Start a worker (default: inference.worker.ts as a module worker). */
  spawn?: () => Endpoint;
  /** One fixed endpoint instead of spawning (tests); EP switches then happen inside it. */
  endpoint?: Endpoint;
  /** Transfer `frame.data`'s buffer to the worker (detaching it here). @default true */
  transferFrames?: boolean;
}

function isSerializedError(e: unknown): e is SerializedError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as SerializedError).message === 'string' &&
    typeof (e as SerializedError).name === 'string'
  );
}

function resolveUrl(url: string): string {
  const base = typeof document !== 'undefined' ? document.baseURI : undefined;
  try {
    return base ? new URL(url, base).href : url;
  } catch {
    return url;
  }
}

function spawnInferenceWorker(): Endpoint {
  return new Worker(new URL('./inference.worker.ts', import.meta.url), {
    type: 'module',
    name: 'vla-inference',
  });
}

interface Connection {
  endpoint: Endpoint;
  remote: Comlink.Remote<WorkerApi & WorkerDeviceApi>;
  pending: Set<(e: Error) => void>;
  dead: boolean;
  /** Why its WebGPU device was lost, once it was. */
  lost: string | null;
  /** The WASM fallback started for that loss. */
  fallback: Promise<ModelInfo | null> | null;
}

/** Spawn the inference worker and return a Policy backed by it. */
export function createWorkerPolicy(options: WorkerPolicyOptions = {}): WorkerPolicy {
  const spawn = options.endpoint ? null : (options.spawn ?? spawnInferenceWorker);
  const listeners = new Set<(p: LoadProgress) => void>();
  const eventListeners = new Set<(e: WorkerPolicyEvent) => void>();
  const emit = (e: WorkerPolicyEvent) => {
    for (const l of [...eventListeners]) l(e);
  };
  let info: ModelInfo | null = null;
  let last: { source: ModelSource; ep: ExecutionProviderPreference; cache: boolean } | null = null;

  const kill = (c: Connection, why: string) => {
    if (c.dead) return;
    c.dead = true;
    const err = new WorkerCrashedError(`the inference worker stopped: ${why}`);
    for (const reject of c.pending) reject(err);
    c.pending.clear();
    if (why !== 'replaced') emit({ type: 'crashed', message: err.message });
  };
  const connect = (endpoint: Endpoint): Connection => {
    const c: Connection = {
      endpoint,
      remote: Comlink.wrap<WorkerApi & WorkerDeviceApi>(endpoint),
      pending: new Set(),
      dead: false,
      lost: null,
      fallback: null,
    };
    if (typeof Worker !== 'undefined' && endpoint instanceof Worker) {
      endpoint.addEventListener('error', (ev: ErrorEvent) => kill(c, ev.message || 'uncaught error'));
      endpoint.addEventListener('messageerror', () => kill(c, 'a message could not be deserialized'));
    }
    if (spawn) {
      c.remote
        .onDeviceLost(
          Comlink.proxy((why: string) => {
            if (c === conn && !c.dead) void fallBack(c, why).catch(() => undefined);
          }),
        )
        .catch(() => undefined); // a worker without device watching
    }
    return c;
  };
  let conn = connect(options.endpoint ?? spawn!());

  const call = <T>(fn: (r: Comlink.Remote<WorkerApi & WorkerDeviceApi>) => Promise<T>): Promise<T> => {
    const c = conn;
    if (c.dead)
      return Promise.reject(new WorkerCrashedError('the inference worker has stopped; call restart()'));
    return trackedCall(
      c.pending,
      () => fn(c.remote),
      (e) => (isSerializedError(e) ? reviveError(e) : e),
    );
  };
  const progress = (extra?: (p: LoadProgress) => void) =>
    Comlink.proxy((p: LoadProgress) => {
      extra?.(p);
      for (const l of listeners) l(p);
    });
  const stopWorker = (c: Connection) => {
    c.endpoint.terminate?.();
    if (!c.dead) c.remote[Comlink.releaseProxy](); // a dead connection's proxy may be released already
  };
  const replaceWorker = () => {
    const old = conn;
    conn = connect(spawn!());
    stopWorker(old);
    kill(old, 'replaced');
  };
  /** The WebGPU device of `c` was lost: reload the model on WASM in a fresh worker (once per connection). */
  const fallBack = (c: Connection, why: string): Promise<ModelInfo | null> => {
    c.lost ??= why;
    if (c.fallback) return c.fallback;
    c.fallback = (async () => {
      if (c !== conn || !spawn) return info;
      const l = last;
      replaceWorker();
      if (!l) return null;
      const reason = `WebGPU device lost (${c.lost}); fell back to WASM`;
      const loaded = await call((r) => r.load(l.source, 'wasm', l.cache, progress()));
      info = { ...loaded, executionProviderReason: reason };
      last = { ...l, ep: 'wasm' };
      emit({ type: 'fell-back', info, reason });
      return info;
    })();
    return c.fallback;
  };

  return {
    get info() {
      return info;
    },
    get crashed() {
      return conn.dead;
    },
    async load(source: ModelSource, opts: LoadOptions = {}): Promise<ModelInfo> {
      const src = 'url' in source ? { url: resolveUrl(source.url) } : source;
      const ep = opts.executionProvider ?? 'auto';
      const cache = opts.cache !== false;
      info = await call((r) => r.load(src, ep, cache, progress(opts.onProgress)));
      last = { source: src, ep, cache };
      return info;
    },
    async setExecutionProvider(ep: ExecutionProviderPreference): Promise<ModelInfo> {
      if (!last) throw new PolicyStateError('no model is loaded: call load() first');
      if (!spawn) {
        info = await call((r) => r.setExecutionProvider(ep));
      } else {
        const l = last;
        replaceWorker();
        info = await call((r) => r.load(l.source, ep, l.cache, progress()));
      }
      last = { ...last, ep };
      return info;
    },
    async restart(): Promise<ModelInfo | null> {
      if (!spawn) throw new PolicyStateError('restart() needs a spawnable worker');
      replaceWorker();
      info = null;
      if (!last) return null;
      const l = last;
      info = await call((r) => r.load(l.source, l.ep, l.cache, progress()));
      return info;
    },
    predict(frame: Frame, instruction: string, opts: PredictOptions = {}): Promise<PolicyStep> {
      const send = (data: Frame['data']) => {
        const buf = data.buffer;
        const transfer = options.transferFrames !== false && buf instanceof ArrayBuffer;
        const f: Frame = { width: frame.width, height: frame.height, channels: frame.channels, data };
        return call((r) =>
          r.predict(transfer ? Comlink.transfer(f, [buf as ArrayBuffer]) : f, instruction, opts),
        );
      };
      // On WebGPU keep a copy of the frame (a few kB), so a step that hits a lost device is retried on WASM.
      const c = conn;
      const retry = spawn && info?.executionProvider === 'webgpu' ? frame.data.slice() : null;
      return send(frame.data).catch(async (e: unknown) => {
        if (!retry || !(e instanceof DeviceLostError || c.lost !== null)) throw e;
        const msg = (e as Error).message;
        await fallBack(c, c.lost ?? /device was lost \((.*)\)$/.exec(msg)?.[1] ?? msg);
        return send(retry);
      });
    },
    async dispose(): Promise<void> {
      await call((r) => r.dispose());
      info = null;
      last = null;
    },
    onProgress(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    terminate() {
      stopWorker(conn);
      kill(conn, 'terminated');
    },
    onEvent(cb) {
      eventListeners.add(cb);
      return () => eventListeners.delete(cb);
    },
    debugLoseGpuDevice() {
      const c = conn;
      // The loss may replace the worker before this call's reply arrives: that is a success.
      return call((r) => r.debugLoseGpuDevice()).catch((e: unknown) => {
        if (c.lost !== null && e instanceof WorkerCrashedError) return true;
        throw e;
      });
    },
  };
}

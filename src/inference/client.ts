/**
 * Main-thread client of the inference worker: a `Policy` whose calls go to
 * inference.worker.ts over Comlink. Frames are transferred in, results transferred
 * out, worker errors rebuilt as typed errors, and a dead worker rejects pending calls
 * with WorkerCrashedError (restart() replaces it). Never runs a model on the main thread.
 */
import * as Comlink from 'comlink';
import { PolicyStateError, reviveError, type SerializedError, WorkerCrashedError } from '../core/errors';
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
import type { WorkerApi } from './workerApi';

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
  /** Kill the worker now (pending calls reject with WorkerCrashedError). */
  terminate(): void;
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
  remote: Comlink.Remote<WorkerApi>;
  pending: Set<(e: Error) => void>;
  dead: boolean;
}

/** Spawn the inference worker and return a Policy backed by it. */
export function createWorkerPolicy(options: WorkerPolicyOptions = {}): WorkerPolicy {
  const spawn = options.endpoint ? null : (options.spawn ?? spawnInferenceWorker);
  const listeners = new Set<(p: LoadProgress) => void>();
  let info: ModelInfo | null = null;
  let last: { source: ModelSource; ep: ExecutionProviderPreference; cache: boolean } | null = null;

  const kill = (c: Connection, why: string) => {
    if (c.dead) return;
    c.dead = true;
    const err = new WorkerCrashedError(`the inference worker stopped: ${why}`);
    for (const reject of c.pending) reject(err);
    c.pending.clear();
  };
  const connect = (endpoint: Endpoint): Connection => {
    const c: Connection = {
      endpoint,
      remote: Comlink.wrap<WorkerApi>(endpoint),
      pending: new Set(),
      dead: false,
    };
    if (typeof Worker !== 'undefined' && endpoint instanceof Worker) {
      endpoint.addEventListener('error', (ev: ErrorEvent) => kill(c, ev.message || 'uncaught error'));
      endpoint.addEventListener('messageerror', () => kill(c, 'a message could not be deserialized'));
    }
    return c;
  };
  let conn = connect(options.endpoint ?? spawn!());

  const call = <T>(fn: (r: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> => {
    const c = conn;
    if (c.dead)
      return Promise.reject(new WorkerCrashedError('the inference worker has stopped; call restart()'));
    return new Promise<T>((resolve, reject) => {
      c.pending.add(reject);
      fn(c.remote).then(
        (v) => {
          c.pending.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          c.pending.delete(reject);
          reject(isSerializedError(e) ? reviveError(e) : e);
        },
      );
    });
  };
  const progress = (extra?: (p: LoadProgress) => void) =>
    Comlink.proxy((p: LoadProgress) => {
      extra?.(p);
      for (const l of listeners) l(p);
    });
  const replaceWorker = () => {
    const old = conn;
    conn = connect(spawn!());
    old.endpoint.terminate?.();
    old.remote[Comlink.releaseProxy]();
    kill(old, 'replaced');
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
      const buf = frame.data.buffer;
      const transfer = options.transferFrames !== false && buf instanceof ArrayBuffer;
      const f: Frame = {
        width: frame.width,
        height: frame.height,
        channels: frame.channels,
        data: frame.data,
      };
      return call((r) =>
        r.predict(transfer ? Comlink.transfer(f, [buf as ArrayBuffer]) : f, instruction, opts),
      );
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
      conn.endpoint.terminate?.();
      conn.remote[Comlink.releaseProxy]();
      kill(conn, 'terminated');
    },
  };
}

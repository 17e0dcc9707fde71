/**
 * Main-thread client of the inference worker: a `Policy` whose calls go to
 * inference.worker.ts over Comlink. Frames are transferred in, results transferred
 * out, worker errors rebuilt as typed errors, and a dead worker rejects pending calls
 * with WorkerCrashedError. Never runs a model on the main thread.
 */
import * as Comlink from 'comlink';
import { reviveError, type SerializedError, WorkerCrashedError } from '../core/errors';
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
  /** Re-create the loaded model's sessions on another EP; resolves with the EP actually used. */
  setExecutionProvider(ep: ExecutionProviderPreference): Promise<ModelInfo>;
  /** Subscribe to load progress (all loads); returns an unsubscribe function. */
  onProgress(cb: (p: LoadProgress) => void): () => void;
  /** The loaded model, or null. */
  readonly info: ModelInfo | null;
  /** Whether the worker died (then every call rejects with WorkerCrashedError). */
  readonly crashed: boolean;
  /** Kill the worker now (pending calls reject with WorkerCrashedError). */
  terminate(): void;
}

export interface WorkerPolicyOptions {
  /** A worker or Comlink endpoint to use instead of spawning inference.worker.ts (tests). */
  endpoint?: Comlink.Endpoint & { terminate?: () => void };
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

/** Spawn the inference worker and return a Policy backed by it. */
export function createWorkerPolicy(options: WorkerPolicyOptions = {}): WorkerPolicy {
  const endpoint =
    options.endpoint ??
    new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'vla-inference' });
  const remote = Comlink.wrap<WorkerApi>(endpoint);
  const listeners = new Set<(p: LoadProgress) => void>();
  const pending = new Set<(e: Error) => void>();
  let info: ModelInfo | null = null;
  let crashed = false;

  const die = (why: string) => {
    if (crashed) return;
    crashed = true;
    const err = new WorkerCrashedError(`the inference worker stopped: ${why}`);
    for (const reject of pending) reject(err);
    pending.clear();
  };
  if ('addEventListener' in endpoint && typeof Worker !== 'undefined' && endpoint instanceof Worker) {
    endpoint.addEventListener('error', (ev: ErrorEvent) => die(ev.message || 'uncaught error'));
    endpoint.addEventListener('messageerror', () => die('a message could not be deserialized'));
  }

  const call = <T>(fn: () => Promise<T>): Promise<T> => {
    if (crashed) return Promise.reject(new WorkerCrashedError('the inference worker has stopped'));
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      fn().then(
        (v) => {
          pending.delete(reject);
          resolve(v);
        },
        (e: unknown) => {
          pending.delete(reject);
          reject(isSerializedError(e) ? reviveError(e) : e);
        },
      );
    });
  };

  return {
    get info() {
      return info;
    },
    get crashed() {
      return crashed;
    },
    async load(source: ModelSource, opts: LoadOptions = {}): Promise<ModelInfo> {
      const src = 'url' in source ? { url: resolveUrl(source.url) } : source;
      const onProgress = (p: LoadProgress) => {
        opts.onProgress?.(p);
        for (const l of listeners) l(p);
      };
      info = await call(() =>
        remote.load(src, opts.executionProvider ?? 'auto', opts.cache !== false, Comlink.proxy(onProgress)),
      );
      return info;
    },
    async setExecutionProvider(ep: ExecutionProviderPreference): Promise<ModelInfo> {
      info = await call(() => remote.setExecutionProvider(ep));
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
      return call(() =>
        remote.predict(transfer ? Comlink.transfer(f, [buf as ArrayBuffer]) : f, instruction, opts),
      );
    },
    async dispose(): Promise<void> {
      await call(() => remote.dispose());
      info = null;
    },
    onProgress(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    terminate() {
      endpoint.terminate?.();
      remote[Comlink.releaseProxy]();
      die('terminated');
    },
  };
}

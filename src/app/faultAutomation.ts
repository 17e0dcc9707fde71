/**
 * Fault injection for e2e tests: `window.vla.debug`, for the faults a test cannot produce from outside the
 * page — killing the inference worker mid-episode, losing the WebGPU device ORT runs on. What follows (the
 * worker restarted and the episode marked interrupted; the fallback to WASM) is the app's real recovery
 * path, the same one a real crash or device loss takes. Must not import React, three.js or ORT.
 */
import type { WorkerPolicy } from '../inference/client';
import type { AppState } from './store';

export interface VlaFaultApi {
  debug: {
    /** Kill the inference worker now, as a crash would; the app restarts it. Resolves once it is dead. */
    terminateWorker(): Promise<void>;
    /**
     * Destroy the WebGPU device the model runs on (`GPUDevice.destroy()` in the worker); the app falls back
     * to WASM. Resolves false when the model is not on WebGPU.
     */
    loseGpuDevice(): Promise<boolean>;
  };
}

type FaultablePolicy = Pick<WorkerPolicy, 'terminate' | 'debugLoseGpuDevice'>;

function workerPolicy(get: () => AppState): FaultablePolicy {
  const p = get().policy as Partial<FaultablePolicy> | null;
  if (!p || typeof p.terminate !== 'function' || typeof p.debugLoseGpuDevice !== 'function')
    throw new Error('window.vla.debug: the policy runtime is not a worker (or not started yet)');
  return p as FaultablePolicy;
}

export function createFaultAutomation(get: () => AppState): VlaFaultApi {
  return {
    debug: {
      terminateWorker: async () => workerPolicy(get).terminate(),
      loseGpuDevice: () => workerPolicy(get).debugLoseGpuDevice(),
    },
  };
}

/** Add `debug` to window.vla (installAutomation calls this). */
export function installFaultAutomation(get: () => AppState): VlaFaultApi {
  const api = createFaultAutomation(get);
  window.vla = Object.assign(window.vla ?? {}, api) as NonNullable<Window['vla']>;
  return api;
}

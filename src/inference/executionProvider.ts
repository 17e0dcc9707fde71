/**
 * Execution-provider choice. `auto` takes WebGPU only on a hardware adapter and
 * otherwise WASM: a software adapter (SwiftShader, llvmpipe, WARP…) is ~40× slower
 * than WASM here, so it is used only when `webgpu` is asked for explicitly. Also watches
 * the WebGPU device for loss (`DeviceLossWatch`). No ORT import; the GPU is passed in
 * (navigator.gpu in the browser, a fake in tests).
 */
import { DeviceLostError, ExecutionProviderError } from '../core/errors';
import type { ExecutionProvider, ExecutionProviderPreference } from '../core/policy';

/** The parts of GPUAdapterInfo / GPUAdapter / GPU this module reads. */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}
export interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: 'high-performance' | 'low-power';
  }): Promise<AdapterLike | null>;
}

export interface EpChoice {
  executionProvider: ExecutionProvider;
  reason: string;
  /** Adapter description when WebGPU was probed. */
  adapter?: string;
  software?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|warp/i;

/** True when the adapter is a CPU/software implementation. */
export function isSoftwareAdapter(a: AdapterLike): boolean {
  const info = a.info ?? {};
  if (a.isFallbackAdapter || info.isFallbackAdapter) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((s) => !!s && SOFTWARE.test(s));
}

function adapterName(a: AdapterLike): string {
  const i = a.info ?? {};
  return (
    [i.vendor, i.architecture, i.device, i.description].filter((s) => !!s).join(' ') || 'unknown adapter'
  );
}

/**
 * Pick the EP for a preference. `webgpu` throws ExecutionProviderError when WebGPU is unavailable;
 * `auto` never throws and explains its choice in `reason`.
 */
export async function chooseExecutionProvider(
  pref: ExecutionProviderPreference,
  gpu: GpuLike | undefined | null,
): Promise<EpChoice> {
  if (pref === 'wasm') return { executionProvider: 'wasm', reason: 'wasm: requested' };
  if (!gpu) {
    if (pref === 'webgpu')
      throw new ExecutionProviderError('WebGPU was requested but this browser has no navigator.gpu');
    return { executionProvider: 'wasm', reason: 'auto: WebGPU is not available in this browser' };
  }
  let adapter: AdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    if (pref === 'webgpu')
      throw new ExecutionProviderError(
        `WebGPU was requested but requestAdapter failed: ${(e as Error).message}`,
      );
  }
  if (!adapter) {
    if (pref === 'webgpu')
      throw new ExecutionProviderError('WebGPU was requested but no WebGPU adapter is available');
    return { executionProvider: 'wasm', reason: 'auto: no WebGPU adapter' };
  }
  const name = adapterName(adapter);
  const software = isSoftwareAdapter(adapter);
  if (pref === 'webgpu') {
    return {
      executionProvider: 'webgpu',
      reason: `webgpu: requested (${name}${software ? ', a software adapter' : ''})`,
      adapter: name,
      software,
    };
  }
  if (software) {
    return {
      executionProvider: 'wasm',
      reason: `auto: the WebGPU adapter is software (${name}); WASM is faster`,
      adapter: name,
      software,
    };
  }
  return {
    executionProvider: 'webgpu',
    reason: `auto: hardware WebGPU adapter (${name})`,
    adapter: name,
    software,
  };
}

/** The parts of GPUDeviceLostInfo / GPUDevice this module reads. */
export interface DeviceLostInfoLike {
  reason?: string;
  message?: string;
}
export interface GpuDeviceLike {
  readonly lost: Promise<DeviceLostInfoLike>;
}

/** `destroyed: <message>` / `unknown: <message>`, for messages. */
export function describeDeviceLoss(info: DeviceLostInfoLike | null | undefined): string {
  const reason = info?.reason || 'unknown';
  const message = (info?.message ?? '').trim();
  return message ? `${reason}: ${message}` : reason;
}

/**
 * Watches the GPUDevice that ORT's WebGPU EP runs on (`device.lost`). After a loss, `guard` rejects
 * with DeviceLostError at once instead of waiting on (or failing obscurely with) the dead device, and
 * subscribers hear why. One watch per worker: ORT uses one device per realm.
 */
export class DeviceLossWatch {
  /** Why the device was lost, or null while it is fine (or not watched). */
  lost: string | null = null;
  private readonly listeners = new Set<(why: string) => void>();
  private readonly watched = new WeakSet<object>();

  /** Start watching `device` (again for the same device: no-op). */
  watch(device: GpuDeviceLike | null | undefined): void {
    if (!device || this.watched.has(device)) return;
    this.watched.add(device);
    device.lost.then(
      (info) => this.markLost(describeDeviceLoss(info)),
      () => this.markLost('unknown'),
    );
  }

  /** Record a loss and tell the subscribers (first loss only). */
  markLost(why: string): void {
    if (this.lost !== null) return;
    this.lost = why;
    for (const l of [...this.listeners]) l(why);
  }

  /** Hear of a loss (at once, asynchronously, if it already happened); returns an unsubscribe function. */
  subscribe(cb: (why: string) => void): () => void {
    if (this.lost !== null) {
      const why = this.lost;
      queueMicrotask(() => cb(why));
      return () => {};
    }
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private error(): DeviceLostError {
    return new DeviceLostError(`the WebGPU device was lost (${this.lost ?? 'unknown'})`);
  }

  /** Run `fn`; if the device is or gets lost first, reject with DeviceLostError instead. */
  guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lost !== null) return Promise.reject(this.error());
    return new Promise<T>((resolve, reject) => {
      const off = this.subscribe(() => reject(this.error()));
      fn().then(
        (v) => {
          off();
          resolve(v);
        },
        (e: unknown) => {
          off();
          reject(this.lost !== null ? this.error() : e);
        },
      );
    });
  }
}

/** What the inference worker adds to its Comlink API for device loss (see inference.worker.ts). */
export interface WorkerDeviceApi {
  /** Call `cb(why)` when the WebGPU device the model runs on is lost. */
  onDeviceLost(cb: (why: string) => void): void;
  /** Fault injection: destroy that device (GPUDevice.destroy()); false when the model is not on WebGPU. */
  debugLoseGpuDevice(): Promise<boolean>;
}

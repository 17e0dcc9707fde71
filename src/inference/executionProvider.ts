/**
 * Execution-provider choice. `auto` takes WebGPU only on a hardware adapter and
 * otherwise WASM: a software adapter (SwiftShader, llvmpipe, WARP…) is ~40× slower
 * than WASM here, so it is used only when `webgpu` is asked for explicitly.
 * No ORT import; the GPU is passed in (navigator.gpu in the browser, a fake in tests).
 */
import { ExecutionProviderError } from '../core/errors';
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

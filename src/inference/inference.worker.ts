/**
 * The inference Web Worker: configures onnxruntime-web (explicit wasm path so Vite
 * serves the file, threads = cores when cross-origin isolated), then exposes the
 * OnnxPolicy over Comlink. The main thread talks to it through ./client.ts only.
 * It watches the WebGPU device for loss (predict then rejects with DeviceLostError and
 * `onDeviceLost` subscribers hear of it, so the client can fall back to WASM).
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { serializeError } from '../core/errors';
import type { ModelInfo, ModelSource } from '../core/policy';
import { DeviceLossWatch, type GpuDeviceLike, type GpuLike, type WorkerDeviceApi } from './executionProvider';
import { installMemoryProbe } from './memoryProbe';
import { filesReader, urlReader } from './modelFiles';
import { OnnxPolicy } from './onnxPolicy';
import { createWorkerApi } from './workerApi';

const scope = self as unknown as {
  crossOriginIsolated?: boolean;
  name?: string;
  location: { href: string };
  navigator: { hardwareConcurrency?: number; gpu?: GpuLike };
};

const threads = scope.crossOriginIsolated
  ? Math.max(1, Math.min(scope.navigator.hardwareConcurrency ?? 1, 16))
  : 1;
ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, scope.location.href).href };
ort.env.wasm.numThreads = threads;
// ORT's node-placement warnings on WebGPU are not errors for the user; keep real errors.
ort.env.logLevel = 'error';

function readerFor(source: ModelSource, cache: boolean) {
  if ('url' in source) return urlReader(new URL(source.url, scope.location.href).href, { cache });
  if ('files' in source) return filesReader(source.files);
  throw new Error('a { dir } model source is only available in Node (createInProcessPolicy)');
}

// ORT's own pthread workers may load this chunk again; only the real worker exposes the API.
if (scope.name !== 'em-pthread') {
  installMemoryProbe(scope); // self.vlaDebug.memoryStats() for the soak script; before ORT loads its WASM
  const policy = new OnnxPolicy({ ort, gpu: scope.navigator.gpu ?? null, wasmThreads: threads, readerFor });
  Comlink.expose(withDeviceWatch(createWorkerApi(policy)));
}

/** The WebGPU device ORT created in this worker, once a WebGPU session exists. */
async function ortDevice(): Promise<(GpuDeviceLike & { destroy(): void }) | null> {
  try {
    return (await ort.env.webgpu.device) as unknown as GpuDeviceLike & { destroy(): void };
  } catch {
    return null;
  }
}

/** Wrap the API: watch the device after each WebGPU load, turn predicts on a lost device into DeviceLostError. */
function withDeviceWatch(api: ReturnType<typeof createWorkerApi>) {
  const watch = new DeviceLossWatch();
  let ep: ModelInfo['executionProvider'] | null = null;
  const loaded = async (info: ModelInfo) => {
    ep = info.executionProvider;
    if (ep === 'webgpu') watch.watch(await ortDevice());
    return info;
  };
  const device: WorkerDeviceApi = {
    onDeviceLost(cb) {
      watch.subscribe((why) => void cb(why));
    },
    async debugLoseGpuDevice() {
      const d = ep === 'webgpu' ? await ortDevice() : null;
      d?.destroy();
      return d !== null;
    },
  };
  return {
    ...api,
    ...device,
    load: (...a: Parameters<typeof api.load>) => api.load(...a).then(loaded),
    setExecutionProvider: (pref: Parameters<typeof api.setExecutionProvider>[0]) =>
      api.setExecutionProvider(pref).then(loaded),
    predict: (...a: Parameters<typeof api.predict>) =>
      watch
        .guard(() => api.predict(...a))
        .catch((e: unknown) => {
          throw e instanceof Error ? serializeError(e) : e;
        }),
  };
}

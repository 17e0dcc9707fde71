/**
 * The inference Web Worker: loads the onnxruntime-web build the EP needs (the plain WASM build, 14 MB of
 * `.wasm`, for WASM; the JSEP build, 28 MB, only once WebGPU is used), configures it (explicit wasm path so
 * Vite serves the file, threads = cores when cross-origin isolated), then exposes the OnnxPolicy over
 * Comlink. The main thread talks to it through ./client.ts only.
 * It watches the WebGPU device for loss (predict then rejects with DeviceLostError and
 * `onDeviceLost` subscribers hear of it, so the client can fall back to WASM).
 */
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import ortJsepWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { serializeError } from '../core/errors';
import type { ExecutionProvider, ModelInfo, ModelSource } from '../core/policy';
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

type OrtBuild = typeof Ort;
const builds = new Map<'wasm' | 'jsep', Promise<OrtBuild>>();

/** The ORT build for an EP, imported and configured once: JSEP for WebGPU, the plain WASM build otherwise. */
function ortBuild(ep: ExecutionProvider): Promise<OrtBuild> {
  const kind = ep === 'webgpu' ? 'jsep' : 'wasm';
  let build = builds.get(kind);
  if (!build) {
    const imported: Promise<OrtBuild> =
      kind === 'jsep' ? import('onnxruntime-web') : import('onnxruntime-web/wasm');
    build = imported.then((ort) => {
      const url = kind === 'jsep' ? ortJsepWasmUrl : ortWasmUrl;
      ort.env.wasm.wasmPaths = { wasm: new URL(url, scope.location.href).href };
      ort.env.wasm.numThreads = threads;
      // ORT's node-placement warnings on WebGPU are not errors for the user; keep real errors.
      ort.env.logLevel = 'error';
      return ort;
    });
    builds.set(kind, build);
  }
  return build;
}

function readerFor(source: ModelSource, cache: boolean) {
  if ('url' in source) return urlReader(new URL(source.url, scope.location.href).href, { cache });
  if ('files' in source) return filesReader(source.files);
  throw new Error('a { dir } model source is only available in Node (createInProcessPolicy)');
}

// ORT's own pthread workers may load this chunk again; only the real worker exposes the API.
if (scope.name !== 'em-pthread') {
  installMemoryProbe(scope); // self.vlaDebug.memoryStats() for the soak script; before ORT loads its WASM
  const policy = new OnnxPolicy({
    ort: ortBuild,
    gpu: scope.navigator.gpu ?? null,
    wasmThreads: threads,
    readerFor,
  });
  Comlink.expose(withDeviceWatch(createWorkerApi(policy)));
}

/** The WebGPU device ORT created in this worker, once a WebGPU session exists. */
async function ortDevice(): Promise<(GpuDeviceLike & { destroy(): void }) | null> {
  try {
    const jsep = await builds.get('jsep'); // only the JSEP build makes WebGPU sessions
    return jsep ? ((await jsep.env.webgpu.device) as unknown as GpuDeviceLike & { destroy(): void }) : null;
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

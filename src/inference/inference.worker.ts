/**
 * The inference Web Worker: configures onnxruntime-web (explicit wasm path so Vite
 * serves the file, threads = cores when cross-origin isolated), then exposes the
 * OnnxPolicy over Comlink. The main thread talks to it through ./client.ts only.
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { ModelSource } from '../core/policy';
import type { GpuLike } from './executionProvider';
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
  const policy = new OnnxPolicy({ ort, gpu: scope.navigator.gpu ?? null, wasmThreads: threads, readerFor });
  Comlink.expose(createWorkerApi(policy));
}

/**
 * A debug probe for the soak script: remembers the WebAssembly.Memory objects of the modules instantiated
 * in this realm (onnxruntime-web's WASM heap, in the inference worker) by wrapping WebAssembly.instantiate
 * and instantiateStreaming, and reports their sizes with the JS heap and ORT's live session/tensor counts
 * as `self.vlaDebug.memoryStats()` (Playwright's `worker.evaluate` calls it). Install before ORT loads.
 */
import { ortResourceCounts } from './sessions';

/** Memory figures of this realm; heap figures are null where the engine does not report them. */
export interface MemoryStats {
  /** Sum of `buffer.byteLength` over the WebAssembly memories seen (ORT's WASM heap), bytes. */
  wasmBytes: number;
  wasmMemories: number;
  /** `performance.memory` (Chromium), bytes. */
  jsHeapUsedBytes: number | null;
  jsHeapTotalBytes: number | null;
  ortSessions: number;
  ortSessionsCreated: number;
  ortTensors: number;
  ortTensorsCreated: number;
}

const memories = new Set<WebAssembly.Memory>();

function collect(...objs: unknown[]): void {
  const visit = (o: unknown, depth: number) => {
    if (o instanceof WebAssembly.Memory) memories.add(o);
    else if (depth > 0 && o && typeof o === 'object') for (const v of Object.values(o)) visit(v, depth - 1);
  };
  for (const o of objs) visit(o, 2);
}

function collectResult(result: unknown, imports: unknown): void {
  const instance =
    result instanceof WebAssembly.Instance
      ? result
      : (result as { instance?: WebAssembly.Instance }).instance;
  collect(imports, instance?.exports);
}

let installed = false;

/** Wrap this realm's WebAssembly instantiation (once) and expose `memoryStats` as `scope.vlaDebug`. */
export function installMemoryProbe(scope: object): void {
  if (installed) return;
  installed = true;
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (...a: unknown[]) => Promise<unknown>;
  wasm.instantiate = async (source: unknown, imports?: unknown) => {
    const r = await instantiate(source, imports);
    collectResult(r, imports);
    return r;
  };
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    const streaming = WebAssembly.instantiateStreaming.bind(WebAssembly) as (
      ...a: unknown[]
    ) => Promise<unknown>;
    wasm.instantiateStreaming = async (source: unknown, imports?: unknown) => {
      const r = await streaming(source, imports);
      collectResult(r, imports);
      return r;
    };
  }
  (scope as { vlaDebug?: { memoryStats: () => MemoryStats } }).vlaDebug = { memoryStats };
}

/** Current figures (see MemoryStats). */
export function memoryStats(): MemoryStats {
  let wasmBytes = 0;
  for (const m of memories) wasmBytes += m.buffer.byteLength;
  const heap = (performance as { memory?: { usedJSHeapSize: number; totalJSHeapSize: number } }).memory;
  const c = ortResourceCounts();
  return {
    wasmBytes,
    wasmMemories: memories.size,
    jsHeapUsedBytes: heap?.usedJSHeapSize ?? null,
    jsHeapTotalBytes: heap?.totalJSHeapSize ?? null,
    ortSessions: c.sessions,
    ortSessionsCreated: c.sessionsCreated,
    ortTensors: c.tensors,
    ortTensorsCreated: c.tensorsCreated,
  };
}

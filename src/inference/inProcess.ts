/**
 * The in-process Policy for Node (tests, eval and bench CLIs): the same OnnxPolicy and
 * decode loop as the worker, on onnxruntime-web's WASM backend (or another ORT module the
 * caller passes, e.g. onnxruntime-node for the bench's native baseline), reading model folders
 * from disk (`{ dir }`), from a URL, or from in-memory files. Not for the browser main thread.
 */
import * as ort from 'onnxruntime-web';
import { ModelLoadError } from '../core/errors';
import type { ModelSource } from '../core/policy';
import { filesReader, type ModelFileReader, urlReader } from './modelFiles';
import { OnnxPolicy } from './onnxPolicy';
import type { OrtModule } from './sessions';

/** Reader over a folder on disk (node:fs is imported lazily so bundlers never see it). */
export function dirReader(dir: string): ModelFileReader {
  const where = (path: string) => `${dir.replace(/\/+$/, '')}/${path}`;
  return {
    where,
    async read(path, onProgress) {
      const { readFile } = await import('node:fs/promises');
      let buf: Uint8Array;
      try {
        buf = new Uint8Array(await readFile(where(path)));
      } catch (e) {
        throw new ModelLoadError(`${where(path)}: cannot read (${(e as Error).message})`, path);
      }
      onProgress?.({ loaded: buf.length, total: buf.length, fromCache: false });
      return buf;
    },
  };
}

export function readerForSource(source: ModelSource, cache: boolean): ModelFileReader {
  if ('dir' in source) return dirReader(source.dir);
  if ('url' in source) return urlReader(source.url, { cache });
  return filesReader(source.files);
}

export interface InProcessOptions {
  /** WASM threads (reported as `wasmThreads`; set in onnxruntime-web's env unless `ort` is given). @default 1 */
  threads?: number;
  /**
   * The ORT module to run the graphs on instead of onnxruntime-web, e.g. a wrapper over onnxruntime-node
   * whose `InferenceSession.create` sets its own execution provider and thread counts.
   */
  ort?: OrtModule;
}

/** A Policy running in this thread on WASM (or on `options.ort`). */
export function createInProcessPolicy(options: InProcessOptions = {}): OnnxPolicy {
  const threads = options.threads ?? 1;
  if (!options.ort) ort.env.wasm.numThreads = threads;
  return new OnnxPolicy({
    ort: options.ort ?? ort,
    gpu: null,
    wasmThreads: threads,
    readerFor: readerForSource,
  });
}

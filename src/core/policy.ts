/**
 * The `Policy` interface shared by the worker-backed client (src/inference/client.ts)
 * and the in-process implementation (src/inference/inProcess.ts), with the types of
 * its inputs and results. Pure types; must not import DOM, three.js, ORT or React.
 */
import type { Manifest } from './manifest';
import type { Decoding } from './sampling';

export type ExecutionProvider = 'webgpu' | 'wasm';
export type ExecutionProviderPreference = 'auto' | ExecutionProvider;

/** An image for the policy: `data` is [height × width × channels] bytes, rows top-to-bottom. */
export interface Frame {
  width: number;
  height: number;
  /** 3 = RGB, 4 = RGBA (alpha ignored). */
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** Where a model folder comes from. */
export type ModelSource =
  /** Base URL of the folder (relative to the page or absolute); files are fetched as `${url}/${path}`. */
  | { url: string }
  /** Files of a local folder the user picked or dropped, by path relative to the folder. */
  | { files: Record<string, Blob | ArrayBuffer | Uint8Array> }
  /** A directory on disk (in-process policy in Node only). */
  | { dir: string };

export interface LoadProgress {
  /** File being loaded, relative to the folder. */
  file: string;
  /** Bytes of this file received so far / in total (total 0 when unknown). */
  loaded: number;
  total: number;
  /** Bytes of all the folder's files received so far / expected (known once each file has started). */
  loadedAll: number;
  totalAll: number;
  fromCache: boolean;
}

export interface LoadOptions {
  executionProvider?: ExecutionProviderPreference;
  onProgress?: (p: LoadProgress) => void;
  /** Use the Cache API when available. @default true */
  cache?: boolean;
}

export interface ModelInfo {
  id: string;
  name: string;
  manifest: Manifest;
  executionProvider: ExecutionProvider;
  /** Why that EP, e.g. "auto: WebGPU adapter is software (swiftshader); WASM is faster". */
  executionProviderReason: string;
  /** WASM threads in use (1 when not cross-origin isolated). */
  wasmThreads: number;
  /** Bytes per file of the folder (graphs, tokenizer, manifest). */
  bytes: Record<string, number>;
  /** Whether the decoder emits attention weights. */
  hasAttention: boolean;
}

export interface PredictOptions {
  /** 0/undefined: deterministic (`decoding`). */
  temperature?: number;
  /** Without sampling: 'argmax' or 'median' (core/sampling.ts). @default the manifest's action.decoding, else 'argmax' */
  decoding?: Decoding;
  topK?: number;
  /** Seed for sampling. @default 0 */
  seed?: number;
  /** Raw proprio state (manifest `state.names`, units), required when the manifest declares `state`. */
  state?: readonly number[];
  /** Use the KV cache (default) or recompute the whole sequence for every token (tests, benchmarks). */
  useKvCache?: boolean;
}

/** Where each kind of token sits along the attention key axis. */
export interface SequenceLayout {
  /** Image patch tokens: keys [start, start + count), row-major over `grid` [rows, cols]. */
  image: { start: number; count: number; grid: [number, number] | null };
  /** Keypoint tokens (image positions the encoder computed), right after the patches, when the model has them. */
  keypoints?: { start: number; count: number } | undefined;
  /** The state token's key index, when the model has one. */
  state: number | null;
  /** Prompt tokens (BOS first) and their strings. */
  text: { start: number; count: number; tokens: string[] };
  /** Action tokens fed back as inputs: keys [start, start + count) (count = dims − 1). */
  actions: { start: number; count: number };
}

/**
 * Attention of each action-predicting query over the sequence: `data[((d·L + l)·H + h)·K + k]`
 * for action dim d, layer l, head h, key k; keys not yet visible to dim d are 0.
 */
export interface AttentionMaps {
  data: Float32Array;
  /** [dims, layers, heads, keys]. */
  shape: [number, number, number, number];
  layout: SequenceLayout;
}

export interface StepTimings {
  preprocessMs: number;
  visionMs: number;
  /** Text embedding of the prompt. */
  embedMs: number;
  /** Prefill decoder call, which also yields action token 0. */
  prefillMs: number;
  /** One entry per further action token (dims − 1): embed + decoder + choice. */
  decodeMs: number[];
  detokenizeMs: number;
  totalMs: number;
}

/** One policy step's result. */
export interface PolicyStep {
  /** Action token ids, length dims, each in [vocab_size − bins, vocab_size). */
  tokens: number[];
  /** Bin-center values in [−1, 1], length dims. */
  normalized: number[];
  /** Un-normalized action (manifest units), length dims. */
  action: number[];
  /** Per-dim probability over the action tokens at temperature 1, [dims × bins], slot order (id − start). */
  probs: Float32Array;
  attention?: AttentionMaps;
  timings: StepTimings;
  /** The prompt the model saw (after sanitizing/truncation) and its token ids. */
  prompt: { text: string; ids: number[]; truncated: boolean };
  executionProvider: ExecutionProvider;
}

export interface Policy {
  /** Load (or replace) the model. Resolves with what was loaded and on which EP. */
  load(source: ModelSource, options?: LoadOptions): Promise<ModelInfo>;
  /**
   * One step: frame + instruction → action tokens. Calls are serialized. The worker client
   * transfers `frame.data`'s buffer (the caller's array is detached afterwards).
   */
  predict(frame: Frame, instruction: string, options?: PredictOptions): Promise<PolicyStep>;
  /** Release sessions and memory; the policy can be loaded again afterwards. */
  dispose(): Promise<void>;
}

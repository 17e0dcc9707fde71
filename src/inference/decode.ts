/**
 * The one decode loop, shared by the worker and the in-process policy: preprocess →
 * vision encoder → embed prompt → prefill (KV cache) → `action.dims` decode steps
 * restricted to the action tokens → de-tokenize and un-normalize. Talks to the graphs
 * through `GraphBackend`, so it imports no ORT and runs against any runtime.
 */
import { detokenizeActions } from '../core/actionTokenizer';
import { GraphContractError, PolicyInputError } from '../core/errors';
import { type GraphName, pastKeyName, presentName } from '../core/graphContract';
import { DEFAULT_MAX_INSTRUCTION_CHARS, type Manifest, unnormStats } from '../core/manifest';
import type {
  AttentionMaps,
  ExecutionProvider,
  Frame,
  PolicyStep,
  PredictOptions,
  StepTimings,
} from '../core/policy';
import { Rng } from '../core/prng';
import { fitPrompt } from '../core/prompt';
import { chooseActionToken } from '../core/sampling';
import { normalizeState, preprocessFrame } from './preprocess';

export type TensorType = 'float32' | 'float16' | 'int64' | 'int32';

/** A tensor as both sides see it (ORT's Tensor satisfies this). */
export interface TensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface GraphBackend {
  /** Wrap data as an input tensor. */
  tensor(
    type: TensorType,
    data: Float32Array | BigInt64Array | Uint16Array | Int32Array,
    dims: readonly number[],
  ): TensorLike;
  /** Run a graph; calls are serialized by the backend. */
  run(graph: GraphName, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
}

export interface PromptTokenizerLike {
  encode(text: string): { ids: number[]; tokens: string[] };
  idToToken(id: number): string;
}

const now = () => performance.now();

function f32(t: TensorLike | undefined, what: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`${what}: expected a float32 output`);
  return t.data;
}

function ids64(ids: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = BigInt(ids[i]!);
  return out;
}

function ones64(n: number): BigInt64Array {
  return new BigInt64Array(n).fill(1n);
}

function range64(start: number, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = BigInt(start + i);
  return out;
}

function disposeAll(ts: Iterable<TensorLike>): void {
  for (const t of ts) t.dispose?.();
}

/**
 * The embeddings of the action tokens [bins × D], per backend (its sessions). embed_tokens is a lookup per
 * id (positions are added inside the decoder), so one call over all `bins` action ids replaces the
 * embed_tokens call that every further action token would otherwise make (6 of a step's 14 ORT calls).
 */
const actionEmbedCache = new WeakMap<GraphBackend, Promise<Float32Array>>();

function actionEmbeddings(backend: GraphBackend, firstId: number, bins: number): Promise<Float32Array> {
  let cached = actionEmbedCache.get(backend);
  if (!cached) {
    cached = (async () => {
      const ids = backend.tensor('int64', range64(firstId, bins), [1, bins]);
      const out = await backend.run('embed_tokens', { input_ids: ids });
      const rows = f32(out.inputs_embeds, 'embed_tokens inputs_embeds').slice();
      disposeAll([ids, ...Object.values(out)]);
      return rows;
    })();
    actionEmbedCache.set(backend, cached);
    cached.catch(() => actionEmbedCache.delete(backend));
  }
  return cached;
}

/** One policy step. See `Policy.predict`. */
export async function decodeActions(
  backend: GraphBackend,
  manifest: Manifest,
  tokenizer: PromptTokenizerLike,
  frame: Frame,
  instruction: string,
  options: PredictOptions,
  executionProvider: ExecutionProvider,
): Promise<PolicyStep> {
  const t0 = now();
  const { action: spec, decoder: dec, image } = manifest;
  const dims = spec.dims;
  const bins = spec.bins;
  const V = spec.vocab_size;
  const useKv = options.useKvCache !== false;

  // Preprocess: pixels (+ state).
  const pixels = preprocessFrame(frame, image);
  const visionFeeds: Record<string, TensorLike> = {
    pixel_values: backend.tensor(
      'float32',
      pixels,
      image.layout === 'NCHW' ? [1, 3, image.height, image.width] : [1, image.height, image.width, 3],
    ),
  };
  if (manifest.state) {
    visionFeeds.state = backend.tensor('float32', normalizeState(options.state, manifest.state), [
      1,
      manifest.state.dims,
    ]);
  }
  const t1 = now();

  // Vision encoder.
  const vis = await backend.run('vision_encoder', visionFeeds);
  const imageEmbeds = vis.image_embeds;
  const imgData = f32(imageEmbeds, 'vision_encoder image_embeds');
  const nImg = imageEmbeds!.dims[1]!;
  const nKeypoints = image.keypoint_tokens ?? 0;
  const nPatches = nImg - nKeypoints - (manifest.state ? 1 : 0); // [patches][keypoints][state]
  const D = imageEmbeds!.dims[2]!;
  disposeAll(Object.values(visionFeeds));
  const t2 = now();

  // Prompt → ids, fitted to the decoder's positions: nImg + T + dims − 1 ≤ max_positions.
  const budget =
    dec.max_positions !== undefined ? dec.max_positions - nImg - dims + 1 : Number.POSITIVE_INFINITY;
  let fitted: ReturnType<typeof fitPrompt>;
  try {
    fitted = fitPrompt(
      manifest.prompt.template,
      instruction,
      {
        lowercase: manifest.prompt.lowercase,
        maxChars: manifest.prompt.max_chars ?? DEFAULT_MAX_INSTRUCTION_CHARS,
      },
      (p) => tokenizer.encode(p).ids.length <= budget,
    );
  } catch (e) {
    throw new PolicyInputError(
      `prompt does not fit the model's ${dec.max_positions} positions: ${(e as Error).message}`,
    );
  }
  const enc = tokenizer.encode(fitted.prompt);
  const T = enc.ids.length;
  const promptIds = backend.tensor('int64', ids64(enc.ids), [1, T]);
  const embedOut = await backend.run('embed_tokens', { input_ids: promptIds });
  const textData = f32(embedOut.inputs_embeds, 'embed_tokens inputs_embeds');
  const prefix = new Float32Array((nImg + T) * D);
  prefix.set(imgData.subarray(0, nImg * D), 0);
  prefix.set(textData.subarray(0, T * D), nImg * D);
  disposeAll([promptIds, ...Object.values(vis), ...Object.values(embedOut)]);
  const actionRows = await actionEmbeddings(backend, V - bins, bins);
  if (actionRows.length !== bins * D)
    throw new GraphContractError(
      `embed_tokens gave ${actionRows.length / bins} values per action token; the image embeddings have ${D}`,
      manifest.graphs.embed_tokens,
      'inputs_embeds',
    );
  const t3 = now();

  const P = nImg + T; // prefix length
  const keysMax = P + dims - 1;
  const probs = new Float32Array(dims * bins);
  const tokens: number[] = [];
  const rng = new Rng(options.seed ?? 0);
  const sampling = {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
    decoding: options.decoding ?? manifest.action.decoding ?? 'argmax',
  };
  const attnName = dec.attentions;
  let attention: AttentionMaps | undefined;
  const kvType: TensorType = dec.kv_dtype === 'float16' ? 'float16' : 'float32';
  const emptyPast = (): Record<string, TensorLike> => {
    const feeds: Record<string, TensorLike> = {};
    const empty = kvType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    for (let l = 0; l < dec.num_layers; l++) {
      for (const kv of ['key', 'value'] as const) {
        feeds[pastKeyName(l, kv)] = backend.tensor(kvType, empty, [1, dec.num_kv_heads, 0, dec.head_dim]);
      }
    }
    return feeds;
  };

  // Sequence embeddings fed so far (for the no-cache path) and the KV cache (for the cached path).
  let seq = prefix;
  let past = emptyPast();
  const decodeMs: number[] = [];
  let prefillMs = 0;
  let pendingEmbed: Float32Array = prefix;

  for (let d = 0; d < dims; d++) {
    const ts = now();
    if (d > 0) {
      const slot = tokens[d - 1]! - (V - bins);
      const emb = actionRows.slice(slot * D, (slot + 1) * D); // a copy: it becomes a tensor's data
      if (useKv) pendingEmbed = emb;
      else {
        const grown = new Float32Array(seq.length + D);
        grown.set(seq, 0);
        grown.set(emb, seq.length);
        seq = grown;
      }
    }
    const total = P + d; // keys visible to this call
    const S = useKv ? (d === 0 ? P : 1) : total;
    const input = useKv ? pendingEmbed : seq;
    const feeds: Record<string, TensorLike> = {
      inputs_embeds: backend.tensor('float32', input, [1, S, D]),
      attention_mask: backend.tensor('int64', ones64(total), [1, total]),
      position_ids: backend.tensor('int64', range64(total - S, S), [1, S]),
      ...(useKv ? past : emptyPast()),
    };
    const out = await backend.run('decoder', feeds);
    // Inputs are done with; the cached path's past tensors are disposed below, when they are replaced.
    disposeAll(
      useKv ? [feeds.inputs_embeds!, feeds.attention_mask!, feeds.position_ids!] : Object.values(feeds),
    );
    const logits = f32(out.logits, 'decoder logits');
    // A graph may return every position's logits [1, S, V] or, as the bundled exports do, only the last
    // one's [1, 1, V]: either way the last row predicts the next action token.
    const rows = out.logits!.dims[1] ?? S;
    if (rows !== S && rows !== 1)
      throw new GraphContractError(
        `decoder logits have ${rows} positions for a ${S}-position input (expected ${S} or 1)`,
        manifest.graphs.decoder,
        'logits',
      );
    const tok = chooseActionToken(logits, (rows - 1) * V, V, bins, probs, d * bins, sampling, rng);
    tokens.push(tok);

    const att = attnName ? out[attnName] : undefined;
    if (att && att.data instanceof Float32Array) {
      const [, L, H, q, K] = att.dims as [number, number, number, number, number];
      if (!attention) {
        attention = {
          data: new Float32Array(dims * L! * H! * keysMax),
          shape: [dims, L!, H!, keysMax],
          layout: {
            image: {
              start: 0,
              count: nPatches,
              grid: image.patch_grid ? [image.patch_grid[0], image.patch_grid[1]] : null,
            },
            ...(nKeypoints > 0 && {
              keypoints: { start: nPatches, count: nKeypoints },
            }),
            state: manifest.state ? nImg - 1 : null,
            text: { start: nImg, count: T, tokens: enc.ids.map((id) => tokenizer.idToToken(id)) },
            actions: { start: P, count: dims - 1 },
          },
        };
      }
      const src = att.data;
      for (let l = 0; l < L!; l++) {
        for (let h = 0; h < H!; h++) {
          const from = ((l * H! + h) * q! + (q! - 1)) * K!;
          attention.data.set(src.subarray(from, from + K!), ((d * L! + l) * H! + h) * keysMax);
        }
      }
    }
    // Keep the new cache, drop the old one and everything else this call returned.
    const keep = new Set<TensorLike>();
    if (useKv) {
      const next: Record<string, TensorLike> = {};
      for (let l = 0; l < dec.num_layers; l++) {
        for (const kv of ['key', 'value'] as const) {
          const t = out[presentName(l, kv)]!;
          next[pastKeyName(l, kv)] = t;
          keep.add(t);
        }
      }
      disposeAll(Object.values(past));
      past = next;
    }
    disposeAll(Object.values(out).filter((t) => !keep.has(t)));
    const dt = now() - ts;
    if (d === 0) prefillMs = dt;
    else decodeMs.push(dt);
  }
  disposeAll(Object.values(past));

  const t4 = now();
  const { normalized, action } = detokenizeActions(tokens, spec, unnormStats(manifest));
  const t5 = now();
  const timings: StepTimings = {
    preprocessMs: t1 - t0,
    visionMs: t2 - t1,
    embedMs: t3 - t2,
    prefillMs,
    decodeMs,
    detokenizeMs: t5 - t4,
    totalMs: t5 - t0,
  };
  const step: PolicyStep = {
    tokens,
    normalized,
    action,
    probs,
    timings,
    prompt: { text: fitted.prompt, ids: enc.ids, truncated: fitted.truncated },
    executionProvider,
  };
  if (attention) step.attention = attention;
  return step;
}

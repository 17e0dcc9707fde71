/**
 * The `vla-onnx` model folder manifest: its zod schema, the cross-field rules,
 * and `parseManifest`, a pure function over bytes or JSON whose errors name the
 * file and the field. Pure; must not import DOM, three.js, ORT or React.
 */
import { z } from 'zod';
import { ManifestError } from './errors';
import { DECODINGS } from './sampling';

const posInt = z.number().int().positive();
const rgb = z.tuple([z.number(), z.number(), z.number()]);

/** Normalization statistics of one dataset key (OpenVLA BOUNDS_Q99). */
export const NormStatsSchema = z.object({
  q01: z.array(z.number()),
  q99: z.array(z.number()),
  /** true: the dimension is un-normalized with q01/q99; false: used as decoded (the gripper). */
  mask: z.array(z.boolean()),
  mean: z.array(z.number()).optional(),
  std: z.array(z.number()).optional(),
});

export const ManifestSchema = z.object({
  format: z.literal('vla-onnx'),
  format_version: z.literal(1),
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  license: z.string().min(1),
  /** Paths relative to the folder. */
  graphs: z.object({
    vision_encoder: z.string().min(1),
    embed_tokens: z.string().min(1),
    decoder: z.string().min(1),
  }),
  /** dtype per graph, e.g. { decoder: 'q8' }; informational. */
  quantization: z.record(z.string(), z.string()).optional(),
  image: z.object({
    width: posInt,
    height: posInt,
    resize: z.enum(['bilinear', 'nearest']),
    /** Per-channel mean/std applied to RGB in [0, 1]: (v − mean) / std. */
    mean: rgb,
    std: rgb,
    layout: z.enum(['NCHW', 'NHWC']),
    /** Rows × cols of the patch-token grid the vision encoder emits (row-major), for attention maps. */
    patch_grid: z.tuple([posInt, posInt]).optional(),
    /**
     * Keypoint tokens that follow the patch tokens (each an image position the encoder computed, e.g. one
     * per object class); the state token, when present, comes after them. @default 0
     */
    keypoint_tokens: z.number().int().nonnegative().optional(),
    /** Tokens the vision encoder emits: patches, then keypoint tokens, then one for the state when present. */
    num_tokens: posInt.optional(),
    /**
     * Square size (px) the sim's model camera should render at before the resize to width × height:
     * the size the training frames were rendered at, so the runtime sees the same pixels. @default width
     */
    camera_size: posInt.optional(),
  }),
  prompt: z.object({
    template: z.string().includes('{instruction}', { message: 'must contain "{instruction}"' }),
    lowercase: z.boolean(),
    /** Instructions longer than this (characters) are cut at a word boundary. @default 512 */
    max_chars: posInt.optional(),
  }),
  tokenizer: z.string().min(1),
  tokenizer_config: z.string().min(1).optional(),
  /** Order of the decoder's input sequence; only image → text → action is defined. */
  sequence: z.tuple([z.literal('image'), z.literal('text'), z.literal('action')]).optional(),
  decoder: z.object({
    num_layers: posInt,
    num_kv_heads: posInt,
    head_dim: posInt,
    hidden_size: posInt.optional(),
    /** Largest position id + 1 the decoder accepts. */
    max_positions: posInt.optional(),
    kv_dtype: z.enum(['float32', 'float16']).optional(),
    /** Name of the decoder output with attention weights [batch, layers, heads, q, k], when emitted. */
    attentions: z.string().min(1).optional(),
  }),
  action: z.object({
    dims: posInt,
    names: z.array(z.string()),
    units: z.array(z.string()),
    bins: z.number().int().min(2),
    /** OpenVLA's vocab size: action tokens are ids [vocab_size − bins, vocab_size). */
    vocab_size: posInt,
    norm_stats: z.record(z.string(), NormStatsSchema),
    unnorm_key: z.string().min(1),
    /**
     * How a token is chosen when not sampling: 'argmax' (the most likely bin, OpenVLA's greedy decoding) or
     * 'median' (the bin where the cumulative probability reaches ½). @default 'argmax'
     */
    decoding: z.enum(DECODINGS).optional(),
  }),
  /** Optional proprioceptive input (LeRobot observation.state), normalized (s − mean) / std in the runtime. */
  state: z
    .object({
      dims: posInt,
      names: z.array(z.string()),
      units: z.array(z.string()),
      mean: z.array(z.number()),
      std: z.array(z.number()),
    })
    .optional(),
  control_hz: z.number().positive(),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type NormStats = z.infer<typeof NormStatsSchema>;
export type ActionSpec = Manifest['action'];
export type ImageSpec = Manifest['image'];

/** Default instruction length cap, characters. */
export const DEFAULT_MAX_INSTRUCTION_CHARS = 512;

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

function fail(file: string, field: string, what: string): never {
  throw new ManifestError(`${file}: field "${field}" ${what}`, file, field);
}

/**
 * Parse and validate a manifest. `input`: the file's bytes, its text, or already-parsed JSON.
 * Throws ManifestError whose message names `fileName` and the first bad field, e.g.
 * `models/x/manifest.json: field "action.dims" is missing (expected number)`.
 */
export function parseManifest(
  input: Uint8Array | ArrayBuffer | string | unknown,
  fileName: string,
): Manifest {
  let json: unknown = input;
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    json = new TextDecoder().decode(input);
  }
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (e) {
      throw new ManifestError(`${fileName}: not valid JSON (${(e as Error).message})`, fileName, '');
    }
  }
  const r = ManifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = fieldPath(issue.path);
    if (field === '') throw new ManifestError(`${fileName}: ${issue.message}`, fileName, '');
    const missing = /received undefined$/.exec(issue.message);
    if (missing && issue.code === 'invalid_type') {
      fail(fileName, field, `is missing (expected ${String(issue.expected)})`);
    }
    fail(fileName, field, issue.message.replace(/^Invalid input: /, 'is invalid: '));
  }
  checkConsistency(r.data, fileName);
  return r.data;
}

function checkConsistency(m: Manifest, file: string): void {
  const a = m.action;
  if (a.names.length !== a.dims)
    fail(file, 'action.names', `has ${a.names.length} entries, expected action.dims = ${a.dims}`);
  if (a.units.length !== a.dims)
    fail(file, 'action.units', `has ${a.units.length} entries, expected action.dims = ${a.dims}`);
  if (a.vocab_size <= a.bins)
    fail(file, 'action.vocab_size', `(${a.vocab_size}) must exceed action.bins (${a.bins})`);
  const stats = a.norm_stats[a.unnorm_key];
  if (!stats) {
    const keys = Object.keys(a.norm_stats).join(', ') || 'none';
    fail(file, 'action.unnorm_key', `"${a.unnorm_key}" is not a key of action.norm_stats (has: ${keys})`);
  }
  for (const [key, s] of Object.entries(a.norm_stats)) {
    for (const k of ['q01', 'q99', 'mask'] as const) {
      if (s[k].length !== a.dims) {
        fail(
          file,
          `action.norm_stats.${key}.${k}`,
          `has ${s[k].length} entries, expected action.dims = ${a.dims}`,
        );
      }
    }
    s.q01.forEach((lo, i) => {
      if (s.mask[i] && !(s.q99[i]! >= lo)) fail(file, `action.norm_stats.${key}.q99[${i}]`, 'is below q01');
    });
  }
  if (m.image.std.some((v) => v === 0)) fail(file, 'image.std', 'must not contain 0');
  if (m.image.patch_grid && m.image.num_tokens !== undefined) {
    const [r, c] = m.image.patch_grid;
    const kp = m.image.keypoint_tokens ?? 0;
    const expected = r * c + kp + (m.state ? 1 : 0);
    if (m.image.num_tokens !== expected) {
      fail(
        file,
        'image.num_tokens',
        `(${m.image.num_tokens}) must be patch_grid ${r}×${c}${kp ? ` + ${kp} keypoint tokens` : ''}${m.state ? ' + 1 state token' : ''} = ${expected}`,
      );
    }
  }
  const st = m.state;
  if (st) {
    for (const k of ['names', 'units', 'mean', 'std'] as const) {
      if (st[k].length !== st.dims)
        fail(file, `state.${k}`, `has ${st[k].length} entries, expected state.dims = ${st.dims}`);
    }
    if (st.std.some((v) => v === 0)) fail(file, 'state.std', 'must not contain 0');
  }
}

/** The norm stats the manifest's `unnorm_key` selects (parseManifest guarantees it exists). */
export function unnormStats(m: Manifest): NormStats {
  return m.action.norm_stats[m.action.unnorm_key]!;
}

/**
 * The recording export file: one zip (fflate) holding `recording.json` (metadata and every step's
 * tokens, action, probabilities, attention, timings — float arrays as little-endian float32 base64) and
 * `frames/NNNNNN.png` (each step's model-input frame, 8-bit RGB). Import validates with zod and checks
 * shapes, so a bad file fails with a message that says what is wrong. No DOM or IndexedDB here.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { z } from 'zod';
import type { AttentionMaps, PolicyStep } from '../../core/policy';
import type { PolicyStepRecord } from '../PolicySource';
import { decodePngRgb, encodePngRgb } from './png';
import type { RecordingMeta } from './types';

export const RECORDING_FORMAT = 'vla-recording';
export const RECORDING_FORMAT_VERSION = 1;
const JSON_NAME = 'recording.json';

/** Raised for a file that is not a valid recording; `message` is meant for the user. */
export class RecordingFileError extends Error {
  override name = 'RecordingFileError';
}

// ── base64 of float32 arrays ────────────────────────────────────────────────────────────────────────

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

interface F32Json {
  dtype: 'float32';
  length: number;
  base64: string;
}

function f32ToJson(a: Float32Array): F32Json {
  const bytes = new Uint8Array(a.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat32(i * 4, a[i]!, true);
  return { dtype: 'float32', length: a.length, base64: bytesToBase64(bytes) };
}

function f32FromJson(j: F32Json, where: string): Float32Array {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(j.base64);
  } catch {
    throw new RecordingFileError(`${where}: base64 data is not valid`);
  }
  if (bytes.length !== j.length * 4)
    throw new RecordingFileError(`${where}: ${bytes.length} bytes for ${j.length} float32 values`);
  const out = new Float32Array(j.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < j.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

// ── schema ──────────────────────────────────────────────────────────────────────────────────────────

const finite = z.number().finite();
const count = z.number().int().nonnegative();
const f32Schema = z.object({ dtype: z.literal('float32'), length: count, base64: z.string() });

const modelSchema = z.object({
  id: z.string(),
  name: z.string(),
  action: z.object({
    dims: z.number().int().positive(),
    names: z.array(z.string()),
    units: z.array(z.string()),
    bins: z.number().int().min(2),
    vocab_size: z.number().int().positive(),
  }),
  control_hz: z.number().positive(),
  prompt_template: z.string().exactOptional(),
});

const metaSchema = z.object({
  id: z.string().min(1),
  startedAt: finite,
  updatedAt: finite,
  seed: z.number().int(),
  task: z.string(),
  checkedTask: z.string().exactOptional(),
  instruction: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  /** Absent in files exported before the model's metadata was stored (the loaded model's is used then). */
  model: modelSchema.exactOptional(),
  executionProvider: z.string(),
  status: z.enum(['recording', 'success', 'failure', 'stopped', 'interrupted']),
  reason: z.string().nullable(),
  steps: count,
  frameWidth: count,
  frameHeight: count,
  origin: z.enum(['live', 'import']),
});

const layoutSchema = z.object({
  image: z.object({
    start: count,
    count: count,
    grid: z.tuple([count, count]).nullable(),
  }),
  keypoints: z.object({ start: count, count: count }).optional(),
  state: count.nullable(),
  text: z.object({ start: count, count: count, tokens: z.array(z.string()) }),
  actions: z.object({ start: count, count: count }),
});

const timingsSchema = z.object({
  preprocessMs: finite,
  visionMs: finite,
  embedMs: finite,
  prefillMs: finite,
  decodeMs: z.array(finite),
  detokenizeMs: finite,
  totalMs: finite,
});

const stepSchema = z.object({
  step: count,
  instruction: z.string(),
  latencyMs: finite,
  proprio: z.array(z.number()).nullable(),
  frame: z.object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    file: z.string(),
  }),
  result: z.object({
    tokens: z.array(z.number().int()),
    normalized: z.array(z.number()),
    action: z.array(z.number()),
    probs: f32Schema,
    attention: z
      .object({ shape: z.tuple([count, count, count, count]), layout: layoutSchema, data: f32Schema })
      .nullable(),
    timings: timingsSchema,
    prompt: z.object({ text: z.string(), ids: z.array(z.number().int()), truncated: z.boolean() }),
    executionProvider: z.enum(['webgpu', 'wasm']),
  }),
});

const fileSchema = z.object({
  format: z.literal(RECORDING_FORMAT),
  version: z.literal(RECORDING_FORMAT_VERSION),
  meta: metaSchema,
  steps: z.array(stepSchema).max(100_000),
});

type StepJson = z.infer<typeof stepSchema>;
// The schema's meta must stay the RecordingMeta type (compile-time check both ways).
const _metaCheck: RecordingMeta = {} as z.infer<typeof metaSchema>;
void _metaCheck;

// ── export ──────────────────────────────────────────────────────────────────────────────────────────

const frameName = (i: number) => `frames/${String(i).padStart(6, '0')}.png`;

function stepToJson(r: PolicyStepRecord, i: number): StepJson {
  const { result } = r;
  const att = result.attention;
  return {
    step: r.step,
    instruction: r.instruction,
    latencyMs: r.latencyMs,
    proprio: r.proprio ? [...r.proprio] : null,
    frame: { width: r.frame.width, height: r.frame.height, file: frameName(i) },
    result: {
      tokens: [...result.tokens],
      normalized: [...result.normalized],
      action: [...result.action],
      probs: f32ToJson(result.probs),
      attention: att ? { shape: [...att.shape], layout: att.layout, data: f32ToJson(att.data) } : null,
      timings: { ...result.timings, decodeMs: [...result.timings.decodeMs] },
      prompt: { text: result.prompt.text, ids: [...result.prompt.ids], truncated: result.prompt.truncated },
      executionProvider: result.executionProvider,
    },
  };
}

/** Everything of a recording but the frames, as the export's JSON document. */
export function recordingToJson(meta: RecordingMeta, records: readonly PolicyStepRecord[]): string {
  return JSON.stringify({
    format: RECORDING_FORMAT,
    version: RECORDING_FORMAT_VERSION,
    meta: { ...meta, steps: records.length },
    steps: records.map(stepToJson),
  });
}

/** One zip: recording.json plus a PNG per step's frame (PNGs stored, not re-deflated). */
export function encodeRecordingZip(meta: RecordingMeta, records: readonly PolicyStepRecord[]): Uint8Array {
  const files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {
    [JSON_NAME]: strToU8(recordingToJson(meta, records)),
  };
  records.forEach((r, i) => {
    files[frameName(i)] = [encodePngRgb(r.frame.width, r.frame.height, r.frame.rgb), { level: 0 }];
  });
  return zipSync(files, { level: 6 });
}

/** File name for an export: task, seed and start time. */
export function recordingFileName(meta: RecordingMeta): string {
  const when = new Date(meta.startedAt).toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  const task = meta.task.replace(/[^a-z0-9-]+/gi, '_');
  return `vla-recording_${task}_seed${meta.seed}_${when}.zip`;
}

// ── import ──────────────────────────────────────────────────────────────────────────────────────────

function describeZodError(e: z.ZodError): string {
  const issues = e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = e.issues.length > 3 ? ` (and ${e.issues.length - 3} more)` : '';
  return `${issues.join('; ')}${more}`;
}

function stepFromJson(j: StepJson, i: number, files: Record<string, Uint8Array>): PolicyStepRecord {
  const where = `step ${i}`;
  const r = j.result;
  const dims = r.tokens.length;
  if (dims === 0) throw new RecordingFileError(`${where}: no action tokens`);
  if (r.action.length !== dims || r.normalized.length !== dims)
    throw new RecordingFileError(`${where}: ${dims} tokens but ${r.action.length} action values`);
  const probs = f32FromJson(r.probs, `${where} probs`);
  if (probs.length % dims !== 0)
    throw new RecordingFileError(`${where}: ${probs.length} probabilities do not split into ${dims} dims`);
  let attention: AttentionMaps | undefined;
  if (r.attention) {
    const data = f32FromJson(r.attention.data, `${where} attention`);
    const [d, l, h, k] = r.attention.shape;
    if (data.length !== d * l * h * k)
      throw new RecordingFileError(
        `${where}: attention has ${data.length} values, shape says ${d * l * h * k}`,
      );
    attention = { data, shape: [d, l, h, k], layout: r.attention.layout };
  }
  const png = files[j.frame.file];
  if (!png) throw new RecordingFileError(`${where}: frame ${j.frame.file} is missing from the zip`);
  let frame: { width: number; height: number; rgb: Uint8Array };
  try {
    frame = decodePngRgb(png);
  } catch (e) {
    throw new RecordingFileError(`${where}: frame ${j.frame.file}: ${(e as Error).message}`);
  }
  if (frame.width !== j.frame.width || frame.height !== j.frame.height)
    throw new RecordingFileError(
      `${where}: frame is ${frame.width}×${frame.height}, expected ${j.frame.width}×${j.frame.height}`,
    );
  const result: PolicyStep = {
    tokens: r.tokens,
    normalized: r.normalized,
    action: r.action,
    probs,
    timings: r.timings,
    prompt: r.prompt,
    executionProvider: r.executionProvider,
    ...(attention ? { attention } : {}),
  };
  return {
    step: j.step,
    instruction: j.instruction,
    frame,
    proprio: j.proprio,
    result,
    latencyMs: j.latencyMs,
  };
}

/** Read an exported zip back. Throws RecordingFileError with a user-facing message on any problem. */
export function decodeRecordingZip(bytes: Uint8Array): { meta: RecordingMeta; records: PolicyStepRecord[] } {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch {
    throw new RecordingFileError('not a recording file: it is not a zip archive');
  }
  const json = files[JSON_NAME];
  if (!json) throw new RecordingFileError(`not a recording file: the zip has no ${JSON_NAME}`);
  let raw: unknown;
  try {
    raw = JSON.parse(strFromU8(json));
  } catch {
    throw new RecordingFileError(`${JSON_NAME} is not valid JSON`);
  }
  const head = raw as { format?: unknown; version?: unknown } | null;
  if (head?.format !== RECORDING_FORMAT)
    throw new RecordingFileError(`not a recording file: ${JSON_NAME} has format ${String(head?.format)}`);
  if (head.version !== RECORDING_FORMAT_VERSION)
    throw new RecordingFileError(
      `recording format version ${String(head.version)} is not supported (this build reads ${RECORDING_FORMAT_VERSION})`,
    );
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    throw new RecordingFileError(`${JSON_NAME} is not valid: ${describeZodError(parsed.error)}`);
  const model = parsed.data.meta.model;
  if (model) {
    const { dims, names, units } = model.action;
    if (names.length !== dims || units.length !== dims)
      throw new RecordingFileError(
        `meta.model.action: ${names.length} names and ${units.length} units for ${dims} dims`,
      );
  }
  const records = parsed.data.steps.map((s, i) => stepFromJson(s, i, files));
  const wrongDims = model ? records.findIndex((r) => r.result.tokens.length !== model.action.dims) : -1;
  if (model && wrongDims >= 0)
    throw new RecordingFileError(
      `step ${wrongDims}: ${records[wrongDims]!.result.tokens.length} action tokens, the recording's model has ${model.action.dims} dims`,
    );
  const first = records[0];
  const meta: RecordingMeta = {
    ...parsed.data.meta,
    steps: records.length,
    frameWidth: first?.frame.width ?? parsed.data.meta.frameWidth,
    frameHeight: first?.frame.height ?? parsed.data.meta.frameHeight,
  };
  return { meta, records };
}

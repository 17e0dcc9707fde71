/**
 * The inputs and outputs each ONNX graph of a `vla-onnx` folder must have, derived
 * from the manifest, and `checkGraphIO`, which compares them with what a loaded
 * graph declares (names, element types, fixed dims). Pure; no DOM/three/ORT/React.
 */
import { GraphContractError } from './errors';
import type { Manifest } from './manifest';

export type GraphName = 'vision_encoder' | 'embed_tokens' | 'decoder';
export const GRAPH_NAMES: readonly GraphName[] = ['vision_encoder', 'embed_tokens', 'decoder'];

/** What a runtime reports about one graph value; `shape` entries are numbers or symbolic names. */
export interface GraphValueInfo {
  name: string;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface GraphIO {
  inputs: readonly GraphValueInfo[];
  outputs: readonly GraphValueInfo[];
}

interface Expected {
  name: string;
  /** Manifest field this value follows from (named in errors). */
  field: string;
  types: readonly string[];
  /** Expected dims; null = any. */
  shape?: ReadonlyArray<number | null>;
}

const FLOAT = ['float32', 'float16'];
const INT = ['int64', 'int32'];

export function pastKeyName(layer: number, kv: 'key' | 'value'): string {
  return `past_key_values.${layer}.${kv}`;
}
export function presentName(layer: number, kv: 'key' | 'value'): string {
  return `present.${layer}.${kv}`;
}

/** The inputs/outputs the manifest requires of graph `g`. */
export function expectedGraphIO(m: Manifest, g: GraphName): { inputs: Expected[]; outputs: Expected[] } {
  const d = m.decoder;
  const hidden = d.hidden_size ?? null;
  switch (g) {
    case 'vision_encoder': {
      const { width: w, height: h } = m.image;
      const inputs: Expected[] = [
        {
          name: 'pixel_values',
          field: 'image',
          types: FLOAT,
          shape: m.image.layout === 'NCHW' ? [null, 3, h, w] : [null, h, w, 3],
        },
      ];
      if (m.state)
        inputs.push({ name: 'state', field: 'state.dims', types: FLOAT, shape: [null, m.state.dims] });
      return {
        inputs,
        outputs: [
          {
            name: 'image_embeds',
            field: 'image.num_tokens',
            types: FLOAT,
            shape: [null, m.image.num_tokens ?? null, hidden],
          },
        ],
      };
    }
    case 'embed_tokens':
      return {
        inputs: [{ name: 'input_ids', field: 'tokenizer', types: INT, shape: [null, null] }],
        outputs: [
          { name: 'inputs_embeds', field: 'decoder.hidden_size', types: FLOAT, shape: [null, null, hidden] },
        ],
      };
    case 'decoder': {
      const inputs: Expected[] = [
        { name: 'inputs_embeds', field: 'decoder.hidden_size', types: FLOAT, shape: [null, null, hidden] },
        { name: 'attention_mask', field: 'decoder', types: INT, shape: [null, null] },
        { name: 'position_ids', field: 'decoder', types: INT, shape: [null, null] },
      ];
      const outputs: Expected[] = [
        {
          name: 'logits',
          field: 'action.vocab_size',
          types: FLOAT,
          shape: [null, null, m.action.vocab_size],
        },
      ];
      const kvShape = [null, d.num_kv_heads, null, d.head_dim];
      for (let i = 0; i < d.num_layers; i++) {
        for (const kv of ['key', 'value'] as const) {
          inputs.push({
            name: pastKeyName(i, kv),
            field: 'decoder.num_layers',
            types: FLOAT,
            shape: kvShape,
          });
          outputs.push({
            name: presentName(i, kv),
            field: 'decoder.num_layers',
            types: FLOAT,
            shape: kvShape,
          });
        }
      }
      if (d.attentions) {
        outputs.push({
          name: d.attentions,
          field: 'decoder.attentions',
          types: FLOAT,
          shape: [null, d.num_layers, d.num_kv_heads, null, null],
        });
      }
      return { inputs, outputs };
    }
  }
}

function describeShape(shape: ReadonlyArray<number | string | null>): string {
  return `[${shape.map((s) => (s === null ? '?' : String(s))).join(', ')}]`;
}

function checkValues(
  kind: 'input' | 'output',
  expected: readonly Expected[],
  actual: readonly GraphValueInfo[],
  file: string,
): void {
  const byName = new Map(actual.map((v) => [v.name, v]));
  for (const e of expected) {
    const v = byName.get(e.name);
    if (!v) {
      const have = actual.map((a) => a.name).join(', ');
      throw new GraphContractError(
        `${file}: has no ${kind} "${e.name}", which the manifest ("${e.field}") requires; the graph's ${kind}s are: ${have}`,
        file,
        e.field,
      );
    }
    if (v.type && !e.types.includes(v.type)) {
      throw new GraphContractError(
        `${file}: ${kind} "${e.name}" has type ${v.type}, expected ${e.types.join(' or ')}`,
        file,
        e.field,
      );
    }
    if (v.shape && v.shape.length > 0 && e.shape) {
      const bad =
        v.shape.length !== e.shape.length ||
        e.shape.some((want, i) => want !== null && typeof v.shape![i] === 'number' && v.shape![i] !== want);
      if (bad) {
        throw new GraphContractError(
          `${file}: ${kind} "${e.name}" has shape ${describeShape(v.shape)}, but the manifest ("${e.field}") implies ${describeShape(e.shape)}`,
          file,
          e.field,
        );
      }
    }
  }
}

/**
 * Throws GraphContractError when graph `g` (loaded from `file`) lacks a required input/output, has a
 * wrong element type or fixed dim, or has extra required inputs the manifest does not declare
 * (e.g. more KV-cache layers than `decoder.num_layers`, or a `state` input without a `state` section).
 */
export function checkGraphIO(m: Manifest, g: GraphName, io: GraphIO, file: string): void {
  const exp = expectedGraphIO(m, g);
  const known = new Set(exp.inputs.map((e) => e.name));
  for (const v of io.inputs) {
    if (known.has(v.name)) continue;
    const field = v.name.startsWith('past_key_values.')
      ? 'decoder.num_layers'
      : v.name === 'state'
        ? 'state'
        : g;
    throw new GraphContractError(
      `${file}: has input "${v.name}" that the manifest does not declare (check "${field}")`,
      file,
      field,
    );
  }
  checkValues('input', exp.inputs, io.inputs, file);
  checkValues('output', exp.outputs, io.outputs, file);
}

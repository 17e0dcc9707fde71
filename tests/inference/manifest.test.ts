/**
 * Manifest validation (missing field, wrong type, cross-field rules) and graph I/O
 * checks against the manifest, on the committed fixture's manifest and graphs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphContractError, ManifestError, ModelLoadError } from '../../src/core/errors';
import { checkGraphIO } from '../../src/core/graphContract';
import { parseManifest } from '../../src/core/manifest';
import { createInProcessPolicy } from '../../src/inference/inProcess';

const DIR = 'models/fixture-random';
const FILE = `${DIR}/manifest.json`;
const raw = () => JSON.parse(readFileSync(FILE, 'utf8'));

function err(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifest', () => {
  it('accepts the fixture manifest from bytes', () => {
    const m = parseManifest(readFileSync(FILE), FILE);
    expect(m.action.dims).toBe(7);
    expect(m.action.vocab_size).toBe(307);
    expect(m.state?.dims).toBe(4);
  });

  it('names the file and the missing field', () => {
    const j = raw();
    delete j.action.dims;
    const e = err(() => parseManifest(j, FILE));
    expect(e.field).toBe('action.dims');
    expect(e.file).toBe(FILE);
    expect(e.message).toBe(`${FILE}: field "action.dims" is missing (expected number)`);
  });

  it('names a field with the wrong type', () => {
    const j = raw();
    j.image.width = '64';
    const e = err(() => parseManifest(j, FILE));
    expect(e.field).toBe('image.width');
    expect(e.message).toContain('expected number, received string');
    const k = raw();
    k.action.norm_stats.fixture_sim.q01[2] = 'x';
    expect(err(() => parseManifest(k, FILE)).field).toBe('action.norm_stats.fixture_sim.q01[2]');
  });

  it('checks cross-field rules', () => {
    const a = raw();
    a.action.unnorm_key = 'bridge_orig';
    const ea = err(() => parseManifest(a, FILE));
    expect(ea.field).toBe('action.unnorm_key');
    expect(ea.message).toContain('"bridge_orig" is not a key of action.norm_stats (has: fixture_sim)');
    const b = raw();
    b.action.norm_stats.fixture_sim.mask.pop();
    expect(err(() => parseManifest(b, FILE)).message).toContain('has 6 entries, expected action.dims = 7');
    const c = raw();
    c.prompt.template = 'no placeholder';
    expect(err(() => parseManifest(c, FILE)).field).toBe('prompt.template');
    const d = raw();
    d.format = 'gguf';
    expect(err(() => parseManifest(d, FILE)).field).toBe('format');
  });

  it('counts keypoint tokens between the patches and the state token in image.num_tokens', () => {
    const base = raw();
    const [r, c] = base.image.patch_grid as [number, number];
    const withState = base.state ? 1 : 0;
    const k = raw();
    k.image.keypoint_tokens = 19;
    k.image.num_tokens = r * c + 19 + withState;
    expect(parseManifest(k, FILE).image.keypoint_tokens).toBe(19);
    const missing = raw();
    missing.image.keypoint_tokens = 19; // num_tokens still counts only patches (+ state)
    const e = err(() => parseManifest(missing, FILE));
    expect(e.field).toBe('image.num_tokens');
    expect(e.message).toContain('+ 19 keypoint tokens');
    const negative = raw();
    negative.image.keypoint_tokens = -1;
    expect(err(() => parseManifest(negative, FILE)).field).toBe('image.keypoint_tokens');
  });

  it('rejects bytes that are not JSON', () => {
    const e = err(() => parseManifest(new Uint8Array([0x7b, 0x7b, 0xff]), FILE));
    expect(e.message).toMatch(/^models\/fixture-random\/manifest\.json: not valid JSON/);
  });
});

describe('checkGraphIO', () => {
  const m = parseManifest(raw(), FILE);
  const okInputs = [
    { name: 'inputs_embeds', type: 'float32', shape: ['batch', 'sequence', 64] },
    { name: 'attention_mask', type: 'int64', shape: ['batch', 'total'] },
    { name: 'position_ids', type: 'int64', shape: ['batch', 'sequence'] },
  ];
  const kv = (n: number, heads = 4) =>
    Array.from({ length: n }, (_, i) =>
      ['key', 'value'].map((k) => ({
        name: `past_key_values.${i}.${k}`,
        type: 'float32',
        shape: ['batch', heads, 'past', 16],
      })),
    ).flat();
  const present = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      ['key', 'value'].map((k) => ({ name: `present.${i}.${k}`, type: 'float32' })),
    ).flat();
  const outputs = [
    { name: 'logits', type: 'float32', shape: ['batch', 'sequence', 307] },
    ...present(2),
    { name: 'attentions' },
  ];

  it('accepts matching I/O', () => {
    expect(() =>
      checkGraphIO(m, 'decoder', { inputs: [...okInputs, ...kv(2)], outputs }, 'decoder.onnx'),
    ).not.toThrow();
  });

  it('reports a missing KV-cache layer with the manifest field', () => {
    const fn = () => checkGraphIO(m, 'decoder', { inputs: [...okInputs, ...kv(1)], outputs }, 'decoder.onnx');
    expect(fn).toThrow(GraphContractError);
    expect(fn).toThrow(
      /decoder\.onnx: has no input "past_key_values\.1\.key", which the manifest \("decoder\.num_layers"\) requires/,
    );
  });

  it('reports a wrong head count and an undeclared input', () => {
    expect(() =>
      checkGraphIO(m, 'decoder', { inputs: [...okInputs, ...kv(2, 8)], outputs }, 'decoder.onnx'),
    ).toThrow(
      /input "past_key_values\.0\.key" has shape \[batch, 8, past, 16\], but the manifest \("decoder\.num_layers"\) implies \[\?, 4, \?, 16\]/,
    );
    expect(() =>
      checkGraphIO(m, 'decoder', { inputs: [...okInputs, ...kv(3)], outputs }, 'decoder.onnx'),
    ).toThrow(/has input "past_key_values\.2\.key" that the manifest does not declare/);
    expect(() =>
      checkGraphIO(
        m,
        'embed_tokens',
        { inputs: [{ name: 'input_ids', type: 'float32' }], outputs: [{ name: 'inputs_embeds' }] },
        'e.onnx',
      ),
    ).toThrow(/input "input_ids" has type float32, expected int64 or int32/);
  });
});

describe('loading a folder whose graphs do not match the manifest', () => {
  const files = (manifest: unknown): Record<string, Uint8Array> => {
    const out: Record<string, Uint8Array> = {
      'manifest.json': new TextEncoder().encode(JSON.stringify(manifest)),
    };
    for (const f of [
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/vision_encoder.onnx',
      'onnx/embed_tokens.onnx',
      'onnx/decoder.onnx',
    ]) {
      out[f] = new Uint8Array(readFileSync(`${DIR}/${f}`));
    }
    return out;
  };
  const policy = createInProcessPolicy();

  it('names the graph file and the manifest field', async () => {
    const j = raw();
    j.decoder.num_layers = 3;
    const p = policy.load({ files: files(j) });
    await expect(p).rejects.toBeInstanceOf(GraphContractError);
    await expect(p).rejects.toThrow(
      /local folder\/onnx\/decoder\.onnx: has no input "past_key_values\.2\.key".*"decoder\.num_layers"/,
    );
  });

  it('notices a state input the manifest does not declare', async () => {
    const j = raw();
    delete j.state;
    j.image.num_tokens = 64;
    await expect(policy.load({ files: files(j) })).rejects.toThrow(
      /onnx\/vision_encoder\.onnx: has input "state" that the manifest does not declare/,
    );
  });

  it('checks the tokenizer against action.vocab_size', async () => {
    const j = raw();
    j.action.vocab_size = 400;
    const p = policy.load({ files: files(j) });
    await expect(p).rejects.toBeInstanceOf(ModelLoadError);
    await expect(p).rejects.toThrow(
      /tokenizer\.json: has 307 tokens but manifest field "action\.vocab_size" is 400/,
    );
  });

  it('reports graph bytes ORT cannot load, and missing files', async () => {
    const f = files(raw());
    f['onnx/decoder.onnx'] = f['onnx/decoder.onnx']!.slice(0, 1000);
    await expect(policy.load({ files: f })).rejects.toThrow(
      /onnx\/decoder\.onnx: is truncated: field 7 \(graph\) .* \(the file has 1000 bytes\)/,
    );
    // Sound protobuf framing around a graph ORT cannot parse reaches ORT, and its error is named.
    f['onnx/decoder.onnx'] = new Uint8Array([0x08, 0x07, 0x3a, 0x02, 0xff, 0xff]);
    await expect(policy.load({ files: f })).rejects.toThrow(
      /onnx\/decoder\.onnx: onnxruntime could not load this graph on wasm/,
    );
    const g = files(raw());
    delete g['tokenizer.json'];
    await expect(policy.load({ files: g })).rejects.toThrow(/tokenizer\.json: file not found/);
    await expect(createInProcessPolicy().load({ dir: '/nonexistent/model' })).rejects.toThrow(
      /\/nonexistent\/model\/manifest\.json: cannot read/,
    );
  });
});

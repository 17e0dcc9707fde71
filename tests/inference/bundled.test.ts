/**
 * The bundled default model (models/vla-tabletop-s) through the in-process runtime on WASM: its vision
 * encoder emits the tokens its manifest declares (patch grid, keypoint tokens, state token) and the
 * attention layout the UI draws from names them in that order; KV-cache decoding equals full recompute; the
 * decoder graph returns only the last position's logits and attention (what a greedy decoder reads).
 * (Parity with PyTorch and the int8-vs-fp32 agreement are in the model's parity.json, by training/parity.ts.)
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/policy';
import { createInProcessPolicy } from '../../src/inference/inProcess';

const DIR = 'models/vla-tabletop-s';
const manifest = JSON.parse(readFileSync(`${DIR}/manifest.json`, 'utf8')) as {
  image: { patch_grid: [number, number]; keypoint_tokens?: number; num_tokens: number; camera_size?: number };
  graphs: { decoder: string };
  decoder: { num_layers: number; num_kv_heads: number; head_dim: number; hidden_size: number };
  action: { dims: number; vocab_size: number };
  state?: { dims: number };
};

/** A deterministic noise frame (xorshift), RGB. */
function noiseFrame(size: number, seed: number): Frame {
  const data = new Uint8Array(size * size * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = s & 255;
  }
  return { width: size, height: size, channels: 3, data };
}

const policy = createInProcessPolicy();
beforeAll(async () => {
  await policy.load({ dir: DIR }, { executionProvider: 'wasm' });
});
afterAll(() => policy.dispose());

describe('the bundled model', () => {
  it('lays out attention keys as patches, keypoint tokens, state, prompt, actions', async () => {
    const [rows, cols] = manifest.image.patch_grid;
    const kp = manifest.image.keypoint_tokens ?? 0;
    const hasState = manifest.state ? 1 : 0;
    expect(manifest.image.num_tokens).toBe(rows * cols + kp + hasState);
    const step = await policy.predict(noiseFrame(96, 7), 'put the red block in the blue bowl', {
      state: [0.45, 0, 0.2, 1],
    });
    const a = step.attention!;
    const T = step.prompt.ids.length;
    const P = manifest.image.num_tokens + T;
    const dims = manifest.action.dims;
    const L = manifest.decoder.num_layers;
    const H = manifest.decoder.num_kv_heads;
    expect(a.shape).toEqual([dims, L, H, P + dims - 1]);
    expect(a.layout.image).toEqual({ start: 0, count: rows * cols, grid: [rows, cols] });
    if (kp > 0) expect(a.layout.keypoints).toEqual({ start: rows * cols, count: kp });
    else expect(a.layout.keypoints).toBeUndefined();
    expect(a.layout.state).toBe(hasState ? rows * cols + kp : null);
    expect(a.layout.text.start).toBe(manifest.image.num_tokens);
    expect(a.layout.text.count).toBe(T);
    expect(a.layout.actions).toEqual({ start: P, count: dims - 1 });
    // Each action query's attention is a softmax over the keys it can see.
    const K = P + dims - 1;
    for (let d = 0; d < dims; d++)
      for (let lh = 0; lh < L * H; lh++) {
        const row = a.data.subarray((d * L * H + lh) * K, (d * L * H + lh + 1) * K);
        let sum = 0;
        for (let k = 0; k < P + d; k++) sum += row[k]!;
        expect(sum).toBeCloseTo(1, 4);
      }
  });

  it('decodes the same tokens with the KV cache as with full recompute', async () => {
    for (const seed of [1, 2]) {
      const frame = noiseFrame(96, seed);
      const opts = { state: [0.5, 0.05 * seed, 0.15, seed % 2] };
      const kv = await policy.predict(frame, 'push the green block left', opts);
      const full = await policy.predict(frame, 'push the green block left', { ...opts, useKvCache: false });
      expect(kv.tokens).toEqual(full.tokens);
      for (let i = 0; i < kv.probs.length; i++) expect(kv.probs[i]).toBeCloseTo(full.probs[i]!, 4);
    }
  });

  it('returns the last position only from a prefill: [1, 1, vocab] logits, one attention row', async () => {
    const d = manifest.decoder;
    const session = await ort.InferenceSession.create(
      new Uint8Array(readFileSync(`${DIR}/${manifest.graphs.decoder}`)),
      { executionProviders: ['wasm'] },
    );
    const S = 90;
    const embeds = new Float32Array(S * d.hidden_size).map((_, i) => Math.sin(i * 0.37));
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, S, d.hidden_size]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]),
      position_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: S }, (_, i) => BigInt(i)),
        [1, S],
      ),
    };
    for (let l = 0; l < d.num_layers; l++)
      for (const kv of ['key', 'value'])
        feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
          1,
          d.num_kv_heads,
          0,
          d.head_dim,
        ]);
    const out = await session.run(feeds);
    expect(out.logits!.dims).toEqual([1, 1, manifest.action.vocab_size]);
    expect(out.attentions!.dims).toEqual([1, d.num_layers, d.num_kv_heads, 1, S]);
    expect(out['present.0.key']!.dims).toEqual([1, d.num_kv_heads, S, d.head_dim]);
    await session.release();
  });
});

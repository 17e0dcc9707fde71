/**
 * The runtime on the committed random-weights fixture (models/fixture-random), in
 * process on WASM: parity with PyTorch's greedy decode (golden written by
 * training/make_fixture.py), KV cache = full recompute, token range, probabilities,
 * attention shape, sampling, input limits, and the worker client over a MessageChannel.
 */
import { readFileSync } from 'node:fs';
import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError, PolicyInputError, PolicyStateError } from '../../src/core/errors';
import type { Frame } from '../../src/core/policy';
import { createWorkerPolicy } from '../../src/inference/client';
import { createInProcessPolicy } from '../../src/inference/inProcess';
import { createWorkerApi } from '../../src/inference/workerApi';

const DIR = 'models/fixture-random';
const golden = JSON.parse(readFileSync('tests/inference/golden/fixture-random.json', 'utf8')) as {
  instruction: string;
  state: number[];
  prompt: string;
  prompt_ids: number[];
  tokens: number[];
  chosen_probs: number[];
};
const V = 307;
const BINS = 256;
const START = V - BINS;
const DIMS = 7;

/** The golden frame: r = 4x, g = 4y, b = 2(x + y) mod 256, RGB. */
function goldenFrame(size = 64): Frame {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = (4 * x) & 255;
      data[i + 1] = (4 * y) & 255;
      data[i + 2] = (2 * (x + y)) & 255;
    }
  return { width: size, height: size, channels: 3, data };
}

function noiseFrame(w: number, h: number, seed: number): Frame {
  const data = new Uint8ClampedArray(w * h * 4);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width: w, height: h, channels: 4, data };
}

const policy = createInProcessPolicy();

beforeAll(async () => {
  const info = await policy.load({ dir: DIR }, { executionProvider: 'auto' });
  expect(info.executionProvider).toBe('wasm');
  expect(info.executionProviderReason).toBe('auto: WebGPU is not available in this browser');
  expect(info.hasAttention).toBe(true);
  expect(info.bytes['onnx/decoder.onnx']).toBeGreaterThan(100_000);
});
afterAll(() => policy.dispose());

describe('fixture decode', () => {
  it('matches PyTorch greedy decoding (prompt ids, tokens, probabilities)', async () => {
    const step = await policy.predict(goldenFrame(), golden.instruction, { state: golden.state });
    expect(step.prompt.text).toBe(golden.prompt);
    expect(step.prompt.ids).toEqual(golden.prompt_ids);
    expect(step.tokens).toEqual(golden.tokens);
    for (let d = 0; d < DIMS; d++) {
      expect(step.probs[d * BINS + golden.tokens[d]! - START]).toBeCloseTo(golden.chosen_probs[d]!, 4);
    }
    expect(step.executionProvider).toBe('wasm');
    expect(step.timings.decodeMs).toHaveLength(DIMS - 1);
    expect(step.timings.totalMs).toBeGreaterThan(0);
  });

  it('gives the same tokens with the KV cache as recomputing the full sequence', async () => {
    const cases: [Frame, string, number[]][] = [
      [goldenFrame(), golden.instruction, golden.state],
      [noiseFrame(64, 64, 1), 'push the blue block left', [0.4, -0.1, 0.15, 0]],
      [noiseFrame(80, 48, 2), 'put the green block in the yellow bowl', [0.55, 0.2, 0.3, 1]],
    ];
    const seen = new Set<string>();
    for (const [frame, instr, state] of cases) {
      const kv = await policy.predict(frame, instr, { state });
      const full = await policy.predict(frame, instr, { state, useKvCache: false });
      expect(kv.tokens).toEqual(full.tokens);
      for (let i = 0; i < kv.probs.length; i++) expect(kv.probs[i]).toBeCloseTo(full.probs[i]!, 5);
      seen.add(kv.tokens.join(','));
    }
    expect(seen.size).toBe(cases.length); // the inputs matter, so the comparison is not vacuous
  });

  it('emits only action tokens and a distribution per dimension', async () => {
    const step = await policy.predict(noiseFrame(64, 64, 3), 'pick up the red block', {
      state: [0.45, 0, 0.2, 1],
    });
    expect(step.tokens).toHaveLength(DIMS);
    expect(step.probs.length).toBe(DIMS * BINS);
    for (let d = 0; d < DIMS; d++) {
      const t = step.tokens[d]!;
      expect(t).toBeGreaterThanOrEqual(V - 256);
      expect(t).toBeLessThanOrEqual(V - 1);
      let sum = 0;
      let max = 0;
      for (let k = 0; k < BINS; k++) {
        const p = step.probs[d * BINS + k]!;
        expect(p).toBeGreaterThanOrEqual(0);
        sum += p;
        max = Math.max(max, p);
      }
      expect(sum).toBeCloseTo(1, 5);
      expect(step.probs[d * BINS + t - START]).toBe(max); // greedy picks the mode
      expect(Number.isFinite(step.action[d]!)).toBe(true);
    }
    // un-normalized translation deltas lie within [q01, q99] = ±0.02 m; the gripper stays in [−1, 1]
    for (let d = 0; d < 3; d++) expect(Math.abs(step.action[d]!)).toBeLessThanOrEqual(0.02);
  });

  it('returns attention with the declared shape and layout', async () => {
    const step = await policy.predict(goldenFrame(), golden.instruction, { state: golden.state });
    const a = step.attention!;
    const T = golden.prompt_ids.length;
    const P = 64 + 1 + T; // patches + state token + prompt
    expect(a.shape).toEqual([DIMS, 2, 4, P + DIMS - 1]);
    expect(a.data.length).toBe(DIMS * 2 * 4 * (P + DIMS - 1));
    expect(a.layout.image).toEqual({ start: 0, count: 64, grid: [8, 8] });
    expect(a.layout.state).toBe(64);
    expect(a.layout.text.start).toBe(65);
    expect(a.layout.text.tokens.slice(0, 4)).toEqual(['<s>', 'in', ':', 'what']);
    expect(a.layout.actions).toEqual({ start: P, count: DIMS - 1 });
    const K = P + DIMS - 1;
    for (let d = 0; d < DIMS; d++)
      for (let lh = 0; lh < 8; lh++) {
        const row = a.data.subarray((d * 8 + lh) * K, (d * 8 + lh + 1) * K);
        const visible = P + d;
        let sum = 0;
        for (let k = 0; k < visible; k++) sum += row[k]!;
        expect(sum).toBeCloseTo(1, 4);
        for (let k = visible; k < K; k++) expect(row[k]).toBe(0);
      }
  });

  it('samples reproducibly with a seed; top-k 1 is greedy', async () => {
    const f = goldenFrame();
    const opts = { state: golden.state, temperature: 1.5, seed: 7 };
    const a = await policy.predict(f, golden.instruction, opts);
    const b = await policy.predict(f, golden.instruction, opts);
    const c = await policy.predict(f, golden.instruction, { ...opts, seed: 8 });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).not.toEqual(c.tokens);
    for (const t of [...a.tokens, ...c.tokens]) expect(t >= START && t < V).toBe(true);
    const k1 = await policy.predict(f, golden.instruction, { ...opts, topK: 1 });
    expect(k1.tokens).toEqual(golden.tokens);
  });

  it('handles absurd instructions and rejects bad input with typed errors', async () => {
    const long = await policy.predict(goldenFrame(), 'pick up the red block '.repeat(455), {
      state: golden.state,
    });
    expect(long.prompt.truncated).toBe(true);
    expect(65 + long.prompt.ids.length + DIMS - 1).toBeLessThanOrEqual(128); // fits max_positions
    expect(long.prompt.text.endsWith('?\nOut:')).toBe(true);
    const odd = await policy.predict(goldenFrame(), '🙂 \u202Eהרם', { state: golden.state });
    expect(odd.tokens).toHaveLength(DIMS);
    await expect(policy.predict(goldenFrame(), 'x')).rejects.toBeInstanceOf(PolicyInputError);
    await expect(policy.predict(goldenFrame(), 'x', { state: [1, 2] })).rejects.toThrow(
      /state has 2 values, the model expects 4/,
    );
    await expect(
      policy.predict({ width: 4, height: 4, channels: 3, data: new Uint8Array(3) }, 'x', {
        state: golden.state,
      }),
    ).rejects.toThrow(/frame data has 3 bytes/);
    await expect(createInProcessPolicy().predict(goldenFrame(), 'x')).rejects.toBeInstanceOf(
      PolicyStateError,
    );
  });
});

describe('worker client (Comlink over a MessageChannel)', () => {
  it('loads, predicts with transferred buffers, and rebuilds typed errors', async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(createWorkerApi(createInProcessPolicy()), port2);
    const client = createWorkerPolicy({ endpoint: port1 });
    const progress: number[] = [];
    client.onProgress((p) => progress.push(p.loadedAll));
    const info = await client.load({ dir: DIR }, { executionProvider: 'wasm' });
    expect(info.executionProviderReason).toBe('wasm: requested');
    expect(client.info?.id).toBe('fixture-random');
    expect(progress.length).toBeGreaterThan(0);
    const frame = goldenFrame();
    const step = await client.predict(frame, golden.instruction, { state: golden.state });
    expect(frame.data.byteLength).toBe(0); // transferred to the worker
    expect(step.tokens).toEqual(golden.tokens);
    expect(step.probs).toBeInstanceOf(Float32Array);
    expect(step.attention?.data).toBeInstanceOf(Float32Array);
    const e = await client.load({ dir: '/nonexistent' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect((e as ModelLoadError).file).toBe('manifest.json');
    await client.dispose();
    client.terminate();
    port1.close();
    port2.close();
  });
});

/**
 * Pure runtime pieces: image preprocessing (hand-computed pixels), execution-provider
 * choice with fake WebGPU adapters, action-token sampling, and typed error round trips.
 */
import { describe, expect, it } from 'vitest';
import { InvalidLogitsError, ManifestError, reviveError, serializeError } from '../../src/core/errors';
import type { ImageSpec } from '../../src/core/manifest';
import { Rng } from '../../src/core/prng';
import { actionProbs, chooseActionToken, medianIndex } from '../../src/core/sampling';
import {
  chooseExecutionProvider,
  type GpuLike,
  isSoftwareAdapter,
} from '../../src/inference/executionProvider';
import { normalizeState, preprocessFrame } from '../../src/inference/preprocess';

const spec = (w: number, h: number, layout: 'NCHW' | 'NHWC' = 'NCHW'): ImageSpec => ({
  width: w,
  height: h,
  resize: 'bilinear',
  mean: [0.5, 0.25, 0],
  std: [0.5, 0.25, 1],
  layout,
});

describe('preprocessFrame', () => {
  it('normalizes each channel at the native size, NCHW and NHWC', () => {
    // 2×1 RGBA: pixel 0 = (255, 0, 51), pixel 1 = (0, 255, 255); alpha ignored
    const frame = {
      width: 2,
      height: 1,
      channels: 4 as const,
      data: new Uint8Array([255, 0, 51, 9, 0, 255, 255, 9]),
    };
    const out = preprocessFrame(frame, spec(2, 1));
    // R: (1 − 0.5)/0.5 = 1, (0 − 0.5)/0.5 = −1; G: (0 − 0.25)/0.25 = −1, (1 − 0.25)/0.25 = 3; B: 51/255 = 0.2, 1
    const want = [1, -1, -1, 3, 0.2, 1];
    for (const [i, v] of want.entries()) expect(out[i]).toBeCloseTo(v, 6);
    const hwc = preprocessFrame(frame, spec(2, 1, 'NHWC'));
    for (const [i, v] of [1, -1, 0.2, -1, 3, 1].entries()) expect(hwc[i]).toBeCloseTo(v, 6);
  });

  it('downsamples 2×2 → 1×1 to the mean (antialiased bilinear)', () => {
    // R = 0, 100, 200, 255 → mean 138.75; triangle weights at center 1.0 with support 2 are all 0.75
    const data = new Uint8Array([0, 0, 0, 100, 0, 0, 200, 0, 0, 255, 0, 0]);
    const out = preprocessFrame({ width: 2, height: 2, channels: 3, data }, spec(1, 1));
    expect(out[0]).toBeCloseTo((138.75 / 255 - 0.5) / 0.5, 6);
  });

  it('upsamples 2×1 → 4×1 by linear interpolation at half-pixel centers', () => {
    // input centers 0.5, 1.5 hold 0, 255; output centers (o + 0.5)/2 = 0.25, 0.75, 1.25, 1.75;
    // weights max(0, 1 − |Δ|): out0 = 1·0 = 0, out1 = 0.75·0 + 0.25·255 = 63.75, out2 = 191.25, out3 = 255
    const data = new Uint8Array([0, 0, 0, 255, 0, 0]);
    const out = preprocessFrame(
      { width: 2, height: 1, channels: 3, data },
      { ...spec(4, 1), mean: [0, 0, 0], std: [1, 1, 1] },
    );
    expect(Array.from(out.subarray(0, 4)).map((v) => v * 255)).toEqual([
      expect.closeTo(0, 4),
      expect.closeTo(63.75, 4),
      expect.closeTo(191.25, 4),
      expect.closeTo(255, 4),
    ]);
  });

  it('normalizes state with the manifest mean/std', () => {
    const s = normalizeState([0.55, 0, 0.2, 1], {
      dims: 4,
      names: ['x', 'y', 'z', 'g'],
      mean: [0.45, 0, 0.2, 0.5],
      std: [0.1, 0.15, 0.08, 0.5],
    });
    for (const [i, v] of [1, 0, 0, 1].entries()) expect(s[i]).toBeCloseTo(v, 6);
  });
});

describe('chooseExecutionProvider', () => {
  const gpu = (info: object | null, isFallbackAdapter = false): GpuLike => ({
    requestAdapter: async () => (info ? { info, isFallbackAdapter } : null),
  });

  it('auto never picks a software adapter over WASM', async () => {
    const sw = await chooseExecutionProvider('auto', gpu({ vendor: 'google', architecture: 'swiftshader' }));
    expect(sw.executionProvider).toBe('wasm');
    expect(sw.reason).toContain('software (google swiftshader)');
    expect((await chooseExecutionProvider('auto', gpu({ vendor: 'x' }, true))).executionProvider).toBe(
      'wasm',
    );
    expect((await chooseExecutionProvider('auto', gpu(null))).reason).toBe('auto: no WebGPU adapter');
    expect((await chooseExecutionProvider('auto', null)).executionProvider).toBe('wasm');
  });

  it('auto picks a hardware adapter; explicit webgpu takes even a software one', async () => {
    const hw = await chooseExecutionProvider('auto', gpu({ vendor: 'nvidia', architecture: 'ampere' }));
    expect(hw).toMatchObject({
      executionProvider: 'webgpu',
      reason: 'auto: hardware WebGPU adapter (nvidia ampere)',
    });
    const forced = await chooseExecutionProvider('webgpu', gpu({ architecture: 'swiftshader' }));
    expect(forced.executionProvider).toBe('webgpu');
    await expect(chooseExecutionProvider('webgpu', null)).rejects.toThrow(/no navigator\.gpu/);
    expect(isSoftwareAdapter({ info: { description: 'llvmpipe (LLVM 15)' } })).toBe(true);
  });
});

describe('sampling', () => {
  // vocab 6 with 4 action tokens (ids 2…5); logits row [9, 9, 0, ln 2, ln 3, ln 4]
  const V = 6;
  const B = 4;
  const row = [9, 9, 0, Math.log(2), Math.log(3), Math.log(4)];

  it('softmax is restricted to the action ids', () => {
    const p = new Float32Array(B);
    actionProbs(row, 0, V, B, p, 0);
    // exp: 1, 2, 3, 4 → /10
    for (const [i, v] of [0.1, 0.2, 0.3, 0.4].entries()) expect(p[i]).toBeCloseTo(v, 6);
  });

  it('greedy takes the largest action logit, never a non-action id', () => {
    const p = new Float32Array(B);
    expect(chooseActionToken(row, 0, V, B, p, 0)).toBe(5);
  });

  it('median decoding takes the bin where the cumulative probability reaches one half', () => {
    // probabilities 0.1, 0.2, 0.3, 0.4: cumulative 0.1, 0.3, 0.6 → the third action token (id 4)
    const p = new Float32Array(B);
    expect(chooseActionToken(row, 0, V, B, p, 0, { decoding: 'median' })).toBe(4);
    // Two modes: 0.4 at the first bin, 0.35 + 0.25 at the last two. Greedy jumps to the higher peak
    // (bin 0); the median follows the majority side (cumulative 0.4, 0.4, 0.75 → bin 2).
    const bimodal = [0, 0, Math.log(0.4), -1e4, Math.log(0.35), Math.log(0.25)];
    const q = new Float32Array(B);
    expect(chooseActionToken(bimodal, 0, V, B, q, 0)).toBe(2);
    expect(chooseActionToken(bimodal, 0, V, B, q, 0, { decoding: 'median' })).toBe(4);
    expect(medianIndex([0.5, 0.5], 0, 2)).toBe(0);
    expect(medianIndex([0, 0, 1], 0, 3)).toBe(2);
  });

  it('samples with frequencies close to the tempered distribution, top-k removes the tail', () => {
    const rng = new Rng(1);
    const p = new Float32Array(B);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++)
      counts[chooseActionToken(row, 0, V, B, p, 0, { temperature: 1 }, rng) - 2]! += 1;
    for (const [i, v] of [0.1, 0.2, 0.3, 0.4].entries()) expect(counts[i]! / 4000).toBeCloseTo(v, 1);
    const top2 = new Set<number>();
    for (let i = 0; i < 200; i++)
      top2.add(chooseActionToken(row, 0, V, B, p, 0, { temperature: 1, topK: 2 }, rng));
    expect([...top2].sort()).toEqual([4, 5]);
  });

  it('throws a typed error on NaN logits', () => {
    expect(() => actionProbs([0, 0, Number.NaN, 0, 0, 0], 0, V, B, new Float32Array(B), 0)).toThrow(
      InvalidLogitsError,
    );
  });
});

describe('errors', () => {
  it('round-trips typed errors through plain objects', () => {
    const e = reviveError(serializeError(new ManifestError('m.json: field "a" is missing', 'm.json', 'a')));
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as ManifestError).field).toBe('a');
    expect(e.message).toBe('m.json: field "a" is missing');
  });
});

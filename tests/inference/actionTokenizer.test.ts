/**
 * OpenVLA de-tokenization and BOUNDS_Q99 un-normalization against values worked out by
 * hand from the published formulas (DESIGN.md "Model folder contract").
 *
 * With 256 bins, edges e_i = −1 + 2i/255 (i = 0…255) and centers
 * c_k = (e_k + e_{k+1})/2 = −1 + (2k + 1)/255 (k = 0…254).
 * Decode: index = V − id, k = clip(index − 1, 0, 254), value = c_k.
 */
import { describe, expect, it } from 'vitest';
import {
  binCenters,
  binEdges,
  detokenizeActions,
  isActionToken,
  normalize,
  normalizedToToken,
  slotToNormalized,
  tokenizeActions,
  tokenToNormalized,
  unnormalize,
} from '../../src/core/actionTokenizer';

const V = 32000; // OpenVLA's Llama-2 tokenizer vocab size
const BINS = 256;
const stats = {
  q01: [-0.02, -0.02, -0.02, -0.05, -0.05, -0.05, 0],
  q99: [0.02, 0.02, 0.02, 0.05, 0.05, 0.05, 1],
  mask: [true, true, true, true, true, true, false],
};

describe('bins', () => {
  it('has 256 edges from -1 to 1 and 255 centers', () => {
    const e = binEdges(BINS);
    expect(e.length).toBe(256);
    expect(e[0]).toBe(-1);
    expect(e[255]).toBe(1);
    // e_1 = −1 + 2/255 = −0.992156862745098
    expect(e[1]).toBeCloseTo(-0.992156862745098, 12);
    const c = binCenters(BINS);
    expect(c.length).toBe(255);
    // c_0 = −1 + 1/255 = −0.996078431372549; c_127 = −1 + 255/255 = 0; c_254 = −1 + 509/255 = 0.996078431372549
    expect(c[0]).toBeCloseTo(-0.996078431372549, 12);
    expect(c[127]).toBeCloseTo(0, 12);
    expect(c[254]).toBeCloseTo(0.996078431372549, 12);
  });
});

describe('de-tokenize', () => {
  it('maps the edge ids V-1 and V-256 to the end bin centers', () => {
    // id V−1: index 1 → k = 0 → c_0 = −0.996078…
    expect(tokenToNormalized(V - 1, V, BINS)).toBeCloseTo(-0.996078431372549, 12);
    // id V−256: index 256 → k = clip(255, 0, 254) = 254 → c_254 = +0.996078…
    expect(tokenToNormalized(V - 256, V, BINS)).toBeCloseTo(0.996078431372549, 12);
    // id V−255: index 255 → k = 254 too (the clip makes V−256 and V−255 decode alike)
    expect(tokenToNormalized(V - 255, V, BINS)).toBeCloseTo(0.996078431372549, 12);
    // id V−128: index 128 → k = 127 → c_127 = 0
    expect(tokenToNormalized(V - 128, V, BINS)).toBeCloseTo(0, 12);
    // id V−200: index 200 → k = 199 → −1 + 399/255 = 0.564705882352941
    expect(tokenToNormalized(V - 200, V, BINS)).toBeCloseTo(0.564705882352941, 12);
  });

  it('clips ids outside the action range to the end bins', () => {
    // id V (index 0): k = clip(−1) = 0; id V−1000 (index 1000): k = clip(999) = 254
    expect(tokenToNormalized(V, V, BINS)).toBeCloseTo(-0.996078431372549, 12);
    expect(tokenToNormalized(V - 1000, V, BINS)).toBeCloseTo(0.996078431372549, 12);
  });

  it('slot k (id V-256+k) gives the same value as its id', () => {
    for (const k of [0, 1, 100, 128, 255]) {
      expect(slotToNormalized(k, BINS)).toBe(tokenToNormalized(V - 256 + k, V, BINS));
    }
  });

  it('recognizes the action-token range', () => {
    expect(isActionToken(V - 256, V, BINS)).toBe(true);
    expect(isActionToken(V - 1, V, BINS)).toBe(true);
    expect(isActionToken(V - 257, V, BINS)).toBe(false);
    expect(isActionToken(V, V, BINS)).toBe(false);
  });
});

describe('BOUNDS_Q99 un-normalization', () => {
  it('matches a = 0.5 (a + 1)(q99 - q01) + q01 where mask, and passes the gripper through', () => {
    const norm = [0, 0.996078431372549, -0.996078431372549, 0.5, -1, 1, 0.996078431372549];
    const a = unnormalize(norm, stats);
    // dim 0: 0.5·1·0.04 − 0.02 = 0
    expect(a[0]).toBeCloseTo(0, 12);
    // dim 1: 0.5·(1 + 254/255)·0.04 − 0.02 = 0.02·254/255 = 0.0199215686274510
    expect(a[1]).toBeCloseTo(0.019921568627451, 12);
    // dim 2: 0.5·(1/255)·0.04 − 0.02 = −0.0199215686274510
    expect(a[2]).toBeCloseTo(-0.019921568627451, 12);
    // dim 3: 0.5·1.5·0.1 − 0.05 = 0.025
    expect(a[3]).toBeCloseTo(0.025, 12);
    // dims 4, 5: the bounds q01 = −0.05 and q99 = 0.05
    expect(a[4]).toBeCloseTo(-0.05, 12);
    expect(a[5]).toBeCloseTo(0.05, 12);
    // dim 6, gripper, mask false: unchanged
    expect(a[6]).toBe(0.996078431372549);
  });

  it('de-tokenizes a whole action with the stats', () => {
    // ids: V−128 → 0 → 0 m; V−256 → c_254 → 0.0199216 m; V−1 → c_0 → −0.0199216 m;
    // V−192 → k=191 → −1 + 383/255 = 0.501960784 → 0.5·1.501960784·0.1 − 0.05 = 0.0250980392 rad;
    // gripper V−256 → 0.996078 (unmasked)
    const r = detokenizeActions(
      [V - 128, V - 256, V - 1, V - 192, V - 128, V - 128, V - 256],
      { vocab_size: V, bins: BINS },
      stats,
    );
    expect(r.action[0]).toBeCloseTo(0, 12);
    expect(r.action[1]).toBeCloseTo(0.019921568627451, 12);
    expect(r.action[2]).toBeCloseTo(-0.019921568627451, 12);
    expect(r.action[3]).toBeCloseTo(0.0250980392156863, 12);
    expect(r.action[6]).toBeCloseTo(0.996078431372549, 12);
    expect(r.normalized[3]).toBeCloseTo(0.501960784313725, 12);
  });
});

describe('tokenize', () => {
  it('uses vocab_size - digitize(a), clipping to [-1, 1]', () => {
    // digitize(0) = #edges ≤ 0 = 128 (e_127 = −1/255 ≤ 0 < e_128 = 1/255) → V − 128
    expect(normalizedToToken(0, V, BINS)).toBe(V - 128);
    // digitize(1) = 256 → V − 256; digitize(−1) = 1 → V − 1
    expect(normalizedToToken(1, V, BINS)).toBe(V - 256);
    expect(normalizedToToken(-1, V, BINS)).toBe(V - 1);
    expect(normalizedToToken(5, V, BINS)).toBe(V - 256);
    expect(normalizedToToken(-5, V, BINS)).toBe(V - 1);
    // a = 0.5: edges ≤ 0.5 are i ≤ 191.25 → 192 → V − 192
    expect(normalizedToToken(0.5, V, BINS)).toBe(V - 192);
  });

  it('round-trips tokenize(detokenize(id)) for ids V-255 … V-1; V-256 maps to V-255', () => {
    for (let id = V - 255; id < V; id++) {
      expect(normalizedToToken(tokenToNormalized(id, V, BINS), V, BINS)).toBe(id);
    }
    expect(normalizedToToken(tokenToNormalized(V - 256, V, BINS), V, BINS)).toBe(V - 255);
  });

  it('normalize inverts unnormalize inside the bounds', () => {
    const a = [0.01, -0.015, 0, 0.02, -0.04, 0.03, 1];
    const n = normalize(a, stats);
    // dim 0: 2·(0.01 + 0.02)/0.04 − 1 = 0.5; gripper unmasked: 1
    expect(n[0]).toBeCloseTo(0.5, 6);
    expect(n[6]).toBe(1);
    const back = unnormalize(n, stats);
    for (let i = 0; i < a.length; i++) expect(back[i]).toBeCloseTo(a[i]!, 6);
    // 0.01 m → 0.5 normalized → V − 192
    expect(tokenizeActions(a, { vocab_size: V, bins: BINS }, stats)[0]).toBe(V - 192);
  });
});

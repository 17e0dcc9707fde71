/**
 * Visualization math against values worked out by hand: Shannon entropy H = −Σ p ln p (bits = H / ln 2,
 * normalised by ln n), attention means over (dim, layer, head) on a tiny hand-built map, patch-grid
 * renormalisation and key-kind shares, torch-style bilinear upsampling (align_corners = false), the
 * OpenVLA token → bin order, the inferno stops, instruction-token alignment and the running histogram.
 */
import { describe, expect, it } from 'vitest';
import { normalizedToToken, tokenToNormalized } from '../../src/core/actionTokenizer';
import type { AttentionMaps, SequenceLayout } from '../../src/core/policy';
import {
  aggregateAttention,
  attentionShares,
  bilinearUpsample,
  binHistogram,
  binToSlot,
  displayToken,
  entropy,
  entropyNats,
  hashValues,
  inferno,
  infernoLut,
  instructionTokenMask,
  patchHeatmap,
  textAttention,
  tokenToBin,
} from '../../src/core/vizMath';

describe('entropy', () => {
  it('is ln 256 nats = 8 bits (normalised 1) for a uniform distribution over 256 bins', () => {
    const p = new Float32Array(256).fill(1 / 256);
    const e = entropy(p);
    expect(e.nats).toBeCloseTo(5.545177444479562, 6);
    expect(e.bits).toBeCloseTo(8, 6);
    expect(e.normalized).toBeCloseTo(1, 6);
  });

  it('is 0 for a one-hot distribution and 1.5 bits for (1/2, 1/4, 1/4)', () => {
    const one = new Float32Array(256);
    one[17] = 1;
    expect(entropy(one)).toEqual({ nats: 0, bits: 0, normalized: 0 });
    // −(½ ln ½ + 2·¼ ln ¼) = 1.5 ln 2 = 1.0397207708399179
    expect(entropyNats([0.5, 0.25, 0.25])).toBeCloseTo(1.0397207708399179, 12);
    expect(entropy([0.5, 0.25, 0.25]).bits).toBeCloseTo(1.5, 12);
    // an unnormalised slice is renormalised first
    expect(entropy([2, 1, 1]).bits).toBeCloseTo(1.5, 12);
  });

  it('reads one row of a [dims × bins] array: 4 equal bins of 256 → 2 bits, normalised 2/8', () => {
    const probs = new Float32Array(2 * 256);
    for (let i = 0; i < 4; i++) probs[256 + 40 + i] = 0.25;
    probs[3] = 1;
    expect(entropy(probs, 0, 256).bits).toBe(0);
    const row1 = entropy(probs, 256, 256);
    expect(row1.bits).toBeCloseTo(2, 6);
    expect(row1.normalized).toBeCloseTo(0.25, 6);
    expect(entropy(new Float32Array(8)).nats).toBe(0);
  });
});

describe('token → display bin (OpenVLA: index = vocab − id, bin = index − 1)', () => {
  const V = 307;
  const BINS = 256;

  it('puts the last id at bin 0 (−1) and the first action id at bin 255; a 0 action lands in bin 127', () => {
    expect(tokenToBin(V - 1, V)).toBe(0);
    expect(tokenToBin(V - BINS, V)).toBe(255);
    // digitize(0, linspace(−1, 1, 256)) = 128 edges ≤ 0 → id = V − 128 → bin 127
    expect(tokenToBin(normalizedToToken(0, V, BINS), V)).toBe(127);
    expect(binToSlot(0, BINS)).toBe(255);
    expect(binToSlot(binToSlot(42, BINS), BINS)).toBe(42);
  });

  it('orders bins by the decoded value: bin b decodes to center min(b, 254) = −1 + (2b + 1)/255', () => {
    for (let id = V - BINS; id < V; id++) {
      const b = tokenToBin(id, V);
      expect(tokenToNormalized(id, V, BINS)).toBeCloseTo(-1 + (2 * Math.min(b, 254) + 1) / 255, 12);
    }
  });
});

// A hand-built map: dims 2, layers 2, heads 2, keys 8 = image 2×2 (0–3), state (4), text (5–6), action (7).
const layout: SequenceLayout = {
  image: { start: 0, count: 4, grid: [2, 2] },
  state: 4,
  text: { start: 5, count: 2, tokens: ['<s>', 'go'] },
  actions: { start: 7, count: 1 },
};
function handMap(): AttentionMaps {
  const D = 2;
  const L = 2;
  const H = 2;
  const K = 8;
  const data = new Float32Array(D * L * H * K);
  const put = (d: number, l: number, h: number, k: number, v: number) => {
    data[((d * L + l) * H + h) * K + k] = v;
  };
  // dim 0: every layer and head looks only at patch 0
  for (let l = 0; l < L; l++) for (let h = 0; h < H; h++) put(0, l, h, 0, 1);
  // dim 1: (l0,h0) patch 3 + text 1 halves; (l0,h1) patch 3; (l1,h0) state; (l1,h1) the fed-back action
  put(1, 0, 0, 3, 0.5);
  put(1, 0, 0, 5, 0.5);
  put(1, 0, 1, 3, 1);
  put(1, 1, 0, 4, 1);
  put(1, 1, 1, 7, 1);
  return { data, shape: [D, L, H, K], layout };
}

describe('attention aggregation', () => {
  it('counts attention on keypoint tokens apart from the patches', () => {
    // keys: patches 0–3, keypoints 4–5, state 6, text 7, action 8
    const kpLayout: SequenceLayout = {
      image: { start: 0, count: 4, grid: [2, 2] },
      keypoints: { start: 4, count: 2 },
      state: 6,
      text: { start: 7, count: 1, tokens: ['<s>'] },
      actions: { start: 8, count: 1 },
    };
    const v = [0.1, 0, 0, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2];
    const s = attentionShares(v, kpLayout);
    expect(s.image).toBeCloseTo(0.2, 7);
    expect(s.keypoints).toBeCloseTo(0.4, 7);
    expect(s.state).toBeCloseTo(0.1, 7);
    expect(s.text).toBeCloseTo(0.1, 7);
    expect(s.action).toBeCloseTo(0.2, 7);
    // the heatmap covers the patches only, renormalised over them
    expect(Array.from(patchHeatmap(v, kpLayout)!.values)).toEqual([0.5, 0, 0, 0.5]);
  });

  it('selects one (dim, layer, head) slice', () => {
    const v = aggregateAttention(handMap(), { dim: 1, layer: 0, head: 0 });
    expect(Array.from(v)).toEqual([0, 0, 0, 0.5, 0, 0.5, 0, 0]);
    expect(Array.from(textAttention(v, layout))).toEqual([0.5, 0]);
  });

  it('averages over layers and heads: dim 1 → patch 3 .375, state .25, text .125, action .25', () => {
    const v = aggregateAttention(handMap(), { dim: 1, layer: 'mean', head: 'mean' });
    const expected = [0, 0, 0, 0.375, 0.25, 0.125, 0, 0.25];
    for (let k = 0; k < 8; k++) expect(v[k]).toBeCloseTo(expected[k]!, 7);
    const s = attentionShares(v, layout);
    expect(s.image).toBeCloseTo(0.375, 7);
    expect(s.keypoints).toBe(0);
    expect(s.state).toBeCloseTo(0.25, 7);
    expect(s.text).toBeCloseTo(0.125, 7);
    expect(s.action).toBeCloseTo(0.25, 7);
    const hm = patchHeatmap(v, layout)!;
    expect([hm.rows, hm.cols]).toEqual([2, 2]);
    expect(Array.from(hm.values)).toEqual([0, 0, 0, 1]);
    expect(hm.max).toBe(1);
  });

  it('averages over dims too: the heatmap renormalised over image keys is (8/11, 0, 0, 3/11)', () => {
    // keys: patch0 ½, patch3 3/16, state 1/8, text 1/16, action 1/8; image total 11/16
    const v = aggregateAttention(handMap(), { dim: 'mean', layer: 'mean', head: 'mean' });
    expect(v[0]).toBeCloseTo(0.5, 7);
    expect(v[3]).toBeCloseTo(0.1875, 7);
    const hm = patchHeatmap(v, layout)!;
    expect(hm.values[0]).toBeCloseTo(8 / 11, 6);
    expect(hm.values[3]).toBeCloseTo(3 / 11, 6);
    expect(hm.values[1]).toBe(0);
    expect(hm.max).toBeCloseTo(8 / 11, 6);
    expect(attentionShares(v, layout).image).toBeCloseTo(11 / 16, 6);
  });

  it('gives an all-zero heatmap when no attention reached the image, and zero shares for a zero vector', () => {
    const v = aggregateAttention(handMap(), { dim: 1, layer: 1, head: 'mean' });
    const hm = patchHeatmap(v, layout)!;
    expect(Array.from(hm.values)).toEqual([0, 0, 0, 0]);
    expect(hm.max).toBe(0);
    expect(attentionShares(v, layout).state).toBeCloseTo(0.5, 7);
    expect(attentionShares(new Float32Array(8), layout)).toEqual({
      image: 0,
      keypoints: 0,
      state: 0,
      text: 0,
      action: 0,
    });
  });

  it('rejects out-of-range selections and layouts without a matching grid', () => {
    expect(() => aggregateAttention(handMap(), { dim: 2, layer: 'mean', head: 'mean' })).toThrow(RangeError);
    expect(() => aggregateAttention(handMap(), { dim: 0, layer: -1, head: 'mean' })).toThrow(RangeError);
    const v = new Float32Array(8);
    expect(patchHeatmap(v, { ...layout, image: { start: 0, count: 4, grid: null } })).toBeNull();
    expect(patchHeatmap(v, { ...layout, image: { start: 0, count: 4, grid: [3, 3] } })).toBeNull();
  });
});

describe('bilinearUpsample (align_corners = false)', () => {
  it('matches torch.nn.functional.interpolate([[0, 1], [2, 3]], size 4, bilinear)', () => {
    const out = bilinearUpsample([0, 1, 2, 3], 2, 2, 4, 4);
    const expected = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
    expect(Array.from(out)).toEqual(expected);
  });

  it('keeps a constant grid constant and handles non-square outputs', () => {
    const out = bilinearUpsample([0.3], 1, 1, 5, 3);
    expect(out.length).toBe(15);
    for (const v of out) expect(v).toBeCloseTo(0.3, 7);
    // 1×2 grid [0, 1] → width 4: x positions −.25, .25, .75, 1.25 → clamped 0, .25, .75, 1
    expect(Array.from(bilinearUpsample([0, 1], 1, 2, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
  });
});

describe('inferno colour map', () => {
  it('hits matplotlib inferno at 0, ½ and 1 and interpolates between stops', () => {
    expect(inferno(0)).toEqual([0, 0, 4]);
    expect(inferno(0.5)).toEqual([186, 54, 85]);
    expect(inferno(1)).toEqual([252, 255, 164]);
    expect(inferno(2)).toEqual([252, 255, 164]);
    expect(inferno(Number.NaN)).toEqual([0, 0, 4]);
    // halfway between stop 0 (0,0,4) and stop 1 (31,12,72)
    expect(inferno(1 / 16)).toEqual([16, 6, 38]);
  });

  it('has a 256-entry lookup table with the same colours', () => {
    const lut = infernoLut();
    expect(lut.length).toBe(768);
    expect(Array.from(lut.subarray(0, 3))).toEqual([0, 0, 4]);
    expect(Array.from(lut.subarray(765, 768))).toEqual([252, 255, 164]);
    expect(Array.from(lut.subarray(3 * 128, 3 * 129))).toEqual(inferno(128 / 255));
  });
});

describe('hashValues', () => {
  it('is the FNV-1a offset basis for no values and tells different heatmaps apart', () => {
    expect(hashValues([])).toBe('811c9dc5');
    expect(hashValues([0.1, 0.2])).toBe(hashValues(new Float32Array([0.1, 0.2])));
    expect(hashValues([0.1, 0.2])).not.toBe(hashValues([0.2, 0.1]));
    expect(hashValues([0.5, 0.5])).not.toBe(hashValues([0.5, 0.4]));
  });
});

describe('instructionTokenMask', () => {
  const template = 'In: What action should the robot take to {instruction}?\nOut:';
  const prompt = 'In: What action should the robot take to pick up the red block?\nOut:';

  it('marks the instruction words of a word-level prompt (BOS and template tokens excluded)', () => {
    const toks = '<s> in : what action should the robot take to pick up the red block ? out :'.split(' ');
    const mask = instructionTokenMask(toks, prompt, template);
    const marked = toks.filter((_, i) => mask[i]);
    expect(marked).toEqual(['pick', 'up', 'the', 'red', 'block']);
    expect(mask[6]).toBe(false); // the template's "the"
  });

  it('lets <unk> stand for one word and strips word-piece markers', () => {
    const toks = '<s> in : what action should the robot take to <unk> up ? out :'.split(' ');
    const p = 'In: What action should the robot take to grab up?\nOut:';
    const mask = instructionTokenMask(toks, p, template);
    expect(toks.filter((_, i) => mask[i])).toEqual(['<unk>', 'up']);
    const sp = [
      '<s>',
      '▁In',
      ':',
      '▁What',
      '▁action',
      '▁should',
      '▁the',
      '▁robot',
      '▁take',
      '▁to',
      '▁go',
      '?',
      '▁Out',
      ':',
    ];
    const m2 = instructionTokenMask(sp, 'In: What action should the robot take to go?\nOut:', template);
    expect(sp.filter((_, i) => m2[i])).toEqual(['▁go']);
  });

  it('marks every non-special token when the prompt does not follow the template', () => {
    const mask = instructionTokenMask(['<s>', 'hello', 'there'], 'hello there', template);
    expect(mask).toEqual([false, true, true]);
  });

  it('displays tokens without markers and newlines as ⏎', () => {
    expect(displayToken('▁pick')).toBe('pick');
    expect(displayToken('Ġred')).toBe('red');
    expect(displayToken('\n')).toBe('⏎');
  });
});

describe('binHistogram', () => {
  it('counts the chosen bins per dim up to a step', () => {
    const chosen = [
      [0, 255],
      [0, 3],
      [1, 3],
    ];
    const upTo1 = binHistogram(chosen, 2, 256, 1);
    expect(upTo1[0]).toBe(2);
    expect(upTo1[256 + 255]).toBe(1);
    expect(upTo1[256 + 3]).toBe(1);
    expect(upTo1.reduce((a, b) => a + b, 0)).toBe(4);
    const all = binHistogram(chosen, 2, 256);
    expect(all[1]).toBe(1);
    expect(all[256 + 3]).toBe(2);
    expect(all.reduce((a, b) => a + b, 0)).toBe(6);
    expect(binHistogram([[300, -1]], 2, 256).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

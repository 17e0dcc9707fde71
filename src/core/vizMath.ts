/**
 * Pure math behind the visualizations: entropy of a bin distribution, attention aggregation over
 * (action dim, layer, head) into a patch-grid heatmap and a per-prompt-token vector, attention shares
 * per kind of key, bilinear upsampling, a colour map, and token → bin ordering. No DOM, React or ORT.
 */
import type { AttentionMaps, SequenceLayout } from './policy';

/** Shannon entropy (nats) of `p[offset … offset + length)`; the slice is renormalised first, 0·log 0 = 0. */
export function entropyNats(p: ArrayLike<number>, offset = 0, length = p.length - offset): number {
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const v = p[offset + i]!;
    if (v > 0) sum += v;
  }
  if (!(sum > 0)) return 0;
  let h = 0;
  for (let i = 0; i < length; i++) {
    const v = p[offset + i]! / sum;
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
}

/** Entropy of a distribution in nats, bits, and as a fraction of its maximum log(length) (0 … 1). */
export interface Entropy {
  nats: number;
  bits: number;
  /** nats / log(length): 0 for a one-hot distribution, 1 for a uniform one. */
  normalized: number;
}

export function entropy(p: ArrayLike<number>, offset = 0, length = p.length - offset): Entropy {
  const nats = entropyNats(p, offset, length);
  return { nats, bits: nats / Math.LN2, normalized: length > 1 ? nats / Math.log(length) : 0 };
}

/**
 * Display bin of an action token: the OpenVLA discretized index minus one, `vocab_size − id − 1`, in
 * [0, bins): bin 0 is the lowest action value (−1), bin bins − 1 the highest. (Decoding clips it to
 * bins − 2, so the top two bins share one center.) Probs are stored in slot order (id − start), so
 * slot = bins − 1 − bin.
 */
export function tokenToBin(id: number, vocabSize: number): number {
  return vocabSize - id - 1;
}

/** The probs slot of a display bin (and vice versa: the map is its own inverse). */
export function binToSlot(bin: number, bins: number): number {
  return bins - 1 - bin;
}

/** Which action dimension / layer / head to show; 'mean' averages over all of them. */
export interface AttentionFocus {
  dim: number | 'mean';
  layer: number | 'mean';
  head: number | 'mean';
}

/**
 * Mean over the selected (dim, layer, head) slices of `att.data` ([dims, layers, heads, keys]):
 * a length-`keys` vector. Indices out of range throw a RangeError.
 */
export function aggregateAttention(
  att: AttentionMaps,
  focus: AttentionFocus,
  out?: Float32Array,
): Float32Array {
  const [D, L, H, K] = att.shape;
  const pick = (sel: number | 'mean', n: number, what: string): [number, number] => {
    if (sel === 'mean') return [0, n];
    if (!Number.isInteger(sel) || sel < 0 || sel >= n)
      throw new RangeError(`${what} ${sel} not in [0, ${n})`);
    return [sel, sel + 1];
  };
  const [d0, d1] = pick(focus.dim, D, 'dim');
  const [l0, l1] = pick(focus.layer, L, 'layer');
  const [h0, h1] = pick(focus.head, H, 'head');
  const v = out && out.length === K ? out : new Float32Array(K);
  v.fill(0);
  const w = 1 / ((d1 - d0) * (l1 - l0) * (h1 - h0));
  const a = att.data;
  for (let d = d0; d < d1; d++)
    for (let l = l0; l < l1; l++)
      for (let h = h0; h < h1; h++) {
        const base = ((d * L + l) * H + h) * K;
        for (let k = 0; k < K; k++) v[k]! += a[base + k]! * w;
      }
  return v;
}

/** Patch-grid heatmap: image-key attention renormalised to sum 1, row-major over `rows × cols`. */
export interface PatchHeatmap {
  rows: number;
  cols: number;
  /** [rows × cols], sums to 1 (all 0 when the image keys got no attention). */
  values: Float32Array;
  /** Largest value of `values`. */
  max: number;
}

/**
 * The image keys of an aggregated attention vector as a patch grid, renormalised over the image keys.
 * Null when the layout has no grid or the grid does not cover the image keys.
 */
export function patchHeatmap(keys: ArrayLike<number>, layout: SequenceLayout): PatchHeatmap | null {
  const { start, count, grid } = layout.image;
  if (!grid || grid[0] * grid[1] !== count || start + count > keys.length) return null;
  const values = new Float32Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += keys[start + i]!;
  let max = 0;
  if (sum > 0)
    for (let i = 0; i < count; i++) {
      values[i] = keys[start + i]! / sum;
      if (values[i]! > max) max = values[i]!;
    }
  return { rows: grid[0], cols: grid[1], values, max };
}

/** Attention each prompt token received (same scale as `keys`, not renormalised), length text.count. */
export function textAttention(keys: ArrayLike<number>, layout: SequenceLayout): Float32Array {
  const { start, count } = layout.text;
  const v = new Float32Array(count);
  for (let i = 0; i < count; i++) v[i] = keys[start + i] ?? 0;
  return v;
}

/**
 * Share of the total attention on each kind of key; the five add up to 1 (all 0 for a zero vector). `image`
 * is the patches; `keypoints` the keypoint tokens (image positions the encoder located: objects, the grasp
 * site), 0 for a model without them. A head that reads keypoint tokens has little attention left for the
 * patches, and the heatmap (patches only, renormalised) says nothing about it: the shares do.
 */
export interface AttentionShares {
  image: number;
  keypoints: number;
  state: number;
  text: number;
  action: number;
}

export function attentionShares(keys: ArrayLike<number>, layout: SequenceLayout): AttentionShares {
  const sumRange = (s: number, n: number) => {
    let t = 0;
    for (let i = s; i < s + n && i < keys.length; i++) t += keys[i]!;
    return t;
  };
  const image = sumRange(layout.image.start, layout.image.count);
  const keypoints = layout.keypoints ? sumRange(layout.keypoints.start, layout.keypoints.count) : 0;
  const state = layout.state === null ? 0 : (keys[layout.state] ?? 0);
  const text = sumRange(layout.text.start, layout.text.count);
  const action = sumRange(layout.actions.start, layout.actions.count);
  const total = image + keypoints + state + text + action;
  if (!(total > 0)) return { image: 0, keypoints: 0, state: 0, text: 0, action: 0 };
  return {
    image: image / total,
    keypoints: keypoints / total,
    state: state / total,
    text: text / total,
    action: action / total,
  };
}

/**
 * Bilinear upsampling of a [rows × cols] grid to [outH × outW], sampling at pixel centres with the grid
 * values at cell centres (align_corners = false) and edges clamped, as torch's `interpolate` does.
 */
export function bilinearUpsample(
  grid: ArrayLike<number>,
  rows: number,
  cols: number,
  outW: number,
  outH: number,
  out?: Float32Array,
): Float32Array {
  const o = out && out.length === outW * outH ? out : new Float32Array(outW * outH);
  const sy = rows / outH;
  const sx = cols / outW;
  for (let y = 0; y < outH; y++) {
    const gy = Math.min(rows - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(rows - 1, y0 + 1);
    const fy = gy - y0;
    for (let x = 0; x < outW; x++) {
      const gx = Math.min(cols - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(cols - 1, x0 + 1);
      const fx = gx - x0;
      const top = grid[y0 * cols + x0]! * (1 - fx) + grid[y0 * cols + x1]! * fx;
      const bot = grid[y1 * cols + x0]! * (1 - fx) + grid[y1 * cols + x1]! * fx;
      o[y * outW + x] = top * (1 - fy) + bot * fy;
    }
  }
  return o;
}

// Matplotlib's "inferno" at t = 0, 1/8, …, 1 (sRGB bytes).
const INFERNO: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [31, 12, 72],
  [85, 15, 109],
  [136, 34, 106],
  [186, 54, 85],
  [227, 89, 51],
  [249, 140, 10],
  [249, 201, 50],
  [252, 255, 164],
];

/** Inferno colour map, t in [0, 1] (clamped) → RGB bytes, piecewise linear between 9 stops. */
export function inferno(t: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(x));
  const f = x - i;
  const a = INFERNO[i]!;
  const b = INFERNO[i + 1]!;
  out[0] = Math.round(a[0] + (b[0] - a[0]) * f);
  out[1] = Math.round(a[1] + (b[1] - a[1]) * f);
  out[2] = Math.round(a[2] + (b[2] - a[2]) * f);
  return out;
}

let infernoTable: Uint8Array | null = null;

/** `inferno(i / 255)` for i = 0 … 255 as [256 × 3] bytes, built once: a per-pixel lookup for canvases. */
export function infernoLut(): Uint8Array {
  if (infernoTable) return infernoTable;
  const t = new Uint8Array(256 * 3);
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 256; i++) {
    inferno(i / 255, c);
    t[3 * i] = c[0];
    t[3 * i + 1] = c[1];
    t[3 * i + 2] = c[2];
  }
  infernoTable = t;
  return t;
}

/** FNV-1a hash (hex) of values quantized to 1e-4: a cheap fingerprint of a drawn heatmap for tests. */
export function hashValues(values: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) {
    const q = Math.round(values[i]! * 1e4) | 0;
    for (let b = 0; b < 4; b++) {
      h ^= (q >>> (8 * b)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Which prompt tokens belong to the instruction: aligns token strings to `prompt` (markers such as
 * `▁`, `Ġ`, `##` stripped, case-insensitive; `<unk>` consumes one pre-token, other `<…>` specials
 * none) and marks those inside the `{instruction}` slot of `template`. When the prompt does not fit
 * the template, every non-special token counts as instruction.
 */
export function instructionTokenMask(tokens: readonly string[], prompt: string, template: string): boolean[] {
  const slot = template.indexOf('{instruction}');
  const prefix = slot >= 0 ? template.slice(0, slot) : '';
  const suffix = slot >= 0 ? template.slice(slot + '{instruction}'.length) : '';
  const fits =
    slot >= 0 &&
    prompt.length >= prefix.length + suffix.length &&
    prompt.startsWith(prefix) &&
    prompt.endsWith(suffix);
  const lo = fits ? prefix.length : 0;
  const hi = fits ? prompt.length - suffix.length : prompt.length;
  const text = prompt.toLowerCase();
  const mask: boolean[] = [];
  let at = 0;
  for (const raw of tokens) {
    const special = /^<[^<>]*>$/.test(raw) || /^\[[A-Z]+\]$/.test(raw);
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (special && raw.toLowerCase() !== '<unk>') {
      mask.push(false);
      continue;
    }
    let end: number;
    if (special) {
      const m = /^(\w+|[^\w\s]+)/u.exec(text.slice(at));
      end = at + (m ? m[0].length : 0);
    } else {
      const t = raw.replace(/^(▁|Ġ|##)/u, '').toLowerCase();
      end = t.length > 0 && text.startsWith(t, at) ? at + t.length : -1;
    }
    if (end < 0) {
      mask.push(!fits);
      continue;
    }
    mask.push(at >= lo && end <= hi && end > at);
    at = end;
  }
  return mask;
}

/** A token string for display: word-piece markers stripped, newline shown as ⏎. */
export function displayToken(raw: string): string {
  const s = raw.replace(/^(▁|Ġ|##)/u, '').replace(/Ċ|\n/gu, '⏎');
  return s.length > 0 ? s : '␣';
}

/**
 * Counts of each display bin over steps [0, upTo] (inclusive) for each dim: [dims × bins], row-major.
 * `bins[s][d]` is the display bin chosen at step s; out-of-range bins are ignored.
 */
export function binHistogram(
  chosen: readonly (readonly number[])[],
  dims: number,
  bins: number,
  upTo = chosen.length - 1,
  out?: Uint32Array,
): Uint32Array {
  const h = out && out.length === dims * bins ? out : new Uint32Array(dims * bins);
  h.fill(0);
  const last = Math.min(upTo, chosen.length - 1);
  for (let s = 0; s <= last; s++) {
    const row = chosen[s]!;
    for (let d = 0; d < dims; d++) {
      const b = row[d];
      if (b !== undefined && b >= 0 && b < bins) h[d * bins + b]!++;
    }
  }
  return h;
}

/**
 * Image preprocessing as a manifest's `image` section says: resize (antialiased
 * bilinear, i.e. PIL's triangle filter, or nearest) to width × height, scale to
 * [0, 1], (v − mean) / std per channel, NCHW or NHWC float32. Pure math: no DOM,
 * no ORT; runs in the worker and in Node.
 */
import { PolicyInputError } from '../core/errors';
import type { ImageSpec } from '../core/manifest';
import type { Frame } from '../core/policy';

interface Taps {
  /** For each output index: first input index, tap count, offset into weights. */
  first: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  weights: Float32Array;
}

const tapCache = new Map<string, Taps>();

/** Separable resampling weights from `inSize` to `outSize` (half-pixel centers). */
function taps(inSize: number, outSize: number, mode: 'bilinear' | 'nearest'): Taps {
  const key = `${inSize}:${outSize}:${mode}`;
  const hit = tapCache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  const ws: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    offset[o] = ws.length;
    if (mode === 'nearest') {
      first[o] = Math.min(inSize - 1, Math.floor(center));
      count[o] = 1;
      ws.push(1);
      continue;
    }
    const support = Math.max(1, scale);
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(inSize - 1, Math.ceil(center + support));
    let sum = 0;
    const local: number[] = [];
    for (let i = lo; i <= hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - center) / support));
      local.push(w);
      sum += w;
    }
    first[o] = lo;
    count[o] = local.length;
    for (const w of local) ws.push(w / sum);
  }
  const t = { first, count, offset, weights: Float32Array.from(ws) };
  tapCache.set(key, t);
  return t;
}

let rowScratch = new Float32Array(0);

/**
 * Frame → model input tensor data, length 3·height·width, in `spec.layout`. Reuses `out` when it
 * has the right length. Throws PolicyInputError on a malformed frame.
 */
export function preprocessFrame(frame: Frame, spec: ImageSpec, out?: Float32Array): Float32Array {
  const { width: iw, height: ih, channels: ch, data } = frame;
  if (!(iw > 0 && ih > 0) || (ch !== 3 && ch !== 4)) {
    throw new PolicyInputError(`frame must be a non-empty RGB or RGBA image, got ${iw}×${ih}×${ch}`);
  }
  if (data.length < iw * ih * ch) {
    throw new PolicyInputError(
      `frame data has ${data.length} bytes, expected ${iw}×${ih}×${ch} = ${iw * ih * ch}`,
    );
  }
  const ow = spec.width;
  const oh = spec.height;
  const plane = ow * oh;
  const dst = out && out.length === 3 * plane ? out : new Float32Array(3 * plane);
  const tx = taps(iw, ow, spec.resize);
  const ty = taps(ih, oh, spec.resize);
  // Horizontal pass into [ih, ow, 3] scratch, then vertical pass into dst.
  if (rowScratch.length < ih * ow * 3) rowScratch = new Float32Array(ih * ow * 3);
  const mid = rowScratch;
  for (let y = 0; y < ih; y++) {
    const row = y * iw * ch;
    for (let x = 0; x < ow; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const f = tx.first[x]!;
      const o = tx.offset[x]!;
      for (let t = 0, n = tx.count[x]!; t < n; t++) {
        const w = tx.weights[o + t]!;
        const p = row + (f + t) * ch;
        r += w * data[p]!;
        g += w * data[p + 1]!;
        b += w * data[p + 2]!;
      }
      const m = (y * ow + x) * 3;
      mid[m] = r;
      mid[m + 1] = g;
      mid[m + 2] = b;
    }
  }
  const [m0, m1, m2] = spec.mean;
  const [s0, s1, s2] = spec.std;
  const nchw = spec.layout === 'NCHW';
  for (let y = 0; y < oh; y++) {
    const f = ty.first[y]!;
    const o = ty.offset[y]!;
    const n = ty.count[y]!;
    for (let x = 0; x < ow; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < n; t++) {
        const w = ty.weights[o + t]!;
        const p = ((f + t) * ow + x) * 3;
        r += w * mid[p]!;
        g += w * mid[p + 1]!;
        b += w * mid[p + 2]!;
      }
      const vr = (r / 255 - m0) / s0;
      const vg = (g / 255 - m1) / s1;
      const vb = (b / 255 - m2) / s2;
      const i = y * ow + x;
      if (nchw) {
        dst[i] = vr;
        dst[plane + i] = vg;
        dst[2 * plane + i] = vb;
      } else {
        dst[i * 3] = vr;
        dst[i * 3 + 1] = vg;
        dst[i * 3 + 2] = vb;
      }
    }
  }
  return dst;
}

/** Proprio state → normalized (s − mean) / std as the manifest's `state` section says. */
export function normalizeState(
  state: readonly number[] | undefined,
  spec: { dims: number; names: string[]; mean: number[]; std: number[] },
): Float32Array {
  if (!state) {
    throw new PolicyInputError(
      `this model needs a state input (${spec.dims} values: ${spec.names.join(', ')})`,
    );
  }
  if (state.length !== spec.dims) {
    throw new PolicyInputError(
      `state has ${state.length} values, the model expects ${spec.dims} (${spec.names.join(', ')})`,
    );
  }
  const out = new Float32Array(spec.dims);
  for (let i = 0; i < spec.dims; i++) {
    const v = state[i]!;
    if (!Number.isFinite(v)) throw new PolicyInputError(`state[${i}] (${spec.names[i]}) is not finite`);
    out[i] = (v - spec.mean[i]!) / spec.std[i]!;
  }
  return out;
}

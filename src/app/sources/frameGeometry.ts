/**
 * Pure geometry and pixel helpers for the policy's frame sources: the centred square crop of a camera,
 * image or video frame, and RGBA → RGB packing. No DOM, three.js, ORT or React: runs and is tested in Node.
 */

/** A source rectangle in pixels of the input image (x, y from the top-left corner). */
export interface CropRect {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

/**
 * The largest square centred in a `width × height` input, in whole pixels: side = min(width, height),
 * the leftover split evenly (an odd leftover puts the extra pixel on the right / bottom).
 * Throws RangeError on a non-positive or non-finite size.
 */
export function centerCropRect(width: number, height: number): CropRect {
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0))
    throw new RangeError(`centerCropRect: the input must have a positive size, got ${width}×${height}`);
  const w = Math.round(width);
  const h = Math.round(height);
  const side = Math.max(1, Math.min(w, h));
  return { sx: Math.floor((w - side) / 2), sy: Math.floor((h - side) / 2), sw: side, sh: side };
}

/**
 * The square output size a source frame is resampled to: `size` rounded and clamped to [8, 512] pixels
 * (the model camera's range). Throws RangeError on a non-finite size.
 */
export function frameSide(size: number): number {
  if (!Number.isFinite(size)) throw new RangeError(`frameSide: size must be finite, got ${size}`);
  return Math.min(512, Math.max(8, Math.round(size)));
}

/** RGBA bytes ([n × 4], e.g. ImageData.data) → RGB bytes ([n × 3]); reuses `out` when its length fits. */
export function rgbaToRgb(rgba: ArrayLike<number>, out?: Uint8Array): Uint8Array {
  const n = Math.floor(rgba.length / 4);
  const rgb = out && out.length === n * 3 ? out : new Uint8Array(n * 3);
  for (let i = 0, j = 0; j < n * 4; i += 3, j += 4) {
    rgb[i] = rgba[j]!;
    rgb[i + 1] = rgba[j + 1]!;
    rgb[i + 2] = rgba[j + 2]!;
  }
  return rgb;
}

/**
 * The model camera: a fixed perspective camera (SceneSpec.camera: pos, target, fovy) rendered offscreen by
 * its own small WebGL renderer at a configurable resolution (default 64×64, supersampled 2×2 and box-filtered)
 * and read back as RGB bytes, rows top-to-bottom. Same scene state → same bytes (no time or randomness).
 * Imports three.js only; must not import React, mujoco-js or ORT.
 */
import { PerspectiveCamera, type Scene, Vector3, WebGLRenderer } from 'three';
import type { CameraSpec } from '../core/types';
import { MUJOCO_UP_IN_THREE, mjToThree } from './frames';

/** Default model input resolution, pixels. */
export const DEFAULT_CAMERA_SIZE = 64;

const _target = new Vector3();

export interface ModelCameraOptions {
  /** Output width, pixels. @default 64 */
  width?: number;
  /** Output height, pixels. @default 64 */
  height?: number;
  /** Render at `supersample`× the resolution per axis and average (anti-aliasing). @default 2 */
  supersample?: number;
  /** Render shadows (matches the main view). @default true */
  shadows?: boolean;
}

/** An RGB frame: `rgb` is [height × width × 3] bytes, rows top-to-bottom. */
export interface RgbFrame {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export class ModelCamera {
  readonly camera = new PerspectiveCamera(45, 1, 0.02, 20);
  private readonly renderer: WebGLRenderer;
  private readonly supersample: number;
  private w: number;
  private h: number;
  private rgba = new Uint8Array(0);

  constructor(options: ModelCameraOptions = {}) {
    this.w = options.width ?? DEFAULT_CAMERA_SIZE;
    this.h = options.height ?? DEFAULT_CAMERA_SIZE;
    this.supersample = Math.max(1, Math.round(options.supersample ?? 2));
    const canvas =
      typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    this.renderer = new WebGLRenderer({
      canvas,
      antialias: false,
      alpha: false,
      preserveDrawingBuffer: true,
      powerPreference: 'low-power',
    });
    this.renderer.setPixelRatio(1);
    this.renderer.shadowMap.enabled = options.shadows ?? true;
    this.setResolution(this.w, this.h);
  }

  get width(): number {
    return this.w;
  }

  get height(): number {
    return this.h;
  }

  /** Output size in pixels (integers ≥ 8). */
  setResolution(width: number, height: number = width): void {
    this.w = Math.max(8, Math.round(width));
    this.h = Math.max(8, Math.round(height));
    const s = this.supersample;
    this.renderer.setSize(this.w * s, this.h * s, false);
    this.rgba = new Uint8Array(this.w * s * this.h * s * 4);
    this.camera.aspect = this.w / this.h;
    this.camera.updateProjectionMatrix();
  }

  /** Place the camera: position and look-at target in MuJoCo world metres, vertical FOV in degrees. */
  setPose(spec: CameraSpec): void {
    mjToThree(this.camera.position, spec.pos[0], spec.pos[1], spec.pos[2]);
    this.camera.up.copy(MUJOCO_UP_IN_THREE);
    this.camera.fov = spec.fovy;
    this.camera.updateProjectionMatrix();
    this.camera.lookAt(mjToThree(_target, spec.target[0], spec.target[1], spec.target[2]));
    this.camera.updateMatrixWorld(true);
  }

  /** Render `scene` and return the frame as RGB bytes (a new buffer each call, rows top-to-bottom). */
  capture(scene: Scene): RgbFrame {
    const s = this.supersample;
    const fw = this.w * s;
    const fh = this.h * s;
    this.renderer.setRenderTarget(null);
    this.renderer.render(scene, this.camera);
    const gl = this.renderer.getContext();
    gl.readPixels(0, 0, fw, fh, gl.RGBA, gl.UNSIGNED_BYTE, this.rgba);
    const out = new Uint8Array(this.w * this.h * 3);
    const inv = 1 / (s * s);
    for (let y = 0; y < this.h; y++) {
      // GL rows run bottom-to-top; output row y is GL block row (h − 1 − y).
      const gy0 = (this.h - 1 - y) * s;
      for (let x = 0; x < this.w; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dy = 0; dy < s; dy++) {
          let k = ((gy0 + dy) * fw + x * s) * 4;
          for (let dx = 0; dx < s; dx++, k += 4) {
            r += this.rgba[k]!;
            g += this.rgba[k + 1]!;
            b += this.rgba[k + 2]!;
          }
        }
        const o = (y * this.w + x) * 3;
        out[o] = Math.round(r * inv);
        out[o + 1] = Math.round(g * inv);
        out[o + 2] = Math.round(b * inv);
      }
    }
    return { width: this.w, height: this.h, rgb: out };
  }

  dispose(): void {
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }
}

/** Expand RGB bytes to RGBA (alpha 255) for ImageData / canvas display. */
export function rgbToRgba(
  rgb: Uint8Array,
  out?: Uint8ClampedArray<ArrayBuffer>,
): Uint8ClampedArray<ArrayBuffer> {
  const n = rgb.length / 3;
  const rgba = out && out.length === n * 4 ? out : new Uint8ClampedArray(n * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  return rgba;
}

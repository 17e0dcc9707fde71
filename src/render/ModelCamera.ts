/**
 * The model camera: a fixed perspective camera (SceneSpec.camera: pos, target, fovy) rendered offscreen by
 * its own small WebGL renderer at a configurable resolution (default 64×64, supersampled 2×2 and box-filtered)
 * and read back as RGB bytes, rows top-to-bottom, either synchronously (capture) or through a pixel-pack
 * buffer and a fence (captureAsync: same bytes, no GPU stall on the calling thread). Same scene state → same
 * bytes (no time or randomness).
 * Imports three.js only; must not import React, mujoco-js or ORT.
 */
import { PerspectiveCamera, type Scene, Vector3, WebGLRenderer } from 'three';
import type { CameraSpec } from '../core/types';
import { MUJOCO_UP_IN_THREE, mjToThree } from './frames';

/** Default model input resolution, pixels. */
export const DEFAULT_CAMERA_SIZE = 64;
/** How often captureAsync polls its fence, ms (browsers clamp nested timeouts to ≥ 4 ms anyway). */
const FENCE_POLL_MS = 1;

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
  /** Created on the first render (a page whose frames come from the worker never makes a context here). */
  private renderer_: WebGLRenderer | null = null;
  private readonly supersample: number;
  private readonly shadows: boolean;
  private w: number;
  private h: number;
  private rgba = new Uint8Array(0);

  constructor(options: ModelCameraOptions = {}) {
    this.w = options.width ?? DEFAULT_CAMERA_SIZE;
    this.h = options.height ?? DEFAULT_CAMERA_SIZE;
    this.supersample = Math.max(1, Math.round(options.supersample ?? 2));
    this.shadows = options.shadows ?? true;
    this.setResolution(this.w, this.h);
  }

  private get renderer(): WebGLRenderer {
    if (this.renderer_) return this.renderer_;
    const canvas =
      typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    const r = new WebGLRenderer({
      canvas,
      antialias: false,
      alpha: false,
      preserveDrawingBuffer: true,
      powerPreference: 'low-power',
    });
    r.setPixelRatio(1);
    r.shadowMap.enabled = this.shadows;
    r.setSize(this.w * this.supersample, this.h * this.supersample, false);
    this.renderer_ = r;
    return r;
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
    this.renderer_?.setSize(this.w * s, this.h * s, false);
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
    return boxFilter(this.rgba, this.w, this.h, s);
  }

  /**
   * Same pixels as capture(), without stalling the calling thread on the GPU: renders `scene` now, reads
   * the drawing buffer into a pixel-pack buffer, and resolves once a fence says the copy is done (polled
   * between tasks). The scene may change as soon as this returns. Falls back to capture() without WebGL2.
   */
  captureAsync(scene: Scene): Promise<RgbFrame> {
    const gl = this.renderer.getContext();
    if (!isWebGL2(gl)) return Promise.resolve(this.capture(scene));
    const { w, h, supersample: s } = this;
    const bytes = w * s * h * s * 4;
    this.renderer.setRenderTarget(null);
    this.renderer.render(scene, this.camera);
    // One buffer per readback (a buffer written again before it is read would lose the first frame).
    const pbo = gl.createBuffer();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
    gl.readPixels(0, 0, w * s, h * s, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    return waitForFence(gl, sync)
      .then(() => {
        const rgba = new Uint8Array(bytes);
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
        gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, rgba);
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
        return boxFilter(rgba, w, h, s);
      })
      .finally(() => gl.deleteBuffer(pbo));
  }

  dispose(): void {
    this.renderer_?.dispose();
    this.renderer_?.forceContextLoss();
    this.renderer_ = null;
  }
}

function isWebGL2(gl: WebGLRenderingContext | WebGL2RenderingContext): gl is WebGL2RenderingContext {
  return typeof WebGL2RenderingContext !== 'undefined' && gl instanceof WebGL2RenderingContext;
}

/** Resolve when `sync` is signalled (polled between tasks; WebGL updates a fence's status only there). */
function waitForFence(gl: WebGL2RenderingContext, sync: WebGLSync | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!sync) {
      reject(new Error('ModelCamera: fenceSync failed (context lost?)'));
      return;
    }
    const poll = () => {
      const status = gl.clientWaitSync(sync, 0, 0);
      if (status === gl.TIMEOUT_EXPIRED) {
        setTimeout(poll, FENCE_POLL_MS);
        return;
      }
      gl.deleteSync(sync);
      if (status === gl.WAIT_FAILED)
        reject(new Error('ModelCamera: waiting for the readback failed (context lost?)'));
      else resolve();
    };
    setTimeout(poll, 0);
  });
}

/**
 * Box-filter a GL readback (`rgba`: [h·s × w·s × 4], rows bottom-to-top) down to an RGB frame of w × h
 * (rows top-to-bottom), each output pixel the rounded mean of its s × s block.
 */
function boxFilter(rgba: Uint8Array, w: number, h: number, s: number): RgbFrame {
  const fw = w * s;
  const out = new Uint8Array(w * h * 3);
  const inv = 1 / (s * s);
  for (let y = 0; y < h; y++) {
    // GL rows run bottom-to-top; output row y is GL block row (h − 1 − y).
    const gy0 = (h - 1 - y) * s;
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < s; dy++) {
        let k = ((gy0 + dy) * fw + x * s) * 4;
        for (let dx = 0; dx < s; dx++, k += 4) {
          r += rgba[k]!;
          g += rgba[k + 1]!;
          b += rgba[k + 2]!;
        }
      }
      const o = (y * w + x) * 3;
      out[o] = Math.round(r * inv);
      out[o + 1] = Math.round(g * inv);
      out[o + 2] = Math.round(b * inv);
    }
  }
  return { width: w, height: h, rgb: out };
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

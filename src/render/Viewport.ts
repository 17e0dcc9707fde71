/**
 * The main 3D view: a WebGL renderer on a page canvas, a perspective camera with OrbitControls, a resize
 * observer and a requestAnimationFrame loop. Each frame it calls `beforeRender()` (which copies sim poses
 * into the scene) and redraws `getScene()` only when something changed; React is never involved per frame.
 * On a software rasterizer (SwiftShader, llvmpipe) it draws at a reduced pixel ratio, reduced further
 * while an episode runs (setEpisodeRunning).
 * Imports three.js only; must not import React, mujoco-js or ORT.
 */
import { PCFShadowMap, PerspectiveCamera, type Scene, Vector3, WebGLRenderer } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { Vec3 } from '../core/types';
import { MUJOCO_UP_IN_THREE, mjToThree } from './frames';

export interface ViewportOptions {
  /** Returns the scene to draw, or null while none is built. */
  getScene: () => Scene | null;
  /** Called once per animation frame (sync poses, model camera view…); returns true when the scene changed. */
  beforeRender?: () => boolean;
}

/** Default orbit view: front-right of the table, looking at its centre (MuJoCo world frame, metres). */
export const DEFAULT_VIEW = { pos: [1.5, -1.05, 0.95] as Vec3, target: [0.32, 0, 0.14] as Vec3, fovy: 40 };

/** Pixel ratio used on a software rasterizer, where fill rate dominates. */
const SOFTWARE_PIXEL_RATIO = 0.6;
/**
 * Pixel ratio on a software rasterizer while an episode runs: every control step redraws the view, and
 * its fill competes with the model camera, the page's compositing and the policy for the same CPU cores.
 */
const SOFTWARE_RUNNING_PIXEL_RATIO = 0.45;
/** Shadow map size for the main view's scene on a software rasterizer (the model camera keeps its own). */
export const SOFTWARE_SHADOW_MAP_SIZE = 512;
const _target = new Vector3();

/** True when the WebGL context is a CPU rasterizer (SwiftShader, llvmpipe, Microsoft Basic Render). */
export function isSoftwareRenderer(renderer: WebGLRenderer): boolean {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

export class Viewport {
  readonly renderer: WebGLRenderer;
  readonly camera = new PerspectiveCamera(DEFAULT_VIEW.fovy, 1, 0.02, 30);
  readonly controls: OrbitControls;
  private readonly canvas: HTMLCanvasElement;
  private readonly options: ViewportOptions;
  private readonly resizeObserver: ResizeObserver;
  /** Whether the context is a software rasterizer (then drawn at a reduced pixel ratio). */
  readonly software: boolean;
  private frameHandle = 0;
  private dirty = true;
  private episodeRunning = false;
  /** CSS size and pixel ratio the drawing buffer was last sized for. */
  private size = { w: 0, h: 0, ratio: 0 };
  private frames = 0;
  private fpsWindowStart = performance.now();
  /** Frames drawn per second over the last ~second (0 while nothing changes). */
  fps = 0;

  constructor(canvas: HTMLCanvasElement, options: ViewportOptions) {
    this.canvas = canvas;
    this.options = options;
    this.renderer = new WebGLRenderer({ canvas, antialias: true, powerPreference: 'high-performance' });
    this.software = isSoftwareRenderer(this.renderer);
    this.renderer.setPixelRatio(
      this.software ? SOFTWARE_PIXEL_RATIO : Math.min(window.devicePixelRatio || 1, 2),
    );
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = PCFShadowMap;
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.12;
    this.controls.maxPolarAngle = Math.PI * 0.495;
    this.controls.minDistance = 0.3;
    this.controls.maxDistance = 5;
    this.controls.addEventListener('change', this.invalidate);
    this.resetView();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  /** Put the orbit camera back to DEFAULT_VIEW. */
  resetView(): void {
    const v = DEFAULT_VIEW;
    mjToThree(this.camera.position, v.pos[0], v.pos[1], v.pos[2]);
    this.camera.up.copy(MUJOCO_UP_IN_THREE);
    mjToThree(_target, v.target[0], v.target[1], v.target[2]);
    this.controls.target.copy(_target);
    this.controls.update();
    this.invalidate();
  }

  /**
   * Tell the view whether an episode runs: on a software rasterizer it then draws at
   * SOFTWARE_RUNNING_PIXEL_RATIO instead of SOFTWARE_PIXEL_RATIO (no effect on a GPU).
   */
  setEpisodeRunning(running: boolean): void {
    if (running === this.episodeRunning) return;
    this.episodeRunning = running;
    if (!this.software) return;
    this.renderer.setPixelRatio(running ? SOFTWARE_RUNNING_PIXEL_RATIO : SOFTWARE_PIXEL_RATIO);
    this.resize();
  }

  /** Ask for a redraw on the next animation frame. */
  readonly invalidate = (): void => {
    this.dirty = true;
  };

  start(): void {
    if (this.frameHandle) return;
    const tick = () => {
      this.frameHandle = requestAnimationFrame(tick);
      if (this.options.beforeRender?.()) this.dirty = true;
      if (this.controls.update()) this.dirty = true;
      const draw = this.dirty;
      if (draw) this.renderFrame();
      this.countFps(draw);
    };
    this.frameHandle = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.frameHandle);
    this.frameHandle = 0;
  }

  /** Draw one frame now. */
  renderFrame(): void {
    this.dirty = false;
    const scene = this.options.getScene();
    if (scene) this.renderer.render(scene, this.camera);
  }

  private countFps(drew: boolean): void {
    if (drew) this.frames++;
    const t = performance.now();
    if (t - this.fpsWindowStart >= 1000) {
      this.fps = (this.frames * 1000) / (t - this.fpsWindowStart);
      this.frames = 0;
      this.fpsWindowStart = t;
    }
  }

  dispose(): void {
    this.stop();
    this.resizeObserver.disconnect();
    this.controls.removeEventListener('change', this.invalidate);
    this.controls.dispose();
    this.renderer.dispose();
  }

  private resize(): void {
    const w = Math.max(1, this.canvas.clientWidth);
    const h = Math.max(1, this.canvas.clientHeight);
    const ratio = this.renderer.getPixelRatio();
    // Re-setting the same size would still reallocate the drawing buffer (and clear it).
    if (w === this.size.w && h === this.size.h && ratio === this.size.ratio) return;
    this.size = { w, h, ratio };
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.invalidate();
  }
}

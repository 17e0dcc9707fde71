/**
 * The app's runtime, outside React: one Sim, the EpisodeRunner, the three.js MujocoScene (rebuilt when the
 * sim compiles a new model), the offscreen ModelCamera, the main Viewport and keyboard teleop. The store and
 * window.vla call into it; per-frame work (pose sync, camera view) happens in the Viewport's render loop.
 * Must not import React or ORT.
 */
import { parseTask } from '../core/task';
import type { SceneSpec, SimState } from '../core/types';
import { ModelCamera, type RgbFrame, rgbToRgba } from '../render/ModelCamera';
import { MujocoScene } from '../render/MujocoScene';
import { Viewport } from '../render/Viewport';
import { Sim } from '../sim/Sim';
import { type EpisodeResult, EpisodeRunner, type RunOptions } from './EpisodeRunner';
import { TeleopSource } from './TeleopSource';

/** Longest teleop episode, control steps (10 min at 10 Hz). */
const TELEOP_MAX_STEPS = 6000;

export class World {
  readonly sim: Sim;
  readonly runner: EpisodeRunner;
  readonly modelCamera: ModelCamera;
  private view: MujocoScene | null = null;
  private viewport: Viewport | null = null;
  private cameraCanvas: HTMLCanvasElement | null = null;
  private cameraImage: ImageData | null = null;
  private cameraDirty = true;
  private posesDirty = true;
  private teleop: TeleopSource | null = null;
  /** False when the main 3D view is switched off (`?view=0`, e.g. during data generation). */
  readonly mainView: boolean;

  private constructor(sim: Sim, cameraSize: number, mainView: boolean) {
    this.sim = sim;
    this.mainView = mainView;
    this.runner = new EpisodeRunner(sim);
    this.modelCamera = new ModelCamera({ width: cameraSize, height: cameraSize });
    this.runner.subscribe(() => {
      this.posesDirty = true;
      this.cameraDirty = true;
    });
  }

  /**
   * Load MuJoCo and the renderer; `cameraSize` is the model camera's square resolution in pixels;
   * `mainView: false` never starts the main 3D view (attachViewport does nothing). @default mainView true
   */
  static async create(options: { cameraSize?: number; mainView?: boolean } = {}): Promise<World> {
    const sim = await Sim.create();
    return new World(sim, options.cameraSize ?? 64, options.mainView ?? true);
  }

  get scene(): SceneSpec | null {
    return this.runner.scene;
  }

  get mujocoScene(): MujocoScene | null {
    return this.view;
  }

  /** Frames per second of the main view (0 before it is attached). */
  get fps(): number {
    return this.viewport?.fps ?? 0;
  }

  /** Stop any episode and build the world for (seed, task). Throws TaskParseError on a bad task id. */
  async reset(seed: number, task: string): Promise<{ instruction: string; state: SimState }> {
    parseTask(task);
    this.teleop = null;
    const { scene, state, instruction } = await this.runner.reset(seed, task);
    if (!this.view || this.view.model !== this.sim.model) {
      this.view?.dispose();
      this.view = new MujocoScene(this.sim.model);
    }
    this.view.setLight(scene.light, scene.camera.target);
    this.modelCamera.setPose(scene.camera);
    this.syncPoses(true);
    return { instruction, state };
  }

  /** Reset to (seed, task) and run the scripted expert. */
  async runExpert(seed: number, task: string, options: RunOptions = {}): Promise<EpisodeResult> {
    await this.reset(seed, task);
    return this.runner.run(this.runner.expertSource(), options);
  }

  /** Run the expert from the current state of the current scene. */
  runExpertHere(options: RunOptions = {}): Promise<EpisodeResult> {
    this.teleop = null;
    return this.runner.run(this.runner.expertSource(), options);
  }

  stop(): Promise<void> {
    this.teleop = null;
    return this.runner.stop();
  }

  /**
   * Keyboard teleop: a key press starts a real-time teleop episode if none is running (an expert or policy
   * run is never hijacked). Returns true when the key was consumed.
   */
  teleopKey(key: string, down: boolean): boolean {
    if (!down) {
      this.teleop?.release(key);
      return false;
    }
    if (!this.runner.scene) return false;
    if (this.runner.running && !this.teleop) return false;
    if (!this.teleop) {
      const source = new TeleopSource();
      source.syncGripper(this.sim.state());
      if (!source.press(key)) return false;
      this.teleop = source;
      this.runner.run(source, { pace: 'realtime', maxSteps: TELEOP_MAX_STEPS }).finally(() => {
        if (this.teleop === source) this.teleop = null;
      });
      return true;
    }
    return this.teleop.press(key);
  }

  releaseTeleopKeys(): void {
    this.teleop?.releaseAll();
  }

  /** Tell the world that the sim was stepped outside the runner (e.g. by the data recorder). */
  markSimChanged(): void {
    this.posesDirty = true;
    this.cameraDirty = true;
  }

  /** Current model-camera frame (RGB, rows top-to-bottom) of the current sim state. */
  captureFrame(): RgbFrame {
    if (!this.view) throw new Error('World: no scene yet; call reset first');
    this.syncPoses();
    return this.modelCamera.capture(this.view.scene);
  }

  /** Change the model camera's square resolution, pixels. */
  setCameraSize(size: number): void {
    this.modelCamera.setResolution(size, size);
    this.cameraImage = null;
    this.cameraDirty = true;
  }

  /** Show the model camera on a page canvas (its pixel size follows the camera resolution). */
  attachCameraCanvas(canvas: HTMLCanvasElement | null): void {
    this.cameraCanvas = canvas;
    this.cameraImage = null;
    this.cameraDirty = true;
  }

  /** Start the main 3D view on `canvas`; returns a function that detaches it. */
  attachViewport(canvas: HTMLCanvasElement): () => void {
    if (!this.mainView) return () => undefined;
    this.viewport?.dispose();
    const viewport = new Viewport(canvas, {
      getScene: () => this.view?.scene ?? null,
      beforeRender: () => this.onFrame(),
    });
    this.viewport = viewport;
    viewport.start();
    return () => {
      viewport.dispose();
      if (this.viewport === viewport) this.viewport = null;
    };
  }

  resetView(): void {
    this.viewport?.resetView();
  }

  dispose(): void {
    void this.runner.stop();
    this.viewport?.dispose();
    this.view?.dispose();
    this.modelCamera.dispose();
    this.sim.dispose();
  }

  /** Copy sim poses into the three.js scene when they changed; returns true if it did. */
  private syncPoses(force = false): boolean {
    if (!this.view || (!force && !this.posesDirty)) return false;
    this.view.update(this.sim.data);
    this.posesDirty = false;
    this.viewport?.invalidate();
    return true;
  }

  private onFrame(): boolean {
    const changed = this.syncPoses();
    if (this.cameraDirty && this.cameraCanvas && this.view) {
      this.cameraDirty = false;
      const frame = this.modelCamera.capture(this.view.scene);
      const canvas = this.cameraCanvas;
      if (canvas.width !== frame.width || canvas.height !== frame.height) {
        canvas.width = frame.width;
        canvas.height = frame.height;
      }
      if (
        !this.cameraImage ||
        this.cameraImage.width !== frame.width ||
        this.cameraImage.height !== frame.height
      ) {
        this.cameraImage = new ImageData(frame.width, frame.height);
      }
      rgbToRgba(frame.rgb, this.cameraImage.data);
      canvas.getContext('2d')?.putImageData(this.cameraImage, 0, 0);
    }
    return changed;
  }
}

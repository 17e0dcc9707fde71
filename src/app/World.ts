/**
 * The app's runtime, outside React: one Sim, the EpisodeRunner, the three.js MujocoScenes (rebuilt when the
 * sim compiles a new model), the model camera (in a worker for the policy and the preview, in-thread for
 * synchronous captures), the main Viewport and keyboard teleop. The store and window.vla call into it;
 * per-frame work (pose sync, camera preview) happens in the Viewport's render loop. Must not import React or ORT.
 */
import { parseTask } from '../core/task';
import type { SceneSpec, SimState } from '../core/types';
import { ModelCamera, type RgbFrame, rgbToRgba } from '../render/ModelCamera';
import { type GeomPoses, MujocoScene, SHADOW_MAP_SIZE, sceneModelOf } from '../render/MujocoScene';
import { RemoteModelCamera } from '../render/RemoteModelCamera';
import { SOFTWARE_SHADOW_MAP_SIZE, Viewport } from '../render/Viewport';
import { Sim } from '../sim/Sim';
import { type EpisodeResult, EpisodeRunner, type RunOptions } from './EpisodeRunner';
import { TeleopSource } from './TeleopSource';

/** Longest teleop episode, control steps (10 min at 10 Hz). */
const TELEOP_MAX_STEPS = 6000;

export class World {
  readonly sim: Sim;
  readonly runner: EpisodeRunner;
  readonly modelCamera: ModelCamera;
  /** The scene the model camera renders (what the policy sees). */
  private view: MujocoScene | null = null;
  /**
   * The main 3D view's own copy of the scene (same model and poses), so that its cost settings on a
   * software rasterizer (a smaller shadow map) never touch the model camera's pixels.
   */
  private mainScene: MujocoScene | null = null;
  /** The main view's previous scene, disposed once the new one was drawn (its shader programs carry over). */
  private retiredMainScene: MujocoScene | null = null;
  private mainSceneDrawn = false;
  /**
   * The worker-backed model camera for captureFrameAsync (same bytes as `modelCamera`), created on the first
   * async capture; null where workers cannot render (then captures run in-thread).
   */
  private remote: RemoteModelCamera | null | undefined;
  private viewport: Viewport | null = null;
  private cameraCanvas: HTMLCanvasElement | null = null;
  private cameraImage: ImageData | null = null;
  private cameraDirty = true;
  private posesDirty = true;
  /** Bumped whenever what the model camera sees may have changed (sim state, scene, pose, resolution). */
  private frameVersion = 0;
  /** The model-camera frame of `frameVersion` (a readback possibly still in flight). */
  private frameCache: { version: number; frame: Promise<RgbFrame> } | null = null;
  /** A preview readback is in flight (at most one at a time). */
  private previewBusy = false;
  private teleop: TeleopSource | null = null;
  /** False when the main 3D view is switched off (`?view=0`, e.g. during data generation). */
  readonly mainView: boolean;

  private constructor(sim: Sim, cameraSize: number, mainView: boolean) {
    this.sim = sim;
    this.mainView = mainView;
    this.runner = new EpisodeRunner(sim);
    this.modelCamera = new ModelCamera({ width: cameraSize, height: cameraSize });
    this.runner.subscribe((e) => {
      this.markSimChanged();
      if (e.type === 'start') this.viewport?.setEpisodeRunning(true);
      else if (e.type === 'end') this.viewport?.setEpisodeRunning(false);
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
    const newModel = !this.view || this.view.model !== this.sim.model;
    if (newModel) {
      this.view?.dispose();
      this.view = new MujocoScene(this.sim.model);
      this.retiredMainScene?.dispose();
      this.retiredMainScene = this.mainScene;
      this.mainScene = null;
      this.mainSceneDrawn = false;
    }
    this.view!.setLight(scene.light, scene.camera.target);
    this.mainScene?.setLight(scene.light, scene.camera.target);
    this.modelCamera.setPose(scene.camera);
    this.sendSceneToWorker(scene, newModel);
    this.markSimChanged();
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
    this.frameVersion++;
    this.frameCache = null;
  }

  /** Current model-camera frame (RGB, rows top-to-bottom) of the current sim state; renders every call. */
  captureFrame(): RgbFrame {
    if (!this.view) throw new Error('World: no scene yet; call reset first');
    this.syncPoses();
    return this.modelCamera.capture(this.view.scene);
  }

  /**
   * The same frame as captureFrame(), read back without stalling the main thread on the GPU, and rendered
   * once per sim state: the policy's capture and the camera preview of one state share one render. The
   * frame is shared by every caller of that state: do not modify it.
   */
  captureFrameAsync(): Promise<RgbFrame> {
    const view = this.view;
    if (!view) return Promise.reject(new Error('World: no scene yet; call reset first'));
    const version = this.frameVersion;
    if (this.frameCache?.version === version) return this.frameCache.frame;
    const data = this.sim.data;
    const poses: GeomPoses = {
      geom_xpos: Float64Array.from(data.geom_xpos as Float64Array),
      geom_xmat: Float64Array.from(data.geom_xmat as Float64Array),
    };
    const remote = this.remoteCamera();
    const frame = remote
      ? remote.capture(poses).catch(() => this.captureInThread(view, poses))
      : this.captureInThread(view, poses);
    const entry = { version, frame };
    this.frameCache = entry;
    frame.catch(() => {
      if (this.frameCache === entry) this.frameCache = null;
    });
    return frame;
  }

  /** Render `poses` on the in-thread model camera (no worker, or it failed). */
  private captureInThread(view: MujocoScene, poses: GeomPoses): Promise<RgbFrame> {
    if (view !== this.view) return Promise.reject(new Error('World: the scene changed during the capture'));
    view.update(poses);
    this.posesDirty = true; // the next sync puts the sim's current poses back
    return this.modelCamera.captureAsync(view.scene);
  }

  /** The worker camera, created (and sent the current scene) on first use; null when unavailable. */
  private remoteCamera(): RemoteModelCamera | null {
    if (this.remote === undefined) {
      this.remote = RemoteModelCamera.create({
        width: this.modelCamera.width,
        height: this.modelCamera.height,
      });
      const scene = this.runner.scene;
      if (scene) this.sendSceneToWorker(scene, true);
    }
    return this.remote && !this.remote.error ? this.remote : null;
  }

  /** Tell the worker camera (if started) about a reset: the new model's scene, or the light; the pose. */
  private sendSceneToWorker(scene: SceneSpec, newModel: boolean): void {
    const r = this.remote;
    if (!r) return;
    if (newModel) r.setScene(sceneModelOf(this.sim.model), scene.light, scene.camera.target);
    else r.setLight(scene.light, scene.camera.target);
    r.setPose(scene.camera);
  }

  /** Change the model camera's square resolution, pixels. */
  setCameraSize(size: number): void {
    this.modelCamera.setResolution(size, size);
    this.remote?.setResolution(size, size);
    this.cameraImage = null;
    this.markSimChanged();
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
      getScene: () => this.ensureMainScene()?.scene ?? null,
      beforeRender: () => this.onFrame(),
    });
    this.viewport = viewport;
    this.mainScene?.setShadowMapSize(viewport.software ? SOFTWARE_SHADOW_MAP_SIZE : SHADOW_MAP_SIZE);
    viewport.setEpisodeRunning(this.runner.running);
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
    this.mainScene?.dispose();
    this.retiredMainScene?.dispose();
    this.remote?.dispose();
    this.modelCamera.dispose();
    this.sim.dispose();
  }

  /**
   * The main view's scene for the current model, built on first use (only while a viewport is attached).
   * The viewport calls this right before drawing.
   */
  private ensureMainScene(): MujocoScene | null {
    const scene = this.runner.scene;
    if (!this.view || !scene || !this.viewport) return null;
    if (!this.mainScene) {
      const main = new MujocoScene(this.sim.model);
      main.setLight(scene.light, scene.camera.target);
      main.setShadowMapSize(this.viewport.software ? SOFTWARE_SHADOW_MAP_SIZE : SHADOW_MAP_SIZE);
      main.update(this.sim.data);
      this.mainScene = main;
    }
    this.mainSceneDrawn = true; // the viewport draws what this returns right away
    return this.mainScene;
  }

  /** Copy sim poses into the three.js scenes when they changed; returns true if it did. */
  private syncPoses(force = false): boolean {
    if (!this.view || (!force && !this.posesDirty)) return false;
    this.view.update(this.sim.data);
    this.mainScene?.update(this.sim.data);
    this.posesDirty = false;
    this.viewport?.invalidate();
    return true;
  }

  private onFrame(): boolean {
    if (this.retiredMainScene && this.mainSceneDrawn) {
      this.retiredMainScene.dispose();
      this.retiredMainScene = null;
    }
    const changed = this.syncPoses();
    if (this.cameraDirty && this.cameraCanvas && this.view && !this.previewBusy) {
      this.cameraDirty = false;
      this.previewBusy = true;
      this.captureFrameAsync()
        .then((frame) => this.drawPreview(frame))
        .catch(() => {
          this.cameraDirty = true; // try again next frame
        })
        .finally(() => {
          this.previewBusy = false;
        });
    }
    return changed;
  }

  /** Show `frame` on the camera canvas. */
  private drawPreview(frame: RgbFrame): void {
    const canvas = this.cameraCanvas;
    if (!canvas) return;
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
}

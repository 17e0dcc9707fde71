/**
 * The model camera in a worker: the same MujocoScene and ModelCamera code as the main thread, on an
 * OffscreenCanvas, so that rendering and the synchronous readback block this thread and never the page.
 * The page sends the scene (sceneModelOf), light, camera pose and resolution; each capture brings the geom
 * poses and returns the RGB frame (transferred). Imports three.js and src/render only.
 */
import * as Comlink from 'comlink';
import type { CameraSpec, LightSpec } from '../core/types';
import { ModelCamera, type ModelCameraOptions, type RgbFrame } from './ModelCamera';
import { MujocoScene, type SceneModel } from './MujocoScene';

let camera: ModelCamera | null = null;
let scene: MujocoScene | null = null;
/** The previous scene, disposed after the next capture so its shader programs carry over (no recompile). */
let retired: MujocoScene | null = null;

const api = {
  /** Create the renderer (idempotent; later calls only resize). */
  init(options: ModelCameraOptions): void {
    if (!camera) camera = new ModelCamera(options);
    else camera.setResolution(options.width ?? camera.width, options.height ?? camera.height);
  },
  /** Build the scene of a new model with its light (`center`: the light's target, MuJoCo metres). */
  setScene(model: SceneModel, light: LightSpec, center: readonly number[]): void {
    retired?.dispose();
    retired = scene;
    scene = new MujocoScene(model);
    scene.setLight(light, center);
  },
  setLight(light: LightSpec, center: readonly number[]): void {
    scene?.setLight(light, center);
  },
  setPose(spec: CameraSpec): void {
    camera?.setPose(spec);
  },
  setResolution(width: number, height: number): void {
    camera?.setResolution(width, height);
  },
  /** Render with these geom poses (geom_xpos [ngeom×3], geom_xmat [ngeom×9]) and read the frame back. */
  capture(xpos: Float64Array, xmat: Float64Array): RgbFrame {
    if (!camera || !scene) throw new Error('model camera worker: init and setScene first');
    scene.update({ geom_xpos: xpos, geom_xmat: xmat });
    const frame = camera.capture(scene.scene);
    retired?.dispose();
    retired = null;
    return Comlink.transfer(frame, [frame.rgb.buffer]);
  },
  dispose(): void {
    retired?.dispose();
    scene?.dispose();
    camera?.dispose();
    retired = scene = camera = null;
  },
};

export type ModelCameraWorkerApi = typeof api;

Comlink.expose(api);

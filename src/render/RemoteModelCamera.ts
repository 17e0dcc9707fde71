/**
 * Main-thread handle of the model camera worker (modelCamera.worker.ts): the same render and readback as
 * ModelCamera, same bytes, but the GPU stall of the readback lands on the worker, never on the page.
 * Scene, light, pose and resolution are sent as they change (messages keep their order, so a capture
 * sees every change sent before it); each capture sends the geom poses. A worker that fails (no WebGL in
 * workers, a crash) marks the handle failed and rejects its calls; the caller then captures in-thread.
 * Imports three.js-free modules and comlink only; must not import React, mujoco-js or ORT.
 */
import * as Comlink from 'comlink';
import { trackedCall } from '../core/trackedCall';
import type { CameraSpec, LightSpec } from '../core/types';
import type { ModelCameraOptions, RgbFrame } from './ModelCamera';
import type { GeomPoses, SceneModel } from './MujocoScene';
import type { ModelCameraWorkerApi } from './modelCamera.worker';

export class RemoteModelCamera {
  private readonly worker: Worker;
  private readonly remote: Comlink.Remote<ModelCameraWorkerApi>;
  private readonly pending = new Set<(e: Error) => void>();
  private failure: Error | null = null;

  /** A worker-backed model camera, or null where workers cannot render (no Worker or OffscreenCanvas). */
  static create(options: ModelCameraOptions = {}): RemoteModelCamera | null {
    if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
    try {
      return new RemoteModelCamera(options);
    } catch {
      return null;
    }
  }

  private constructor(options: ModelCameraOptions) {
    this.worker = new Worker(new URL('./modelCamera.worker.ts', import.meta.url), {
      type: 'module',
      name: 'vla-model-camera',
    });
    this.worker.addEventListener('error', (ev: ErrorEvent) => this.fail(ev.message || 'uncaught error'));
    this.worker.addEventListener('messageerror', () => this.fail('a message could not be deserialized'));
    this.remote = Comlink.wrap<ModelCameraWorkerApi>(this.worker);
    this.send((r) => r.init(options));
  }

  /** Why the worker is unusable, or null while it works. */
  get error(): Error | null {
    return this.failure;
  }

  /** Build the scene of a new model (plain copies: sceneModelOf) lit by `light` aimed at `center`. */
  setScene(model: SceneModel, light: LightSpec, center: readonly number[]): void {
    this.send((r) => r.setScene(model, light, [...center]));
  }

  setLight(light: LightSpec, center: readonly number[]): void {
    this.send((r) => r.setLight(light, [...center]));
  }

  setPose(spec: CameraSpec): void {
    this.send((r) => r.setPose(spec));
  }

  setResolution(width: number, height: number): void {
    this.send((r) => r.setResolution(width, height));
  }

  /** Render the scene with `poses` (copied) and resolve with its RGB frame, rows top-to-bottom. */
  capture(poses: GeomPoses): Promise<RgbFrame> {
    const xpos = Float64Array.from(poses.geom_xpos);
    const xmat = Float64Array.from(poses.geom_xmat);
    return this.call((r) =>
      r.capture(Comlink.transfer(xpos, [xpos.buffer]), Comlink.transfer(xmat, [xmat.buffer])),
    );
  }

  dispose(): void {
    this.fail('disposed');
    this.worker.terminate();
  }

  /** A call whose result nobody waits for; its failure still marks the worker failed. */
  private send(fn: (r: Comlink.Remote<ModelCameraWorkerApi>) => Promise<unknown>): void {
    this.call(fn).catch(() => undefined);
  }

  private call<T>(fn: (r: Comlink.Remote<ModelCameraWorkerApi>) => Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return trackedCall(
      this.pending,
      () => fn(this.remote),
      (e) => {
        const err = e instanceof Error ? e : new Error(String((e as { message?: unknown })?.message ?? e));
        this.fail(err.message);
        return err;
      },
    );
  }

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = new Error(`model camera worker: ${why}`);
    for (const reject of this.pending) reject(this.failure);
    this.pending.clear();
  }
}

/**
 * `window.vla`: the automation API for browser-driven tests and scripts (Playwright, eval CLIs). Every call
 * goes through the same store and EpisodeRunner as the UI, so the page shows what automation does.
 * The policy, source and recording calls (ready, predict, runEpisode, setSource, listRecordings…) join
 * the same object through `extendAutomation`. `window.vla` itself appears only once bootstrap has loaded
 * the world and installed the world calls (installAutomation), so waiting for it is a readiness signal.
 */
import type { BodyPose } from '../core/types';
import { installFaultAutomation, type VlaFaultApi } from './faultAutomation';
import type { VlaPolicyApi } from './policyAutomation';
import type { VlaRandomApi } from './randomAutomation';
import type { VlaRecordingApi } from './recordingAutomation';
import type { VlaSourceApi } from './sourceAutomation';
import type { AppState } from './store';

export interface VlaState {
  /** Arm joint angles, radians. */
  joints: number[];
  /** End-effector position (m) and quaternion [w, x, y, z], MuJoCo world frame. */
  ee: BodyPose;
  /** Gripper opening in [0, 1], 1 open. */
  gripper: number;
  /** Movable objects and containers by scene name (`red_block`, `blue_bowl`…). */
  objects: Record<string, BodyPose>;
  /** Simulation time, s. */
  time: number;
}

export interface VlaApi {
  /** Build the scene for (seed, task) and show it; resolves with the task's default instruction. */
  reset(args: { seed: number; task: string }): Promise<{ instruction: string }>;
  /** Reset to (seed, task), run the scripted expert (faster than real time), show the outcome. */
  runExpert(args: { seed: number; task: string; maxSteps?: number }): Promise<{
    success: boolean;
    steps: number;
    reason: string;
  }>;
  /** Snapshot of the sim state. */
  state(): VlaState;
  /** The model camera's current frame: RGB bytes (rows top-to-bottom) as base64. */
  cameraFrame(): Promise<{ width: number; height: number; rgbBase64: string }>;
  /** Set the model camera's square resolution (pixels); resolves with the new size. */
  setCameraSize(size: number): Promise<{ width: number; height: number }>;
  /** Stop the running episode, if any. */
  stop(): Promise<void>;
}

/** Everything `window.vla` offers once the app has installed it: world, policy and random-baseline calls. */
export type VlaWindowApi = VlaApi &
  VlaPolicyApi &
  VlaRandomApi &
  VlaSourceApi &
  VlaRecordingApi &
  VlaFaultApi;

declare global {
  interface Window {
    vla?: VlaWindowApi & Record<string, unknown>;
  }
}

/** Bytes → base64, chunked so large frames do not overflow the argument limit. */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + chunk)));
  }
  return btoa(s);
}

function world(get: () => AppState) {
  const w = get().world;
  if (!w) throw new Error('window.vla: the world is not loaded yet');
  return w;
}

export function createAutomation(get: () => AppState): VlaApi {
  return {
    reset: async ({ seed, task }) => {
      const instruction = await get().resetScene(seed, task);
      return { instruction };
    },
    runExpert: async ({ seed, task, maxSteps }) => {
      const w = world(get);
      await get().resetScene(seed, task);
      const r = await w.runExpertHere(maxSteps === undefined ? { pace: 'fast' } : { pace: 'fast', maxSteps });
      return { success: r.success, steps: r.steps, reason: r.reason };
    },
    state: () => {
      const s = world(get).sim.state();
      const objects: Record<string, BodyPose> = {};
      for (const [name, o] of Object.entries(s.objects))
        objects[name] = { pos: [...o.pos], quat: [...o.quat] };
      return {
        joints: [...s.joints],
        ee: { pos: [...s.ee.pos], quat: [...s.ee.quat] },
        gripper: s.gripper,
        objects,
        time: s.time,
      };
    },
    cameraFrame: async () => {
      const f = world(get).captureFrame();
      return { width: f.width, height: f.height, rgbBase64: bytesToBase64(f.rgb) };
    },
    setCameraSize: async (size) => {
      get().setCameraSize(size);
      const cam = world(get).modelCamera;
      return { width: cam.width, height: cam.height };
    },
    stop: () => get().stopEpisode(),
  };
}

/** Calls added with extendAutomation before bootstrap installed window.vla; merged in by installAutomation. */
let pending: Record<string, unknown> = {};

/**
 * Install (or replace) window.vla. Only this defines `window.vla` (bootstrap calls it once the world has
 * loaded), so "window.vla is defined" means its world calls (`reset`, `state`…) are there; calls added
 * earlier through extendAutomation join it now.
 */
export function installAutomation(get: () => AppState): VlaApi {
  const api = createAutomation(get);
  // Installed in stages: the policy, source and recording calls arrive through extendAutomation.
  window.vla = Object.assign(window.vla ?? {}, pending, api) as NonNullable<Window['vla']>;
  pending = {};
  installFaultAutomation(get); // window.vla.debug: fault injection for e2e (faultAutomation.ts)
  return api;
}

/**
 * Add calls to window.vla (policy, sources, recordings…). Before installAutomation has run they are held
 * back and added with the world calls, so window.vla never appears without them.
 */
export function extendAutomation(extra: Record<string, unknown>): void {
  if (window.vla) Object.assign(window.vla, extra);
  else Object.assign(pending, extra);
}

/**
 * The in-page demonstration recorder behind `npm run datagen`: `window.vla.recordEpisode` resets the World to
 * (seed, task), runs the scripted expert and, before each step, captures the model-camera frame (the app's own
 * ModelCamera pixels) and the proprio state; with DART-style noise the executed action is perturbed while the
 * recorded label stays the expert's clean action. With `policy` (DAgger), the loaded policy drives some
 * segments of the episode instead of the expert, and the label is still the expert's action for the state the
 * policy reached: the states a policy visits when it drifts, labelled with how to recover. Registered through
 * extendAutomation. Must not import React or ORT.
 */

import type { Material, Mesh, Scene } from 'three';
import { createExpert } from '../core/expert';
import { mix32, Rng } from '../core/prng';
import { createSuccessMonitor } from '../core/success';
import type { SimState } from '../core/types';
import { extendAutomation } from './automation';
import type { World } from './World';

/** Episode length cap for recording, control steps. */
export const RECORD_MAX_STEPS = 200;
/** Fraction of episodes that get noise segments when noise > 0. */
export const NOISY_EPISODE_FRACTION = 0.5;
/** Per-step probability of starting a noise segment, and its length range in steps (inclusive). */
export const SEGMENT_START_P = 0.12;
export const SEGMENT_STEPS = [3, 8] as const;
/** Noise scale per unit of `noise`: position offset std (m per step), rotation offset std (rad per step). */
export const NOISE_POS_STD = 0.03;
export const NOISE_ROT_STD = 0.15;

/** Policy-driven segments (DAgger): their length range in steps (inclusive). */
export const DRIVER_SEGMENT_STEPS = [4, 12] as const;

/** The loaded policy's action for a captured frame and the sim state (the app's PolicySource). */
export type PolicyAct = (
  frame: { width: number; height: number; rgb: Uint8Array },
  state: SimState,
  instruction: string,
) => Promise<number[]>;

export interface RecordArgs {
  seed: number;
  task: string;
  /** @default RECORD_MAX_STEPS */
  maxSteps?: number;
  /** DART noise level (0 = clean executions); see NOISE_POS_STD. @default 0 */
  noise?: number;
  /**
   * DAgger: the loaded policy, told `instruction`, drives segments of the episode (a fraction `mix` of them,
   * drawn per segment); the expert drives the rest. Labels stay the expert's. Needs a page with the policy.
   */
  policy?: { instruction: string; mix: number };
}

/** How one scripted-expert episode ended (also the result of `npm run expert`'s Node episodes). */
export interface ExpertEpisodeOutcome {
  seed: number;
  task: string;
  success: boolean;
  /** Control steps run (for a recording: frames, labels and states each have this many entries). */
  steps: number;
  reason: string;
  /** Expert phase at the end. */
  phase: string;
}

export interface RecordedEpisode extends ExpertEpisodeOutcome {
  width: number;
  height: number;
  /** T × height × width × 3 RGB bytes, rows top-to-bottom, base64. */
  rgbBase64: string;
  /** Expert's clean action for the state of each step, [T][7] (the training label). */
  actions: number[][];
  /** Action actually executed (label + noise), [T][7]. */
  executed: number[][];
  /** Expert phase at each step, [T]. */
  phases: string[];
  /** Whether each step was inside a noise segment, [T]. */
  noisy: boolean[];
  /** Whether the policy (not the expert) chose each step's executed action, [T] (all false without `policy`). */
  policyDriven: boolean[];
  /** State before each step: grasp-site position (m) [T][3], quaternion [w,x,y,z] [T][4], opening [T], arm joints (rad) [T][n]. */
  ee_pos: number[][];
  ee_quat: number[][];
  gripper: number[];
  joints: number[][];
  /** Whether the hidden-caster speed-up was used (pixels verified identical on the first frame). */
  hiddenCastersOff: boolean;
  /** Time spent, ms: physics + expert, rendering + readback (firstMs: the first frame with its one-off checks), base64. */
  timings: { simMs: number; renderMs: number; firstMs: number; encodeMs: number };
}

/** DART-style perturbation: constant-offset noise segments on some episodes; gripper never perturbed. */
export interface NoiseSchedule {
  readonly episodeNoisy: boolean;
  /** Executed action for a clean action (a new array); `inSegment` tells whether noise was added. */
  perturb(clean: readonly number[]): { action: number[]; inSegment: boolean };
}

export function createNoiseSchedule(noise: number, seed: number): NoiseSchedule {
  const rng = new Rng(mix32((seed | 0) ^ 0x0da27));
  const episodeNoisy = noise > 0 && rng.next() < NOISY_EPISODE_FRACTION;
  let left = 0;
  const offset = new Array<number>(6).fill(0);
  return {
    episodeNoisy,
    perturb(clean) {
      const action = Array.from(clean);
      if (!episodeNoisy) return { action, inSegment: false };
      if (left === 0 && rng.next() < SEGMENT_START_P) {
        left = rng.int(SEGMENT_STEPS[0], SEGMENT_STEPS[1]);
        for (let k = 0; k < 6; k++)
          offset[k] = noise * (k < 3 ? NOISE_POS_STD : NOISE_ROT_STD) * rng.normal();
      }
      if (left === 0) return { action, inSegment: false };
      left--;
      for (let k = 0; k < 6; k++) action[k] = action[k]! + offset[k]!;
      return { action, inSegment: true };
    },
  };
}

/** Who drives each step of a DAgger episode: segments of DRIVER_SEGMENT_STEPS, the policy's with probability `mix`. */
export function createDriverSchedule(mix: number, seed: number): { policyDrives(): boolean } {
  const rng = new Rng(mix32((seed | 0) ^ 0xda66e));
  let left = 0;
  let policy = false;
  return {
    policyDrives() {
      if (left === 0) {
        left = rng.int(DRIVER_SEGMENT_STEPS[0], DRIVER_SEGMENT_STEPS[1]);
        policy = mix > 0 && rng.next() < mix;
      }
      left--;
      return policy;
    },
  };
}

const now = () => performance.now();

/** Material variants (program keys) already held alive by a keeper scene; see keepPrograms. */
const keptSignatures = new Set<string>();
const keepers: Scene[] = [];

const signature = (mesh: Mesh): string => {
  const m = mesh.material as Material;
  return `${m.type}|${m.transparent}|${m.side}|${mesh.receiveShadow}|${mesh.castShadow}`;
};

/**
 * Speed-up without changing pixels: World.reset disposes the previous scene's materials, which makes three.js
 * delete their shader programs and recompile them (and SwiftShader rebuild its pipelines) every episode.
 * A never-disposed clone of the scene with cloned materials, captured once, keeps those programs alive.
 */
function keepPrograms(world: World): void {
  const scene = world.mujocoScene?.scene;
  if (!scene) return;
  let fresh = false;
  scene.traverse((o) => {
    if ((o as Mesh).isMesh && !keptSignatures.has(signature(o as Mesh))) fresh = true;
  });
  if (!fresh) return;
  const keeper = scene.clone();
  keeper.traverse((o) => {
    const mesh = o as Mesh;
    if (!mesh.isMesh) return;
    keptSignatures.add(signature(mesh));
    mesh.material = (mesh.material as Material).clone();
  });
  world.modelCamera.capture(keeper);
  keepers.push(keeper);
}

/** Meshes whose shadow can only fall below the table top, where the model camera never looks. */
const HIDDEN_CASTER = /^(table_|floor$)/;

/**
 * Speed-up without changing pixels: the table top, legs and floor cast shadows only below the table top,
 * outside the model camera's view, yet their shadow-map pass dominates SwiftShader's cost. Turn their
 * castShadow off when the first frame is byte-identical either way (camera and light are fixed for the
 * episode and nothing can move below the table top); otherwise keep them. Returns whether they were turned off.
 */
function dropHiddenShadowCasters(world: World): boolean {
  const scene = world.mujocoScene?.scene;
  if (!scene) return false;
  const casters: { castShadow: boolean }[] = [];
  scene.traverse((o) => {
    if (o.castShadow && HIDDEN_CASTER.test(o.name)) casters.push(o);
  });
  if (casters.length === 0) return false;
  const before = world.captureFrame().rgb;
  for (const o of casters) o.castShadow = false;
  const after = world.captureFrame().rgb;
  for (let i = 0; i < before.length; i++) {
    if (before[i] !== after[i]) {
      for (const o of casters) o.castShadow = true;
      return false;
    }
  }
  return true;
}

/** Bytes → base64 through the browser's native encoder (FileReader data URL). */
async function toBase64(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('FileReader failed'));
    reader.readAsDataURL(new Blob([bytes]));
  });
  return url.slice(url.indexOf(',') + 1);
}

/** Record one expert episode in `world` (see RecordedEpisode). Stops at success or maxSteps. */
export async function recordEpisode(
  world: World,
  args: RecordArgs,
  policyAct?: PolicyAct,
): Promise<RecordedEpisode> {
  if (args.policy && !policyAct)
    throw new Error('recordEpisode: `policy` needs a page with the policy loaded');
  const maxSteps = args.maxSteps ?? RECORD_MAX_STEPS;
  const { state: s0 } = await world.reset(args.seed, args.task);
  const scene = world.scene!;
  const sim = world.sim;
  const monitor = createSuccessMonitor(scene, s0);
  const expert = createExpert(scene, { seed: args.seed });
  const schedule = createNoiseSchedule(args.noise ?? 0, args.seed);
  const driver = createDriverSchedule(args.policy?.mix ?? 0, args.seed);
  const w = world.modelCamera.width;
  const h = world.modelCamera.height;
  const frameBytes = w * h * 3;
  const frames = new Uint8Array(new ArrayBuffer(maxSteps * frameBytes));
  const out: Omit<
    RecordedEpisode,
    'rgbBase64' | 'timings' | 'success' | 'steps' | 'reason' | 'phase' | 'hiddenCastersOff'
  > = {
    seed: args.seed,
    task: args.task,
    width: w,
    height: h,
    actions: [],
    executed: [],
    phases: [],
    noisy: [],
    policyDriven: [],
    ee_pos: [],
    ee_quat: [],
    gripper: [],
    joints: [],
  };
  let simMs = 0;
  let renderMs = 0;
  let state = s0;
  let verdict = monitor.update(state);
  let t = 0;
  world.markSimChanged();
  const r00 = now();
  const hiddenCastersOff = dropHiddenShadowCasters(world);
  keepPrograms(world);
  const firstMs = now() - r00;
  renderMs += firstMs;
  while (!verdict.success && t < maxSteps) {
    const r0 = now();
    const frame = world.captureFrame();
    frames.set(frame.rgb, t * frameBytes);
    const r1 = now();
    renderMs += r1 - r0;
    out.ee_pos.push([...state.ee.pos]);
    out.ee_quat.push([...state.ee.quat]);
    out.gripper.push(state.gripper);
    out.joints.push([...state.joints]);
    out.phases.push(expert.phase);
    const clean = expert.act(state);
    const byPolicy = args.policy !== undefined && policyAct !== undefined && driver.policyDrives();
    const { action, inSegment } = byPolicy
      ? { action: await policyAct!(frame, state, args.policy!.instruction), inSegment: false }
      : schedule.perturb(clean);
    out.actions.push(clean);
    out.executed.push(action);
    out.noisy.push(inSegment);
    out.policyDriven.push(byPolicy);
    state = sim.step(action).state;
    world.markSimChanged();
    verdict = monitor.update(state);
    t++;
    simMs += now() - r1;
  }
  const e0 = now();
  const rgbBase64 = await toBase64(frames.subarray(0, t * frameBytes));
  return {
    ...out,
    success: verdict.success,
    steps: t,
    reason: verdict.reason,
    phase: expert.phase,
    hiddenCastersOff,
    rgbBase64,
    timings: { simMs, renderMs, firstMs, encodeMs: now() - e0 },
  };
}

/** Add `recordEpisode(args)` to window.vla; `policyAct` serves `args.policy` (DAgger) where the page has a policy. */
export function installDatagen(world: World, policyAct?: PolicyAct): void {
  extendAutomation({ recordEpisode: (args: RecordArgs) => recordEpisode(world, args, policyAct) });
}

/**
 * Keyboard teleoperation as an action source: held keys map to a constant end-effector velocity,
 * G toggles the gripper. Keys (world frame, MuJoCo Z up): W/S ±x, A/D ±y, Q/E ±z, Z/X ±yaw, G gripper.
 * Pure TypeScript over key names; the DOM listener lives in the UI. Must not import React, three.js or ORT.
 */
import type { Action, SimState } from '../core/types';
import type { ActionSource } from './EpisodeRunner';

/** Translation per control step while a key is held, metres (10 cm/s at 10 Hz). */
export const TELEOP_STEP_M = 0.01;
/** Yaw per control step while a key is held, radians. */
export const TELEOP_STEP_RAD = 0.08;

/** Key → [action dimension, sign]. Keys are `KeyboardEvent.key`, lower-cased. */
export const TELEOP_KEYS: Readonly<Record<string, readonly [number, 1 | -1]>> = {
  w: [0, 1],
  s: [0, -1],
  a: [1, 1],
  d: [1, -1],
  q: [2, 1],
  e: [2, -1],
  z: [5, 1],
  x: [5, -1],
};
export const TELEOP_GRIPPER_KEY = 'g';

/** Rows for the UI help: key(s) and what they do. */
export const TELEOP_HELP: readonly (readonly [string, string])[] = [
  ['W / S', 'move +x / −x (away from / toward the arm base)'],
  ['A / D', 'move +y / −y (left / right seen from the base)'],
  ['Q / E', 'move up / down'],
  ['Z / X', 'yaw the gripper + / −'],
  ['G', 'toggle gripper open / closed'],
  ['R', 'reset the scene'],
];

export function isTeleopKey(key: string): boolean {
  const k = key.toLowerCase();
  return k in TELEOP_KEYS || k === TELEOP_GRIPPER_KEY;
}

export class TeleopSource implements ActionSource {
  readonly kind = 'teleop' as const;
  private readonly held = new Set<string>();
  private gripperOpen = 1;

  /** Key pressed; returns true when the key is a teleop key. */
  press(key: string): boolean {
    const k = key.toLowerCase();
    if (k === TELEOP_GRIPPER_KEY) {
      this.gripperOpen = this.gripperOpen > 0.5 ? 0 : 1;
      return true;
    }
    if (!(k in TELEOP_KEYS)) return false;
    this.held.add(k);
    return true;
  }

  release(key: string): void {
    this.held.delete(key.toLowerCase());
  }

  releaseAll(): void {
    this.held.clear();
  }

  /** Start from the sim's current gripper opening so the first step does not snap it. */
  syncGripper(state: SimState): void {
    this.gripperOpen = state.gripper > 0.5 ? 1 : 0;
  }

  get gripper(): number {
    return this.gripperOpen;
  }

  act(): Action {
    const a = [0, 0, 0, 0, 0, 0, this.gripperOpen];
    for (const k of this.held) {
      const map = TELEOP_KEYS[k];
      if (!map) continue;
      const [dim, sign] = map;
      a[dim] = (a[dim] ?? 0) + sign * (dim < 3 ? TELEOP_STEP_M : TELEOP_STEP_RAD);
    }
    return a;
  }
}

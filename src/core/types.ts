/**
 * Shared value types of the world: vectors, actions, scene specs and sim state
 * snapshots. Pure types; no DOM, three.js, ORT or React. Frames: MuJoCo world
 * frame (Z up, metres, radians) unless a name says otherwise.
 */
import type { Color, ContainerKind, ObjectKind } from './vocabulary';

export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
/** Quaternion, MuJoCo order [w, x, y, z]. */
export type Quat = [number, number, number, number];

/** Number of action dimensions: Δx, Δy, Δz (m), Δroll, Δpitch, Δyaw (rad), gripper (1 open, 0 closed). */
export const ACTION_DIMS = 7;
export const ACTION_NAMES = ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'] as const;
export const ACTION_UNITS = ['m', 'm', 'm', 'rad', 'rad', 'rad', '1'] as const;
/** One end-effector delta action, length ACTION_DIMS, in the world frame. */
export type Action = readonly number[];

export type SceneObjectKind = ObjectKind | ContainerKind;

/** One movable object or container placed on the table. */
export interface SceneObject {
  /** Unique name in the scene, `${color}_${kind}`, e.g. `red_block`. */
  name: string;
  kind: SceneObjectKind;
  color: Color;
  /** Position on the table top, world x, y in metres. */
  xy: Vec2;
  /** Rotation about world Z, radians. */
  yaw: number;
}

/** A perspective camera in the world frame. */
export interface CameraSpec {
  pos: Vec3;
  target: Vec3;
  /** Vertical field of view, degrees. */
  fovy: number;
}

export interface LightSpec {
  /** Direction the key light points to (world frame, need not be unit). */
  dir: Vec3;
  /** Key light intensity multiplier, ~1. */
  intensity: number;
  /** Ambient light level in [0, 1]. */
  ambient: number;
}

/** Everything needed to build one episode's world, produced by the scene generator. */
export interface SceneSpec {
  seed: number;
  task: string;
  objects: SceneObject[];
  light: LightSpec;
  /** The model camera (already jittered for this seed). */
  camera: CameraSpec;
  /** Table top colour, linear RGB. */
  tableRgb: Vec3;
}

export interface BodyPose {
  pos: number[];
  quat: number[];
}

/** A snapshot of the sim, as `window.vla.state()` returns it. */
export interface SimState {
  /** Simulation time, seconds. */
  time: number;
  /** Arm joint angles, radians (excluding the fingers). */
  joints: number[];
  /** End-effector (grasp site between the fingertips) pose. */
  ee: BodyPose;
  /** Gripper opening in [0, 1]: 1 fully open, 0 closed. */
  gripper: number;
  /** Free objects and containers by scene name; `vel` is linear velocity, m/s. */
  objects: Record<string, BodyPose & { vel: number[] }>;
  /** Names of objects currently touched by both fingers. */
  grasped: string[];
}

/** Result of one control step. */
export interface StepResult {
  /** False when the action was rejected (arm held still). */
  ok: boolean;
  /** Why the action was rejected or clamped, empty when applied as given. */
  notes: string[];
  state: SimState;
}

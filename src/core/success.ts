/**
 * Task success from physics state: pure predicates per family (pick, put, push) and a stateful
 * monitor, called once per control step, that adds the time- and history-dependent parts
 * (pick held ≥ 0.5 s; push never lifted). Must not import DOM, three.js, ORT, React or mujoco.
 */
import { BLOCK_HALF, BOWL_FLOOR, BOWL_RADIUS, PLATE_HEIGHT, PLATE_RADIUS, TABLE_Z } from './sceneGenerator';
import { parseTask, type Task } from './task';
import type { SceneSpec, SimState, Vec2 } from './types';
import { pushDirectionVector } from './viewFrame';
import type { ContainerKind } from './vocabulary';

/** Pick: lift above the initial centre z (m) and the continuous hold time (s). */
export const PICK_LIFT = 0.05;
export const PICK_HOLD_S = 0.5;
/** Put: xy margin inside the container radius (m), z tolerance around the resting height (m), max speed (m/s). */
export const PUT_XY_MARGIN = BLOCK_HALF;
export const PUT_Z_BELOW = 0.01;
export const PUT_Z_ABOVE = 0.02;
export const PUT_MAX_SPEED = 0.05;
/** Push: displacement along the view-frame direction (m); max rise above the initial z over the episode (m). */
export const PUSH_MIN_DISPLACEMENT = 0.1;
export const PUSH_MAX_RISE = 0.02;

export interface Verdict {
  success: boolean;
  reason: string;
}

const mm = (m: number) => `${(m * 1000).toFixed(0)} mm`;

/** Pick predicate (instantaneous part): the block's centre is ≥ PICK_LIFT above its initial z. */
export function isLifted(initialZ: number, z: number): boolean {
  return z - initialZ >= PICK_LIFT;
}

/** Centre z (world, m) of a block resting in a bowl / on a plate. */
export function restingZ(kind: ContainerKind): number {
  return TABLE_Z + (kind === 'bowl' ? BOWL_FLOOR : PLATE_HEIGHT) + BLOCK_HALF;
}

/** Radius (m) within which the block's centre must lie, from the container's centre. */
export function putRadius(kind: ContainerKind): number {
  return (kind === 'bowl' ? BOWL_RADIUS : PLATE_RADIUS) - PUT_XY_MARGIN;
}

/**
 * Put predicate: the block rests in/on the container — centre xy within putRadius(kind) of the
 * container's xy, centre z within [restingZ − PUT_Z_BELOW, restingZ + PUT_Z_ABOVE], speed < PUT_MAX_SPEED,
 * and not grasped. Positions world m, velocity m/s.
 */
export function isRestingIn(
  block: { pos: readonly number[]; vel: readonly number[] },
  containerXy: Vec2,
  kind: ContainerKind,
  grasped: boolean,
): Verdict {
  const [x = Number.NaN, y = Number.NaN, z = Number.NaN] = block.pos;
  const d = Math.hypot(x - containerXy[0], y - containerXy[1]);
  if (!(d <= putRadius(kind))) return { success: false, reason: `block ${mm(d)} from the ${kind} centre` };
  const z0 = restingZ(kind);
  if (!(z >= z0 - PUT_Z_BELOW && z <= z0 + PUT_Z_ABOVE)) {
    return { success: false, reason: `block at z ${mm(z)}, resting height is ${mm(z0)}` };
  }
  const speed = Math.hypot(...block.vel);
  if (!(speed < PUT_MAX_SPEED))
    return { success: false, reason: `block still moving (${speed.toFixed(3)} m/s)` };
  if (grasped) return { success: false, reason: 'block still held by the gripper' };
  return { success: true, reason: `block resting ${kind === 'bowl' ? 'in' : 'on'} the ${kind}` };
}

/** Signed displacement (m) of a block from p0 to p along the unit direction dir (world xy). */
export function displacementAlong(p0: readonly number[], p: readonly number[], dir: Vec2): number {
  return (
    ((p[0] ?? Number.NaN) - (p0[0] ?? Number.NaN)) * dir[0] +
    ((p[1] ?? Number.NaN) - (p0[1] ?? Number.NaN)) * dir[1]
  );
}

/**
 * Push predicate: displaced ≥ PUSH_MIN_DISPLACEMENT along dir, and the episode's maximum centre z stayed
 * below initialZ + PUSH_MAX_RISE (never lifted).
 */
export function isPushed(p0: readonly number[], p: readonly number[], dir: Vec2, maxZ: number): Verdict {
  const z0 = p0[2] ?? Number.NaN;
  if (!(maxZ < z0 + PUSH_MAX_RISE))
    return { success: false, reason: `block was lifted (${mm(maxZ - z0)} up)` };
  const d = displacementAlong(p0, p, dir);
  if (!(d >= PUSH_MIN_DISPLACEMENT))
    return { success: false, reason: `pushed ${mm(d)} of ${mm(PUSH_MIN_DISPLACEMENT)}` };
  return { success: true, reason: `pushed ${mm(d)} in the named direction` };
}

export interface SuccessMonitor {
  readonly task: Task;
  /** Feed the state after each control step (uses state.time, s). Success latches once reached. */
  update(state: SimState): Verdict;
}

/**
 * A success monitor for the scene's task, starting from the episode's initial state.
 * Throws if the initial state lacks the task's block (or, for put, the scene lacks the container).
 */
export function createSuccessMonitor(scene: SceneSpec, initial: SimState): SuccessMonitor {
  const task = parseTask(scene.task);
  const blockName = `${task.color}_block`;
  const start = initial.objects[blockName];
  if (!start) throw new Error(`createSuccessMonitor: initial state has no object "${blockName}"`);
  const p0 = start.pos.slice();
  const z0 = p0[2] ?? Number.NaN;
  let maxZ = z0;
  let liftedSince: number | undefined;
  let done: Verdict | undefined;

  let containerName = '';
  let containerXy: Vec2 = [0, 0];
  let pushDir: Vec2 = [0, 0];
  if (task.family === 'put') {
    containerName = `${task.target.color}_${task.target.kind}`;
    const spec = scene.objects.find((o) => o.name === containerName);
    if (!spec) throw new Error(`createSuccessMonitor: scene has no container "${containerName}"`);
    containerXy = spec.xy;
  } else if (task.family === 'push') {
    pushDir = pushDirectionVector(scene.camera, task.direction);
  }

  const update = (state: SimState): Verdict => {
    if (done) return done;
    const block = state.objects[blockName];
    if (!block) return { success: false, reason: `no object "${blockName}" in the state` };
    const z = block.pos[2] ?? Number.NaN;
    if (z > maxZ) maxZ = z;
    let v: Verdict;
    switch (task.family) {
      case 'pick': {
        if (!isLifted(z0, z)) {
          liftedSince = undefined;
          v = { success: false, reason: `block lifted ${mm(z - z0)} of ${mm(PICK_LIFT)}` };
          break;
        }
        liftedSince ??= state.time;
        const held = state.time - liftedSince;
        // Small epsilon: times accumulate dt in floating point.
        v =
          held >= PICK_HOLD_S - 1e-9
            ? { success: true, reason: `block lifted ${mm(z - z0)} and held ${held.toFixed(2)} s` }
            : { success: false, reason: `block lifted, held ${held.toFixed(2)} of ${PICK_HOLD_S} s` };
        break;
      }
      case 'put': {
        const c = state.objects[containerName];
        const xy: Vec2 = c ? [c.pos[0] ?? Number.NaN, c.pos[1] ?? Number.NaN] : containerXy;
        v = isRestingIn(block, xy, task.target.kind, state.grasped.includes(blockName));
        break;
      }
      case 'push':
        v = isPushed(p0, block.pos, pushDir, maxZ);
        break;
    }
    if (v.success) done = v;
    return v;
  };
  return { task, update };
}

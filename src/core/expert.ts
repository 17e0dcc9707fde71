/**
 * Scripted expert: solves pick, put and push from privileged sim state with smooth waypoint motions
 * (a small state machine, closed-loop on the observed state so it recovers from perturbations and
 * failed grasps). Emits 7-D EE delta actions. Pure; must not import DOM, three.js, ORT, React or mujoco.
 */
import { dhypot } from './detMath';
import { clamp, nearestQuarterTurn, orientationError, topDownQuat, yawOfQuat } from './kinematics';
import { Rng } from './prng';
import { BLOCK_HALF, BOWL_FLOOR, PLATE_HEIGHT, TABLE_Z } from './sceneGenerator';
import { parseTask, type Task } from './task';
import type { SceneSpec, SimState, Vec2, Vec3 } from './types';
import { pushDirectionVector } from './viewFrame';

export interface ExpertOptions {
  /** Std-dev of Gaussian noise added to each action, as a fraction of the per-step speed (default 0). */
  noise?: number;
  /** Seed of the noise stream (default: the scene's seed). */
  seed?: number;
}

export interface Expert {
  /** The next action for the observed state: [dx, dy, dz, droll, dpitch, dyaw, gripper]. */
  act(state: SimState): number[];
  /** True once the task's motion sequence is complete (the arm has retreated or is holding). */
  readonly done: boolean;
  /** The current phase name, for debugging and data tagging. */
  readonly phase: string;
}

/** Height of the grasp site above the table while hovering over a block (m). */
export const HOVER_Z = TABLE_Z + 0.11;
/** Height to lift a grasped block to / carry it at (m). */
const CARRY_Z = TABLE_Z + 0.16;
/** Grasp site height when pushing: the block's centre height (m). */
const PUSH_Z = TABLE_Z + BLOCK_HALF;
/** How far behind the block's centre the pusher starts (m). */
const PUSH_BEHIND = 0.058;
/** Push distance the expert aims for along the named direction (m). */
const PUSH_GOAL = 0.135;
/** Proportional gain and speed caps (m per control step, rad per step). */
const GAIN = 0.7;
const FAST = 0.03;
const SLOW = 0.012;
const ROT_GAIN = 0.7;
const ROT_MAX = 0.15;

type Phase =
  | 'approach'
  | 'descend'
  | 'close'
  | 'lift'
  | 'carry'
  | 'lower'
  | 'release'
  | 'retreat'
  | 'hold'
  | 'push_above'
  | 'push_down'
  | 'push'
  | 'push_retreat'
  | 'done';

const xyDist = (a: readonly number[], b: readonly number[]) => dhypot(a[0]! - b[0]!, a[1]! - b[1]!);

/** A closed-loop scripted expert for one scene's task. */
export function createExpert(scene: SceneSpec, options: ExpertOptions = {}): Expert {
  const task: Task = parseTask(scene.task);
  const blockName = `${task.color}_block`;
  const noise = options.noise ?? 0;
  // Gates between phases widen with the injected noise so a noisy arm still moves on.
  const tolXy = 0.008 + 0.02 * noise;
  const tolZ = 0.02 + 0.02 * noise;
  const tolYaw = 0.06 + 0.1 * noise;
  const rng = new Rng(options.seed ?? scene.seed);
  let phase: Phase = task.family === 'push' ? 'push_above' : 'approach';
  let phaseSteps = 0;
  let graspYaw: number | undefined;
  let pushStart: Vec2 | undefined;
  let pushDir: Vec2 = [1, 0];
  let containerXy: Vec2 = [0, 0];
  let lowerZ = 0;
  if (task.family === 'push') pushDir = pushDirectionVector(scene.camera, task.direction);
  if (task.family === 'put') {
    const name = `${task.target.color}_${task.target.kind}`;
    const c = scene.objects.find((o) => o.name === name);
    if (!c) throw new Error(`createExpert: scene has no container "${name}"`);
    containerXy = c.xy;
    const floor = task.target.kind === 'bowl' ? BOWL_FLOOR : PLATE_HEIGHT;
    lowerZ = TABLE_Z + floor + BLOCK_HALF + 0.012;
  }

  // Approximately standard normal (Irwin–Hall, 12 uniforms): arithmetic only, so identical in every JS engine.
  const gauss = () => {
    let sum = -6;
    for (let i = 0; i < 12; i++) sum += rng.next();
    return sum;
  };

  const go = (next: Phase) => {
    phase = next;
    phaseSteps = 0;
  };

  /** `d` scaled to length min(GAIN·|d|, speed): a proportional, speed-capped step along `d`. */
  const cappedStep = (d: number[], speed: number): number[] => {
    const n = dhypot(...d);
    const step = Math.min(GAIN * n, speed);
    return d.map((v) => (n > 1e-9 ? (v / n) * step : 0));
  };

  /**
   * Action toward a waypoint with a top-down gripper at `yaw`, speed-capped. `decoupled`: xy and z each
   * approach the waypoint at their own cap, so the arm reaches the waypoint's height while still travelling
   * sideways (the height is then at most a weak cue for having arrived). A straight 3-D line makes both
   * arrive at the same step, and a policy trained on it learns "at hover height, go down" from its proprio
   * z instead of looking where the block is.
   */
  const toward = (
    s: SimState,
    wp: Vec3,
    yaw: number,
    speed: number,
    gripper: number,
    decoupled = false,
  ): number[] => {
    const d = [wp[0] - s.ee.pos[0]!, wp[1] - s.ee.pos[1]!, wp[2] - s.ee.pos[2]!];
    const move = decoupled
      ? [...cappedStep([d[0]!, d[1]!], speed), clamp(GAIN * d[2]!, -speed, speed)]
      : cappedStep(d, speed);
    const er = orientationError(topDownQuat(yaw), s.ee.quat);
    return [...move, ...er.map((e) => clamp(ROT_GAIN * e, -ROT_MAX, ROT_MAX)), gripper];
  };

  const blockYaw = (s: SimState): number => {
    const b = s.objects[blockName];
    const raw = b ? yawOfQuat(b.quat) : 0;
    graspYaw = nearestQuarterTurn(raw, graspYaw ?? 0);
    return graspYaw;
  };

  const plan = (s: SimState): number[] => {
    const b = s.objects[blockName];
    if (!b) return [0, 0, 0, 0, 0, 0, 1];
    const bp = b.pos;
    const ee = s.ee.pos;
    const held = s.grasped.includes(blockName);
    const yaw = blockYaw(s);
    phaseSteps++;
    // A state, not a history: where the block is already held in a closed gripper (a policy drove there,
    // DAgger), the label is the lift the demonstrations show from that state, not "open and hover again"
    // because this expert's own phase never reached the grasp.
    if ((phase === 'approach' || phase === 'descend') && held && s.gripper < 0.8) go('lift');
    switch (phase) {
      case 'approach': {
        const wp: Vec3 = [bp[0]!, bp[1]!, HOVER_Z];
        const yawErr = Math.abs(yaw - yawOfQuat(s.ee.quat));
        if (
          xyDist(ee, wp) < tolXy &&
          Math.abs(ee[2]! - HOVER_Z) < tolZ &&
          yawErr < tolYaw &&
          s.gripper > 0.8
        ) {
          go('descend');
        }
        return toward(s, wp, yaw, FAST, 1, true);
      }
      case 'descend': {
        const err = xyDist(ee, bp);
        const graspZ = Math.max(bp[2]!, TABLE_Z + BLOCK_HALF);
        if (err > 0.04) go('approach');
        // Off to the side: hold above the block's top while re-centring, never press down onto it.
        const z = err > tolXy + 0.004 ? Math.max(ee[2]!, bp[2]! + 0.035) : graspZ;
        if (err < tolXy + 0.004 && (Math.abs(ee[2]! - graspZ) < 0.005 + 0.005 * noise || phaseSteps > 25)) {
          go('close');
        }
        return toward(s, [bp[0]!, bp[1]!, z], yaw, SLOW + 0.008, 1);
      }
      case 'close': {
        const wp: Vec3 = [bp[0]!, bp[1]!, Math.max(bp[2]!, TABLE_Z + BLOCK_HALF)];
        if (phaseSteps >= 4 && held) go('lift');
        else if (phaseSteps > 10) go('approach');
        return toward(s, wp, yaw, 0.004, 0);
      }
      case 'lift': {
        if (!held && phaseSteps > 2) {
          go('approach');
          return toward(s, [ee[0]!, ee[1]!, HOVER_Z], yaw, SLOW, 1);
        }
        const wp: Vec3 = [ee[0]!, ee[1]!, CARRY_Z];
        if (ee[2]! > CARRY_Z - 0.02) go(task.family === 'put' ? 'carry' : 'hold');
        return toward(s, wp, yaw, phaseSteps < 4 ? SLOW : FAST, 0);
      }
      case 'hold': {
        if (!held) go('approach');
        if (phaseSteps > 10) go('done');
        return toward(s, [ee[0]!, ee[1]!, CARRY_Z], yaw, SLOW, 0);
      }
      case 'carry': {
        if (!held) {
          go('approach');
          return toward(s, [ee[0]!, ee[1]!, CARRY_Z], yaw, SLOW, 1);
        }
        // Aim with the block (not the gripper) over the container centre.
        const off = [bp[0]! - ee[0]!, bp[1]! - ee[1]!];
        const wp: Vec3 = [containerXy[0] - off[0]!, containerXy[1] - off[1]!, CARRY_Z];
        if (xyDist(bp, containerXy) < tolXy) go('lower');
        return toward(s, wp, yaw, FAST, 0);
      }
      case 'lower': {
        if (!held) {
          go('release');
          return toward(s, [ee[0]!, ee[1]!, ee[2]!], yaw, SLOW, 1);
        }
        const off = [bp[0]! - ee[0]!, bp[1]! - ee[1]!, bp[2]! - ee[2]!];
        const wp: Vec3 = [containerXy[0] - off[0]!, containerXy[1] - off[1]!, lowerZ - off[2]!];
        if (bp[2]! < lowerZ + 0.004 || phaseSteps > 30) go('release');
        return toward(s, wp, yaw, ee[2]! > lowerZ + 0.05 ? FAST : SLOW, 0);
      }
      case 'release': {
        if (phaseSteps > 4 && s.gripper > 0.7) go('retreat');
        return toward(s, [ee[0]!, ee[1]!, ee[2]!], yaw, 0.002, 1);
      }
      case 'retreat': {
        const wp: Vec3 = [ee[0]!, ee[1]!, CARRY_Z];
        if (ee[2]! > CARRY_Z - 0.03) go('done');
        return toward(s, wp, yaw, SLOW + 0.005, 1);
      }
      case 'push_above':
      case 'push_down': {
        const behind: Vec2 = [bp[0]! - PUSH_BEHIND * pushDir[0], bp[1]! - PUSH_BEHIND * pushDir[1]];
        pushStart ??= [bp[0]!, bp[1]!];
        if (phase === 'push_above') {
          const wp: Vec3 = [behind[0], behind[1], HOVER_Z];
          if (xyDist(ee, wp) < tolXy && Math.abs(ee[2]! - HOVER_Z) < tolZ) go('push_down');
          return toward(s, wp, yaw, FAST, 0, true);
        }
        const wp: Vec3 = [behind[0], behind[1], PUSH_Z];
        if (xyDist(ee, wp) > 0.02 + tolXy) go('push_above');
        else if (Math.abs(ee[2]! - PUSH_Z) < 0.006 + 0.005 * noise) go('push');
        return toward(s, wp, yaw, SLOW + 0.008, 0);
      }
      case 'push': {
        const start = pushStart ?? [bp[0]!, bp[1]!];
        const moved = (bp[0]! - start[0]) * pushDir[0] + (bp[1]! - start[1]) * pushDir[1];
        if (moved >= PUSH_GOAL) {
          go('push_retreat');
          return toward(s, [ee[0]!, ee[1]!, ee[2]!], yaw, 0.002, 0);
        }
        // Lateral offset of the pusher from the line through the block centre along the push direction.
        const rel = [ee[0]! - bp[0]!, ee[1]! - bp[1]!];
        const along = rel[0]! * pushDir[0] + rel[1]! * pushDir[1];
        const lateral = [rel[0]! - along * pushDir[0], rel[1]! - along * pushDir[1]];
        if (dhypot(lateral[0]!, lateral[1]!) > 0.025 + tolXy || along > -0.01 + tolXy / 2) {
          // Lost the block (slid sideways or the pusher got ahead): go round again.
          go('push_above');
          return toward(s, [ee[0]!, ee[1]!, HOVER_Z], yaw, SLOW, 0);
        }
        const reach = PUSH_BEHIND - 0.03;
        const wp: Vec3 = [bp[0]! - reach * pushDir[0], bp[1]! - reach * pushDir[1], PUSH_Z];
        return toward(s, wp, yaw, SLOW, 0);
      }
      case 'push_retreat': {
        const wp: Vec3 = [ee[0]! - 0.03 * pushDir[0], ee[1]! - 0.03 * pushDir[1], HOVER_Z];
        if (ee[2]! > HOVER_Z - 0.03) go('done');
        return toward(s, wp, yaw, SLOW, 0);
      }
      case 'done':
        return toward(s, [ee[0]!, ee[1]!, ee[2]!], yaw, 0.002, task.family === 'pick' ? 0 : 1);
    }
  };

  return {
    act(state: SimState): number[] {
      const a = plan(state);
      if (noise > 0) {
        for (let k = 0; k < 3; k++) a[k] = a[k]! + noise * FAST * gauss();
        for (let k = 3; k < 6; k++) a[k] = a[k]! + noise * ROT_MAX * gauss();
      }
      return a;
    },
    get done() {
      return phase === 'done';
    },
    get phase() {
      return phase;
    },
  };
}

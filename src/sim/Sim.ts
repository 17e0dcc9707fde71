/**
 * The MuJoCo tabletop world: builds the model from a SceneSpec, turns 7-D end-effector delta actions
 * into joint targets (workspace clamp + DLS IK) and steps physics at a fixed control rate, and
 * snapshots privileged state. Same code in Node and the browser; imports core and mujoco-js only.
 */
import type { MainModule, MjData, MjModel } from 'mujoco-js';
import { clamp, quatFromEuler, quatFromMat, quatMul, quatNormalize, topDownQuat } from '../core/kinematics';
import type { Quat, SceneSpec, SimState, StepResult, Vec3 } from '../core/types';
import { ACTION_DIMS } from '../core/types';
import { IkSolver } from './ik';
import { loadMujoco, writeSceneFile } from './mujoco';
import {
  ARM_JOINTS,
  buildSceneXml,
  EE_SITE,
  FINGER_BODIES,
  FINGER_JOINTS,
  FINGER_OPEN,
  TIMESTEP,
} from './sceneXml';

/** Box the end-effector target is clamped to (world, m). */
export const EE_WORKSPACE = {
  min: [0.15, -0.45, 0.018] as Vec3,
  max: [0.8, 0.45, 0.45] as Vec3,
} as const;
/** Largest applied per-step deltas: position per axis (m), rotation per axis (rad). */
export const MAX_POS_DELTA = 0.05;
export const MAX_ROT_DELTA = 0.25;
/** Home pose of the grasp site: above the table centre, pointing down, tool x along world +x. */
export const HOME_POS: Vec3 = [0.42, 0, 0.25];
export const HOME_QUAT: Quat = topDownQuat(0);
/** Seconds of physics after reset so objects settle. */
const SETTLE_S = 0.3;
/** Seed joint angles for the home IK (elbow up, tool down). */
const HOME_SEED = [0, 0.2, 1.8, 0, 1.14, 0];
/** Residuals above which the IK target counts as unreachable. */
const UNREACHABLE_POS = 0.005;
const UNREACHABLE_ROT = 0.05;

interface ObjectRef {
  name: string;
  body: number;
  /** qvel address of the free joint, −1 for a static body. */
  dof: number;
}

export interface SimOptions {
  /** Control steps per second (default 10). */
  controlHz?: number;
}

/** One MuJoCo world at a time; reset() rebuilds it for a new scene. */
export class Sim {
  readonly controlHz: number;
  private readonly m: MainModule;
  private _model: MjModel | null = null;
  private _data: MjData | null = null;
  private _scene: SceneSpec | null = null;
  private ik: IkSolver | null = null;
  private armQpos: number[] = [];
  private fingerQpos: number[] = [];
  private fingerBodies: number[] = [];
  private siteId = -1;
  private objects: ObjectRef[] = [];
  private objectByBody = new Map<number, string>();
  private qDes: Float64Array = new Float64Array(6);
  private targetPos: Vec3 = [...HOME_POS];
  private targetQuat: Quat = [...HOME_QUAT];
  private gripperCmd = 1;
  private readonly substeps: number;

  private constructor(mujoco: MainModule, controlHz: number) {
    this.m = mujoco;
    this.controlHz = controlHz;
    this.substeps = Math.max(1, Math.round(1 / (controlHz * TIMESTEP)));
  }

  /** Load MuJoCo (once per realm) and make an empty sim; call reset() before stepping. */
  static async create(options: SimOptions = {}): Promise<Sim> {
    const hz = options.controlHz ?? 10;
    if (!(hz > 0 && hz <= 500)) throw new Error(`Sim.create: controlHz must be in (0, 500], got ${hz}`);
    return new Sim(await loadMujoco(), hz);
  }

  get mujoco(): MainModule {
    return this.m;
  }
  get model(): MjModel {
    if (!this._model) throw new Error('Sim: call reset(scene) first');
    return this._model;
  }
  get data(): MjData {
    if (!this._data) throw new Error('Sim: call reset(scene) first');
    return this._data;
  }
  get scene(): SceneSpec | null {
    return this._scene;
  }

  /** Build the world for `scene`, put the arm at its home pose (gripper open) and let objects settle. */
  reset(scene: SceneSpec): SimState {
    this.freeModel();
    const m = this.m;
    const path = writeSceneFile(m, buildSceneXml(scene));
    const model = m.MjModel.loadFromXML(path);
    const data = new m.MjData(model);
    this._model = model;
    this._data = data;
    this._scene = scene;
    this.ik = new IkSolver(m, model);

    const J = m.mjtObj.mjOBJ_JOINT.value;
    const B = m.mjtObj.mjOBJ_BODY.value;
    const id = (type: number, name: string) => {
      const i = m.mj_name2id(model, type, name);
      if (i < 0) throw new Error(`Sim.reset: the model has no "${name}"`);
      return i;
    };
    this.armQpos = ARM_JOINTS.map((n) => model.jnt_qposadr[id(J, n)] as number);
    this.fingerQpos = FINGER_JOINTS.map((n) => model.jnt_qposadr[id(J, n)] as number);
    this.fingerBodies = FINGER_BODIES.map((n) => id(B, n));
    this.siteId = id(m.mjtObj.mjOBJ_SITE.value, EE_SITE);
    this.objects = scene.objects.map((o) => {
      const body = id(B, o.name);
      const jnt = model.body_jntadr[body] as number;
      return { name: o.name, body, dof: jnt >= 0 ? (model.jnt_dofadr[jnt] as number) : -1 };
    });
    this.objectByBody = new Map(this.objects.map((o) => [o.body, o.name]));

    const home = this.ik.solve(HOME_POS, HOME_QUAT, HOME_SEED, { iterations: 200 });
    this.qDes = home.q;
    const qpos = data.qpos as Float64Array;
    this.armQpos.forEach((a, i) => {
      qpos[a] = home.q[i]!;
    });
    for (const a of this.fingerQpos) qpos[a] = FINGER_OPEN;
    this.gripperCmd = 1;
    this.writeCtrl(home.q);
    const fk = this.ik.fk(home.q);
    this.targetPos = fk.pos;
    this.targetQuat = fk.quat;
    m.mj_forward(model, data);
    const settle = Math.round(SETTLE_S / TIMESTEP);
    for (let i = 0; i < settle; i++) m.mj_step(model, data);
    data.time = 0;
    m.mj_forward(model, data);
    return this.state();
  }

  private writeCtrl(q: ArrayLike<number>): void {
    const ctrl = this.data.ctrl as Float64Array;
    for (let i = 0; i < 6; i++) ctrl[i] = q[i]!;
    ctrl[6] = this.gripperCmd * FINGER_OPEN;
    ctrl[7] = this.gripperCmd * FINGER_OPEN;
  }

  /**
   * One control step: apply the EE delta `[dx, dy, dz (m), droll, dpitch, dyaw (rad), gripper]` (world
   * frame, rotation applied as Rz·Ry·Rx on the left of the target) to the internal target pose, clamp,
   * solve IK and run 1/controlHz s of physics, interpolating the joint targets over the substeps.
   * A wrong-length or non-finite action is rejected: the arm holds its targets, physics still advances.
   */
  step(action: ArrayLike<number>): StepResult {
    const model = this.model;
    const data = this.data;
    const ik = this.ik!;
    const notes: string[] = [];
    let ok = true;
    let qNew = this.qDes;
    if (action.length !== ACTION_DIMS) {
      ok = false;
      notes.push(`rejected: action has ${action.length} values, expected ${ACTION_DIMS}`);
    } else {
      const bad: number[] = [];
      for (let i = 0; i < ACTION_DIMS; i++) if (!Number.isFinite(action[i])) bad.push(i);
      if (bad.length > 0) {
        ok = false;
        notes.push(`rejected: non-finite action value at index ${bad.join(', ')}; arm held still`);
      }
    }
    if (ok) {
      const d = new Array<number>(6);
      let clampedDelta = false;
      for (let i = 0; i < 6; i++) {
        const lim = i < 3 ? MAX_POS_DELTA : MAX_ROT_DELTA;
        d[i] = clamp(action[i]!, -lim, lim);
        if (d[i] !== action[i]) clampedDelta = true;
      }
      if (clampedDelta) notes.push(`delta clamped to ±${MAX_POS_DELTA} m / ±${MAX_ROT_DELTA} rad per step`);
      let clampedWs = false;
      for (let k = 0; k < 3; k++) {
        const v = this.targetPos[k]! + d[k]!;
        const c = clamp(v, EE_WORKSPACE.min[k]!, EE_WORKSPACE.max[k]!);
        if (c !== v) clampedWs = true;
        this.targetPos[k] = c;
      }
      if (clampedWs) notes.push('target clamped to the workspace box');
      this.targetQuat = quatNormalize(quatMul(quatFromEuler(d[3]!, d[4]!, d[5]!), this.targetQuat));
      this.gripperCmd = clamp(action[6]!, 0, 1);
      const res = ik.solve(this.targetPos, this.targetQuat, this.qDes, { iterations: 12 });
      qNew = res.q;
      if (res.atLimit) notes.push('joint limit reached');
      if (res.posErr > UNREACHABLE_POS || res.rotErr > UNREACHABLE_ROT) {
        notes.push('target unreachable; held at the nearest reachable pose');
        const fk = ik.fk(qNew);
        this.targetPos = fk.pos;
        this.targetQuat = fk.quat;
      }
    }
    const q0 = this.qDes;
    const n = this.substeps;
    const q = new Float64Array(6);
    for (let s = 1; s <= n; s++) {
      const t = s / n;
      for (let i = 0; i < 6; i++) q[i] = q0[i]! + (qNew[i]! - q0[i]!) * t;
      this.writeCtrl(q);
      this.m.mj_step(model, data);
    }
    this.qDes = qNew;
    this.m.mj_forward(model, data);
    return { ok, notes, state: this.state() };
  }

  /** The current internal EE target (world position m, quaternion), for teleop and debugging. */
  target(): { pos: Vec3; quat: Quat } {
    return { pos: [...this.targetPos], quat: [...this.targetQuat] };
  }

  /** A snapshot of the world (copies; safe to keep). */
  state(): SimState {
    const model = this.model;
    const data = this.data;
    const qpos = data.qpos as Float64Array;
    const qvel = data.qvel as Float64Array;
    const xpos = data.xpos as Float64Array;
    const xquat = data.xquat as Float64Array;
    const sx = data.site_xpos as Float64Array;
    const s = 3 * this.siteId;
    const objects: SimState['objects'] = {};
    for (const o of this.objects) {
      const b = o.body;
      objects[o.name] = {
        pos: [xpos[3 * b]!, xpos[3 * b + 1]!, xpos[3 * b + 2]!],
        quat: [xquat[4 * b]!, xquat[4 * b + 1]!, xquat[4 * b + 2]!, xquat[4 * b + 3]!],
        vel: o.dof >= 0 ? [qvel[o.dof]!, qvel[o.dof + 1]!, qvel[o.dof + 2]!] : [0, 0, 0],
      };
    }
    const fingers = this.fingerQpos.map((a) => qpos[a]!);
    return {
      time: data.time,
      joints: this.armQpos.map((a) => qpos[a]!),
      ee: {
        pos: [sx[s]!, sx[s + 1]!, sx[s + 2]!],
        quat: quatFromMat(data.site_xmat as Float64Array, 9 * this.siteId),
      },
      gripper: clamp((fingers[0]! + fingers[1]!) / (2 * FINGER_OPEN), 0, 1),
      objects,
      grasped: this.grasped(model, data),
    };
  }

  private grasped(model: MjModel, data: MjData): string[] {
    const geomBody = model.geom_bodyid as Int32Array;
    const [left, right] = this.fingerBodies;
    const byLeft = new Set<string>();
    const byRight = new Set<string>();
    // `data.contact` is an embind handle to a fresh copy of the contact vector: it must be deleted, or
    // every step leaks it in the WASM heap (found replaying thousands of episodes in one process).
    const contacts = data.contact;
    try {
      for (let i = 0; i < data.ncon; i++) {
        const c = contacts.get(i);
        if (!c) continue;
        const b1 = geomBody[c.geom1]!;
        const b2 = geomBody[c.geom2]!;
        c.delete();
        for (const [f, o] of [
          [b1, b2],
          [b2, b1],
        ] as const) {
          const name = this.objectByBody.get(o);
          if (name === undefined) continue;
          if (f === left) byLeft.add(name);
          if (f === right) byRight.add(name);
        }
      }
    } finally {
      contacts.delete();
    }
    return this.objects.map((o) => o.name).filter((n) => byLeft.has(n) && byRight.has(n));
  }

  private freeModel(): void {
    this.ik?.dispose();
    this.ik = null;
    this._data?.delete();
    this._model?.delete();
    this._data = null;
    this._model = null;
  }

  /** Free the WASM model and data. The sim can be reset() again afterwards. */
  dispose(): void {
    this.freeModel();
    this._scene = null;
  }
}

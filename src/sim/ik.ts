/**
 * Damped-least-squares inverse kinematics of the arm's grasp site from MuJoCo Jacobians
 * (mj_jacSite, position + orientation). Works on its own MjData so solving never disturbs the
 * simulated state. Imports mujoco-js types and core math only.
 */

import type { DoubleBuffer, MainModule, MjData, MjModel } from 'mujoco-js';
import { dhypot } from '../core/detMath';
import { orientationError, quatFromMat } from '../core/kinematics';
import type { Quat, Vec3 } from '../core/types';
import { ARM_JOINT_RANGES, ARM_JOINTS, EE_SITE } from './sceneXml';

export interface IkOptions {
  /** Maximum Gauss–Newton iterations (default 30). */
  iterations?: number;
  /** Damping λ (default 0.02). */
  damping?: number;
  /** Weight of the orientation error against position, m/rad (default 0.3). */
  rotWeight?: number;
}

export interface IkResult {
  /** Arm joint angles (rad), within the joint limits. */
  q: Float64Array;
  /** Remaining position error (m) and orientation error (rad) at q. */
  posErr: number;
  rotErr: number;
  /** True when some joint ended on its limit. */
  atLimit: boolean;
}

const N = 6;

/** Solve A x = b in place for a small dense row-major n×n system (Gaussian elimination, partial pivoting). */
function solveDense(a: Float64Array, b: Float64Array, n: number): void {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]!) > Math.abs(a[p * n + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        const t = a[c * n + k]!;
        a[c * n + k] = a[p * n + k]!;
        a[p * n + k] = t;
      }
      const t = b[c]!;
      b[c] = b[p]!;
      b[p] = t;
    }
    const d = a[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const m = a[r * n + c]! / d;
      if (m === 0) continue;
      for (let k = c; k < n; k++) a[r * n + k] = a[r * n + k]! - m * a[c * n + k]!;
      b[r] = b[r]! - m * b[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r * n + k]! * b[k]!;
    b[r] = s / a[r * n + r]!;
  }
}

/** Arm IK on a private MjData of `model`. Call dispose() when done. */
export class IkSolver {
  private readonly m: MainModule;
  private readonly model: MjModel;
  private readonly data: MjData;
  private readonly jacp: DoubleBuffer;
  private readonly jacr: DoubleBuffer;
  private readonly siteId: number;
  private readonly qposAdr: number[];
  private readonly dofAdr: number[];
  private readonly nv: number;
  // scratch
  private readonly J = new Float64Array(N * N);
  private readonly A = new Float64Array(N * N);
  private readonly e = new Float64Array(N);
  private readonly dq = new Float64Array(N);

  constructor(mujoco: MainModule, model: MjModel) {
    this.m = mujoco;
    this.model = model;
    this.data = new mujoco.MjData(model);
    this.nv = model.nv;
    this.jacp = new mujoco.DoubleBuffer(3 * model.nv);
    this.jacr = new mujoco.DoubleBuffer(3 * model.nv);
    this.siteId = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SITE.value, EE_SITE);
    if (this.siteId < 0) throw new Error(`IkSolver: the model has no site "${EE_SITE}"`);
    const jointType = mujoco.mjtObj.mjOBJ_JOINT.value;
    this.qposAdr = [];
    this.dofAdr = [];
    for (const name of ARM_JOINTS) {
      const j = mujoco.mj_name2id(model, jointType, name);
      if (j < 0) throw new Error(`IkSolver: the model has no joint "${name}"`);
      this.qposAdr.push(model.jnt_qposadr[j] as number);
      this.dofAdr.push(model.jnt_dofadr[j] as number);
    }
  }

  /** Forward kinematics of the grasp site at arm angles q (rad): world position (m) and quaternion. */
  fk(q: ArrayLike<number>): { pos: Vec3; quat: Quat } {
    this.setQ(q);
    return this.site();
  }

  private setQ(q: ArrayLike<number>): void {
    const qpos = this.data.qpos as Float64Array;
    for (let i = 0; i < N; i++) qpos[this.qposAdr[i]!] = q[i]!;
    this.m.mj_kinematics(this.model, this.data);
    this.m.mj_comPos(this.model, this.data);
  }

  private site(): { pos: Vec3; quat: Quat } {
    const xp = this.data.site_xpos as Float64Array;
    const s = 3 * this.siteId;
    return {
      pos: [xp[s]!, xp[s + 1]!, xp[s + 2]!],
      quat: quatFromMat(this.data.site_xmat as Float64Array, 9 * this.siteId),
    };
  }

  /** Joint angles that bring the grasp site to (pos, quat), starting from q0. */
  solve(
    targetPos: ArrayLike<number>,
    targetQuat: ArrayLike<number>,
    q0: ArrayLike<number>,
    opts: IkOptions = {},
  ): IkResult {
    const iterations = opts.iterations ?? 30;
    const lambda2 = (opts.damping ?? 0.02) ** 2;
    const w = opts.rotWeight ?? 0.3;
    const q = new Float64Array(N);
    for (let i = 0; i < N; i++) q[i] = q0[i]!;
    const { J, A, e, dq } = this;
    let posErr = Number.POSITIVE_INFINITY;
    let rotErr = Number.POSITIVE_INFINITY;
    for (let it = 0; it <= iterations; it++) {
      this.setQ(q);
      const cur = this.site();
      const er = orientationError(targetQuat, cur.quat);
      for (let k = 0; k < 3; k++) {
        e[k] = targetPos[k]! - cur.pos[k]!;
        e[3 + k] = w * er[k]!;
      }
      posErr = dhypot(e[0]!, e[1]!, e[2]!);
      rotErr = dhypot(er[0], er[1], er[2]);
      if (it === iterations || (posErr < 2e-4 && rotErr < 2e-3)) break;
      this.m.mj_jacSite(this.model, this.data, this.jacp, this.jacr, this.siteId);
      const jp = this.jacp.GetView() as Float64Array;
      const jr = this.jacr.GetView() as Float64Array;
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < N; c++) {
          J[r * N + c] = jp[r * this.nv + this.dofAdr[c]!]!;
          J[(3 + r) * N + c] = w * jr[r * this.nv + this.dofAdr[c]!]!;
        }
      }
      // A = J Jᵀ + λ² I; y = A⁻¹ e; Δq = Jᵀ y
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) {
          let s = 0;
          for (let k = 0; k < N; k++) s += J[r * N + k]! * J[c * N + k]!;
          A[r * N + c] = s + (r === c ? lambda2 : 0);
        }
      }
      solveDense(A, e, N);
      let maxStep = 0;
      for (let c = 0; c < N; c++) {
        let s = 0;
        for (let r = 0; r < N; r++) s += J[r * N + c]! * e[r]!;
        dq[c] = s;
        maxStep = Math.max(maxStep, Math.abs(s));
      }
      const scale = maxStep > 0.4 ? 0.4 / maxStep : 1;
      for (let c = 0; c < N; c++) {
        const [lo, hi] = ARM_JOINT_RANGES[c]!;
        q[c] = Math.min(hi, Math.max(lo, q[c]! + scale * dq[c]!));
      }
    }
    let atLimit = false;
    for (let c = 0; c < N; c++) {
      const [lo, hi] = ARM_JOINT_RANGES[c]!;
      if (q[c]! <= lo + 1e-9 || q[c]! >= hi - 1e-9) atLimit = true;
    }
    return { q, posErr, rotErr, atLimit };
  }

  dispose(): void {
    this.jacp.delete();
    this.jacr.delete();
    this.data.delete();
  }
}

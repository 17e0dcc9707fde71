/**
 * Small rigid-body math shared by the sim's IK and the scripted expert:
 * quaternions (MuJoCo order [w, x, y, z]), 3×3 row-major rotation matrices,
 * rotation vectors, angle wrapping. Pure; must not import DOM, three.js, ORT, React or mujoco.
 */
import { datan2, dcos, dhypot, dsin } from './detMath';
import type { Quat, Vec3 } from './types';

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Wrap an angle to (-π, π]. */
export function wrapAngle(a: number): number {
  const t = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  return t <= -Math.PI ? t + 2 * Math.PI : t;
}

/** Hamilton product a ⊗ b (apply b, then a). */
export function quatMul(a: ArrayLike<number>, b: ArrayLike<number>): Quat {
  const [aw, ax, ay, az] = [a[0]!, a[1]!, a[2]!, a[3]!];
  const [bw, bx, by, bz] = [b[0]!, b[1]!, b[2]!, b[3]!];
  return [
    aw * bw - ax * bx - ay * by - az * bz,
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
  ];
}

export function quatConj(q: ArrayLike<number>): Quat {
  return [q[0]!, -q[1]!, -q[2]!, -q[3]!];
}

export function quatNormalize(q: ArrayLike<number>): Quat {
  const n = dhypot(q[0]!, q[1]!, q[2]!, q[3]!);
  if (!(n > 0)) return [1, 0, 0, 0];
  return [q[0]! / n, q[1]! / n, q[2]! / n, q[3]! / n];
}

/** Quaternion of a rotation by `angle` (rad) about a unit `axis`. */
export function quatFromAxisAngle(axis: ArrayLike<number>, angle: number): Quat {
  const s = dsin(angle / 2);
  return [dcos(angle / 2), axis[0]! * s, axis[1]! * s, axis[2]! * s];
}

/** Quaternion of a rotation vector (axis × angle, rad). */
export function quatFromRotVec(v: ArrayLike<number>): Quat {
  const a = dhypot(v[0]!, v[1]!, v[2]!);
  if (a < 1e-12) return quatNormalize([1, v[0]! / 2, v[1]! / 2, v[2]! / 2]);
  return quatFromAxisAngle([v[0]! / a, v[1]! / a, v[2]! / a], a);
}

/** Rotation vector (axis × angle, angle in [0, π]) of a quaternion. */
export function rotVecFromQuat(q: ArrayLike<number>): Vec3 {
  let [w, x, y, z] = [q[0]!, q[1]!, q[2]!, q[3]!];
  if (w < 0) [w, x, y, z] = [-w, -x, -y, -z];
  const s = dhypot(x, y, z);
  if (s < 1e-12) return [2 * x, 2 * y, 2 * z];
  const angle = 2 * datan2(s, w);
  return [(x / s) * angle, (y / s) * angle, (z / s) * angle];
}

/** Fixed-axis (extrinsic X, then Y, then Z) Euler angles: R = Rz(yaw)·Ry(pitch)·Rx(roll). */
export function quatFromEuler(roll: number, pitch: number, yaw: number): Quat {
  const qx = quatFromAxisAngle([1, 0, 0], roll);
  const qy = quatFromAxisAngle([0, 1, 0], pitch);
  const qz = quatFromAxisAngle([0, 0, 1], yaw);
  return quatMul(qz, quatMul(qy, qx));
}

/** Row-major 3×3 rotation matrix of a unit quaternion. */
export function matFromQuat(q: ArrayLike<number>): number[] {
  const [w, x, y, z] = [q[0]!, q[1]!, q[2]!, q[3]!];
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
}

/** Unit quaternion (w ≥ 0) of a row-major 3×3 rotation matrix, read from `m` at `offset`. */
export function quatFromMat(m: ArrayLike<number>, offset = 0): Quat {
  const r = (i: number) => m[offset + i]!;
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = [
    r(0),
    r(1),
    r(2),
    r(3),
    r(4),
    r(5),
    r(6),
    r(7),
    r(8),
  ];
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [(m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s];
  }
  q = quatNormalize(q);
  return q[0] < 0 ? [-q[0], -q[1], -q[2], -q[3]] : q;
}

/** Rotate vector v by unit quaternion q. */
export function quatRotate(q: ArrayLike<number>, v: ArrayLike<number>): Vec3 {
  const p = quatMul(quatMul(q, [0, v[0]!, v[1]!, v[2]!]), quatConj(q));
  return [p[1], p[2], p[3]];
}

/** Heading (rad) of the rotated local x axis on the world xy plane. */
export function yawOfQuat(q: ArrayLike<number>): number {
  const x = quatRotate(q, [1, 0, 0]);
  return datan2(x[1], x[0]);
}

/**
 * World-frame rotation error from `current` to `target`: the rotation vector of target·current⁻¹ (rad).
 * Zero when equal; its norm is the angle between them.
 */
export function orientationError(target: ArrayLike<number>, current: ArrayLike<number>): Vec3 {
  return rotVecFromQuat(quatMul(target, quatConj(current)));
}

/**
 * Top-down gripper orientation: tool z axis pointing down (world −Z), the tool x axis at heading `yaw`.
 * Equals Rz(yaw)·Rx(π).
 */
export function topDownQuat(yaw: number): Quat {
  return quatMul(quatFromAxisAngle([0, 0, 1], yaw), [0, 1, 0, 0]);
}

/** The angle in {a + kπ/2} closest to `reference` (a cube's yaw symmetry). */
export function nearestQuarterTurn(a: number, reference: number): number {
  return reference + wrapAngle(4 * (a - reference)) / 4;
}

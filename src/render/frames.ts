/**
 * The ONE place that converts MuJoCo's Z-up world frame to three.js's Y-up frame.
 * MuJoCo (x, y, z) maps to three.js (x, z, −y): a rotation of −90° about X.
 * Everything built from the MuJoCo model lives under `createMujocoRoot()`, so poses inside it stay in
 * MuJoCo coordinates; only things outside the root (cameras, lights, controls) go through these helpers.
 *
 *      MuJoCo             three.js
 *        z                  y
 *        |  y               |
 *        | /                |
 *        +---- x            +---- x
 *                          /
 *                         z   (= −y of MuJoCo)
 *
 * Imports three.js only; must not import React, mujoco-js or ORT.
 */
import { Group, Quaternion, Vector3 } from 'three';

/** Rotation taking a MuJoCo world vector to three.js world coordinates. */
export const ZUP_TO_YUP: Readonly<Quaternion> = new Quaternion().setFromAxisAngle(
  new Vector3(1, 0, 0),
  -Math.PI / 2,
);

/** Up vector of MuJoCo (+Z) expressed in three.js coordinates: (0, 1, 0). */
export const MUJOCO_UP_IN_THREE: Readonly<Vector3> = new Vector3(0, 1, 0);

/** A group whose children are positioned in MuJoCo world coordinates (metres, Z up). */
export function createMujocoRoot(): Group {
  const root = new Group();
  root.name = 'mujoco-root';
  root.quaternion.copy(ZUP_TO_YUP);
  root.updateMatrixWorld(true);
  return root;
}

/** Write MuJoCo world point/direction (x, y, z) into `out` in three.js coordinates; returns `out`. */
export function mjToThree(out: Vector3, x: number, y: number, z: number): Vector3 {
  return out.set(x, z, -y);
}

/** Convenience for arrays: `[x, y, z]` in MuJoCo frame → new three.js Vector3. */
export function mjVecToThree(v: readonly number[]): Vector3 {
  return mjToThree(new Vector3(), v[0] ?? 0, v[1] ?? 0, v[2] ?? 0);
}

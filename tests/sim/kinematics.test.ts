/** Quaternion and angle helpers of src/core/kinematics.ts against hand-computed values. */
import { describe, expect, it } from 'vitest';
import {
  matFromQuat,
  nearestQuarterTurn,
  orientationError,
  quatFromEuler,
  quatFromMat,
  quatRotate,
  topDownQuat,
  wrapAngle,
  yawOfQuat,
} from '../../src/core/kinematics';

const S = Math.SQRT1_2;

function expectClose(actual: readonly number[], expected: readonly number[], digits = 12): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
}

describe('kinematics', () => {
  it('builds quaternions from fixed-axis Euler angles', () => {
    const q = quatFromEuler(0, 0, Math.PI / 2);
    expectClose(q, [S, 0, 0, S]);
    // Rz(90°) maps x to y.
    const v = quatRotate(q, [1, 0, 0]);
    expectClose(v, [0, 1, 0]);
    // roll then yaw: Rz(90°)·Rx(90°) maps y → z (roll) → z (yaw keeps z).
    const w = quatRotate(quatFromEuler(Math.PI / 2, 0, Math.PI / 2), [0, 1, 0]);
    expectClose(w, [0, 0, 1]);
  });

  it('round-trips matrices and quaternions', () => {
    const q = quatFromEuler(0.3, -0.7, 2.1);
    const back = quatFromMat(matFromQuat(q));
    const sign = Math.sign(q[0]);
    expectClose(
      back,
      q.map((x) => sign * x),
    );
    // Rx(180°) is diag(1, −1, −1).
    expect(quatFromMat([1, 0, 0, 0, -1, 0, 0, 0, -1])).toEqual([0, 1, 0, 0]);
  });

  it('top-down orientation points the tool z axis down with the tool x at the yaw', () => {
    const q = topDownQuat(Math.PI / 6);
    const z = quatRotate(q, [0, 0, 1]);
    expectClose(z, [0, 0, -1]);
    expect(yawOfQuat(q)).toBeCloseTo(Math.PI / 6, 12);
  });

  it('orientation error is the rotation vector from current to target', () => {
    const e = orientationError(quatFromEuler(0, 0, 0.4), [1, 0, 0, 0]);
    expectClose(e, [0, 0, 0.4]);
  });

  it('wraps angles and picks the nearest cube-symmetric yaw', () => {
    expect(wrapAngle(3 * Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapAngle(-0.5 - 2 * Math.PI)).toBeCloseTo(-0.5, 12);
    expect(nearestQuarterTurn(1.0, 0)).toBeCloseTo(1.0 - Math.PI / 2, 12);
    expect(nearestQuarterTurn(0.2, 0)).toBeCloseTo(0.2, 12);
    expect(nearestQuarterTurn(-0.7, 0.8)).toBeCloseTo(-0.7 + Math.PI / 2, 12);
  });
});

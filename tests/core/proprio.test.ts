import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../../src/core/errors';
import { proprioState } from '../../src/core/proprio';
import type { SimState } from '../../src/core/types';

const state: SimState = {
  time: 1.5,
  joints: [0.1, -0.2, 0.3, -0.4, 0.5, -0.6],
  ee: { pos: [0.45, -0.05, 0.21], quat: [0, 1, 0, 0] },
  gripper: 0.75,
  objects: {},
  grasped: [],
};

describe('proprioState', () => {
  it('reads the fixture manifest names (ee_x, ee_y, ee_z, gripper) in order', () => {
    expect(proprioState(['ee_x', 'ee_y', 'ee_z', 'gripper'], state)).toEqual([0.45, -0.05, 0.21, 0.75]);
  });

  it('reads quaternion components and joints by index, in the order given', () => {
    expect(proprioState(['gripper', 'joint_5', 'ee_qx', 'joint_0', 'ee_qw'], state)).toEqual([
      0.75, -0.6, 1, 0.1, 0,
    ]);
  });

  it('names an unknown quantity or a missing joint in the error', () => {
    expect(() => proprioState(['ee_x', 'velocity'], state)).toThrow(PolicyInputError);
    expect(() => proprioState(['velocity'], state)).toThrow(/"velocity"/);
    expect(() => proprioState(['joint_6'], state)).toThrow(/"joint_6"/);
  });
});

/**
 * Proprioceptive state for a policy: maps the manifest's `state.names` (ee_x, ee_y, ee_z, ee_qw…, gripper,
 * joint_<i>) to values read off a SimState, in the sim's units (m, rad, gripper opening in [0, 1]).
 * The runtime normalizes them with the manifest's mean/std. Pure; no DOM, three.js, ORT or React.
 */
import { PolicyInputError } from './errors';
import type { SimState } from './types';

const FIXED: Readonly<Record<string, (s: SimState) => number | undefined>> = {
  ee_x: (s) => s.ee.pos[0],
  ee_y: (s) => s.ee.pos[1],
  ee_z: (s) => s.ee.pos[2],
  ee_qw: (s) => s.ee.quat[0],
  ee_qx: (s) => s.ee.quat[1],
  ee_qy: (s) => s.ee.quat[2],
  ee_qz: (s) => s.ee.quat[3],
  gripper: (s) => s.gripper,
};

/** The state names `proprioState` understands (`joint_<i>` for any arm joint index i). */
export const PROPRIO_NAMES: readonly string[] = [...Object.keys(FIXED), 'joint_<i>'];

/**
 * Values of `names` read off `state`, in order. Throws PolicyInputError naming the first name it does not
 * know (or a joint index the arm does not have).
 */
export function proprioState(names: readonly string[], state: SimState): number[] {
  return names.map((name) => {
    const fixed = FIXED[name];
    const joint = /^joint_(\d+)$/.exec(name);
    const v = fixed ? fixed(state) : joint ? state.joints[Number(joint[1])] : undefined;
    if (v === undefined) {
      throw new PolicyInputError(
        `manifest state name "${name}" is not a sim quantity (known: ${PROPRIO_NAMES.join(', ')})`,
      );
    }
    return v;
  });
}

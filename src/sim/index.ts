/** Public surface of the MuJoCo world (src/sim): the Sim class and the constants others need. */

export { type IkOptions, type IkResult, IkSolver } from './ik';
export { loadMujoco } from './mujoco';
export { EE_WORKSPACE, HOME_POS, HOME_QUAT, MAX_POS_DELTA, MAX_ROT_DELTA, Sim, type SimOptions } from './Sim';
export { ARM_JOINTS, buildSceneXml, EE_SITE, FINGER_OPEN, TIMESTEP } from './sceneXml';

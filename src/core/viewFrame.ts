/**
 * The model camera's view frame on the table plane: which world xy direction a
 * viewer of the model camera calls left/right/forward/back. Camera up is world +Z.
 * Pure math; must not import DOM, three.js, ORT, React or mujoco.
 */
import type { PushDirection } from './task';
import type { CameraSpec, Vec2 } from './types';

/**
 * Unit vectors on the table plane (world x, y) for a camera:
 * - `forward`: the viewing direction (target − pos) projected onto the table, pointing away from the camera;
 * - `right`: the image's +x axis, `forward3 × up` with up = world +Z, i.e. (fy, −fx) of the view direction.
 * Nominal camera at (1.05, 0, 0.55) looking at (0.45, 0, 0): forward = (−1, 0), right = (0, +1).
 * Throws if the camera looks straight down (no horizontal viewing direction).
 */
export function viewAxes(camera: CameraSpec): { right: Vec2; forward: Vec2 } {
  const fx = camera.target[0] - camera.pos[0];
  const fy = camera.target[1] - camera.pos[1];
  const n = Math.hypot(fx, fy);
  if (!(n > 1e-9)) throw new Error('viewAxes: the camera looks straight down; its view frame is undefined');
  const forward: Vec2 = [fx / n, fy / n];
  const right: Vec2 = [forward[1], -forward[0]];
  return { right, forward };
}

/** World xy unit vector of a push direction as the model camera's viewer sees it. */
export function pushDirectionVector(camera: CameraSpec, direction: PushDirection): Vec2 {
  const { right, forward } = viewAxes(camera);
  switch (direction) {
    case 'left':
      return [-right[0], -right[1]];
    case 'right':
      return right;
    case 'forward':
      return forward;
    case 'back':
      return [-forward[0], -forward[1]];
  }
}

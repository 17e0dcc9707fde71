import { describe, expect, it } from 'vitest';
import type { CameraSpec, Vec3 } from '../../src/core/types';
import { pushDirectionVector, viewAxes } from '../../src/core/viewFrame';

const S = Math.SQRT1_2;

/** Image +x in the world, by the OpenGL lookAt convention: x_cam = normalize(up × (pos − target)). */
function lookAtRight(cam: CameraSpec): Vec3 {
  const b = [cam.pos[0] - cam.target[0], cam.pos[1] - cam.target[1], cam.pos[2] - cam.target[2]];
  const up = [0, 0, 1];
  const x: Vec3 = [
    up[1]! * b[2]! - up[2]! * b[1]!,
    up[2]! * b[0]! - up[0]! * b[2]!,
    up[0]! * b[1]! - up[1]! * b[0]!,
  ];
  const n = Math.hypot(...x);
  return [x[0] / n, x[1] / n, x[2] / n];
}

describe('viewAxes', () => {
  it.each([
    // camera on +x looking toward −x: forward −x; facing west, the right hand points north (+y)
    [{ pos: [1.05, 0, 0.55], target: [0.45, 0, 0], fovy: 45 }, [-1, 0], [0, 1]],
    // camera on −y looking north: right is east (+x)
    [{ pos: [0, -1, 1], target: [0, 0, 0], fovy: 45 }, [0, 1], [1, 0]],
    // camera at (1, 1, 1) looking at the origin: facing south-west, right is north-west
    [{ pos: [1, 1, 1], target: [0, 0, 0], fovy: 45 }, [-S, -S], [-S, S]],
  ] as [CameraSpec, [number, number], [number, number]][])('golden axes for %j', (cam, forward, right) => {
    const axes = viewAxes(cam);
    expect(axes.forward[0]).toBeCloseTo(forward[0], 12);
    expect(axes.forward[1]).toBeCloseTo(forward[1], 12);
    expect(axes.right[0]).toBeCloseTo(right[0], 12);
    expect(axes.right[1]).toBeCloseTo(right[1], 12);
    // agrees with the image +x axis of a standard lookAt camera (up = +Z)
    const r = lookAtRight(cam);
    expect(r[2]).toBeCloseTo(0, 12);
    expect(axes.right[0]).toBeCloseTo(r[0], 12);
    expect(axes.right[1]).toBeCloseTo(r[1], 12);
  });

  it('throws for a camera looking straight down', () => {
    expect(() => viewAxes({ pos: [0.4, 0, 1], target: [0.4, 0, 0], fovy: 45 })).toThrow(/straight down/);
  });

  it('maps push directions onto the nominal camera frame', () => {
    const cam: CameraSpec = { pos: [1.05, 0, 0.55], target: [0.45, 0, 0], fovy: 45 };
    const close = (v: [number, number], e: [number, number]) => {
      expect(v[0]).toBeCloseTo(e[0], 12);
      expect(v[1]).toBeCloseTo(e[1], 12);
    };
    close(pushDirectionVector(cam, 'forward'), [-1, 0]); // away from the camera, toward the arm base
    close(pushDirectionVector(cam, 'back'), [1, 0]);
    close(pushDirectionVector(cam, 'right'), [0, 1]);
    close(pushDirectionVector(cam, 'left'), [0, -1]);
  });
});

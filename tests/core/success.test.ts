import { describe, expect, it } from 'vitest';
import {
  createSuccessMonitor,
  displacementAlong,
  isLifted,
  isPushed,
  isRestingIn,
  restingZ,
} from '../../src/core/success';
import type { SceneSpec, SimState } from '../../src/core/types';

// Nominal camera: forward (away from the camera) = world −x, right = world +y (see viewFrame.test.ts).
const camera = { pos: [1.05, 0, 0.55], target: [0.45, 0, 0], fovy: 45 } as SceneSpec['camera'];

function scene(task: string, extra: SceneSpec['objects'] = []): SceneSpec {
  return {
    seed: 0,
    task,
    objects: [{ name: 'red_block', kind: 'block', color: 'red', xy: [0.5, 0], yaw: 0 }, ...extra],
    light: { dir: [0, 0, -1], intensity: 1, ambient: 0.3 },
    camera,
    tableRgb: [0.6, 0.6, 0.6],
  };
}

function state(
  time: number,
  objects: Record<string, number[]>,
  grasped: string[] = [],
  vel = [0, 0, 0],
): SimState {
  return {
    time,
    joints: [0, 0, 0, 0, 0, 0],
    ee: { pos: [0.4, 0, 0.3], quat: [1, 0, 0, 0] },
    gripper: 1,
    objects: Object.fromEntries(
      Object.entries(objects).map(([k, pos]) => [k, { pos, quat: [1, 0, 0, 0], vel }]),
    ),
    grasped,
  };
}

describe('pick predicate', () => {
  it('lifted ≥ 5 cm above the initial z', () => {
    expect(isLifted(0.02, 0.071)).toBe(true);
    expect(isLifted(0.02, 0.07 + 1e-9)).toBe(true);
    expect(isLifted(0.02, 0.065)).toBe(false);
    expect(isLifted(0.02, 0.02)).toBe(false);
  });
});

describe('put predicate', () => {
  // Resting heights: bowl floor 6 mm + half block 20 mm = 26 mm; plate 12 mm + 20 mm = 32 mm.
  it('resting heights', () => {
    expect(restingZ('bowl')).toBeCloseTo(0.026, 12);
    expect(restingZ('plate')).toBeCloseTo(0.032, 12);
  });

  const still = [0, 0, 0];
  it('true: block resting in the bowl / on the plate', () => {
    expect(isRestingIn({ pos: [0.41, 0.01, 0.026], vel: still }, [0.4, 0], 'bowl', false).success).toBe(true);
    expect(isRestingIn({ pos: [0.44, 0, 0.033], vel: [0.01, 0, 0] }, [0.4, 0], 'plate', false).success).toBe(
      true,
    );
  });

  it('false: outside the radius less the margin (bowl 65 − 20 = 45 mm)', () => {
    const v = isRestingIn({ pos: [0.45, 0, 0.026], vel: still }, [0.4, 0], 'bowl', false);
    expect(v.success).toBe(false);
    expect(v.reason).toMatch(/50 mm from the bowl/);
  });

  it('false: too high (held above) or on the table beside', () => {
    expect(isRestingIn({ pos: [0.4, 0, 0.08], vel: still }, [0.4, 0], 'bowl', false).success).toBe(false);
    expect(isRestingIn({ pos: [0.4, 0, 0.06], vel: still }, [0.4, 0], 'plate', false).success).toBe(false);
    expect(isRestingIn({ pos: [0.4, 0, 0.02], vel: still }, [0.4, 0], 'plate', false).success).toBe(false);
  });

  it('false: still moving, or still grasped', () => {
    expect(
      isRestingIn({ pos: [0.4, 0, 0.026], vel: [0, 0.03, -0.04] }, [0.4, 0], 'bowl', false).reason,
    ).toMatch(/moving/);
    expect(isRestingIn({ pos: [0.4, 0, 0.026], vel: still }, [0.4, 0], 'bowl', true).reason).toMatch(/held/);
  });
});

describe('push predicate', () => {
  it('displacement along a direction', () => {
    expect(displacementAlong([0.5, 0, 0.02], [0.38, 0.05, 0.02], [-1, 0])).toBeCloseTo(0.12, 12);
    expect(displacementAlong([0.5, 0, 0.02], [0.58, 0.06, 0.02], [0.6, 0.8])).toBeCloseTo(0.048 + 0.048, 12);
  });

  it('true: moved ≥ 10 cm in the direction and never lifted', () => {
    expect(isPushed([0.5, 0, 0.02], [0.5, 0.11, 0.02], [0, 1], 0.03).success).toBe(true);
  });

  it('false: too short, wrong direction, or lifted', () => {
    expect(isPushed([0.5, 0, 0.02], [0.5, 0.09, 0.02], [0, 1], 0.02).success).toBe(false);
    expect(isPushed([0.5, 0, 0.02], [0.5, -0.12, 0.02], [0, 1], 0.02).success).toBe(false);
    const lifted = isPushed([0.5, 0, 0.02], [0.5, 0.12, 0.02], [0, 1], 0.041);
    expect(lifted.success).toBe(false);
    expect(lifted.reason).toMatch(/lifted/);
  });
});

describe('success monitor', () => {
  const z0 = 0.02;

  it('pick: held 0.4 s → false, 0.6 s → true (control steps of 0.1 s)', () => {
    const m = createSuccessMonitor(scene('pick:red-block'), state(0, { red_block: [0.5, 0, z0] }));
    // Lifted (z = 0.08) from t = 1.0 s on.
    const at = (t: number, z: number) => m.update(state(t, { red_block: [0.5, 0, z] }, ['red_block']));
    expect(at(0.9, 0.04).success).toBe(false);
    expect(at(1.0, 0.08).success).toBe(false);
    expect(at(1.2, 0.08).success).toBe(false);
    expect(at(1.4, 0.08).success).toBe(false); // held 0.4 s
    expect(at(1.6, 0.08).success).toBe(true); // held 0.6 s
  });

  it('pick: a dip below the lift height restarts the hold clock', () => {
    const m = createSuccessMonitor(scene('pick:red-block'), state(0, { red_block: [0.5, 0, z0] }));
    const at = (t: number, z: number) => m.update(state(t, { red_block: [0.5, 0, z] }));
    at(1.0, 0.08);
    at(1.3, 0.08);
    expect(at(1.4, 0.06).success).toBe(false); // 4 cm: not lifted
    expect(at(1.5, 0.08).success).toBe(false);
    expect(at(1.9, 0.08).success).toBe(false); // held 0.4 s since 1.5
    const v = at(2.0, 0.08);
    expect(v.success).toBe(true);
    expect(v.reason).toMatch(/held 0.50 s/);
    // latched
    expect(at(2.1, 0.02).success).toBe(true);
  });

  it('put: succeeds once the released block rests in the bowl (bowl xy from the state)', () => {
    const sc = scene('put:red-block:blue-bowl', [
      { name: 'blue_bowl', kind: 'bowl', color: 'blue', xy: [0.4, 0.1], yaw: 0 },
    ]);
    const m = createSuccessMonitor(sc, state(0, { red_block: [0.5, 0, z0], blue_bowl: [0.4, 0.1, 0] }));
    expect(
      m.update(state(1, { red_block: [0.4, 0.1, 0.027], blue_bowl: [0.4, 0.1, 0] }, ['red_block'])).success,
    ).toBe(false);
    expect(
      m.update(state(1.1, { red_block: [0.4, 0.1, 0.027], blue_bowl: [0.4, 0.1, 0] }, [], [0, 0, -0.2]))
        .success,
    ).toBe(false);
    // The bowl was nudged 2 cm: measured against where it is now.
    expect(m.update(state(1.2, { red_block: [0.42, 0.13, 0.027], blue_bowl: [0.42, 0.12, 0] })).success).toBe(
      true,
    );
  });

  it('push: forward = away from the camera = −x for the nominal camera', () => {
    const m = createSuccessMonitor(scene('push:red-block:forward'), state(0, { red_block: [0.5, 0, z0] }));
    expect(m.update(state(1, { red_block: [0.45, 0, z0] })).success).toBe(false);
    expect(m.update(state(2, { red_block: [0.39, 0.02, z0] })).success).toBe(true);
    const back = createSuccessMonitor(scene('push:red-block:back'), state(0, { red_block: [0.5, 0, z0] }));
    expect(back.update(state(2, { red_block: [0.39, 0, z0] })).success).toBe(false);
    const left = createSuccessMonitor(scene('push:red-block:left'), state(0, { red_block: [0.5, 0, z0] }));
    expect(left.update(state(2, { red_block: [0.5, -0.11, z0] })).success).toBe(true);
  });

  it('push: a lift at any time fails the episode even if the block ends far enough', () => {
    const m = createSuccessMonitor(scene('push:red-block:right'), state(0, { red_block: [0.5, 0, z0] }));
    m.update(state(1, { red_block: [0.5, 0.05, 0.05] }));
    const v = m.update(state(2, { red_block: [0.5, 0.12, z0] }));
    expect(v.success).toBe(false);
    expect(v.reason).toMatch(/lifted/);
  });

  it('throws when the block or container is missing', () => {
    expect(() => createSuccessMonitor(scene('pick:red-block'), state(0, {}))).toThrow(/red_block/);
    expect(() =>
      createSuccessMonitor(scene('put:red-block:blue-bowl'), state(0, { red_block: [0.5, 0, z0] })),
    ).toThrow(/blue_bowl/);
  });
});

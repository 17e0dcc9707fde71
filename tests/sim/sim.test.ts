/**
 * The MuJoCo world (src/sim): IK accuracy, per-step/workspace/joint clamping, rejection of
 * non-finite actions, and determinism of reset + 200 steps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { topDownQuat } from '../../src/core/kinematics';
import { Rng } from '../../src/core/prng';
import { generateScene } from '../../src/core/sceneGenerator';
import type { SimState } from '../../src/core/types';
import { IkSolver } from '../../src/sim/ik';
import { EE_WORKSPACE, HOME_POS, Sim } from '../../src/sim/Sim';
import { ARM_JOINT_RANGES } from '../../src/sim/sceneXml';

let sim: Sim;
beforeAll(async () => {
  sim = await Sim.create();
});

const dist = (a: readonly number[], b: readonly number[]) =>
  Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/** Drive the sim's EE toward pos with proportional delta actions (gripper open). */
function driveTo(s: Sim, pos: readonly number[], steps: number): SimState {
  let st = s.state();
  for (let i = 0; i < steps; i++) {
    const t = s.target().pos;
    const a = [pos[0]! - t[0], pos[1]! - t[1], pos[2]! - t[2], 0, 0, 0, 1];
    st = s.step(a).state;
  }
  return st;
}

describe('Sim', () => {
  it('resets to the home pose above the table with the gripper open', () => {
    const st = sim.reset(generateScene(3, 'pick:red-block'));
    expect(dist(st.ee.pos, HOME_POS)).toBeLessThan(0.005);
    expect(st.gripper).toBeGreaterThan(0.95);
    expect(st.joints).toHaveLength(6);
    expect(st.time).toBe(0);
    // Blocks rest on the table: centre at the half size, 2 cm.
    expect(st.objects.red_block?.pos[2]).toBeCloseTo(0.02, 3);
  });

  it('IK reaches random reachable top-down targets within 1 cm', () => {
    sim.reset(generateScene(4, 'pick:blue-block'));
    const ik = new IkSolver(sim.mujoco, sim.model);
    const rng = new Rng(11);
    const seed = sim.state().joints;
    try {
      for (let i = 0; i < 25; i++) {
        const pos = [rng.uniform(0.3, 0.65), rng.uniform(-0.28, 0.28), rng.uniform(0.03, 0.3)];
        const quat = topDownQuat(rng.uniform(-Math.PI / 4, Math.PI / 4));
        const r = ik.solve(pos, quat, seed, { iterations: 100 });
        const fk = ik.fk(r.q);
        expect(dist(fk.pos, pos)).toBeLessThan(0.01);
        expect(r.rotErr).toBeLessThan(0.02);
        r.q.forEach((q, j) => {
          const [lo, hi] = ARM_JOINT_RANGES[j]!;
          expect(q).toBeGreaterThanOrEqual(lo);
          expect(q).toBeLessThanOrEqual(hi);
        });
      }
    } finally {
      ik.dispose();
    }
  });

  it('the simulated arm reaches targets within 1 cm through delta actions', () => {
    sim.reset(generateScene(5, 'pick:green-block'));
    for (const pos of [
      [0.5, 0.2, 0.15],
      [0.35, -0.25, 0.08],
      [0.62, 0.0, 0.3],
    ]) {
      const st = driveTo(sim, pos, 30);
      expect(dist(st.ee.pos, pos)).toBeLessThan(0.01);
    }
  });

  it('clamps per-step deltas and reports it', () => {
    sim.reset(generateScene(6, 'pick:red-block'));
    const before = sim.target().pos;
    const r = sim.step([0.2, 0, 0, 0, 0, 0, 1]);
    expect(r.ok).toBe(true);
    expect(r.notes.join(' ')).toMatch(/delta clamped/);
    expect(sim.target().pos[0] - before[0]).toBeCloseTo(0.05, 9);
    const plain = sim.step([0.01, 0, 0, 0, 0, 0, 1]);
    expect(plain.notes).toEqual([]);
  });

  it('clamps the target to the workspace box', () => {
    sim.reset(generateScene(7, 'pick:red-block'));
    let notes: string[] = [];
    for (let i = 0; i < 10; i++) notes = sim.step([0, 0, 0.05, 0, 0, 0, 1]).notes;
    expect(notes.join(' ')).toMatch(/workspace/);
    expect(sim.target().pos[2]).toBeCloseTo(EE_WORKSPACE.max[2], 9);
    for (let i = 0; i < 20; i++) notes = sim.step([0, 0, -0.05, 0, 0, 0, 1]).notes;
    expect(sim.target().pos[2]).toBeCloseTo(EE_WORKSPACE.min[2], 9);
  });

  it('keeps joints within their limits when asked to twist past them', () => {
    sim.reset(generateScene(8, 'pick:red-block'));
    const seen = new Set<string>();
    let st = sim.state();
    for (let i = 0; i < 20; i++) {
      const r = sim.step([0, 0, 0, 0, 0, 0.25, 1]);
      for (const n of r.notes) seen.add(n);
      st = r.state;
    }
    expect([...seen].join(' ')).toMatch(/joint limit|unreachable/);
    st.joints.forEach((q, j) => {
      const [lo, hi] = ARM_JOINT_RANGES[j]!;
      expect(q).toBeGreaterThanOrEqual(lo - 0.02);
      expect(q).toBeLessThanOrEqual(hi + 0.02);
    });
  });

  it('rejects a non-finite action: the arm holds still and the step says why', () => {
    sim.reset(generateScene(9, 'pick:red-block'));
    driveTo(sim, [0.5, 0.1, 0.2], 10);
    const before = sim.state();
    const target = sim.target();
    for (const bad of [
      [Number.NaN, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, Number.POSITIVE_INFINITY, 0, 0],
      [0, 0, 0],
    ]) {
      const r = sim.step(bad);
      expect(r.ok).toBe(false);
      expect(r.notes.join(' ')).toMatch(/rejected/);
      expect(dist(r.state.ee.pos, before.ee.pos)).toBeLessThan(0.002);
      expect(r.state.gripper).toBeCloseTo(before.gripper, 2);
    }
    expect(sim.target()).toEqual(target);
    expect(sim.step([Number.NaN, 0, 0, 0, 0, 0, 1]).notes.join(' ')).toMatch(/non-finite.*index 0/);
  });

  it('is deterministic: same seed and actions → identical state after 200 steps', async () => {
    const other = await Sim.create();
    const run = (s: Sim) => {
      s.reset(generateScene(21, 'push:yellow-block:left'));
      const rng = new Rng(5);
      let st = s.state();
      for (let i = 0; i < 200; i++) {
        st = s.step([
          rng.uniform(-0.02, 0.02),
          rng.uniform(-0.02, 0.02),
          rng.uniform(-0.02, 0.015),
          0,
          0,
          rng.uniform(-0.05, 0.05),
          rng.next() < 0.5 ? 0 : 1,
        ]).state;
      }
      return st;
    };
    const a = run(sim);
    const b = run(other);
    other.dispose();
    expect(a.time).toBeCloseTo(20, 9);
    expect(b).toEqual(a);
  });
});

/** The scripted expert (src/core/expert.ts) solves a small seeded sample of each family in the real sim. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createExpert } from '../../src/core/expert';
import { generateScene, sampleTask } from '../../src/core/sceneGenerator';
import { createSuccessMonitor } from '../../src/core/success';
import { TASK_FAMILIES } from '../../src/core/task';
import { Sim } from '../../src/sim/Sim';

let sim: Sim;
beforeAll(async () => {
  sim = await Sim.create();
});

function episode(seed: number, task: string, noise = 0): { success: boolean; steps: number; reason: string } {
  const scene = generateScene(seed, task);
  let state = sim.reset(scene);
  const monitor = createSuccessMonitor(scene, state);
  const expert = createExpert(scene, { noise, seed });
  let v = monitor.update(state);
  let steps = 0;
  while (!v.success && steps < 150) {
    state = sim.step(expert.act(state)).state;
    v = monitor.update(state);
    steps++;
  }
  return { success: v.success, steps, reason: v.reason };
}

describe('scripted expert', () => {
  for (const family of TASK_FAMILIES) {
    it(`solves ${family} on 3 seeded scenes`, () => {
      for (const seed of [1000, 1001, 1002]) {
        const task = sampleTask(seed, family);
        const r = episode(seed, task);
        expect(r, `${task} seed ${seed}: ${r.reason}`).toMatchObject({ success: true });
      }
    });
  }

  it('labels a grasp it did not make itself as a lift (DAgger), not as "open and hover again"', () => {
    const seed = 1001;
    const task = sampleTask(seed, 'put');
    const scene = generateScene(seed, task);
    let state = sim.reset(scene);
    const driver = createExpert(scene, { seed }); // stands in for a policy that grasped the block
    for (let t = 0; t < 150 && driver.phase !== 'lift'; t++) state = sim.step(driver.act(state)).state;
    expect(driver.phase).toBe('lift');
    expect(state.grasped).toContain(`${task.split(':')[1]!.replace('-', '_')}`);
    const labeller = createExpert(scene, { seed }); // fresh: its own phase is still 'approach'
    const label = labeller.act(state);
    expect(label[6], 'gripper stays closed').toBe(0);
    expect(label[2]!, 'goes up').toBeGreaterThan(0);
    expect(labeller.phase).toBe('lift');
  });

  it('recovers from injected action noise', () => {
    const r = episode(77, 'put:red-block:blue-bowl', 0.3);
    expect(r.success, r.reason).toBe(true);
  });

  it('is deterministic under a noise seed', () => {
    const scene = generateScene(5, 'pick:green-block');
    const s = sim.reset(scene);
    const a = createExpert(scene, { noise: 0.5, seed: 9 }).act(s);
    const b = createExpert(scene, { noise: 0.5, seed: 9 }).act(s);
    const c = createExpert(scene, { noise: 0.5, seed: 10 }).act(s);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(7);
  });
});

/**
 * The same seed, task and actions give the identical state in the browser and in Node: the page runs
 * the scripted expert for a fixed number of steps, this Node process runs the same sim and expert, and
 * the two states must agree exactly (core/detMath.ts keeps trig engine-independent).
 */
import { expect, test } from '@playwright/test';
import { createExpert } from '../src/core/expert';
import { generateScene } from '../src/core/sceneGenerator';
import { Sim } from '../src/sim/Sim';
import { openPlayground } from './helpers';

const CASES = [
  { seed: 3, task: 'put:red-block:blue-bowl', steps: 25 },
  { seed: 8, task: 'push:green-block:left', steps: 20 },
];

test('expert episodes reach bit-identical states in Chromium and in Node', async ({ page }) => {
  const { errors } = await openPlayground(page, '?cam=64');
  const sim = await Sim.create();
  try {
    for (const c of CASES) {
      const browser = await page.evaluate(async ({ seed, task, steps }) => {
        const r = await window.vla!.runExpert({ seed, task, maxSteps: steps });
        return { steps: r.steps, state: window.vla!.state() };
      }, c);
      expect(browser.steps).toBe(c.steps);

      const scene = generateScene(c.seed, c.task);
      const start = sim.reset(scene);
      let state = start;
      const expert = createExpert(scene, {});
      for (let i = 0; i < c.steps; i++) state = sim.step(expert.act(state)).state;

      expect(browser.state.joints).toEqual(state.joints);
      expect(browser.state.ee.pos).toEqual(state.ee.pos);
      expect(browser.state.gripper).toEqual(state.gripper);
      for (const [name, pose] of Object.entries(state.objects)) {
        expect(browser.state.objects[name]?.pos, name).toEqual(pose.pos);
        expect(browser.state.objects[name]?.quat, name).toEqual(pose.quat);
      }
      // The state must have moved, or equality would prove nothing.
      const moved = Math.hypot(...state.ee.pos.map((p, i) => p - (start.ee.pos[i] ?? 0)));
      expect(moved).toBeGreaterThan(0.02);
    }
  } finally {
    sim.dispose();
  }
  expect(errors).toEqual([]);
});

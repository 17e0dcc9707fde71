import { beforeAll, describe, expect, it } from 'vitest';
import { outcomeCounts, parseArgs } from '../../scripts/eval';
import { traceEpisode, traceOutcome } from '../../scripts/lib/evalTrace';
import { createExpert } from '../../src/core/expert';
import { generateScene } from '../../src/core/sceneGenerator';
import { Sim } from '../../src/sim/Sim';

let sim: Sim;
beforeAll(async () => {
  sim = await Sim.create({ controlHz: 10 });
});

/** The scripted expert's own actions for (seed, task), run until it is done. */
function expertActions(seed: number, task: string, maxSteps = 80): number[][] {
  const scene = generateScene(seed, task);
  const expert = createExpert(scene);
  let s = sim.reset(scene);
  const out: number[][] = [];
  while (!expert.done && out.length < maxSteps) {
    const a = expert.act(s);
    out.push(a);
    s = sim.step(a).state;
  }
  return out;
}

describe('eval --trace', () => {
  it('replays the applied actions and labels every state with the expert (here the same actions)', () => {
    const actions = expertActions(11, 'pick:red-block');
    const ep = {
      seed: 11,
      task: 'pick:red-block',
      instruction: 'pick up the red block',
      success: true,
      reason: 'x',
    };
    const trace = traceEpisode(sim, ep, actions);
    expect(trace.steps).toHaveLength(actions.length);
    for (const s of trace.steps) {
      s.policy.forEach((v, k) => {
        expect(s.expert[k]).toBeCloseTo(v, 4);
      });
    }
    // The replay reaches the same states as the run: the arm closes on the block and then holds it.
    const phases = trace.steps.map((s) => s.expert_phase);
    expect(phases[0]).toBe('approach');
    expect(phases).toContain('lift');
    const firstHeld = trace.steps.findIndex((s) => s.held);
    expect(firstHeld).toBeGreaterThan(0);
    expect(trace.steps[firstHeld]!.block_xy_dist).toBeLessThan(0.02);
    expect(trace.steps[0]!.block_xy_dist).toBeGreaterThan(0.05);
  });

  it("shows where another action sequence leaves the expert's labels", () => {
    // Straight down from the start: the expert's label keeps pointing sideways to the block.
    const down = Array.from({ length: 8 }, () => [0, 0, -0.02, 0, 0, 0, 1]);
    const ep = { seed: 11, task: 'pick:red-block', instruction: 'x', success: false, reason: 'x' };
    const trace = traceEpisode(sim, ep, down);
    const last = trace.steps[trace.steps.length - 1]!;
    expect(last.ee[2]!).toBeLessThan(trace.steps[0]!.ee[2]! - 0.1);
    expect(Math.hypot(last.expert[0]!, last.expert[1]!)).toBeGreaterThan(0.01);
    expect(last.held).toBe(false);
  });

  it('classifies how an episode went: early descent, wrong object, never reached, not grasped, success', () => {
    const ep = { seed: 11, task: 'pick:red-block', instruction: 'x', success: false, reason: 'x' };
    // Straight down where it starts (12 × 2 cm from 25 cm): low while the expert still approaches.
    const down = traceEpisode(
      sim,
      ep,
      Array.from({ length: 12 }, () => [0, 0, -0.02, 0, 0, 0, 1]),
    );
    const early = traceOutcome(down);
    expect(early.outcome).toBe('early descent');
    expect(early.lowAt).toBeGreaterThan(0);
    // Standing still at the start pose: never low, never near the block.
    const still = traceEpisode(
      sim,
      ep,
      Array.from({ length: 5 }, () => [0, 0, 0, 0, 0, 0, 1]),
    );
    expect(traceOutcome(still)).toEqual({ outcome: 'never reached', lowAt: null });
    // The expert's own approach and descent, cut before it closes: reached, not grasped.
    const expert = expertActions(11, 'pick:red-block');
    const firstClose = expert.findIndex((a) => a[6]! < 0.5);
    const open = traceEpisode(sim, ep, expert.slice(0, firstClose));
    expect(traceOutcome(open).outcome).toBe('not grasped');
    expect(traceOutcome(traceEpisode(sim, { ...ep, success: true }, expert)).outcome).toBe('success');
    // The expert's actions for the scene's other block (seed 11 holds red_block, purple_bowl, purple_block):
    // a grasp of the wrong block, precise as it is.
    const scene = generateScene(11, 'pick:red-block');
    const other = createExpert({ ...scene, task: 'pick:purple-block' });
    let s = sim.reset(scene);
    const wrong: number[][] = [];
    for (let t = 0; t < 20; t++) {
      const a = other.act(s);
      wrong.push(a);
      s = sim.step(a).state;
    }
    const wrongTrace = traceEpisode(sim, ep, wrong);
    expect(wrongTrace.steps.at(-1)!.nearest).toBe('purple_block');
    expect(traceOutcome(wrongTrace).outcome).toBe('wrong object');
    // The same descent in a push is not a grasp: it stays an early descent.
    const pushEp = { ...ep, task: 'push:red-block:left' };
    expect(traceOutcome({ ...wrongTrace, task: pushEp.task }).outcome).toBe('early descent');
    // Counted per family × split.
    const rows = outcomeCounts([
      { family: 'pick', split: 'seen', outcome: 'early descent' },
      { family: 'pick', split: 'seen', outcome: 'success' },
      { family: 'push', split: 'combo', outcome: 'early descent' },
      { family: 'push', split: 'combo' },
    ] as unknown as Parameters<typeof outcomeCounts>[0]);
    expect(
      rows.map((r) => [r.family, r.split, r.episodes, r.counts['early descent'], r.counts.success]),
    ).toEqual([
      ['pick', 'seen', 2, 1, 1],
      ['push', 'combo', 1, 1, 0],
    ]);
  });

  it('parses --trace', () => {
    expect(parseArgs(['--model', 'm', '--trace', 'out/t']).trace).toMatch(/out[\\/]t$/);
    expect(parseArgs(['--model', 'm']).trace).toBeNull();
  });
});

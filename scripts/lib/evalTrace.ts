/**
 * `npm run eval -- --trace DIR`: one JSON per policy episode that replays the episode's applied actions in
 * the Node sim (the same deterministic Sim as the page) and puts, for every step, the arm, the task's
 * block, the policy's action and the scripted expert's action for that same state (its label, as the
 * DAgger data would have it) side by side. This is how a researcher sees where a policy leaves the
 * demonstrations: e.g. descending before it is over the block. Node only.
 */
import { createExpert } from '../../src/core/expert';
import { generateScene } from '../../src/core/sceneGenerator';
import { parseTask, taskReferents } from '../../src/core/task';
import type { Sim } from '../../src/sim/Sim';

export interface TraceStep {
  t: number;
  ee: number[];
  gripper: number;
  block: number[];
  /** Horizontal distance from the grasp site to the task's block, m. */
  block_xy_dist: number;
  held: boolean;
  /** The action the policy applied at this state. */
  policy: number[];
  /** The scripted expert's action for this state, and its phase. */
  expert: number[];
  expert_phase: string;
}

export interface EpisodeTrace {
  seed: number;
  task: string;
  instruction: string;
  success: boolean;
  reason: string;
  steps: TraceStep[];
}

const r5 = (v: number) => Math.round(v * 1e5) / 1e5;

/** Replay `actions` from (seed, task) in `sim`, with the expert's label for every state reached. */
export function traceEpisode(
  sim: Sim,
  ep: { seed: number; task: string; instruction: string; success: boolean; reason: string },
  actions: readonly (readonly number[])[],
): EpisodeTrace {
  const scene = generateScene(ep.seed, ep.task);
  const [blockName] = taskReferents(parseTask(ep.task));
  const expert = createExpert(scene);
  let s = sim.reset(scene);
  const steps: TraceStep[] = [];
  for (let t = 0; t < actions.length; t++) {
    const label = expert.act(s);
    const b = s.objects[blockName!]!.pos;
    const ee = s.ee.pos;
    steps.push({
      t,
      ee: ee.map(r5),
      gripper: r5(s.gripper),
      block: b.map(r5),
      block_xy_dist: r5(Math.hypot(ee[0]! - b[0]!, ee[1]! - b[1]!)),
      held: s.grasped.includes(blockName!),
      policy: actions[t]!.map(r5),
      expert: label.map(r5),
      expert_phase: expert.phase,
    });
    s = sim.step([...actions[t]!]).state;
  }
  return { ...ep, steps };
}

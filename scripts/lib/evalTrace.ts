/**
 * `npm run eval -- --trace DIR`: one JSON per policy episode that replays the episode's applied actions in
 * the Node sim (the same deterministic Sim as the page) and puts, for every step, the arm, the task's
 * block, the policy's action and the scripted expert's action for that same state (its label, as the
 * DAgger data would have it) side by side. This is how a researcher sees where a policy leaves the
 * demonstrations: e.g. descending before it is over the block. Node only.
 */
import { createExpert, HOVER_Z } from '../../src/core/expert';
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
  /** The scene object horizontally nearest the grasp site (its name, e.g. `green_block`), and how far, m. */
  nearest: string;
  nearest_dist: number;
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
    let nearest = '';
    let best = Number.POSITIVE_INFINITY;
    for (const [name, o] of Object.entries(s.objects)) {
      const d = Math.hypot(ee[0]! - o.pos[0]!, ee[1]! - o.pos[1]!);
      if (d < best) [nearest, best] = [name, d];
    }
    steps.push({
      t,
      ee: ee.map(r5),
      gripper: r5(s.gripper),
      block: b.map(r5),
      block_xy_dist: r5(Math.hypot(ee[0]! - b[0]!, ee[1]! - b[1]!)),
      held: s.grasped.includes(blockName!),
      nearest,
      nearest_dist: r5(best),
      policy: actions[t]!.map(r5),
      expert: label.map(r5),
      expert_phase: expert.phase,
    });
    s = sim.step([...actions[t]!]).state;
  }
  return { ...ep, steps };
}

/** How a traced episode went, the first that applies (see `traceOutcome`), in table order. */
export const TRACE_OUTCOMES = [
  'success',
  'wrong object',
  'early descent',
  'never reached',
  'not grasped',
  'dropped or stalled',
] as const;
export type TraceOutcome = (typeof TRACE_OUTCOMES)[number];

/** The grasp site this far below the expert's hover height counts as low. */
const LOW_BELOW_HOVER_M = 0.03;
/** Closer than this (horizontally) to the task's block counts as reaching it. */
const REACHED_M = 0.02;
/** Low within this distance (horizontally) of an object counts as having gone for it. */
const WENT_FOR_M = 0.03;
/** The expert's label moving at least this far sideways means it is not over its target yet. */
const STILL_MOVING_M = 0.015;

/**
 * Where a policy episode went wrong, read from its trace. The arm going *low* (more than 3 cm under the
 * expert's hover height, 11 cm) where the expert, in that state, was still approaching (phase `approach` or
 * `push_above`, its label moving ≥ 1.5 cm sideways) is `wrong object` when, in a pick or put, another object
 * is the nearest to the grasp site there, within 3 cm (it went for the wrong block, or for the container
 * first: the instruction was not followed), else `early descent` (down before it was over the block or the push
 * start); `never reached` when the grasp
 * site never came within 2 cm of the block; `not grasped` when it did but (for pick and put) never held it;
 * otherwise `dropped or stalled`. Also the first step of the early descent (or null).
 */
export function traceOutcome(
  trace: EpisodeTrace,
  hoverZ = HOVER_Z,
): { outcome: TraceOutcome; lowAt: number | null } {
  const low = trace.steps.find(
    (s) =>
      (s.expert_phase === 'approach' || s.expert_phase === 'push_above') &&
      s.ee[2]! < hoverZ - LOW_BELOW_HOVER_M &&
      Math.hypot(s.expert[0]!, s.expert[1]!) >= STILL_MOVING_M,
  );
  const lowAt = low ? low.t : null;
  if (trace.success) return { outcome: 'success', lowAt };
  const grasps = !trace.task.startsWith('push:');
  const [blockName] = taskReferents(parseTask(trace.task));
  // Traces written before `nearest` existed have none: they can only say early descent.
  if (low && grasps && low.nearest && low.nearest !== blockName && low.nearest_dist < WENT_FOR_M)
    return { outcome: 'wrong object', lowAt };
  if (low) return { outcome: 'early descent', lowAt };
  if (!trace.steps.some((s) => s.block_xy_dist < REACHED_M)) return { outcome: 'never reached', lowAt };
  if (grasps && !trace.steps.some((s) => s.held)) return { outcome: 'not grasped', lowAt };
  return { outcome: 'dropped or stalled', lowAt };
}

/**
 * The bench's native baseline: the app's own decode loop (OnnxPolicy via createInProcessPolicy) on
 * onnxruntime-node's CPU execution provider, with its intra-op thread count set per session; and the
 * onnxruntime-web WASM build in Node for comparison. Node only; never bundled into the app.
 */
import * as ortNode from 'onnxruntime-node';
import { createExpert } from '../../src/core/expert';
import type { Manifest } from '../../src/core/manifest';
import { proprioState } from '../../src/core/proprio';
import { generateScene } from '../../src/core/sceneGenerator';
import type { SimState } from '../../src/core/types';
import { createInProcessPolicy } from '../../src/inference/inProcess';
import type { OnnxPolicy } from '../../src/inference/onnxPolicy';
import type { OrtModule } from '../../src/inference/sessions';
import { Sim } from '../../src/sim/Sim';
import type { CapturedScene, StepSample } from './benchBrowser';

/**
 * onnxruntime-node behind the sessions' ORT interface: every session runs on the CPU EP with `threads`
 * intra-op threads (one inter-op thread, sequential execution), keeping the app's other session options.
 */
export function nodeOrtModule(threads: number): OrtModule {
  return {
    Tensor: ortNode.Tensor,
    InferenceSession: {
      create: (model, options) =>
        ortNode.InferenceSession.create(model, {
          ...options,
          executionProviders: ['cpu'],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
        }),
    },
  };
}

/** An in-process Policy on onnxruntime-node with `threads` intra-op threads. */
export function createNodePolicy(threads: number): OnnxPolicy {
  return createInProcessPolicy({ threads, ort: nodeOrtModule(threads) });
}

/** One timed predict of `policy` on a scene captured in the page (same frame, state and prompt). */
export async function predictInNode(
  policy: OnnxPolicy,
  manifest: Manifest,
  scene: CapturedScene,
  useKvCache = true,
): Promise<StepSample> {
  const state = manifest.state ? proprioState(manifest.state.names, scene.state as SimState) : undefined;
  const frame = { width: scene.width, height: scene.height, channels: 3 as const, data: scene.rgb.slice() };
  const t0 = performance.now();
  const step = await policy.predict(frame, scene.instruction, {
    ...(state ? { state } : {}),
    ...(useKvCache ? {} : { useKvCache: false }),
  });
  const roundTrip = performance.now() - t0;
  const t = step.timings;
  return {
    preprocess: t.preprocessMs,
    vision: t.visionMs,
    embed: t.embedMs,
    prefill: t.prefillMs,
    decode: [...t.decodeMs],
    detokenize: t.detokenizeMs,
    total: t.totalMs,
    roundTrip,
    tokens: [...step.tokens],
  };
}

/**
 * Wall time of each `Sim.step` (IK + physics substeps of one control period), ms, over scripted-expert
 * episodes of `tasks` (seeds from 1) until `steps` steps in all: the same Sim code the page runs, in Node.
 */
export async function simStepTimes(
  tasks: readonly string[],
  steps: number,
  maxPerEpisode = 150,
): Promise<number[]> {
  const sim = await Sim.create();
  const out: number[] = [];
  try {
    for (let e = 0; out.length < steps; e++) {
      const task = tasks[e % tasks.length]!;
      const scene = generateScene(e + 1, task);
      let state = sim.reset(scene);
      const expert = createExpert(scene);
      for (let i = 0; i < maxPerEpisode && out.length < steps; i++) {
        const action = expert.act(state);
        const t0 = performance.now();
        state = sim.step(action).state;
        out.push(performance.now() - t0);
      }
    }
  } finally {
    sim.dispose();
  }
  return out;
}

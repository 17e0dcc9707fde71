/**
 * The closed loop in Node: PolicySource over the in-process fixture policy and a fake one, driven by the
 * real EpisodeRunner + Sim — proprio state from the manifest's names, frames copied before transfer,
 * pause / resume / single step, pacing at the model's control rate, and the automation result shapes.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import manifestJson from '../../models/fixture-random/manifest.json';
import { EpisodeRunner } from '../../src/app/EpisodeRunner';
import { PolicySource, type PolicyStepRecord } from '../../src/app/PolicySource';
import { toPredictResult } from '../../src/app/policyAutomation';
import { parseManifest } from '../../src/core/manifest';
import type { Frame, PolicyStep, PredictOptions } from '../../src/core/policy';
import { createInProcessPolicy } from '../../src/inference/inProcess';
import { Sim } from '../../src/sim/Sim';

const DIR = fileURLToPath(new URL('../../models/fixture-random', import.meta.url));
const manifest = parseManifest(manifestJson, 'models/fixture-random/manifest.json');

/** A 64×64 RGB test frame: r = 4x, g = 4y, b = 128 (a gradient, known by formula). */
function gradient(): { width: number; height: number; rgb: Uint8Array } {
  const rgb = new Uint8Array(64 * 64 * 3);
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 64; x++) {
      const i = 3 * (y * 64 + x);
      rgb[i] = 4 * x;
      rgb[i + 1] = 4 * y;
      rgb[i + 2] = 128;
    }
  return { width: 64, height: 64, rgb };
}

/** A fake policy: records its inputs, detaches the frame buffer like the worker does, returns a fixed step. */
function fakePolicy(action: number[]) {
  const calls: { frame: Frame; instruction: string; options: PredictOptions; firstByte: number }[] = [];
  return {
    calls,
    async predict(frame: Frame, instruction: string, options: PredictOptions = {}): Promise<PolicyStep> {
      calls.push({ frame, instruction, options, firstByte: frame.data[3] ?? -1 });
      structuredClone(frame.data.buffer, { transfer: [frame.data.buffer as ArrayBuffer] }); // detach
      const dims = action.length;
      return {
        tokens: action.map((_, d) => 300 - d),
        normalized: action.map(() => 0),
        action,
        probs: new Float32Array(dims * 4).fill(0.25),
        timings: {
          preprocessMs: 1,
          visionMs: 2,
          embedMs: 3,
          prefillMs: 4,
          decodeMs: [1, 2],
          detokenizeMs: 0.5,
          totalMs: 13.5,
        },
        prompt: { text: instruction, ids: [], truncated: false },
        executionProvider: 'wasm',
      };
    },
  };
}

describe('PolicySource with a fake policy', () => {
  it('feeds the manifest state [ee_x, ee_y, ee_z, gripper] and keeps its own copy of the frame', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(1, 'pick:red-block');
    const fake = fakePolicy([0.01, 0, 0, 0, 0, 0, 1]);
    const records: PolicyStepRecord[] = [];
    const src = new PolicySource({
      policy: fake,
      manifest,
      instruction: 'pick up the red block',
      capture: gradient,
      onStep: (r) => records.push(r),
    });
    const s0 = runner.sim.state();
    const r = await runner.run(src, { maxSteps: 3 });
    expect(r.steps).toBe(3);
    expect(fake.calls).toHaveLength(3);
    const c0 = fake.calls[0]!;
    expect(c0.instruction).toBe('pick up the red block');
    expect(c0.options.state).toEqual([s0.ee.pos[0], s0.ee.pos[1], s0.ee.pos[2], s0.gripper]);
    expect(c0.firstByte).toBe(4); // pixel (1, 0): r = 4·1
    expect(c0.frame.data.byteLength).toBe(0); // transferred away…
    expect(records[0]!.frame.rgb[3]).toBe(4); // …while the record keeps its copy
    expect(records.map((x) => x.step)).toEqual([0, 1, 2]);
    expect(r.actions[0]).toEqual([0.01, 0, 0, 0, 0, 0, 1]);
    // +1 cm in x per step: the end effector follows (IK, physics), to within 5 mm after 3 steps.
    const s3 = runner.sim.state();
    expect(s3.ee.pos[0]! - s0.ee.pos[0]!).toBeGreaterThan(0.015);
  });

  it('toPredictResult flattens probs to [dims][bins] and sums the decode timings', async () => {
    const step = await fakePolicy([0, 0, 0, 0, 0, 0, 1]).predict(
      { width: 1, height: 1, channels: 3, data: new Uint8Array(3) },
      'x',
    );
    const r = toPredictResult(step);
    expect(r.probs).toHaveLength(7);
    expect(r.probs[6]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(r.timings.decodeMs).toBe(3);
    expect(r.timings.decode2Ms).toBe(2);
    expect(r.timings.totalMs).toBe(13.5);
    expect(r.attention).toBeUndefined();
  });
});

describe('PolicySource step reports (kept off the loop critical path)', () => {
  /** The fake policy, answering after `ms` (a worker's reply arrives in a later task), noting what was reported. */
  function slowPolicy(records: PolicyStepRecord[], ms: number) {
    const inner = fakePolicy([0, 0, 0, 0, 0, 0, 1]);
    const atCall: number[] = [];
    const atReply: number[] = [];
    return {
      atCall,
      atReply,
      async predict(frame: Frame, instruction: string, options: PredictOptions = {}): Promise<PolicyStep> {
        atCall.push(records.length);
        const step = await inner.predict(frame, instruction, options);
        await new Promise((r) => setTimeout(r, ms));
        atReply.push(records.length);
        return step;
      },
    };
  }

  it('reports step k once step k+1 is sent to the policy, and every step before the end event', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(1, 'pick:red-block');
    const records: PolicyStepRecord[] = [];
    const policy = slowPolicy(records, 5);
    const src = new PolicySource({
      policy,
      manifest,
      instruction: 'x',
      capture: gradient,
      onStep: (r) => records.push(r),
    });
    let atEnd = -1;
    runner.subscribe((e) => {
      if (e.type === 'end') atEnd = records.length;
    });
    const r = await runner.run(src, { maxSteps: 4 });
    expect(r.steps).toBe(4);
    // Not yet reported when the next step starts (the runner steps the sim and captures first)…
    expect(policy.atCall).toEqual([0, 0, 1, 2]);
    // …but reported while that prediction is in flight.
    expect(policy.atReply).toEqual([0, 1, 2, 3]);
    expect(atEnd).toBe(4);
    expect(records.map((x) => x.step)).toEqual([0, 1, 2, 3]);
  });

  it('batches reports to one per reportIntervalMs, and a paused episode reports its last step', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(1, 'pick:red-block');
    const records: PolicyStepRecord[] = [];
    const policy = slowPolicy(records, 1);
    const batches: number[] = [];
    let last = -1;
    const src = new PolicySource({
      policy,
      manifest,
      instruction: 'x',
      capture: gradient,
      onStep: (rec) => {
        if (rec.step !== last + 1) throw new Error(`step ${rec.step} after ${last}`);
        last = rec.step;
        records.push(rec);
      },
      reportIntervalMs: 60_000,
    });
    runner.subscribe((e) => {
      if (e.type === 'step' || e.type === 'end') batches.push(records.length);
    });
    const r = await runner.run(src, { stepsThisRun: 5 });
    expect([r.status, r.steps]).toEqual(['paused', 5]);
    // The first step is reported when step 2 is sent; the rest wait for the interval, then the pause.
    expect(policy.atReply).toEqual([0, 1, 1, 1, 1]);
    expect(batches).toEqual([0, 1, 1, 1, 1, 5]);
  });
});

describe('EpisodeRunner pause / single step / pacing', () => {
  it('single-steps, pauses, resumes the same episode, and paces at the given control rate', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(2, 'pick:blue-block');
    const src = new PolicySource({
      policy: fakePolicy([0, 0, 0, 0, 0, 0, 1]),
      manifest,
      instruction: 'x',
      capture: gradient,
    });
    const one = await runner.run(src, { stepsThisRun: 1 });
    expect([one.status, one.steps, runner.status]).toEqual(['paused', 1, 'paused']);

    // 50 Hz real time: steps 2..6 take ≥ 4 periods of 20 ms.
    const t0 = performance.now();
    const five = await runner.run(src, { pace: 'realtime', hz: 50, stepsThisRun: 5 });
    expect([five.status, five.steps]).toEqual(['paused', 6]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 20 - 2);

    const pending = runner.run(src, { pace: 'realtime', hz: 20, maxSteps: 1000 });
    await new Promise((r) => setTimeout(r, 120));
    await runner.pause();
    const paused = await pending;
    expect(paused.status).toBe('paused');
    expect(paused.steps).toBeGreaterThan(6);
    const t = runner.sim.state().time;
    await new Promise((r) => setTimeout(r, 80));
    expect(runner.sim.state().time).toBe(t); // nothing steps while paused

    const end = await runner.run(src, { maxSteps: paused.steps + 2 });
    expect([end.status, end.steps]).toEqual(['failure', paused.steps + 2]);
  });
});

describe('PolicySource on the committed fixture (in-process ONNX)', () => {
  const policy = createInProcessPolicy();
  beforeAll(async () => {
    await policy.load({ dir: DIR });
  });

  it('closes the loop: tokens in the action range, actions applied, the arm moves', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(3, 'pick:red-block');
    const q0 = runner.sim.state().joints;
    const records: PolicyStepRecord[] = [];
    const src = new PolicySource({
      policy,
      manifest,
      instruction: 'pick up the red block',
      capture: gradient,
      onStep: (r) => records.push(r),
    });
    const r = await runner.run(src, { maxSteps: 4 });
    expect(r.steps).toBe(4);
    const { vocab_size: V, bins, dims } = manifest.action;
    records.forEach((rec, i) => {
      expect(rec.result.tokens).toHaveLength(dims);
      for (const t of rec.result.tokens) expect(t >= V - bins && t < V).toBe(true);
      expect(r.actions[i]).toEqual(rec.result.action);
      expect(rec.result.probs.length).toBe(dims * bins);
    });
    const q1 = runner.sim.state().joints;
    expect(Math.max(...q1.map((q, i) => Math.abs(q - q0[i]!)))).toBeGreaterThan(1e-3);
  });
});

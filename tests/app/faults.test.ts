/**
 * Runtime faults (issue 7) in Node: a crashed worker ends a policy episode as 'interrupted' with its steps
 * kept — whether the pending action fails with WorkerCrashedError or the app interrupts the runner while
 * it waits between steps — and a later run starts normally; the policy slice restarts a crashed worker and
 * takes a WebGPU → WASM fallback, leaving a notice for the model panel.
 */
import { describe, expect, it } from 'vitest';
import manifestJson from '../../models/fixture-random/manifest.json';
import { type ActionSource, EpisodeRunner, type RunnerEvent } from '../../src/app/EpisodeRunner';
import { createAppStore } from '../../src/app/store';
import type { AppPolicy } from '../../src/app/store/policySlice';
import { WorkerCrashedError } from '../../src/core/errors';
import { parseManifest } from '../../src/core/manifest';
import type { ExecutionProvider, ModelInfo } from '../../src/core/policy';
import type { WorkerPolicyEvent } from '../../src/inference/client';
import { Sim } from '../../src/sim/Sim';

const HOLD = [0, 0, 0, 0, 0, 0, 1];

describe('EpisodeRunner interrupted outcome', () => {
  it('a WorkerCrashedError from the source ends the episode as interrupted, keeping its actions', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(3, 'pick:red-block');
    const ends: RunnerEvent[] = [];
    runner.subscribe((e) => e.type === 'end' && ends.push(e));
    const crashing: ActionSource = {
      kind: 'policy',
      act: (_s, step) => {
        if (step < 4) return HOLD;
        // what the worker client rejects a pending predict with (rebuilt from the worker boundary)
        const e = new Error('the inference worker stopped: terminated');
        e.name = 'WorkerCrashedError';
        return Promise.reject(e);
      },
    };
    const r = await runner.run(crashing, { maxSteps: 50 });
    expect(r.status).toBe('interrupted');
    expect(r.success).toBe(false);
    expect(r.steps).toBe(4);
    expect(r.actions).toHaveLength(4);
    expect(r.reason).toBe('interrupted at step 4: the inference worker stopped: terminated');
    expect(runner.status).toBe('interrupted');
    expect(ends).toHaveLength(1);

    // Other errors still fail the episode (and reject), as before.
    await runner.reset(3, 'pick:red-block');
    const broken: ActionSource = { kind: 'policy', act: () => Promise.reject(new Error('boom')) };
    await expect(runner.run(broken)).rejects.toThrow('boom');
    expect(runner.status).toBe('failure');
  });

  it('interrupt() ends a real-time episode waiting between steps, and the next run starts fresh', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(4, 'pick:green-block');
    let calls = 0;
    const src: ActionSource = {
      kind: 'policy',
      act: () => {
        calls++;
        return HOLD;
      },
    };
    const pending = runner.run(src, { pace: 'realtime', hz: 10, maxSteps: 1000 });
    await new Promise((res) => setTimeout(res, 250));
    await runner.interrupt('the inference worker stopped: uncaught error');
    const r = await pending;
    expect(r.status).toBe('interrupted');
    expect(r.steps).toBeGreaterThan(0);
    expect(r.steps).toBe(calls);
    expect(r.actions).toHaveLength(r.steps);
    expect(r.reason).toBe(`interrupted at step ${r.steps}: the inference worker stopped: uncaught error`);
    // nothing running: a no-op
    await runner.interrupt('again');
    expect(runner.status).toBe('interrupted');

    const next = await runner.run(src, { maxSteps: 2 + r.steps });
    expect(next.status).toBe('failure');
    expect(next.reason).toMatch(/max steps/);
  });

  it('interrupt() while the action is pending waits for it and ends interrupted', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(5, 'pick:blue-block');
    let reject: (e: Error) => void = () => {};
    const src: ActionSource = {
      kind: 'policy',
      act: (_s, step) => (step === 0 ? HOLD : new Promise((_res, rej) => (reject = (e: Error) => rej(e)))),
    };
    const pending = runner.run(src, { maxSteps: 10 });
    await new Promise((res) => setTimeout(res, 50));
    const stopping = runner.interrupt('the inference worker stopped: terminated');
    reject(new WorkerCrashedError('the inference worker stopped: terminated'));
    await stopping;
    const r = await pending;
    expect([r.status, r.steps]).toEqual(['interrupted', 1]);
  });
});

const manifest = parseManifest(manifestJson, 'manifest.json');
const infoOn = (ep: ExecutionProvider, reason: string): ModelInfo => ({
  id: manifest.id,
  name: manifest.name,
  manifest,
  executionProvider: ep,
  executionProviderReason: reason,
  wasmThreads: 1,
  bytes: {},
  hasAttention: true,
});

/** A policy handle with the worker client's event and restart calls, driven by the test. */
function fakeWorkerPolicy() {
  const listeners = new Set<(e: WorkerPolicyEvent) => void>();
  let restarts = 0;
  let release: () => void = () => {};
  const policy: AppPolicy = {
    info: null,
    load: async () => infoOn('webgpu', 'webgpu: requested'),
    predict: () => Promise.reject(new Error('not used')),
    dispose: async () => {},
    setExecutionProvider: async (ep) => infoOn(ep === 'webgpu' ? 'webgpu' : 'wasm', `${ep}: requested`),
    restart: async () => {
      restarts++;
      await new Promise<void>((r) => (release = r));
      return infoOn('wasm', 'wasm: requested');
    },
    onEvent: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
  return {
    policy,
    emit: (e: WorkerPolicyEvent) => {
      for (const l of listeners) l(e);
    },
    restarts: () => restarts,
    finishRestart: () => release(),
  };
}

describe('policy slice: runtime faults', () => {
  it('restarts a crashed worker and reloads the model, with a notice; replacing the policy unsubscribes', async () => {
    const store = createAppStore();
    const fake = fakeWorkerPolicy();
    store.getState().setPolicy(fake.policy);
    await store.getState().loadModel('models/fixture-random');
    expect(store.getState().model.status).toBe('ready');

    fake.emit({ type: 'crashed', message: 'the inference worker stopped: terminated' });
    await expect.poll(() => fake.restarts()).toBe(1);
    let m = store.getState().model;
    expect(m.status).toBe('loading');
    expect(m.notice).toEqual({
      kind: 'worker-restarted',
      message: 'the inference worker stopped: terminated; restarting it and reloading fixture-random…',
    });
    fake.finishRestart();
    await expect.poll(() => store.getState().model.status).toBe('ready');
    m = store.getState().model;
    expect(m.info?.executionProvider).toBe('wasm');
    expect(m.notice?.message).toBe(
      'the inference worker stopped: terminated; restarted it and reloaded fixture-random (WASM).',
    );
    expect(m.error).toBeNull();

    // A new policy handle: the old one's events no longer reach the store.
    const other = fakeWorkerPolicy();
    store.getState().setPolicy(other.policy);
    fake.emit({ type: 'crashed', message: 'old worker' });
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.restarts()).toBe(1);
    // A new load clears the notice.
    await store.getState().loadModel('models/fixture-random');
    expect(store.getState().model.notice).toBeNull();
  });

  it('takes a WebGPU → WASM fallback: new info, the WASM button, a device-lost notice', async () => {
    const store = createAppStore();
    const fake = fakeWorkerPolicy();
    store.getState().setPolicy(fake.policy);
    await store
      .getState()
      .setExecutionProvider('webgpu')
      .catch(() => null); // no model yet: only the preference
    await store.getState().loadModel('models/fixture-random');
    expect(store.getState().model.epPreference).toBe('webgpu');
    const reason = 'WebGPU device lost (destroyed: Device was destroyed.); fell back to WASM';
    fake.emit({ type: 'fell-back', info: infoOn('wasm', reason), reason });
    const m = store.getState().model;
    expect(m.info?.executionProvider).toBe('wasm');
    expect(m.info?.executionProviderReason).toBe(reason);
    expect(m.epPreference).toBe('wasm');
    expect(m.notice).toEqual({ kind: 'device-lost', message: reason });
    expect(m.status).toBe('ready');
  });
});

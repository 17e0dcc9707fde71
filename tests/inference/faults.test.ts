/**
 * Model and runtime faults (issue 7) below the UI: the structural ONNX check names truncated and non-ONNX
 * files (on the real fixture graphs), the device-loss watch, DeviceLostError across the worker boundary,
 * and the worker client's recovery — a lost WebGPU device falls back to WASM in a fresh worker and the
 * predict that hit the loss is retried there; a crash is reported and restart() reloads the model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import manifestJson from '../../models/fixture-random/manifest.json';
import { DeviceLostError, reviveError, serializeError, WorkerCrashedError } from '../../src/core/errors';
import { parseManifest } from '../../src/core/manifest';
import type {
  ExecutionProvider,
  ExecutionProviderPreference,
  Frame,
  ModelInfo,
  PolicyStep,
} from '../../src/core/policy';
import { createWorkerPolicy, type WorkerPolicyEvent } from '../../src/inference/client';
import { DeviceLossWatch, describeDeviceLoss } from '../../src/inference/executionProvider';
import { checkOnnxBytes } from '../../src/inference/modelFiles';

const DIR = fileURLToPath(new URL('../../models/fixture-random/onnx/', import.meta.url));
const manifest = parseManifest(manifestJson, 'manifest.json');

describe('checkOnnxBytes', () => {
  const decoder = new Uint8Array(readFileSync(`${DIR}decoder.onnx`));

  it('passes the committed fixture graphs', () => {
    for (const g of ['vision_encoder', 'embed_tokens', 'decoder'])
      expect(checkOnnxBytes(new Uint8Array(readFileSync(`${DIR}${g}.onnx`)))).toBeNull();
  });

  it('names a truncated file: which field runs past the end, and the sizes', () => {
    const cut = decoder.subarray(0, Math.floor(decoder.length / 2));
    const msg = checkOnnxBytes(cut) ?? '';
    expect(msg).toMatch(/^is truncated: field 7 \(graph\) at byte \d+ needs \d+ bytes but only \d+ remain/);
    expect(msg).toContain(`the file has ${cut.length} bytes`);
    expect(checkOnnxBytes(decoder.subarray(0, 1))).toMatch(/^is truncated/);
  });

  it('calls random bytes, text and an empty file not ONNX', () => {
    let seed = 7;
    const random = new Uint8Array(4096).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) & 0xff;
    });
    random[0] = 0x3f; // not 0x08, so it cannot look like the start of a ModelProto
    expect(checkOnnxBytes(random)).toMatch(/^is not an ONNX model: .* \(its 4096 bytes start 3f /);
    expect(checkOnnxBytes(new TextEncoder().encode('<!doctype html><html>'))).toMatch(
      /^is not an ONNX model/,
    );
    expect(checkOnnxBytes(new Uint8Array(0))).toMatch(/empty/);
    // a well-formed protobuf with no graph
    expect(checkOnnxBytes(new Uint8Array([0x08, 0x07]))).toMatch(/no graph/);
  });
});

describe('DeviceLossWatch', () => {
  it('reports a loss once, to current and later subscribers, and fails guarded calls after it', async () => {
    let lose: (info: { reason: string; message: string }) => void = () => {};
    const device = { lost: new Promise<{ reason: string; message: string }>((r) => (lose = r)) };
    const watch = new DeviceLossWatch();
    watch.watch(device);
    watch.watch(device); // the same device again: one watch
    const heard: string[] = [];
    watch.subscribe((w) => heard.push(w));
    // a call in flight when the device is lost rejects with DeviceLostError (even if it would hang)
    const hanging = watch.guard(() => new Promise<number>(() => {}));
    expect(await watch.guard(async () => 41 + 1)).toBe(42);
    lose({ reason: 'destroyed', message: 'Device was destroyed.' });
    await expect(hanging).rejects.toBeInstanceOf(DeviceLostError);
    await expect(hanging).rejects.toThrow('the WebGPU device was lost (destroyed: Device was destroyed.)');
    expect(heard).toEqual(['destroyed: Device was destroyed.']);
    await expect(watch.guard(async () => 1)).rejects.toBeInstanceOf(DeviceLostError);
    const late = await new Promise<string>((r) => watch.subscribe(r));
    expect(late).toBe('destroyed: Device was destroyed.');
    expect(describeDeviceLoss({})).toBe('unknown');
  });

  it('DeviceLostError and WorkerCrashedError survive the worker boundary', () => {
    const e = reviveError(serializeError(new DeviceLostError('the WebGPU device was lost (destroyed)')));
    expect(e).toBeInstanceOf(DeviceLostError);
    expect(e.message).toBe('the WebGPU device was lost (destroyed)');
    expect(reviveError(serializeError(new WorkerCrashedError('x')))).toBeInstanceOf(WorkerCrashedError);
  });
});

/** A fake inference worker over a MessageChannel: the real API shape, device watching and fault hooks. */
function fakeWorkers() {
  const spawned: { ep: () => ExecutionProvider | null; loads: ExecutionProviderPreference[] }[] = [];
  let hangOnGpu = false;
  const spawn = () => {
    const { port1, port2 } = new MessageChannel();
    const watch = new DeviceLossWatch();
    let ep: ExecutionProvider | null = null;
    const loads: ExecutionProviderPreference[] = [];
    const info = (): ModelInfo => ({
      id: manifest.id,
      name: manifest.name,
      manifest,
      executionProvider: ep!,
      executionProviderReason: `${ep}: requested`,
      wasmThreads: 1,
      bytes: {},
      hasAttention: false,
    });
    const api = {
      async load(_src: unknown, pref: ExecutionProviderPreference) {
        loads.push(pref);
        ep = pref === 'wasm' ? 'wasm' : 'webgpu';
        return info();
      },
      async setExecutionProvider(pref: ExecutionProviderPreference) {
        ep = pref === 'wasm' ? 'wasm' : 'webgpu';
        return info();
      },
      predict(frame: Frame): Promise<PolicyStep> {
        return watch
          .guard(async () => {
            if (ep === 'webgpu' && hangOnGpu) await new Promise(() => {});
            return {
              tokens: [frame.data[0] ?? -1],
              normalized: [0],
              action: [0],
              probs: new Float32Array(1),
              timings: {
                preprocessMs: 0,
                visionMs: 0,
                embedMs: 0,
                prefillMs: 0,
                decodeMs: [],
                detokenizeMs: 0,
                totalMs: 0,
              },
              prompt: { text: '', ids: [], truncated: false },
              executionProvider: ep!,
            };
          })
          .catch((e: unknown) => {
            throw serializeError(e);
          });
      },
      async dispose() {},
      onDeviceLost(cb: (why: string) => void) {
        watch.subscribe((why) => void cb(why));
      },
      async debugLoseGpuDevice() {
        if (ep !== 'webgpu') return false;
        watch.markLost('destroyed: Device was destroyed.');
        return true;
      },
    };
    Comlink.expose(api, port2);
    spawned.push({ ep: () => ep, loads });
    return Object.assign(port1, {
      terminate: () => {
        port1.close();
        port2.close();
      },
    });
  };
  return { spawn, spawned, hang: (v: boolean) => (hangOnGpu = v) };
}

const frame = (v: number): Frame => ({ width: 1, height: 1, channels: 3, data: new Uint8Array([v, 0, 0]) });

describe('worker client recovery', () => {
  it('falls back to WASM in a fresh worker when the WebGPU device is lost, and says so', async () => {
    const w = fakeWorkers();
    const client = createWorkerPolicy({ spawn: w.spawn });
    const events: WorkerPolicyEvent[] = [];
    client.onEvent((e) => events.push(e));
    expect((await client.load({ url: 'models/x' }, { executionProvider: 'webgpu' })).executionProvider).toBe(
      'webgpu',
    );
    expect((await client.predict(frame(9), 'go')).executionProvider).toBe('webgpu');
    expect(await client.debugLoseGpuDevice()).toBe(true);
    await expect.poll(() => events.length).toBe(1);
    const e = events[0]!;
    expect(e.type).toBe('fell-back');
    if (e.type !== 'fell-back') return;
    expect(e.reason).toBe('WebGPU device lost (destroyed: Device was destroyed.); fell back to WASM');
    expect(e.info.executionProvider).toBe('wasm');
    expect(client.info?.executionProviderReason).toBe(e.reason);
    expect(w.spawned).toHaveLength(2);
    expect(w.spawned[1]!.loads).toEqual(['wasm']);
    const step = await client.predict(frame(5), 'go');
    expect([step.executionProvider, step.tokens[0]]).toEqual(['wasm', 5]);
    expect(await client.debugLoseGpuDevice()).toBe(false); // on WASM now
    client.terminate();
  });

  it('retries on WASM the predict that was waiting on the device when it was lost', async () => {
    const w = fakeWorkers();
    const client = createWorkerPolicy({ spawn: w.spawn });
    await client.load({ url: 'models/x' }, { executionProvider: 'webgpu' });
    w.hang(true);
    const input = frame(77);
    const pending = client.predict(input, 'go');
    expect(input.data.byteLength).toBe(0); // transferred
    await new Promise((r) => setTimeout(r, 20));
    await client.debugLoseGpuDevice();
    const step = await pending;
    expect([step.executionProvider, step.tokens[0]]).toEqual(['wasm', 77]); // same frame, on WASM
    expect(client.info?.executionProvider).toBe('wasm');
    client.terminate();
  });

  it('a terminated worker rejects the pending call, reports a crash, and restart() reloads the model', async () => {
    const w = fakeWorkers();
    const client = createWorkerPolicy({ spawn: w.spawn });
    const events: WorkerPolicyEvent[] = [];
    client.onEvent((e) => events.push(e));
    await client.load({ url: 'models/x' }, { executionProvider: 'wasm' });
    w.hang(true);
    await client.setExecutionProvider('webgpu'); // a replaced worker is not a crash
    expect(events).toEqual([]);
    const pending = client.predict(frame(1), 'go');
    client.terminate();
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(client.crashed).toBe(true);
    expect(events).toEqual([{ type: 'crashed', message: 'the inference worker stopped: terminated' }]);
    await expect(client.predict(frame(1), 'go')).rejects.toBeInstanceOf(WorkerCrashedError);
    w.hang(false);
    const info = await client.restart();
    expect(info?.executionProvider).toBe('webgpu');
    expect(client.crashed).toBe(false);
    expect((await client.predict(frame(3), 'go')).tokens).toEqual([3]);
    client.terminate();
  });
});

/**
 * What the soak script's leak and memory figures rest on, with the real runtime in Node: the memory probe
 * sees a WebAssembly module's memory and its growth (a hand-assembled 1-page module), and after each
 * predict of the fixture model every ORT tensor made for it has been disposed, with one live session per
 * graph until dispose.
 */
import { describe, expect, it } from 'vitest';
import { createInProcessPolicy } from '../../src/inference/inProcess';
import { installMemoryProbe, type MemoryStats, memoryStats } from '../../src/inference/memoryProbe';
import { ortResourceCounts } from '../../src/inference/sessions';

// (module (memory (export "mem") 1)): header, memory section (1 memory, min 1 page), export section.
const ONE_PAGE_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x07, 0x01, 0x03, 0x6d,
  0x65, 0x6d, 0x02, 0x00,
]);

describe('memory probe', () => {
  it('reports the memory of modules instantiated after install, and its growth', async () => {
    const scope: { vlaDebug?: { memoryStats(): MemoryStats } } = {};
    installMemoryProbe(scope);
    const before = memoryStats().wasmBytes;
    const { instance } = await WebAssembly.instantiate(ONE_PAGE_MODULE);
    expect(memoryStats().wasmBytes - before).toBe(65536);
    (instance.exports.mem as WebAssembly.Memory).grow(2);
    expect(memoryStats().wasmBytes - before).toBe(3 * 65536);
    expect(scope.vlaDebug?.memoryStats().wasmBytes).toBe(memoryStats().wasmBytes);
  });
});

describe('ORT resource counts', () => {
  it('disposes every tensor of a step and holds one session per graph until dispose', async () => {
    const base = ortResourceCounts();
    const policy = createInProcessPolicy();
    await policy.load({ dir: 'models/fixture-random' });
    expect(ortResourceCounts().sessions - base.sessions).toBe(3);
    const frame = () => ({
      width: 64,
      height: 64,
      channels: 3 as const,
      data: new Uint8Array(64 * 64 * 3).fill(90),
    });
    for (const useKvCache of [true, false]) {
      const made = ortResourceCounts().tensorsCreated;
      await policy.predict(frame(), 'pick up the red block', { state: [0.45, 0, 0.2, 1], useKvCache });
      const after = ortResourceCounts();
      expect(after.tensorsCreated).toBeGreaterThan(made + 20); // inputs and outputs of ~15 graph runs
      expect(after.tensors).toBe(base.tensors);
    }
    await policy.dispose();
    expect(ortResourceCounts().sessions).toBe(base.sessions);
  });
});

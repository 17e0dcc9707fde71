/**
 * Memory readings of a playground page for the soak script: the main thread's JS heap after a forced GC
 * (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage), DOM nodes and listeners (Performance.getMetrics),
 * the main thread's WebAssembly memories (MuJoCo; recorded by an init script that wraps instantiation), and
 * the inference worker's memory probe (ORT's WASM heap, live sessions and tensors). Node only.
 */
import type { CDPSession, Page, Worker } from '@playwright/test';
import type { MemoryStats } from '../../src/inference/memoryProbe';
import { inferenceWorker, workerMemory } from './benchBrowser';

/**
 * Init script (a string, so that no bundler helper leaks into the page): remember every WebAssembly.Memory
 * imported or exported by modules the page instantiates; `window.__wasmMemoryBytes()` sums their sizes.
 */
export const WASM_MEMORY_INIT_SCRIPT = `(() => {
  const mems = new Set();
  const visit = (o, depth) => {
    if (o instanceof WebAssembly.Memory) mems.add(o);
    else if (depth > 0 && o && typeof o === 'object') for (const v of Object.values(o)) visit(v, depth - 1);
  };
  const note = (r, imports) => {
    const inst = r instanceof WebAssembly.Instance ? r : r && r.instance;
    visit(imports, 2);
    if (inst) visit(inst.exports, 1);
    return r;
  };
  const inst = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = (src, imports) => inst(src, imports).then((r) => note(r, imports));
  if (WebAssembly.instantiateStreaming) {
    const str = WebAssembly.instantiateStreaming.bind(WebAssembly);
    WebAssembly.instantiateStreaming = (src, imports) => str(src, imports).then((r) => note(r, imports));
  }
  window.__wasmMemoryBytes = () => { let n = 0; for (const m of mems) n += m.buffer.byteLength; return n; };
})();`;

/** One reading after `step` closed-loop steps. Worker figures are null when its probe is not reachable. */
export interface MemoryReading {
  step: number;
  /** Main thread JS heap after GC, bytes. */
  mainHeapUsed: number;
  mainHeapTotal: number;
  domNodes: number;
  jsEventListeners: number;
  /** Main thread WebAssembly memories (MuJoCo), bytes. */
  mainWasm: number;
  worker: MemoryStats | null;
}

export class PageMemory {
  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
    private worker: Worker | null,
  ) {}

  /** Call before the page navigates: installs the init script; attaches CDP. */
  static async attach(page: Page): Promise<PageMemory> {
    await page.addInitScript({ content: WASM_MEMORY_INIT_SCRIPT });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    return new PageMemory(page, cdp, null);
  }

  async read(step: number): Promise<MemoryReading> {
    await this.cdp.send('HeapProfiler.collectGarbage');
    const heap = await this.cdp.send('Runtime.getHeapUsage');
    const { metrics } = await this.cdp.send('Performance.getMetrics');
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    const mainWasm = await this.page.evaluate(() => {
      const f = (window as unknown as { __wasmMemoryBytes?: () => number }).__wasmMemoryBytes;
      return f ? f() : Number.NaN;
    });
    if (!this.worker || this.worker.url() === '') this.worker = await inferenceWorker(this.page);
    const worker = this.worker ? await workerMemory(this.worker).catch(() => null) : null;
    return {
      step,
      mainHeapUsed: heap.usedSize,
      mainHeapTotal: heap.totalSize,
      domNodes: metric('Nodes'),
      jsEventListeners: metric('JSEventListeners'),
      mainWasm,
      worker,
    };
  }

  async detach(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }
}

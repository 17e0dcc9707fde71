/**
 * In-page measurements for the bench, soak and perf scripts, all through `window.vla` of the built app in
 * headless Chromium: pages with or without cross-origin isolation (1-thread WASM), captured scenes (frame,
 * sim state, instruction) to replay in Node, timed predictions, model-camera renders, closed-loop episodes
 * with main-thread long tasks, cold starts, and the inference worker's memory probe. Node only.
 */
import type { Browser, BrowserContext, Page, Worker } from '@playwright/test';
import type { MemoryStats } from '../../src/inference/memoryProbe';
import type { Served } from './playground';

/** What a benchmark page really runs on. */
export interface PageInfo {
  modelId: string;
  executionProvider: string;
  crossOriginIsolated: boolean;
  /** navigator.hardwareConcurrency: the worker's WASM threads when cross-origin isolated. */
  hardwareConcurrency: number;
  /** WASM threads the worker uses (1 without cross-origin isolation, else the core count, at most 16). */
  wasmThreads: number;
  /** WebGPU adapter architecture (e.g. "swiftshader"), or null. */
  gpuAdapter: string | null;
}

export interface BenchPage {
  page: Page;
  context: BrowserContext;
  info: PageInfo;
  close(): Promise<void>;
}

export interface OpenBenchPageOptions {
  /** false: strip COOP/COEP from the document so the page (and its worker) is not cross-origin isolated. */
  isolated?: boolean;
  /** Query parameters of the page (model, ep, view…). */
  params: Record<string, string | number | boolean | undefined>;
  /** Wait for the model to be ready. @default true */
  waitReady?: boolean;
  onError?: (text: string) => void;
}

/** Page loads on a busy 2-core machine can take minutes; these scripts wait rather than fail. */
export const NAV_TIMEOUT_MS = 300_000;

const ISOLATION_HEADERS = ['cross-origin-opener-policy', 'cross-origin-embedder-policy'];

/** Open the app in a fresh browser context and wait for the model (and read what it runs on). */
export async function openBenchPage(
  browser: Browser,
  served: Served,
  options: OpenBenchPageOptions,
): Promise<BenchPage> {
  const context = await browser.newContext();
  if (options.isolated === false) {
    // Only the document's headers decide cross-origin isolation (a dedicated worker inherits its owner's).
    await context.route(
      (url) => url.pathname === '/' || url.pathname.endsWith('/index.html'),
      async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        for (const h of ISOLATION_HEADERS) delete headers[h];
        await route.fulfill({ response, headers });
      },
    );
  }
  const page = await context.newPage();
  const onError = (t: string) => {
    // ORT's node-placement warnings on WebGPU arrive as console errors; they are not errors.
    if (/\[W:onnxruntime/.test(t)) return;
    (options.onError ?? ((x: string) => process.stderr.write(`\n${x}\n`)))(t);
  };
  page.on('pageerror', (err) => onError(`[page error] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') onError(`[page console] ${msg.text()}`);
  });
  await page.goto(served.url(options.params), { waitUntil: 'domcontentloaded', timeout: NAV_TIMEOUT_MS });
  await page.waitForFunction(() => typeof window.vla?.predict === 'function', undefined, {
    timeout: NAV_TIMEOUT_MS,
  });
  const ready =
    options.waitReady === false
      ? { modelId: '', executionProvider: '' }
      : await page.evaluate(() => window.vla!.ready());
  const env = await page.evaluate(async () => {
    const nav = navigator as Navigator & {
      gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string } } | null> };
    };
    let gpuAdapter: string | null = null;
    try {
      const a = await nav.gpu?.requestAdapter();
      gpuAdapter = a ? (a.info?.architecture ?? 'unknown') : null;
    } catch {
      gpuAdapter = null;
    }
    return {
      crossOriginIsolated: self.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      gpuAdapter,
    };
  });
  const wasmThreads = env.crossOriginIsolated ? Math.max(1, Math.min(env.hardwareConcurrency, 16)) : 1;
  return {
    page,
    context,
    info: { ...ready, ...env, wasmThreads },
    close: () => context.close(),
  };
}

/** A scene captured in the page, to replay the same input in Node. */
export interface CapturedScene {
  seed: number;
  task: string;
  instruction: string;
  width: number;
  height: number;
  /** RGB bytes, rows top to bottom. */
  rgb: Uint8Array;
  /** Sim state as window.vla.state() gives it (MuJoCo frame, metres, radians). */
  state: { joints: number[]; ee: { pos: number[]; quat: number[] }; gripper: number };
}

/** Reset the page to (seed, task) and capture the model-camera frame and sim state there. */
export async function captureScene(page: Page, seed: number, task: string): Promise<CapturedScene> {
  const r = await page.evaluate(
    async (a) => {
      const { instruction } = await window.vla!.reset(a);
      const f = await window.vla!.cameraFrame();
      const s = window.vla!.state();
      return { instruction, frame: f, state: { joints: s.joints, ee: s.ee, gripper: s.gripper } };
    },
    { seed, task },
  );
  return {
    seed,
    task,
    instruction: r.instruction,
    width: r.frame.width,
    height: r.frame.height,
    rgb: new Uint8Array(Buffer.from(r.frame.rgbBase64, 'base64')),
    state: r.state,
  };
}

/** One step's timings, ms (browser: worker-side timings plus the page's round trip). */
export interface StepSample {
  preprocess: number;
  vision: number;
  embed: number;
  /** Prefill decoder call (yields action token 0). */
  prefill: number;
  /** One entry per further action token. */
  decode: number[];
  detokenize: number;
  /** Model time inside the worker / the Node policy. */
  total: number;
  /** Page: capture + predict round trip as window.vla.predict sees it. Node: the predict call. */
  roundTrip: number;
  tokens: number[];
}

/** Reset the page to `scene` (untimed). */
export async function resetTo(page: Page, scene: Pick<CapturedScene, 'seed' | 'task'>): Promise<void> {
  await page.evaluate((a) => window.vla!.reset(a), { seed: scene.seed, task: scene.task });
}

/** One timed `window.vla.predict` on the page's current frame. */
export async function predictInPage(page: Page, instruction: string): Promise<StepSample> {
  const r = await page.evaluate(async (text) => {
    const t0 = performance.now();
    const p = await window.vla!.predict({ instruction: text });
    return { roundTrip: performance.now() - t0, timings: p.timings, tokens: p.tokens };
  }, instruction);
  const t = r.timings;
  const decode: number[] = [];
  for (let i = 1; t[`decode${i}Ms`] !== undefined; i++) decode.push(t[`decode${i}Ms`]!);
  return {
    preprocess: t.preprocessMs ?? Number.NaN,
    vision: t.visionMs ?? Number.NaN,
    embed: t.embedMs ?? Number.NaN,
    prefill: t.prefillMs ?? Number.NaN,
    decode,
    detokenize: t.detokenizeMs ?? Number.NaN,
    total: t.totalMs ?? Number.NaN,
    roundTrip: r.roundTrip,
    tokens: r.tokens,
  };
}

/** Wall time of `n` model-camera captures (render + readback + base64 of the frame) on the current scene, ms. */
export async function renderTimes(page: Page, n: number): Promise<number[]> {
  return page.evaluate(async (count) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await window.vla!.cameraFrame();
      out.push(performance.now() - t0);
    }
    return out;
  }, n);
}

export interface LongTask {
  /** ms since the page's time origin. */
  start: number;
  duration: number;
}

export interface ClosedLoopRun {
  steps: number;
  episodes: number;
  /** Page time from the first episode's start to the last one's end, ms. */
  wallMs: number;
  /** Wall time of each step (capture, predict, IK, physics), ms. */
  stepMs: number[];
  longTasks: LongTask[];
}

/**
 * Closed-loop policy episodes (`window.vla.runEpisode`, as fast as possible) from `seed` on, until `steps`
 * steps in all; main-thread long tasks are observed over the whole run.
 */
export async function closedLoop(
  page: Page,
  task: string,
  seed: number,
  steps: number,
): Promise<ClosedLoopRun> {
  return page.evaluate(
    async (a) => {
      // No named functions in here: tsx would wrap them in a helper that does not exist in the page.
      const longTasks: { start: number; duration: number }[] = [];
      const obs = new PerformanceObserver((l) => {
        for (const e of l.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
      });
      obs.observe({ type: 'longtask' });
      const stepMs: number[] = [];
      let episodes = 0;
      const t0 = performance.now();
      while (stepMs.length < a.steps) {
        const r = await window.vla!.runEpisode({
          seed: a.seed + episodes,
          task: a.task,
          maxSteps: a.steps - stepMs.length,
        });
        episodes++;
        stepMs.push(...r.stepMs);
        if (r.steps === 0) break;
      }
      const wallMs = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 100));
      for (const e of obs.takeRecords()) longTasks.push({ start: e.startTime, duration: e.duration });
      obs.disconnect();
      return { steps: stepMs.length, episodes, wallMs, stepMs, longTasks };
    },
    { task, seed, steps },
  );
}

/** Page time (ms since navigation start) at which each milestone of a cold start was reached. */
export interface ColdStart {
  /** window.vla installed: world (MuJoCo, three.js) up. */
  worldMs: number;
  /** Model loaded (ready() resolved). */
  modelMs: number;
  /** First action returned (first window.vla.predict resolved). */
  firstActionMs: number;
}

/**
 * Open `url` in a new page of `context` and time page open → world → model → first action, in the
 * page's own clock (navigation start = 0).
 */
export async function coldStart(
  context: BrowserContext,
  url: string,
  instruction: string,
): Promise<ColdStart> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: NAV_TIMEOUT_MS });
    const worldMs = await page
      .waitForFunction(() => (typeof window.vla?.predict === 'function' ? performance.now() : 0), undefined, {
        polling: 'raf',
        timeout: NAV_TIMEOUT_MS,
      })
      .then((h) => h.jsonValue());
    const r = await page.evaluate(async (text) => {
      await window.vla!.ready();
      const modelMs = performance.now();
      await window.vla!.predict({ instruction: text });
      return { modelMs, firstActionMs: performance.now() };
    }, instruction);
    return { worldMs, ...r };
  } finally {
    await page.close();
  }
}

/** The page's inference worker (the one exposing the memory probe), or null. */
export async function inferenceWorker(page: Page): Promise<Worker | null> {
  for (const w of page.workers()) {
    const has = await w
      .evaluate(() => typeof (self as { vlaDebug?: unknown }).vlaDebug === 'object')
      .catch(() => false);
    if (has) return w;
  }
  return null;
}

/** The inference worker's memory probe (ORT WASM heap, JS heap where reported, live ORT objects). */
export function workerMemory(worker: Worker): Promise<MemoryStats> {
  return worker.evaluate(() =>
    (self as unknown as { vlaDebug: { memoryStats(): MemoryStats } }).vlaDebug.memoryStats(),
  );
}

/**
 * `npm run bench -- [--model <id|folder>] [--quick] [--json out.json] [--write-md [BENCHMARKS.md]]
 *  [--rounds R] [--scenes S] [--no-webgpu] [--no-cold] [--out-dir <build>] [--no-build]`
 * Benchmarks of the policy step: median and p95 per component in headless Chromium (WASM 1 thread without
 * cross-origin isolation, WASM on all cores, WebGPU — SwiftShader here) and in Node on onnxruntime-node
 * (same captured frames, prompts and thread counts; also full recompute without the KV cache), interleaved
 * round by round so that ratios compare runs made side by side; model-camera render in the page; IK +
 * physics in Node; closed-loop rate and main-thread long tasks with and without the 3D view; cold start
 * with an empty and a warm Cache API; model bytes per graph. Prints tables; --json writes the BenchReport;
 * --write-md refreshes the bench section of BENCHMARKS.md. Node only.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from '@playwright/test';
import type { Manifest } from '../src/core/manifest';
import type { OnnxPolicy } from '../src/inference/onnxPolicy';
import { resolveModel } from './eval';
import { flags } from './lib/args';
import { takeOptionalPath } from './lib/benchArgs';
import {
  type BenchPage,
  type CapturedScene,
  captureScene,
  closedLoop,
  coldStart,
  openBenchPage,
  predictInPage,
  renderTimes,
  resetTo,
  type StepSample,
} from './lib/benchBrowser';
import { finishMachineInfo, machineInfo, wasLoaded } from './lib/benchMachine';
import { createNodePolicy, predictInNode, simStepTimes } from './lib/benchNode';
import {
  aggregateSteps,
  type BenchReport,
  benchMarkdown,
  benchTargets,
  benchText,
  type ClosedLoopSummary,
  type ColdStartSummary,
  type ConfigResult,
  computeRatios,
  type GraphBytes,
} from './lib/benchReport';
import { summarize } from './lib/benchStats';
import { displayPath, folderBytes, writeReport } from './lib/files';
import { gitCommit } from './lib/git';
import { DEFAULT_BUILD_DIR, launchChromium, ROOT, servePlayground } from './lib/playground';
import { ProgressBar } from './lib/progress';

interface Args {
  model: string;
  quick: boolean;
  json: string | null;
  writeMd: string | null;
  rounds: number | null;
  scenes: number | null;
  webgpu: boolean;
  cold: boolean;
  outDir: string;
  build: boolean;
}

const USAGE =
  'usage: npm run bench -- [--model <id|folder>] [--quick] [--json out.json] [--write-md [BENCHMARKS.md]] ' +
  '[--rounds R] [--scenes S] [--no-webgpu] [--no-cold] [--out-dir <build folder>] [--no-build]';

export function parseArgs(argv: readonly string[]): Args {
  const [writeMd, rest] = takeOptionalPath(argv, '--write-md', join(ROOT, 'BENCHMARKS.md'));
  const a: Args = {
    model: 'vla-tabletop-s',
    quick: false,
    json: null,
    writeMd,
    rounds: null,
    scenes: null,
    webgpu: true,
    cold: true,
    outDir: DEFAULT_BUILD_DIR,
    build: true,
  };
  for (const f of flags(rest)) {
    const k = f.name;
    if (k === '--model') a.model = f.value();
    else if (k === '--quick') a.quick = true;
    else if (k === '--json') a.json = resolve(f.value());
    else if (k === '--rounds') a.rounds = f.integer(1);
    else if (k === '--scenes') a.scenes = f.integer(1);
    else if (k === '--no-webgpu') a.webgpu = false;
    else if (k === '--no-cold') a.cold = false;
    else if (k === '--out-dir') a.outDir = resolve(f.value());
    else if (k === '--no-build') a.build = false;
    else if (k === '--help' || k === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument "${k}"\n${USAGE}`);
  }
  return a;
}

/** Run sizes: --quick keeps a run short while the machine is busy. */
function sizes(a: Args) {
  const q = a.quick;
  return {
    scenes: a.scenes ?? (q ? 2 : 4),
    rounds: a.rounds ?? (q ? 3 : 10),
    /** WebGPU on SwiftShader is ~40× slower: it gets this many rounds. */
    webgpuRounds: Math.min(a.rounds ?? Number.POSITIVE_INFINITY, q ? 1 : 2),
    warmup: q ? 1 : 2,
    renders: q ? 10 : 40,
    simSteps: q ? 100 : 600,
    closedLoopSteps: q ? 20 : 100,
    coldRuns: q ? 1 : 3,
  };
}

const SCENE_TASKS = [
  'pick:red-block',
  'put:blue-block:green-bowl',
  'push:yellow-block:left',
  'put:green-block:red-plate',
  'pick:purple-block',
  'push:orange-block:forward',
];

function graphBytes(folder: string, manifest: Record<string, unknown>): GraphBytes[] {
  const graphs = (manifest.graphs ?? {}) as Record<string, string>;
  const q = (manifest.quantization ?? {}) as Record<string, string>;
  return Object.entries(graphs).map(([graph, file]) => {
    const p = join(folder, file);
    return {
      graph,
      file,
      bytes: existsSync(p) ? statSync(p).size : Number.NaN,
      ...(q[graph] ? { dtype: q[graph] } : {}),
    };
  });
}

interface Config {
  id: string;
  label: string;
  runtime: 'browser' | 'node';
  ep: string;
  threads: number;
  kvCache: boolean;
  note?: string;
  rounds: number;
  run(scene: CapturedScene): Promise<StepSample>;
  samples: { scene: number; sample: StepSample }[];
}

function tokenAgreement(c: Config, ref: Config | undefined): number | undefined {
  if (!ref || ref === c) return undefined;
  const refTokens = new Map<number, string>();
  for (const s of ref.samples) if (!refTokens.has(s.scene)) refTokens.set(s.scene, s.sample.tokens.join(','));
  const cmp = c.samples.filter((s) => refTokens.has(s.scene));
  if (cmp.length === 0) return undefined;
  return cmp.filter((s) => s.sample.tokens.join(',') === refTokens.get(s.scene)).length / cmp.length;
}

function coldSummary(
  runs: { worldMs: number; modelMs: number; firstActionMs: number }[],
): ColdStartSummary | null {
  if (runs.length === 0) return null;
  return {
    runs: runs.length,
    worldMs: summarize(runs.map((r) => r.worldMs)),
    modelMs: summarize(runs.map((r) => r.modelMs)),
    firstActionMs: summarize(runs.map((r) => r.firstActionMs)),
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const size = sizes(args);
  const machine0 = machineInfo();
  const model = resolveModel(args.model);
  if (!model.folder || !model.manifest) throw new Error('--model: bench needs a model folder on disk');
  const folder = model.folder;
  const served = await servePlayground({ outDir: args.outDir, build: args.build, mounts: model.mounts });
  let browser: Browser | null = null;
  const pages: BenchPage[] = [];
  const nodePolicies: OnnxPolicy[] = [];
  try {
    browser = await launchChromium();
    const chromium = `Chromium ${browser.version()} (headless)`;
    const base = { model: model.pageRef, view: 0 };

    log('opening pages: WASM all cores (cross-origin isolated) …');
    const wasmN = await openBenchPage(browser, served, { params: { ...base, ep: 'wasm' } });
    pages.push(wasmN);
    const n = wasmN.info.wasmThreads;
    if (!wasmN.info.crossOriginIsolated)
      log('warning: the page is not cross-origin isolated; WASM runs on 1 thread');
    log('opening pages: WASM 1 thread (COOP/COEP stripped) …');
    const wasm1 =
      n > 1
        ? await openBenchPage(browser, served, { params: { ...base, ep: 'wasm' }, isolated: false })
        : wasmN;
    if (wasm1 !== wasmN) pages.push(wasm1);
    let webgpu: BenchPage | null = null;
    if (args.webgpu) {
      log('opening pages: WebGPU …');
      try {
        webgpu = await openBenchPage(browser, served, { params: { ...base, ep: 'webgpu' } });
        pages.push(webgpu);
        if (webgpu.info.executionProvider !== 'webgpu') {
          log(`WebGPU page runs on ${webgpu.info.executionProvider}; skipping WebGPU`);
          webgpu = null;
        }
      } catch (e) {
        log(`WebGPU unavailable, skipped: ${(e as Error).message}`);
        webgpu = null;
      }
    }

    log(`capturing ${size.scenes} scenes …`);
    const scenes: CapturedScene[] = [];
    for (let i = 0; i < size.scenes; i++)
      scenes.push(await captureScene(wasmN.page, 11 + i, SCENE_TASKS[i % SCENE_TASKS.length]!));

    const manifestOf = async (p: OnnxPolicy): Promise<Manifest> => {
      const info = await p.load({ dir: folder });
      return info.manifest;
    };
    const nodeConfig = async (threads: number, kvCache: boolean): Promise<Config> => {
      const policy = createNodePolicy(threads);
      nodePolicies.push(policy);
      const manifest = await manifestOf(policy);
      return {
        id: `node-cpu-${threads}${kvCache ? '' : '-recompute'}`,
        label: `node CPU ${threads}t${kvCache ? '' : ' no KV'}`,
        runtime: 'node',
        ep: 'cpu',
        threads,
        kvCache,
        ...(kvCache ? {} : { note: 'full recompute of the sequence for every token (useKvCache: false)' }),
        rounds: size.rounds,
        run: (scene) => predictInNode(policy, manifest, scene, kvCache),
        samples: [],
      };
    };
    const pageConfig = (bp: BenchPage, id: string, label: string, ep: string, note?: string): Config => {
      let at: CapturedScene | null = null;
      return {
        id,
        label,
        runtime: 'browser',
        ep,
        threads: ep === 'webgpu' ? 0 : bp.info.wasmThreads,
        kvCache: true,
        ...(note ? { note } : {}),
        rounds: ep === 'webgpu' ? size.webgpuRounds : size.rounds,
        run: async (scene) => {
          if (at !== scene) await resetTo(bp.page, scene);
          at = scene;
          return predictInPage(bp.page, scene.instruction);
        },
        samples: [],
      };
    };
    const threadCounts = [...new Set([1, n])];
    const configs: Config[] = [];
    if (wasm1 !== wasmN) configs.push(pageConfig(wasm1, 'browser-wasm-1', 'browser WASM 1t', 'wasm'));
    configs.push(pageConfig(wasmN, `browser-wasm-${n}`, `browser WASM ${n}t`, 'wasm'));
    if (webgpu)
      configs.push(
        pageConfig(
          webgpu,
          'browser-webgpu',
          `browser WebGPU (${webgpu.info.gpuAdapter ?? 'adapter?'})`,
          'webgpu',
          webgpu.info.gpuAdapter === 'swiftshader'
            ? 'SwiftShader: software Vulkan on the CPU, not a GPU'
            : undefined,
        ),
      );
    log('loading onnxruntime-node policies …');
    for (const t of threadCounts) configs.push(await nodeConfig(t, true));
    for (const t of threadCounts) configs.push(await nodeConfig(t, false));

    log('warming up …');
    for (const c of configs)
      for (let w = 0; w < (c.ep === 'webgpu' ? 1 : size.warmup); w++) await c.run(scenes[0]!);

    const total = configs.reduce((s, c) => s + c.rounds * scenes.length, 0);
    const bar = new ProgressBar(total, 'steps');
    for (let r = 0; r < size.rounds; r++) {
      for (const c of configs) {
        if (r >= c.rounds) continue;
        for (let i = 0; i < scenes.length; i++) {
          c.samples.push({ scene: i, sample: await c.run(scenes[i]!) });
          bar.done++;
          bar.tick(c.id);
        }
      }
    }
    bar.end();

    log('render and IK + physics …');
    await resetTo(wasmN.page, scenes[0]!);
    const render = summarize(await renderTimes(wasmN.page, size.renders));
    const ikPhysics = summarize(await simStepTimes(SCENE_TASKS, size.simSteps));

    for (const p of nodePolicies) await p.dispose();
    nodePolicies.length = 0;
    for (const bp of [wasm1, webgpu]) {
      if (bp && bp !== wasmN) await bp.close();
    }

    log('closed loop …');
    const loopTask = scenes[0]!.task;
    const summarizeLoop = (
      view: '3d' | 'none',
      run: Awaited<ReturnType<typeof closedLoop>>,
    ): ClosedLoopSummary => ({
      view,
      steps: run.steps,
      episodes: run.episodes,
      hz: run.wallMs > 0 ? (run.steps * 1000) / run.wallMs : Number.NaN,
      stepMs: summarize(run.stepMs),
      longTasks: {
        count: run.longTasks.length,
        maxMs: run.longTasks.reduce((m, t) => Math.max(m, t.duration), 0),
        totalMs: run.longTasks.reduce((s, t) => s + t.duration, 0),
      },
    });
    const loops: ClosedLoopSummary[] = [];
    // A phase that fails (e.g. a page load timing out on a busy machine) is reported as not measured.
    const phase = async (name: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (e) {
        log(`${name} failed, not measured: ${(e as Error).message.split('\n')[0]}`);
      }
    };
    await phase('closed loop with ?view=0', async () => {
      loops.push(summarizeLoop('none', await closedLoop(wasmN.page, loopTask, 100, size.closedLoopSteps)));
    });
    await wasmN.close();
    await phase('closed loop with the 3D view', async () => {
      const view3d = await openBenchPage(browser!, served, { params: { model: model.pageRef, ep: 'wasm' } });
      pages.push(view3d);
      loops.push(summarizeLoop('3d', await closedLoop(view3d.page, loopTask, 100, size.closedLoopSteps)));
      await view3d.close();
    });

    const empty: Awaited<ReturnType<typeof coldStart>>[] = [];
    const warm: Awaited<ReturnType<typeof coldStart>>[] = [];
    if (args.cold) {
      log('cold start …');
      for (let i = 0; i < size.coldRuns; i++) {
        const context = await browser.newContext();
        await phase(`cold start ${i + 1}`, async () => {
          const url = served.url({ model: model.pageRef });
          empty.push(await coldStart(context, url, scenes[0]!.instruction));
          warm.push(await coldStart(context, url, scenes[0]!.instruction));
        });
        await context.close();
      }
    }

    const ref = configs.find((c) => c.id === `node-cpu-${n}`);
    const results: ConfigResult[] = configs.map((c) => {
      const agreement = tokenAgreement(c, ref);
      return {
        id: c.id,
        label: c.label,
        runtime: c.runtime,
        ep: c.ep,
        threads: c.threads,
        kvCache: c.kvCache,
        ...(c.note ? { note: c.note } : {}),
        timings: aggregateSteps(c.samples.map((s) => s.sample)),
        ...(agreement === undefined ? {} : { tokenAgreement: agreement }),
      };
    });
    const ratios = computeRatios(results, n);
    const coldStartSummary = { empty: coldSummary(empty), warm: coldSummary(warm) };
    const machine = finishMachineInfo(machine0);
    const man = model.manifest;
    const report: BenchReport = {
      date: new Date().toISOString(),
      ...gitCommit(),
      machine,
      loaded: wasLoaded(machine),
      chromium,
      quick: args.quick,
      model: {
        id: String(man.id ?? args.model),
        name: String(man.name ?? ''),
        folder: displayPath(folder),
        graphs: graphBytes(folder, man),
        totalBytes: folderBytes(folder),
      },
      scenes: scenes.map((s) => ({ seed: s.seed, task: s.task, instruction: s.instruction })),
      rounds: size.rounds,
      configs: results,
      render,
      ikPhysics,
      closedLoop: loops,
      coldStart: coldStartSummary,
      ratios,
      targets: benchTargets(ratios, n, loops, coldStartSummary.warm),
    };
    console.log(benchText(report));
    writeReport(args, 'bench', report, () => benchMarkdown(report), log);
  } finally {
    for (const p of nodePolicies) await p.dispose().catch(() => undefined);
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await served.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`\nbench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

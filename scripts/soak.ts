/**
 * `npm run soak -- [--steps 5000] [--episode-steps 100] [--warmup S] [--json [out.json]] [--write-md [path]]
 *  [--model <id|folder>] [--ep wasm|webgpu|auto] [--view] [--out-dir <build>] [--no-build]`
 * Closed-loop policy steps in headless Chromium (`window.vla.runEpisode`, episodes of --episode-steps on
 * rotating tasks and seeds, each a fresh scene), reading memory after every episode: main-thread JS heap
 * after a forced GC, MuJoCo's and ORT's WASM memory, DOM nodes, and the worker's live ORT sessions and
 * tensors. Reports growth after warm-up (target ≤ 10%) and the leak checks. Node only.
 */

import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveModel } from './eval';
import { flags } from './lib/args';
import { takeOptionalPath } from './lib/benchArgs';
import { NAV_TIMEOUT_MS } from './lib/benchBrowser';
import { finishMachineInfo, machineInfo, wasLoaded } from './lib/benchMachine';
import { type MemoryReading, PageMemory } from './lib/benchMemory';
import { analyzeSoak, type SoakReport, soakMarkdown, soakText } from './lib/benchSoak';
import { writeReport } from './lib/files';
import { gitCommit } from './lib/git';
import { DEFAULT_BUILD_DIR, launchChromium, ROOT, servePlayground } from './lib/playground';
import { ProgressBar } from './lib/progress';

interface Args {
  steps: number;
  episodeSteps: number;
  warmup: number | null;
  json: string | null;
  writeMd: string | null;
  model: string;
  ep: 'wasm' | 'webgpu' | 'auto';
  view: boolean;
  outDir: string;
  build: boolean;
}

const USAGE =
  'usage: npm run soak -- [--steps 5000] [--episode-steps 100] [--warmup S] [--json [out.json]] ' +
  '[--write-md [BENCHMARKS.md]] [--model <id|folder>] [--ep wasm|webgpu|auto] [--view] [--out-dir <build>] [--no-build]';

const TASKS = [
  'pick:red-block',
  'put:blue-block:green-bowl',
  'push:yellow-block:left',
  'put:green-block:red-plate',
];

export function parseArgs(argv: readonly string[]): Args {
  const [json, rest1] = takeOptionalPath(argv, '--json', join(ROOT, '.cache', 'soak.json'));
  const [writeMd, rest] = takeOptionalPath(rest1, '--write-md', join(ROOT, 'BENCHMARKS.md'));
  const a: Args = {
    steps: 5000,
    episodeSteps: 100,
    warmup: null,
    json,
    writeMd,
    model: 'vla-tabletop-s',
    ep: 'wasm',
    view: false,
    outDir: DEFAULT_BUILD_DIR,
    build: true,
  };
  for (const f of flags(rest)) {
    const k = f.name;
    if (k === '--steps') a.steps = f.integer(1);
    else if (k === '--episode-steps') a.episodeSteps = f.integer(1);
    else if (k === '--warmup') a.warmup = f.integer(0);
    else if (k === '--model') a.model = f.value();
    else if (k === '--ep') a.ep = f.oneOf(['wasm', 'webgpu', 'auto'] as const);
    else if (k === '--view') a.view = true;
    else if (k === '--out-dir') a.outDir = resolve(f.value());
    else if (k === '--no-build') a.build = false;
    else if (k === '--help' || k === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument "${k}"\n${USAGE}`);
  }
  return a;
}

/** Warm-up when not given: a tenth of the run, at least one episode (caches, JIT, ORT arenas fill up). */
export function defaultWarmup(steps: number, episodeSteps: number): number {
  return Math.max(episodeSteps, Math.round(steps / 10));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const warmup = args.warmup ?? defaultWarmup(args.steps, args.episodeSteps);
  const machine0 = machineInfo();
  const model = resolveModel(args.model);
  const served = await servePlayground({ outDir: args.outDir, build: args.build, mounts: model.mounts });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => process.stderr.write(`\n[page error] ${err.message}\n`));
    const memory = await PageMemory.attach(page);
    process.stderr.write('opening the page and loading the model …\n');
    await page.goto(served.url({ model: model.pageRef, ep: args.ep, ...(args.view ? {} : { view: 0 }) }), {
      waitUntil: 'domcontentloaded',
      timeout: NAV_TIMEOUT_MS,
    });
    await page.waitForFunction(() => typeof window.vla?.runEpisode === 'function', undefined, {
      timeout: NAV_TIMEOUT_MS,
    });
    const info = await page.evaluate(() => window.vla!.ready());
    const readings: MemoryReading[] = [await memory.read(0)];
    const bar = new ProgressBar(args.steps, 'steps');
    const t0 = performance.now();
    let steps = 0;
    let episodes = 0;
    while (steps < args.steps) {
      const task = TASKS[episodes % TASKS.length]!;
      const r = await page.evaluate((a) => window.vla!.runEpisode(a).then((e) => e.steps), {
        seed: 1000 + episodes,
        task,
        maxSteps: Math.min(args.episodeSteps, args.steps - steps),
      });
      episodes++;
      steps += r;
      if (r === 0) throw new Error(`episode ${episodes} (${task}) ran no step`);
      readings.push(await memory.read(steps));
      bar.done = steps;
      const w = readings[readings.length - 1]!.worker;
      bar.tick(
        w ? `worker wasm ${(w.wasmBytes / 2 ** 20).toFixed(1)} MiB, tensors live ${w.ortTensors}` : '',
      );
    }
    bar.end();
    const wallSeconds = (performance.now() - t0) / 1000;
    await memory.detach();
    const machine = finishMachineInfo(machine0);
    const report: SoakReport = {
      date: new Date().toISOString(),
      ...gitCommit(),
      machine,
      loaded: wasLoaded(machine),
      chromium: `Chromium ${browser.version()} (headless)`,
      model: info.modelId,
      executionProvider: info.executionProvider,
      view: args.view ? '3d' : 'none',
      steps,
      episodes,
      wallSeconds,
      analysis: analyzeSoak(readings, warmup),
      readings,
    };
    console.log(soakText(report));
    writeReport(
      args,
      'soak',
      report,
      () => soakMarkdown(report),
      (line) => process.stderr.write(`${line}\n`),
    );
  } finally {
    await browser.close().catch(() => undefined);
    await served.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`\nsoak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

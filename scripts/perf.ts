/**
 * `npm run perf -- [--seconds 10] [--model <id|folder>] [--ep wasm|webgpu|auto] [--json [out.json]]
 *  [--write-md [BENCHMARKS.md]] [--out-dir <build>] [--no-build] [--profile [out.cpuprofile]] [--profile-phase realtime|fast]
 *  [--query k=v&…]` (--query: extra page URL parameters, e.g. view=0).
 * UI frame rate (requestAnimationFrame counting) and main-thread long tasks while a policy episode runs
 * in the full page (3D view and every panel as it opens), in two phases: a real-time episode started with
 * the ▶ Run button, and an as-fast-as-possible one (`window.vla.runEpisode`). Prints the figures against
 * issue 6's goals (≥ 50 fps, no long task over 50 ms), with the CPU time each group of browser threads used
 * per phase (Linux /proc: main thread, other renderer threads, GPU process; a figure that depends little on
 * other load, unlike frame rate); asserts nothing. `--profile` also records a CDP CPU
 * profile of the main thread over one phase (the real-time one by default), writes it as a `.cpuprofile`
 * (open it in DevTools' Performance panel) and prints the top functions by self and inclusive time; it
 * builds an unminified app into `<out-dir>-unminified` so that the names are readable. Node only.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CDPSession, Page } from '@playwright/test';
import { resolveModel } from './eval';
import { flags } from './lib/args';
import { takeOptionalPath } from './lib/benchArgs';
import { NAV_TIMEOUT_MS } from './lib/benchBrowser';
import { finishMachineInfo, machineInfo, wasLoaded } from './lib/benchMachine';
import {
  analyzeFrames,
  type FrameSample,
  frameSamplerSource,
  type PerfPhase,
  type PerfReport,
  perfMarkdown,
  perfTargets,
  perfText,
} from './lib/benchPerf';
import { cpuBetween, cpuSnapshot } from './lib/benchProcCpu';
import { type CpuProfile, profileText, summarizeProfile } from './lib/benchProfile';
import { writeReport } from './lib/files';
import { gitCommit } from './lib/git';
import { DEFAULT_BUILD_DIR, launchChromium, ROOT, servePlayground } from './lib/playground';

interface Args {
  seconds: number;
  model: string;
  ep: 'wasm' | 'webgpu' | 'auto';
  json: string | null;
  writeMd: string | null;
  outDir: string;
  build: boolean;
  /** Where to write the CPU profile; null: no profile. */
  profile: string | null;
  profilePhase: 'realtime' | 'fast';
  /** Extra page URL parameters (`--query view=0&cam=64`), e.g. to measure the page without the 3D view. */
  query: Record<string, string>;
}

const USAGE =
  'usage: npm run perf -- [--seconds 10] [--model <id|folder>] [--ep wasm|webgpu|auto] [--json [out.json]] ' +
  '[--write-md [BENCHMARKS.md]] [--out-dir <build>] [--no-build] [--profile [out.cpuprofile]] [--profile-phase realtime|fast] [--query k=v&…]';

export function parseArgs(argv: readonly string[]): Args {
  const [json, rest1] = takeOptionalPath(argv, '--json', join(ROOT, '.cache', 'perf.json'));
  const [writeMd, rest2] = takeOptionalPath(rest1, '--write-md', join(ROOT, 'BENCHMARKS.md'));
  const [profile, rest] = takeOptionalPath(rest2, '--profile', join(ROOT, '.cache', 'perf.cpuprofile'));
  const a: Args = {
    seconds: 10,
    model: 'vla-tabletop-s',
    ep: 'wasm',
    json,
    writeMd,
    outDir: DEFAULT_BUILD_DIR,
    build: true,
    profile,
    profilePhase: 'realtime',
    query: {},
  };
  for (const f of flags(rest)) {
    const k = f.name;
    if (k === '--seconds') a.seconds = f.integer(1);
    else if (k === '--model') a.model = f.value();
    else if (k === '--ep') a.ep = f.oneOf(['wasm', 'webgpu', 'auto'] as const);
    else if (k === '--out-dir') a.outDir = resolve(f.value());
    else if (k === '--no-build') a.build = false;
    else if (k === '--profile-phase') a.profilePhase = f.oneOf(['realtime', 'fast'] as const);
    else if (k === '--query') a.query = Object.fromEntries(new URLSearchParams(f.value()));
    else if (k === '--help' || k === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument "${k}"\n${USAGE}`);
  }
  if (a.writeMd && Object.keys(a.query).length > 0)
    throw new Error('--write-md records the default page: drop --query (or print the figures without it)');
  return a;
}

const VIEWPORT = { width: 1280, height: 800 };
const TASK = 'put:blue-block:green-bowl';

/** Sample the main thread's CPU every this many µs while profiling. */
const PROFILE_INTERVAL_US = 200;

/** Start a CDP CPU profile of `page`'s main thread; the returned function stops it and returns the profile. */
async function startProfile(page: Page): Promise<() => Promise<CpuProfile>> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.send('Profiler.disable');
    await cdp.detach();
    return profile as CpuProfile;
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine0 = machineInfo();
  const model = resolveModel(args.model);
  const controlHz = Number((model.manifest?.control_hz as number | undefined) ?? 10);
  const served = await servePlayground({
    outDir: args.profile ? `${args.outDir}-unminified` : args.outDir,
    build: args.build,
    minify: !args.profile,
    mounts: model.mounts,
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (err) => process.stderr.write(`\n[page error] ${err.message}\n`));
    await page.goto(served.url({ model: model.pageRef, ep: args.ep, task: TASK, seed: 3, ...args.query }), {
      waitUntil: 'domcontentloaded',
      timeout: NAV_TIMEOUT_MS,
    });
    await page.waitForFunction(() => typeof window.vla?.runEpisode === 'function', undefined, {
      timeout: NAV_TIMEOUT_MS,
    });
    const info = await page.evaluate(() => window.vla!.ready());
    const ms = args.seconds * 1000;
    let cpu: { ms: PerfPhase['cpuMs']; windowMs: number } | null = null;
    const sample = async () => {
      const c0 = cpuSnapshot();
      const t0 = performance.now();
      const s = (await page.evaluate(frameSamplerSource(ms))) as FrameSample;
      const c1 = cpuSnapshot();
      cpu = c0 && c1 ? { ms: cpuBetween(c0, c1), windowMs: performance.now() - t0 } : null;
      return s;
    };
    const phase = (id: string, name: string, s: FrameSample): PerfPhase => ({
      id,
      name,
      controlHz: (s.simSeconds * controlHz) / (s.windowMs / 1000),
      analysis: analyzeFrames(s),
      ...(cpu?.ms ? { cpuMs: cpu.ms, windowMs: cpu.windowMs } : {}),
    });
    const phases: PerfPhase[] = [];
    let profile: CpuProfile | null = null;
    /** Sample a phase, under the CPU profiler when it is the one asked for. */
    const measure = async (id: 'realtime' | 'fast'): Promise<FrameSample> => {
      if (!args.profile || args.profilePhase !== id) return sample();
      const stop = await startProfile(page);
      const s = await sample();
      profile = await stop();
      return s;
    };

    process.stderr.write('phase 1: idle page …\n');
    phases.push(phase('idle', 'idle page (no episode)', await sample()));

    process.stderr.write('phase 2: real-time episode started with ▶ Run …\n');
    await page.evaluate(() => window.vla!.reset({ seed: 3, task: 'put:blue-block:green-bowl' }));
    await page.getByRole('button', { name: '▶ Run', exact: true }).click();
    await page.waitForTimeout(1000); // the first steps (JIT, first render of the charts) are not the steady state
    phases.push(phase('realtime', 'real-time episode (▶ Run)', await measure('realtime')));
    await page.evaluate(() => window.vla!.stop());

    process.stderr.write('phase 3: as-fast-as-possible episode …\n');
    await page.evaluate(() => {
      void window.vla!.runEpisode({ seed: 4, task: 'put:blue-block:green-bowl', maxSteps: 100_000 });
    });
    await page.waitForTimeout(1000);
    phases.push(phase('fast', 'as-fast-as-possible episode', await measure('fast')));
    await page.evaluate(() => window.vla!.stop());

    const machine = finishMachineInfo(machine0);
    const report: PerfReport = {
      date: new Date().toISOString(),
      ...gitCommit(),
      machine,
      loaded: wasLoaded(machine),
      chromium: `Chromium ${browser.version()} (headless)`,
      model: info.modelId,
      executionProvider: info.executionProvider,
      viewport: VIEWPORT,
      seconds: args.seconds,
      phases,
      targets: phases.filter((p) => p.id !== 'idle').flatMap((p) => perfTargets(p.analysis, p.id)),
    };
    console.log(perfText(report));
    if (args.profile && profile) {
      writeFileSync(args.profile, JSON.stringify(profile));
      console.log(`\n${profileText(summarizeProfile(profile))}`);
      process.stderr.write(`wrote ${args.profile} (${args.profilePhase} phase)\n`);
    }
    writeReport(
      args,
      'perf',
      report,
      () => perfMarkdown(report),
      (line) => process.stderr.write(`${line}\n`),
    );
  } finally {
    await browser.close().catch(() => undefined);
    await served.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`\nperf: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

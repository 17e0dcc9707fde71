/**
 * `npm run eval -- --model <id|folder|url> --episodes N [--split all|seen|paraphrase|combo]
 *  [--family pick|put|push] [--ep wasm|webgpu|auto] [--decoding argmax|median] [--json out.json] [--workers 1] [--max-steps M]
 *  [--expert node|browser|none] [--baseline] [--trace DIR] [--no-build]`
 * Closed-loop evaluation of a policy in headless Chromium through `window.vla.runEpisode` on the held-out
 * episodes of src/core/splits.ts, with the scripted expert on the same seeds as the ceiling (in Node by
 * default: the same Sim and EpisodeRunner code as the page) and, with --baseline, the random-action
 * baseline (`window.vla.runRandom`). Prints a family × split table with 95% Wilson intervals on stdout.
 * JSON: { cells: [{ family, split, episodes, success (rate), successes, ci95, expert_success, … }],
 * totals (the same per split over all families), model, commit (read at the start; commit_end when the
 * checkout changed during the run), ep, date, episodes: [per-episode
 * records] }. Node only.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { DEFAULT_MAX_STEPS, EpisodeRunner } from '../src/app/EpisodeRunner';
import { DECODINGS, type Decoding } from '../src/core/sampling';
import { EVAL_SPLITS, type EvalSplit, evalEpisodes, type SplitEpisode } from '../src/core/splits';
import { formatRate, rate, wilsonInterval } from '../src/core/stats';
import { TASK_FAMILIES, type TaskFamily } from '../src/core/task';
import { Sim } from '../src/sim/Sim';
import { flags, oneOf } from './lib/args';
import {
  type EpisodeTrace,
  TRACE_OUTCOMES,
  type TraceOutcome,
  traceEpisode,
  traceOutcome,
} from './lib/evalTrace';
import { displayPath, folderBytes } from './lib/files';
import { gitCommit } from './lib/git';
import { launchChromium, openPlaygroundPage, ROOT, type Served, servePlayground } from './lib/playground';
import { ProgressBar } from './lib/progress';

type ExpertMode = 'node' | 'browser' | 'none';

interface Args {
  model: string;
  episodes: number;
  splits: EvalSplit[];
  families: TaskFamily[];
  ep: 'wasm' | 'webgpu' | 'auto';
  /** `?decoding=` of the page: override the model's decoding; null keeps the manifest's. */
  decoding: Decoding | null;
  json: string | null;
  workers: number;
  maxSteps: number;
  expert: ExpertMode;
  baseline: boolean;
  build: boolean;
  /** Folder for one trace JSON per policy episode (scripts/lib/evalTrace.ts), or null. */
  trace: string | null;
}

const USAGE =
  'usage: npm run eval -- --model <id|folder|url> --episodes N [--split all|seen|paraphrase|combo] ' +
  '[--family pick|put|push] [--ep wasm|webgpu|auto] [--decoding argmax|median] [--json out.json] [--workers 1] [--max-steps M] ' +
  '[--expert node|browser|none] [--baseline] [--trace DIR] [--no-build]';

export function parseArgs(argv: string[]): Args {
  const a: Args = {
    model: '',
    episodes: 10,
    splits: [...EVAL_SPLITS],
    families: [...TASK_FAMILIES],
    ep: 'wasm',
    decoding: null,
    json: null,
    workers: 1,
    maxSteps: DEFAULT_MAX_STEPS,
    expert: 'node',
    baseline: false,
    build: true,
    trace: null,
  };
  for (const f of flags(argv)) {
    const k = f.name;
    if (k === '--model') a.model = f.value();
    else if (k === '--episodes') a.episodes = f.integer(1);
    else if (k === '--split') {
      const v = f.value();
      a.splits = v === 'all' ? [...EVAL_SPLITS] : [oneOf(k, v, EVAL_SPLITS)];
    } else if (k === '--family') {
      const v = f.value();
      a.families = v === 'all' ? [...TASK_FAMILIES] : [oneOf(k, v, TASK_FAMILIES)];
    } else if (k === '--ep') a.ep = f.oneOf(['wasm', 'webgpu', 'auto'] as const);
    else if (k === '--decoding') a.decoding = f.oneOf(DECODINGS);
    else if (k === '--json') a.json = resolve(f.value());
    else if (k === '--workers') a.workers = f.integer(1);
    else if (k === '--max-steps') a.maxSteps = f.integer(1);
    else if (k === '--expert') a.expert = f.oneOf(['node', 'browser', 'none'] as const);
    else if (k === '--baseline') a.baseline = true;
    else if (k === '--no-build') a.build = false;
    else if (k === '--trace') a.trace = resolve(f.value());
    else if (k === '--help' || k === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument "${k}"\n${USAGE}`);
  }
  if (!a.model) throw new Error(`--model is required\n${USAGE}`);
  return a;
}

/** Where the page loads the model from, plus what to mount and the manifest (for the report). */
interface ModelRef {
  /** `?model=` value: a folder URL relative to the page, or an absolute URL. */
  pageRef: string;
  mounts: Record<string, string>;
  folder: string | null;
  manifest: Record<string, unknown> | null;
}

const EXTERNAL_MOUNT = 'eval-model';

/** A bundled id (models/<id>), a folder path (served in place or mounted), or an http(s) URL. */
export function resolveModel(ref: string): ModelRef {
  if (/^https?:\/\//.test(ref)) return { pageRef: ref, mounts: {}, folder: null, manifest: null };
  const modelsDir = join(ROOT, 'models');
  const asPath = resolve(ref);
  const folder = existsSync(join(asPath, 'manifest.json'))
    ? asPath
    : existsSync(join(modelsDir, ref, 'manifest.json'))
      ? join(modelsDir, ref)
      : null;
  if (!folder) {
    const ids = existsSync(modelsDir)
      ? readdirSync(modelsDir).filter((d) => existsSync(join(modelsDir, d, 'manifest.json')))
      : [];
    throw new Error(
      `--model ${ref}: no manifest.json at ${asPath} nor ${join(modelsDir, ref)} (bundled: ${ids.join(', ') || 'none'})`,
    );
  }
  const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  if (folder.startsWith(modelsDir + sep)) {
    const rel = relative(modelsDir, folder).split(sep).join('/');
    return { pageRef: `models/${rel}`, mounts: {}, folder, manifest };
  }
  return { pageRef: EXTERNAL_MOUNT, mounts: { [EXTERNAL_MOUNT]: folder }, folder, manifest };
}

function modelReport(m: ModelRef, loadedId: string | null): Record<string, unknown> {
  const man = m.manifest ?? {};
  const pick = (k: string) => (man[k] === undefined ? {} : { [k]: man[k] });
  return {
    id: (man.id as string | undefined) ?? loadedId,
    ...pick('name'),
    ...pick('license'),
    ...pick('format_version'),
    ...pick('quantization'),
    ref: m.pageRef,
    ...(m.folder ? { folder: displayPath(m.folder), bytes: folderBytes(m.folder) } : {}),
  };
}

interface EpisodeJob extends SplitEpisode {
  split: EvalSplit;
  index: number;
}

interface EpisodeRecord {
  family: TaskFamily;
  split: EvalSplit;
  seed: number;
  task: string;
  instruction: string;
  success: boolean;
  steps: number;
  reason: string;
  wall_ms: number;
  /** Median wall time per control step in the page (capture, predict, IK, physics), ms. */
  step_ms_median: number;
  expert_success?: boolean;
  expert_steps?: number;
  random_success?: boolean;
  /** With --trace: how the episode went (scripts/lib/evalTrace.ts traceOutcome). */
  outcome?: TraceOutcome;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The expert on every job's seed in Node (same Sim + EpisodeRunner + expert code as the page). */
async function expertInNode(jobs: readonly EpisodeJob[], maxSteps: number) {
  const sim = await Sim.create();
  const runner = new EpisodeRunner(sim);
  const bar = new ProgressBar(jobs.length, 'expert episodes');
  const out = new Map<number, { success: boolean; steps: number }>();
  try {
    for (const j of jobs) {
      await runner.reset(j.seed, j.task);
      const r = await runner.run(runner.expertSource(), { pace: 'fast', maxSteps });
      out.set(j.index, { success: r.success, steps: r.steps });
      bar.done++;
      bar.tick();
    }
  } finally {
    sim.dispose();
  }
  bar.end();
  return out;
}

async function openEvalPage(browser: Browser, served: Served, args: Args, model: ModelRef) {
  const page = await openPlaygroundPage(
    browser,
    served.url({
      model: model.pageRef,
      ep: args.ep,
      view: 0,
      ...(args.decoding ? { decoding: args.decoding } : {}),
    }),
    {
      waitFor: 'runEpisode',
    },
  );
  const info = await page.evaluate(() => window.vla!.ready());
  return { page, info };
}

let traceSim: Promise<Sim> | null = null;

/** Replay the episode in the Node sim next to the expert's labels (scripts/lib/evalTrace.ts) into `dir`. */
async function writeTrace(
  dir: string,
  job: EpisodeJob,
  r: { success: boolean; reason: string; actions: number[][] },
): Promise<EpisodeTrace> {
  traceSim ??= Sim.create({ controlHz: 10 });
  const trace = traceEpisode(await traceSim, { ...job, success: r.success, reason: r.reason }, r.actions);
  mkdirSync(dir, { recursive: true });
  const name = `${job.split}-${job.task.replace(/[^a-z0-9-]+/gi, '_')}-${job.seed}.json`;
  writeFileSync(join(dir, name), `${JSON.stringify(trace)}\n`);
  return trace;
}

async function runJob(page: Page, job: EpisodeJob, args: Args): Promise<EpisodeRecord> {
  const t0 = performance.now();
  const r = await page.evaluate(
    async (a) => {
      const r = await window.vla!.runEpisode(a);
      return { success: r.success, steps: r.steps, reason: r.reason, stepMs: r.stepMs, actions: r.actions };
    },
    { seed: job.seed, task: job.task, instruction: job.instruction, maxSteps: args.maxSteps },
  );
  const trace = args.trace ? await writeTrace(args.trace, job, r) : null;
  const rec: EpisodeRecord = {
    family: job.family,
    split: job.split,
    seed: job.seed,
    task: job.task,
    instruction: job.instruction,
    success: r.success,
    steps: r.steps,
    reason: r.reason,
    wall_ms: Math.round(performance.now() - t0),
    step_ms_median: Math.round(median(r.stepMs) * 100) / 100,
    ...(trace ? { outcome: traceOutcome(trace).outcome } : {}),
  };
  const seedTask = { seed: job.seed, task: job.task, maxSteps: args.maxSteps };
  if (args.expert === 'browser') {
    const e = await page.evaluate((a) => window.vla!.runExpert(a), seedTask);
    rec.expert_success = e.success;
    rec.expert_steps = e.steps;
  }
  if (args.baseline) {
    const b = await page.evaluate((a) => window.vla!.runRandom(a), seedTask);
    rec.random_success = b.success;
  }
  return rec;
}

export interface Cell {
  family: TaskFamily | 'all';
  split: EvalSplit;
  episodes: number;
  /** Success rate in [0, 1]. */
  success: number;
  successes: number;
  /** 95% Wilson interval of the success rate. */
  ci95: [number, number];
  /** The scripted expert's success rate on the same seeds (the ceiling), when it ran. */
  expert_success?: number;
  expert_successes?: number;
  /** The random-action baseline's success rate on the same seeds, with --baseline. */
  random_success?: number;
  random_successes?: number;
}

/** Aggregate episode records into family × split cells (plus an 'all' row per split with >1 family). */
export function aggregate(
  records: readonly EpisodeRecord[],
  families: readonly TaskFamily[],
  splits: readonly EvalSplit[],
): Cell[] {
  const cells: Cell[] = [];
  const rows: (TaskFamily | 'all')[] = families.length > 1 ? [...families, 'all'] : [...families];
  for (const split of splits) {
    for (const family of rows) {
      const rs = records.filter((r) => r.split === split && (family === 'all' || r.family === family));
      if (rs.length === 0) continue;
      const k = rs.filter((r) => r.success).length;
      const cell: Cell = {
        family,
        split,
        episodes: rs.length,
        success: rate(k, rs.length),
        successes: k,
        ci95: wilsonInterval(k, rs.length),
      };
      const withExpert = rs.filter((r) => r.expert_success !== undefined);
      if (withExpert.length === rs.length) {
        cell.expert_successes = withExpert.filter((r) => r.expert_success).length;
        cell.expert_success = rate(cell.expert_successes, rs.length);
      }
      const withRandom = rs.filter((r) => r.random_success !== undefined);
      if (withRandom.length === rs.length) {
        cell.random_successes = withRandom.filter((r) => r.random_success).length;
        cell.random_success = rate(cell.random_successes, rs.length);
      }
      cells.push(cell);
    }
  }
  return cells;
}

/** `commit_end` / `commit_dirty_end` when the checkout changed while the eval ran, else nothing. */
function changedSince(start: { commit: string; commit_dirty: boolean }) {
  const end = gitCommit();
  return end.commit === start.commit && end.commit_dirty === start.commit_dirty
    ? {}
    : { commit_end: end.commit, commit_dirty_end: end.commit_dirty };
}

/** With --trace: per family × split, how many episodes ended each way (traceOutcome), in TRACE_OUTCOMES order. */
export function outcomeCounts(
  records: readonly EpisodeRecord[],
): { family: string; split: string; episodes: number; counts: Record<TraceOutcome, number> }[] {
  const out: { family: string; split: string; episodes: number; counts: Record<TraceOutcome, number> }[] = [];
  for (const r of records) {
    if (!r.outcome) continue;
    let row = out.find((o) => o.family === r.family && o.split === r.split);
    if (!row) {
      row = {
        family: r.family,
        split: r.split,
        episodes: 0,
        counts: Object.fromEntries(TRACE_OUTCOMES.map((o) => [o, 0])) as Record<TraceOutcome, number>,
      };
      out.push(row);
    }
    row.episodes++;
    row.counts[r.outcome]++;
  }
  return out;
}

function printOutcomes(rows: ReturnType<typeof outcomeCounts>): void {
  console.log('\nhow the policy episodes went (--trace; scripts/lib/evalTrace.ts traceOutcome)');
  printColumns(
    ['family', 'split', 'episodes', ...TRACE_OUTCOMES],
    rows.map((r) => [
      r.family,
      r.split,
      String(r.episodes),
      ...TRACE_OUTCOMES.map((o) => String(r.counts[o])),
    ]),
  );
}

function printTable(cells: readonly Cell[], header: string): void {
  const cols = ['family', 'split', 'policy success [95% CI]', 'expert (ceiling)', 'random'];
  const rows = cells.map((c) => [
    c.family,
    c.split,
    formatRate(c.successes, c.episodes),
    c.expert_successes === undefined ? '—' : formatRate(c.expert_successes, c.episodes),
    c.random_successes === undefined ? '—' : formatRate(c.random_successes, c.episodes),
  ]);
  console.log(header);
  printColumns(cols, rows);
}

function printColumns(cols: string[], rows: string[][]): void {
  const widths = cols.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const model = resolveModel(args.model);
  const jobs: EpisodeJob[] = [];
  for (const split of args.splits)
    for (const family of args.families)
      for (const e of evalEpisodes(split, family, args.episodes))
        jobs.push({ ...e, split, index: jobs.length });

  const t0 = performance.now();
  // The checkout the episodes run on, read before they start (an eval takes tens of minutes).
  const commitAtStart = gitCommit();
  const expert = args.expert === 'node' ? await expertInNode(jobs, args.maxSteps) : null;

  const served = await servePlayground({ build: args.build, mounts: model.mounts });
  const browsers: Browser[] = [];
  const records: EpisodeRecord[] = new Array(jobs.length);
  let info: { modelId: string; executionProvider: string } | null = null;
  let bar: ProgressBar | null = null;
  let ok = 0;
  let tEval = performance.now();
  try {
    // Open every worker's page (model loaded) before the clock starts: episodes/s excludes start-up.
    const workers = Math.min(args.workers, jobs.length);
    const slots = await Promise.all(
      Array.from({ length: workers }, async () => {
        const browser = await launchChromium();
        browsers.push(browser);
        return { browser, ...(await openEvalPage(browser, served, args, model)) };
      }),
    );
    info = slots[0]!.info;
    const progress = new ProgressBar(jobs.length);
    bar = progress;
    tEval = performance.now();
    const queue = jobs.slice();
    const worker = async (slot: (typeof slots)[number]) => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
        let rec: EpisodeRecord;
        try {
          rec = await runJob(slot.page, job, args);
        } catch (err) {
          // One retry on a fresh page (a crashed page or worker); a second failure aborts the run.
          process.stderr.write(`\nepisode ${job.task} seed ${job.seed} errored, retrying: ${String(err)}\n`);
          await slot.page.close().catch(() => undefined);
          slot.page = (await openEvalPage(slot.browser, served, args, model)).page;
          rec = await runJob(slot.page, job, args);
        }
        const e = expert?.get(job.index);
        if (e) {
          rec.expert_success = e.success;
          rec.expert_steps = e.steps;
        }
        records[job.index] = rec;
        if (rec.success) ok++;
        progress.done++;
        progress.tick(`success ${ok}/${progress.done}`);
      }
    };
    await Promise.all(slots.map(worker));
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await served.close();
    if (traceSim) (await traceSim).dispose();
    traceSim = null;
  }
  bar?.end(`success ${ok}/${bar.done}`);
  const evalS = (performance.now() - tEval) / 1000;

  const table = aggregate(records, args.families, args.splits);
  const cells = table.filter((c) => c.family !== 'all');
  const totals = table.filter((c) => c.family === 'all');
  const stepMs = median(records.map((r) => r.step_ms_median));
  const eps = jobs.length / evalS;
  const modelInfo = modelReport(model, info?.modelId ?? null);
  const manifestAction = model.manifest?.action as { decoding?: string } | undefined;
  const decoding = args.decoding ?? manifestAction?.decoding ?? 'argmax';
  printTable(
    table,
    `\nmodel ${String(modelInfo.id)}${modelInfo.name ? ` (${String(modelInfo.name)})` : ''} · ep ${info?.executionProvider ?? args.ep} · ` +
      `decoding ${decoding} · ${args.episodes} episodes per cell · max ${args.maxSteps} steps`,
  );
  console.log(
    `\n${jobs.length} policy episodes in ${evalS.toFixed(1)} s (${eps.toFixed(3)} episodes/s, median ${stepMs.toFixed(1)} ms per step` +
      `${args.workers > 1 ? `, ${args.workers} workers` : ''}); total ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const outcomes = outcomeCounts(records);
  if (outcomes.length > 0) printOutcomes(outcomes);
  if (args.json) {
    const out = {
      cells,
      totals,
      ...(outcomes.length > 0 ? { outcomes } : {}),
      model: modelInfo,
      ...commitAtStart,
      ...changedSince(commitAtStart),
      ep: info?.executionProvider ?? args.ep,
      ep_requested: args.ep,
      decoding,
      date: new Date().toISOString(),
      episodes_per_cell: args.episodes,
      max_steps: args.maxSteps,
      expert: args.expert,
      timing: { eval_seconds: Math.round(evalS * 10) / 10, episodes_per_second: eps, step_ms_median: stepMs },
      episodes: records,
    };
    writeFileSync(args.json, `${JSON.stringify(out, null, 2)}\n`);
    process.stderr.write(`wrote ${args.json}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`\neval: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

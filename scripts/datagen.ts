/**
 * `npm run datagen -- --episodes N --out <dir> [--noise 0.3] [--size 96] [--workers 2] [--seed0 S]
 *  [--max-steps 200] [--policy-mix P [--model ID|URL]] [--no-build] [--stats]`
 * Builds the app (when stale) into .cache/datagen-dist, serves it with Vite's preview, and records scripted-expert
 * demonstrations in headless Debian Chromium through `window.vla.recordEpisode` (the app's own renderer), on
 * parallel pages (harness: scripts/lib/playground.ts); writes the dataset described in training/DATASET.md,
 * resumably, then meta.json and stats.json. With `--policy-mix P` (DAgger) the page also loads a policy (the
 * bundled default, or `--model`), which drives a fraction P of each episode's segments; labels stay the
 * expert's. Node only (never bundled into the app).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from '@playwright/test';
import type { RecordArgs, RecordedEpisode } from '../src/app/datagen';
import { CAMERA_JITTER, CAMERA_NOMINAL } from '../src/core/sceneGenerator';
import { SPLIT_SEEDS, trainingEpisode } from '../src/core/splits';
import { TASK_FAMILIES, type TaskFamily } from '../src/core/task';
import { ACTION_DIMS, ACTION_NAMES, ACTION_UNITS } from '../src/core/types';
import { flags } from './lib/args';
import { gitCommit } from './lib/git';
import { launchChromium, openPlaygroundPage, ROOT, servePlayground } from './lib/playground';
import { ProgressBar } from './lib/progress';

export const FORMAT = 'vla-playground-episodes';
export const FORMAT_VERSION = 1;
/** Dataset key of the statistics (the manifest's `norm_stats` / `unnorm_key`). */
export const DATASET_KEY = 'vla_sim';

/** datagen's own build folder (a long run never shares one with eval or e2e builds). */
const BUILD_DIR = join(ROOT, '.cache', 'datagen-dist');

interface Args {
  episodes: number;
  out: string;
  noise: number;
  size: number;
  workers: number;
  seed0: number;
  maxSteps: number;
  build: boolean;
  statsOnly: boolean;
  /** DAgger: fraction of segments the policy drives (0: expert only). */
  policyMix: number;
  /** Model of the policy-driven segments (a bundled id or a folder URL); the app's default when empty. */
  model: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    episodes: 20,
    out: '',
    noise: 0.3,
    size: 96,
    workers: 2,
    seed0: 0,
    maxSteps: 200,
    build: true,
    statsOnly: false,
    policyMix: 0,
    model: '',
  };
  for (const f of flags(argv)) {
    const k = f.name;
    if (k === '--episodes') a.episodes = Math.max(1, Math.trunc(f.number()));
    else if (k === '--out') a.out = resolve(f.value());
    else if (k === '--noise') a.noise = Math.max(0, f.number());
    else if (k === '--size') a.size = Math.trunc(f.number());
    else if (k === '--workers') a.workers = Math.max(1, Math.trunc(f.number()));
    else if (k === '--seed0') a.seed0 = Math.trunc(f.number());
    else if (k === '--max-steps') a.maxSteps = Math.max(1, Math.trunc(f.number()));
    else if (k === '--no-build') a.build = false;
    else if (k === '--stats') a.statsOnly = true;
    else if (k === '--policy-mix') a.policyMix = f.number();
    else if (k === '--model') a.model = f.value();
    else throw new Error(`unknown argument "${k}"`);
  }
  if (!a.out) throw new Error('--out <dir> is required');
  if (a.size < 8 || a.size > 512) throw new Error('--size must be in [8, 512]');
  if (!(a.policyMix >= 0 && a.policyMix <= 1)) throw new Error('--policy-mix must be in [0, 1]');
  if (a.model && a.policyMix === 0) throw new Error('--model only applies with --policy-mix');
  if (a.seed0 < SPLIT_SEEDS.train.start || a.seed0 + a.episodes > SPLIT_SEEDS.train.end) {
    throw new Error(
      `seeds must stay in the training range [${SPLIT_SEEDS.train.start}, ${SPLIT_SEEDS.train.end})`,
    );
  }
  return a;
}

/** The training episode of dataset index `i`: seed seed0 + i, families in turn. */
export function episodeSpec(seed0: number, i: number) {
  const family = TASK_FAMILIES[i % TASK_FAMILIES.length] as TaskFamily;
  return trainingEpisode(seed0 + i, family);
}

export const episodeName = (i: number) => String(i).padStart(6, '0');

/**
 * Quantile with linear interpolation between order statistics (numpy's default): position p·(n−1) of the
 * sorted values. `sorted` must be ascending and non-empty.
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty array');
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const f = pos - lo;
  return sorted[lo]! + f * (sorted[hi]! - sorted[lo]!);
}

export interface DimStats {
  mean: number[];
  std: number[];
  min: number[];
  max: number[];
  q01: number[];
  q99: number[];
}

/** Per-dimension statistics of rows [N][D] (population std). */
export function columnStats(rows: readonly (readonly number[])[], dims: number): DimStats {
  const s: DimStats = { mean: [], std: [], min: [], max: [], q01: [], q99: [] };
  for (let d = 0; d < dims; d++) {
    const col = Float64Array.from(rows, (r) => r[d]!).sort();
    let sum = 0;
    for (const v of col) sum += v;
    const mean = sum / col.length;
    let ss = 0;
    for (const v of col) ss += (v - mean) ** 2;
    s.mean.push(mean);
    s.std.push(Math.sqrt(ss / col.length));
    s.min.push(col[0]!);
    s.max.push(col[col.length - 1]!);
    s.q01.push(quantile(col, 0.01));
    s.q99.push(quantile(col, 0.99));
  }
  return s;
}

interface EpisodeJson {
  index: number;
  seed: number;
  task: string;
  family: TaskFamily;
  success: boolean;
  steps: number;
  noisy_episode: boolean;
  actions: number[][];
  ee_pos: number[][];
  ee_quat: number[][];
  gripper: number[];
  joints: number[][];
}

function readEpisodes(out: string): EpisodeJson[] {
  const dir = join(out, 'episodes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{6}\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as EpisodeJson);
}

/** stats.json in OpenVLA's dataset_statistics layout, over successful episodes only. */
export function computeStats(episodes: readonly EpisodeJson[]) {
  const ok = episodes.filter((e) => e.success);
  const actions = ok.flatMap((e) => e.actions);
  if (actions.length === 0) throw new Error('no successful episodes: cannot compute statistics');
  const proprio = ok.flatMap((e) => e.ee_pos.map((p, t) => [...p, e.gripper[t]!]));
  const nJoints = ok[0]!.joints[0]?.length ?? 0;
  return {
    [DATASET_KEY]: {
      action: {
        ...columnStats(actions, ACTION_DIMS),
        mask: ACTION_NAMES.map((n) => n !== 'gripper'),
        names: [...ACTION_NAMES],
      },
      proprio: { ...columnStats(proprio, 4), names: ['ee_x', 'ee_y', 'ee_z', 'gripper'] },
      // Raw sim quaternions: the top-down grasp has w ≈ 0, so q and −q alternate between steps.
      ee_quat: {
        ...columnStats(
          ok.flatMap((e) => e.ee_quat),
          4,
        ),
        names: ['ee_qw', 'ee_qx', 'ee_qy', 'ee_qz'],
      },
      joints: {
        ...columnStats(
          ok.flatMap((e) => e.joints),
          nJoints,
        ),
        names: Array.from({ length: nJoints }, (_, i) => `joint_${i}`),
      },
      num_transitions: actions.length,
      num_trajectories: ok.length,
    },
  };
}

function writeMetaAndStats(args: Args, elapsedS: number | null): void {
  const episodes = readEpisodes(args.out);
  const perFamily: Record<string, { episodes: number; success: number; steps: number }> = {};
  for (const f of TASK_FAMILIES) perFamily[f] = { episodes: 0, success: 0, steps: 0 };
  for (const e of episodes) {
    const c = perFamily[e.family]!;
    c.episodes++;
    if (e.success) {
      c.success++;
      c.steps += e.steps;
    }
  }
  const meta = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    image: {
      width: args.size,
      height: args.size,
      channels: 3,
      dtype: 'uint8',
      layout: 'THWC',
      rows: 'top-to-bottom',
    },
    camera: { nominal: CAMERA_NOMINAL, jitter: CAMERA_JITTER, supersample: 2 },
    control_hz: 10,
    action: { dims: ACTION_DIMS, names: [...ACTION_NAMES], units: [...ACTION_UNITS], frame: 'world' },
    noise: args.noise,
    ...(args.policyMix > 0 ? { policy_mix: args.policyMix, policy_model: args.model || 'default' } : {}),
    seed0: args.seed0,
    max_steps: args.maxSteps,
    split: 'train',
    dataset_key: DATASET_KEY,
    ...gitCommit(),
    created: new Date().toISOString(),
    counts: {
      episodes: episodes.length,
      success: episodes.filter((e) => e.success).length,
      frames: episodes.reduce((n, e) => n + e.steps, 0),
      success_frames: episodes.reduce((n, e) => n + (e.success ? e.steps : 0), 0),
      families: perFamily,
    },
    ...(elapsedS === null ? {} : { last_run_seconds: Math.round(elapsedS) }),
  };
  writeFileSync(join(args.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  if (meta.counts.success > 0) {
    writeFileSync(join(args.out, 'stats.json'), `${JSON.stringify(computeStats(episodes), null, 2)}\n`);
  }
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const roundRows = (rows: number[][]) => rows.map((r) => r.map(round6));

function writeEpisode(args: Args, index: number, rec: RecordedEpisode): void {
  const spec = episodeSpec(args.seed0, index);
  const dir = join(args.out, 'episodes');
  const name = episodeName(index);
  const rgb = Buffer.from(rec.rgbBase64, 'base64');
  if (rgb.length !== rec.steps * rec.width * rec.height * 3) {
    throw new Error(`episode ${index}: ${rgb.length} frame bytes for ${rec.steps} steps`);
  }
  writeFileSync(join(dir, `${name}.rgb.tmp`), rgb);
  renameSync(join(dir, `${name}.rgb.tmp`), join(dir, `${name}.rgb`));
  const json = {
    format_version: FORMAT_VERSION,
    index,
    seed: spec.seed,
    task: spec.task,
    family: spec.family,
    instruction: spec.instruction,
    templateIndex: spec.templateIndex,
    success: rec.success,
    reason: rec.reason,
    steps: rec.steps,
    width: rec.width,
    height: rec.height,
    noise: args.noise,
    noisy_episode: rec.noisy.some(Boolean),
    actions: roundRows(rec.actions),
    executed: roundRows(rec.executed),
    ee_pos: roundRows(rec.ee_pos),
    ee_quat: roundRows(rec.ee_quat),
    gripper: rec.gripper.map(round6),
    joints: roundRows(rec.joints),
    noisy: rec.noisy,
    phases: rec.phases,
    // DAgger episodes are for training whether or not they succeeded: every label is the expert's.
    ...(args.policyMix > 0 ? { policy_mix: args.policyMix, policy_driven: rec.policyDriven } : {}),
  };
  // The .json is the completion marker (written last, atomically): resuming skips indices that have it.
  writeFileSync(join(dir, `${name}.json.tmp`), JSON.stringify(json));
  renameSync(join(dir, `${name}.json.tmp`), join(dir, `${name}.json`));
}

async function openRecorderPage(browser: Browser, url: string, withPolicy: boolean) {
  const page = await openPlaygroundPage(browser, url, { waitFor: 'recordEpisode' });
  if (withPolicy) await page.evaluate(() => (window.vla!.ready as () => Promise<unknown>)());
  return page;
}

async function generate(args: Args): Promise<void> {
  const dir = join(args.out, 'episodes');
  mkdirSync(dir, { recursive: true });
  const pending: number[] = [];
  for (let i = 0; i < args.episodes; i++)
    if (!existsSync(join(dir, `${episodeName(i)}.json`))) pending.push(i);
  const skipped = args.episodes - pending.length;
  if (pending.length === 0) {
    process.stderr.write(`all ${args.episodes} episodes already in ${dir}\n`);
    return writeMetaAndStats(args, null);
  }
  const server = await servePlayground({ outDir: BUILD_DIR, build: args.build });
  const withPolicy = args.policyMix > 0;
  const url = withPolicy
    ? server.url({ view: 0, cam: args.size, ...(args.model ? { model: args.model } : {}) })
    : server.url({ view: 0, policy: 0, cam: args.size });
  const workers = Math.min(args.workers, pending.length);
  const browsers: Browser[] = [];
  const progress = new ProgressBar(pending.length);
  const timing = { simMs: 0, renderMs: 0, encodeMs: 0 };
  let frames = 0;
  let success = 0;
  let failed = 0;
  let keptCasters = 0;
  const status = () =>
    `${(frames / Math.max(progress.seconds, 1e-3)).toFixed(0)} frames/s  success ${success}/${progress.done}` +
    `${skipped > 0 ? `  (+${skipped} already done)` : ''}`;
  try {
    const queue = pending.slice();
    const worker = async () => {
      const browser = await launchChromium();
      browsers.push(browser);
      let page = await openRecorderPage(browser, url, withPolicy);
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const spec = episodeSpec(args.seed0, i);
        const rargs: RecordArgs = {
          seed: spec.seed,
          task: spec.task,
          maxSteps: args.maxSteps,
          noise: args.noise,
          ...(withPolicy ? { policy: { instruction: spec.instruction, mix: args.policyMix } } : {}),
        };
        let rec: RecordedEpisode;
        try {
          rec = await page.evaluate(
            (a) => (window.vla!.recordEpisode as (x: RecordArgs) => Promise<RecordedEpisode>)(a),
            rargs,
          );
        } catch (err) {
          failed++;
          process.stderr.write(`\nepisode ${i} (${spec.task}, seed ${spec.seed}) errored: ${String(err)}\n`);
          await page.close().catch(() => undefined);
          page = await openRecorderPage(browser, url, withPolicy);
          continue;
        }
        writeEpisode(args, i, rec);
        timing.simMs += rec.timings.simMs;
        timing.renderMs += rec.timings.renderMs;
        timing.encodeMs += rec.timings.encodeMs;
        progress.done++;
        frames += rec.steps;
        if (!rec.hiddenCastersOff) keptCasters++;
        if (rec.success) success++;
        progress.tick(status());
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await server.close();
  }
  progress.end(status());
  const secs = progress.seconds;
  const f = Math.max(1, frames);
  process.stderr.write(
    `${progress.done} episodes, ${frames} frames in ${secs.toFixed(1)} s ` +
      `(${(progress.done / secs).toFixed(2)} ep/s, ${(frames / secs).toFixed(0)} frames/s; ` +
      `per frame in page: sim+expert ${(timing.simMs / f).toFixed(2)} ms, render+readback ${(timing.renderMs / f).toFixed(2)} ms, ` +
      `encode ${(timing.encodeMs / f).toFixed(2)} ms)` +
      `${keptCasters > 0 ? `; hidden-caster speed-up declined on ${keptCasters} episodes` : ''}` +
      `${failed > 0 ? `; ${failed} episodes errored (rerun to retry)` : ''}\n`,
  );
  writeMetaAndStats(args, secs);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.statsOnly) {
    writeMetaAndStats(args, null);
    process.stderr.write(`wrote ${join(args.out, 'meta.json')} and stats.json\n`);
    return;
  }
  await generate(args);
  const meta = JSON.parse(readFileSync(join(args.out, 'meta.json'), 'utf8')) as {
    counts: {
      episodes: number;
      success: number;
      families: Record<string, { episodes: number; success: number }>;
    };
  };
  const fam = Object.entries(meta.counts.families)
    .map(([k, v]) => `${k} ${v.success}/${v.episodes}`)
    .join(', ');
  process.stderr.write(
    `dataset ${args.out}: ${meta.counts.success}/${meta.counts.episodes} successful (${fam})\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`\ndatagen: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

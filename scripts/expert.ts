/**
 * `npm run expert -- --episodes N [--family pick|put|push] [--seed0 S] [--noise X] [--max-steps M] [--json]`
 * Runs the scripted expert in Node over seeded episodes per family and reports success counts:
 * JSON `{ "families": { "pick": { "episodes": n, "success": k }, ... } }` on stdout with --json,
 * a human-readable table otherwise (on stderr when --json). Node only.
 */
import type { ExpertEpisodeOutcome } from '../src/app/datagen';
import { createExpert } from '../src/core/expert';
import { generateScene, sampleTask } from '../src/core/sceneGenerator';
import { createSuccessMonitor } from '../src/core/success';
import { TASK_FAMILIES, type TaskFamily } from '../src/core/task';
import { Sim } from '../src/sim/Sim';
import { flags } from './lib/args';

interface Args {
  episodes: number;
  families: TaskFamily[];
  seed0: number;
  noise: number;
  maxSteps: number;
  json: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    episodes: 10,
    families: [...TASK_FAMILIES],
    seed0: 0,
    noise: 0,
    maxSteps: 150,
    json: false,
    verbose: false,
  };
  for (const flag of flags(argv)) {
    const a = flag.name;
    if (a === '--episodes') args.episodes = Math.max(1, Math.trunc(flag.number()));
    else if (a === '--family') {
      const f = flag.value();
      if (!(TASK_FAMILIES as readonly string[]).includes(f)) throw new Error(`unknown family "${f}"`);
      args.families = [f as TaskFamily];
    } else if (a === '--seed0') args.seed0 = Math.trunc(flag.number());
    else if (a === '--noise') args.noise = flag.number();
    else if (a === '--max-steps') args.maxSteps = Math.max(1, Math.trunc(flag.number()));
    else if (a === '--json') args.json = true;
    else if (a === '--verbose') args.verbose = true;
    else throw new Error(`unknown argument "${a}"`);
  }
  return args;
}

export type EpisodeResult = ExpertEpisodeOutcome;

/** Run one expert episode; stops at success or maxSteps. */
export function runEpisode(
  sim: Sim,
  seed: number,
  task: string,
  maxSteps: number,
  noise: number,
): EpisodeResult {
  const scene = generateScene(seed, task);
  const s0 = sim.reset(scene);
  const monitor = createSuccessMonitor(scene, s0);
  const expert = createExpert(scene, { noise, seed });
  let state = s0;
  let verdict = monitor.update(state);
  let steps = 0;
  while (!verdict.success && steps < maxSteps) {
    state = sim.step(expert.act(state)).state;
    steps++;
    verdict = monitor.update(state);
  }
  return {
    seed,
    task: scene.task,
    success: verdict.success,
    steps,
    reason: verdict.reason,
    phase: expert.phase,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sim = await Sim.create({ controlHz: 10 });
  const families: Record<string, { episodes: number; success: number }> = {};
  const log = args.json ? console.error : console.log;
  const t0 = performance.now();
  let total = 0;
  for (const family of args.families) {
    let ok = 0;
    for (let e = 0; e < args.episodes; e++) {
      const seed = args.seed0 + e;
      const r = runEpisode(sim, seed, sampleTask(seed, family), args.maxSteps, args.noise);
      if (r.success) ok++;
      else if (args.verbose)
        log(`FAIL seed ${seed} ${r.task}: ${r.reason} (phase ${r.phase}, ${r.steps} steps)`);
      total++;
    }
    families[family] = { episodes: args.episodes, success: ok };
  }
  const secs = (performance.now() - t0) / 1000;
  sim.dispose();
  log('family  episodes  success  rate');
  for (const [f, v] of Object.entries(families)) {
    log(
      `${f.padEnd(8)}${String(v.episodes).padStart(8)}${String(v.success).padStart(9)}  ${((100 * v.success) / v.episodes).toFixed(1)}%`,
    );
  }
  log(`${total} episodes in ${secs.toFixed(1)} s (${(total / secs).toFixed(2)} episodes/s)`);
  if (args.json) console.log(JSON.stringify({ families }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

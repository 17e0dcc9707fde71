/**
 * `npx tsx training/aux_targets.ts --data <dataset dir>` — privileged per-step targets for training's
 * auxiliary loss (never a model input, never exported): replays every training episode's (successful, or DAgger) `executed`
 * actions in the Node sim (bit-identical to the browser run that recorded it; checked against the
 * recorded end-effector positions) and writes `<dir>/aux.json`:
 * `{ "<index>": { "block": [[x, y, z] per step], "goal": [x, y], "classes": [class per object],
 *   "uv": [[[u, v] per object] per step] } }` — the task's block at each observed step, where the task
 * wants it (the container for put, the expert's push distance along the push direction, its start for
 * pick), world metres; and every object's centre projected into the model camera (u right, v down, in
 * [0, 1] of the frame; blocks at their top face) with its class `OBJECT_CLASSES.indexOf("<color>_<kind>")`,
 * and `"ee_uv": [[u, v] per step]`, the recorded grasp site projected the same way (no replay needed, so
 * entries written before it existed get it on the next run).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flags } from '../scripts/lib/args';
import { BLOCK_HALF, generateScene } from '../src/core/sceneGenerator';
import { parseTask, taskReferents } from '../src/core/task';
import type { CameraSpec } from '../src/core/types';
import { pushDirectionVector } from '../src/core/viewFrame';
import { COLORS, CONTAINER_KINDS } from '../src/core/vocabulary';
import { Sim } from '../src/sim/Sim';

/** Patch-label classes (0 is background in training): every colour × block, bowl, plate. */
export const OBJECT_CLASSES = COLORS.flatMap((c) => ['block', ...CONTAINER_KINDS].map((k) => `${c}_${k}`));

/** World point → [u, v] in the model camera's frame (three.js PerspectiveCamera, vertical fovy, aspect 1, up +Z). */
function project(cam: CameraSpec, p: readonly number[]): [number, number] {
  const f = norm(sub(cam.target, cam.pos));
  const r = norm(cross(f, [0, 0, 1]));
  const u = cross(r, f);
  const d = sub(p, cam.pos);
  const z = dot(d, f);
  const t = Math.tan((cam.fovy * Math.PI) / 360);
  return [round((dot(d, r) / (z * t) + 1) / 2), round((1 - dot(d, u) / (z * t)) / 2)];
}
const sub = (a: readonly number[], b: readonly number[]) => [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: number[], b: number[]) => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];
const norm = (a: number[]) => {
  const n = Math.hypot(a[0]!, a[1]!, a[2]!);
  return [a[0]! / n, a[1]! / n, a[2]! / n];
};
const round = (v: number) => Math.round(v * 1e4) / 1e4;

const PUSH_DISTANCE = 0.135; // the expert's PUSH_GOAL
/** Largest grasp-site gap between replay and recording (m) for an episode's object targets to be kept. */
const MAX_REPLAY_DRIFT = 0.002;

/** The recorded grasp-site positions of an episode projected into its model camera. */
const eeUv = (cam: CameraSpec, eePos: readonly number[][]) => eePos.map((p) => project(cam, p));

async function main() {
  let data = '';
  let limit = Number.POSITIVE_INFINITY;
  let outName = 'aux.json';
  for (const f of flags(process.argv.slice(2))) {
    if (f.name === '--data') data = f.value();
    else if (f.name === '--limit') limit = f.number();
    else if (f.name === '--out') outName = f.value();
    else throw new Error(`unknown argument "${f.name}"`);
  }
  if (!data) throw new Error('usage: tsx training/aux_targets.ts --data <dataset dir>');
  const dir = join(data, 'episodes');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const sim = await Sim.create({ controlHz: 10 });
  const path = join(data, outName);
  // Resumable: keeps entries already in the file (with uv); `--limit N` caps the new episodes per run.
  type Entry =
    | { block: number[][]; goal: number[]; classes: number[]; uv: number[][][]; ee_uv?: number[][] }
    | { ee_uv: number[][]; replay_drift: number; block?: undefined; uv?: undefined };
  const out: Record<string, Entry> = {};
  if (existsSync(path)) {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, Entry>)) {
      if (v.uv || v.replay_drift !== undefined) out[k] = v;
    }
  }
  const had = Object.keys(out).length;
  let added = 0;
  let eeAdded = 0;
  let worst = 0;
  let drifted = 0;
  const t0 = Date.now();
  for (const [n, f] of files.entries()) {
    const e = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    if (!e.success && !(e.policy_mix > 0)) continue; // DAgger episodes train whether or not they succeeded
    const kept = out[String(e.index)];
    if (kept) {
      if (!kept.ee_uv) {
        kept.ee_uv = eeUv(generateScene(e.seed, e.task).camera, e.ee_pos as number[][]);
        eeAdded++;
      }
      continue;
    }
    if (added >= limit) break;
    added++;
    const scene = generateScene(e.seed, e.task);
    const task = parseTask(e.task);
    const [blockName, containerName] = taskReferents(task);
    let s = sim.reset(scene);
    const start = s.objects[blockName!]!.pos;
    let goal: number[] = [start[0]!, start[1]!];
    if (task.family === 'put') goal = s.objects[containerName!]!.pos.slice(0, 2);
    if (task.family === 'push') {
      const d = pushDirectionVector(scene.camera, task.direction);
      goal = [start[0]! + PUSH_DISTANCE * d[0]!, start[1]! + PUSH_DISTANCE * d[1]!];
    }
    let epWorst = 0;
    const block: number[][] = [];
    const classes = scene.objects.map((o) => OBJECT_CLASSES.indexOf(o.name));
    const uv: number[][][] = [];
    for (let t = 0; t < e.executed.length; t++) {
      uv.push(
        scene.objects.map((o) => {
          const p = s.objects[o.name]!.pos;
          return project(scene.camera, o.kind === 'block' ? [p[0]!, p[1]!, p[2]! + BLOCK_HALF] : p);
        }),
      );
      const ee = e.ee_pos[t] as number[];
      for (let k = 0; k < 3; k++) epWorst = Math.max(epWorst, Math.abs(ee[k]! - s.ee.pos[k]!));
      block.push(s.objects[blockName!]!.pos.map((v) => Math.round(v * 1e5) / 1e5));
      s = sim.step(e.executed[t]).state;
    }
    worst = Math.max(worst, epWorst);
    if (epWorst > MAX_REPLAY_DRIFT) {
      // The replay drifted from the recording (contacts amplify the 1e-6 rounding of `executed`; seen on
      // policy-driven DAgger episodes): its object positions are not the recorded frames'. Keep only ee_uv.
      out[String(e.index)] = { ee_uv: eeUv(scene.camera, e.ee_pos as number[][]), replay_drift: epWorst };
      drifted++;
      continue;
    }
    out[String(e.index)] = {
      block,
      goal: goal.map((v) => Math.round(v * 1e5) / 1e5),
      classes,
      uv,
      ee_uv: eeUv(scene.camera, e.ee_pos as number[][]),
    };
    if ((n + 1) % 100 === 0) {
      process.stderr.write(
        `  ${n + 1}/${files.length} episodes, ${((Date.now() - t0) / 1000).toFixed(0)} s, max |Δee| ${worst.toExponential(1)} m\n`,
      );
    }
  }
  writeFileSync(path, JSON.stringify(out));
  const left = files.length - Object.keys(out).length;
  if (drifted > 0) {
    process.stderr.write(
      `${drifted} episodes drifted > ${MAX_REPLAY_DRIFT} m in replay: only their ee_uv is kept (no object targets)\n`,
    );
  }
  process.stderr.write(
    `wrote ${path}: ${Object.keys(out).length} episodes (${had} kept, ${eeAdded} of them given ee_uv, ${added} new; ≤ ${left} files left); replay max |Δee| vs recorded ${worst.toExponential(2)} m\n`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

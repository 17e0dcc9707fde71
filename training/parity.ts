/**
 * Parity report: runs the fp32 reference export (<run>/export-fp32) and the bundled int8 folder
 * through the app's own runtime (createInProcessPolicy, onnxruntime-web WASM) on held-out frames of
 * the dataset (<run>/split.json's validation episodes) and reports action-token agreement, plus each
 * model's token accuracy against the expert's actions. Writes parity.json and the model card's
 * "Parity" section. Node only. Usage:
 *   npx tsx training/parity.ts --run training/out/<run> --data <dataset> [--model models/vla-tabletop-s] [--frames 500]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizeActions } from '../src/core/actionTokenizer';
import { unnormStats } from '../src/core/manifest';
import type { Frame } from '../src/core/policy';
import { createInProcessPolicy } from '../src/inference/inProcess';

interface EpisodeJson {
  instruction: string;
  actions: number[][];
  ee_pos: number[][];
  gripper: number[];
  success: boolean;
}

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`missing --${name}`);
  return v;
}

const run = arg('run');
const data = arg('data');
const modelDir = arg('model', 'models/vla-tabletop-s');
const nFrames = Number(arg('frames', '500'));
const fp32Dir = join(run, 'export-fp32');

const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { val_episodes: number[] };
const episodes = split.val_episodes.map((idx) => {
  const name = join(data, 'episodes', String(idx).padStart(6, '0'));
  const json = JSON.parse(readFileSync(`${name}.json`, 'utf8')) as EpisodeJson;
  return { idx, json, rgb: new Uint8Array(readFileSync(`${name}.rgb`)) };
});
const totalFrames = episodes.reduce((n, e) => n + e.json.actions.length, 0);
// Evenly spaced frames over all validation frames (deterministic).
const picks: { e: (typeof episodes)[number]; t: number }[] = [];
const want = Math.min(nFrames, totalFrames);
let flat = 0;
let next = 0;
for (const e of episodes) {
  for (let t = 0; t < e.json.actions.length; t++, flat++) {
    if (picks.length < want && flat >= Math.floor((next * totalFrames) / want)) {
      picks.push({ e, t });
      next++;
    }
  }
}

const fp32 = createInProcessPolicy();
const q8 = createInProcessPolicy();
const info32 = await fp32.load({ dir: fp32Dir }, { executionProvider: 'wasm' });
const info8 = await q8.load({ dir: modelDir }, { executionProvider: 'wasm' });
const manifest = info8.manifest;
const dims = manifest.action.dims;
const stats = unnormStats(manifest);
const agree = new Array<number>(dims).fill(0);
const acc32 = new Array<number>(dims).fill(0);
const acc8 = new Array<number>(dims).fill(0);
let allAgree = 0;
let ms32 = 0;
let ms8 = 0;
for (const [k, { e, t }] of picks.entries()) {
  const T = e.json.actions.length;
  const side = Math.round(Math.sqrt(e.rgb.length / (T * 3)));
  const bytes = side * side * 3;
  const frame = (): Frame => ({
    width: side,
    height: side,
    channels: 3,
    data: e.rgb.slice(t * bytes, (t + 1) * bytes),
  });
  const state = [...e.json.ee_pos[t]!, e.json.gripper[t]!];
  const a = await fp32.predict(frame(), e.json.instruction, { state });
  const b = await q8.predict(frame(), e.json.instruction, { state });
  ms32 += a.timings.totalMs;
  ms8 += b.timings.totalMs;
  const expert = tokenizeActions(e.json.actions[t]!, manifest.action, stats);
  let same = true;
  for (let d = 0; d < dims; d++) {
    if (a.tokens[d] === b.tokens[d]) agree[d]!++;
    else same = false;
    if (a.tokens[d] === expert[d]) acc32[d]!++;
    if (b.tokens[d] === expert[d]) acc8[d]!++;
  }
  if (same) allAgree++;
  if ((k + 1) % 100 === 0) process.stdout.write(`  ${k + 1}/${picks.length} frames\n`);
}
// PyTorch vs the runtime's fp32 graphs (export + preprocessing check), when export_model.py wrote a golden.
let torchAgree: number | null = null;
const goldenPath = join(run, 'torch_golden.json');
if (existsSync(goldenPath)) {
  const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as {
    cases: { episode: number; t: number; tokens: number[] }[];
  };
  let same = 0;
  let total = 0;
  for (const c of golden.cases) {
    const name = join(data, 'episodes', String(c.episode).padStart(6, '0'));
    const json = JSON.parse(readFileSync(`${name}.json`, 'utf8')) as EpisodeJson;
    const rgb = new Uint8Array(readFileSync(`${name}.rgb`));
    const T = json.actions.length;
    const side = Math.round(Math.sqrt(rgb.length / (T * 3)));
    const bytes = side * side * 3;
    const frame: Frame = {
      width: side,
      height: side,
      channels: 3,
      data: rgb.slice(c.t * bytes, (c.t + 1) * bytes),
    };
    const r = await fp32.predict(frame, json.instruction, {
      state: [...json.ee_pos[c.t]!, json.gripper[c.t]!],
    });
    for (let d = 0; d < dims; d++) if (r.tokens[d] === c.tokens[d]) same++;
    total += dims;
  }
  torchAgree = total > 0 ? same / total : null;
}
await fp32.dispose();
await q8.dispose();

const n = picks.length;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / (xs.length * n);
const report = {
  frames: n,
  validation_episodes: episodes.length,
  token_agreement: mean(agree),
  token_agreement_per_dim: agree.map((x) => x / n),
  all_7_tokens_agree: allAgree / n,
  expert_token_accuracy: { fp32: mean(acc32), q8: mean(acc8) },
  pytorch_vs_runtime_fp32_agreement: torchAgree,
  mean_step_ms: { fp32: ms32 / n, q8: ms8 / n },
  bytes: { fp32: info32.bytes, q8: info8.bytes },
  runtime: 'onnxruntime-web WASM, 1 thread, in-process (Node), greedy decoding with KV cache',
};
writeFileSync(join(modelDir, 'parity.json'), `${JSON.stringify(report, null, 2)}\n`);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const section = [
  '## Parity',
  '',
  `int8 vs fp32 on ${n} held-out frames (${episodes.length} validation episodes), both run by the app's runtime ` +
    `(${report.runtime}): action-token agreement **${pct(report.token_agreement)}** (target ≥ 98%); ` +
    `per dimension ${report.token_agreement_per_dim.map(pct).join(', ')}; all 7 tokens equal on ` +
    `${pct(report.all_7_tokens_agree)} of frames. Token accuracy against the expert's actions (greedy, ` +
    `open loop): fp32 ${pct(report.expert_token_accuracy.fp32)}, int8 ${pct(report.expert_token_accuracy.q8)}. ` +
    (torchAgree === null
      ? ''
      : `PyTorch vs the runtime's fp32 graphs on ${JSON.parse(readFileSync(goldenPath, 'utf8')).cases.length} ` +
        `frames: ${pct(torchAgree)} token agreement. `) +
    `Mean step time (Node, WASM, 1 thread): fp32 ${report.mean_step_ms.fp32.toFixed(1)} ms, int8 ` +
    `${report.mean_step_ms.q8.toFixed(1)} ms. Written by \`training/parity.ts\` (parity.json).`,
  '',
  '',
].join('\n');
const cardPath = join(modelDir, 'README.md');
const card = readFileSync(cardPath, 'utf8');
const start = card.indexOf('## Parity');
const end = start < 0 ? -1 : card.indexOf('\n## ', start + 1);
const updated =
  start < 0 ? `${card.trimEnd()}\n\n${section}` : `${card.slice(0, start)}${section}${card.slice(end + 1)}`;
writeFileSync(cardPath, updated);
console.log(
  `parity: ${pct(report.token_agreement)} token agreement on ${n} frames ` +
    `(all-7 ${pct(report.all_7_tokens_agree)}); expert accuracy fp32 ${pct(report.expert_token_accuracy.fp32)}, ` +
    `int8 ${pct(report.expert_token_accuracy.q8)}; PyTorch vs fp32 runtime ${torchAgree === null ? 'n/a' : pct(torchAgree)}; wrote ${join(modelDir, 'parity.json')} and the card`,
);

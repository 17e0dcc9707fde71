/**
 * The bench's results as data and text: per-configuration timing summaries from step samples, ratios
 * between configurations measured side by side, the issue's targets, the stdout tables and the
 * generated BENCHMARKS.md section. Pure (no I/O); imports only the statistics helpers and types.
 */
import type { StepSample } from './benchBrowser';
import type { MachineInfo } from './benchMachine';
import {
  fmt,
  fmtBytes,
  fmtSummary,
  markdownTable,
  ratio,
  type Summary,
  summarize,
  type TargetVerdict,
  textTable,
  verdict,
  verdictWord,
} from './benchStats';

/** Summaries of one configuration's steps, ms. */
export interface ConfigTimings {
  steps: number;
  preprocess: Summary;
  vision: Summary;
  /** Prompt embedding. */
  embed: Summary;
  /** Prefill decoder call (yields token 0). */
  prefill: Summary;
  /** Each further action token (embed + decoder + choice), pooled over tokens and steps. */
  decodeToken: Summary;
  /** All action tokens of a step: prefill + the further tokens. */
  decode7: Summary;
  detokenize: Summary;
  /** Model time of the step (worker / Node policy). */
  total: Summary;
  /** Browser: capture + predict round trip seen by the page; Node: the predict call. */
  roundTrip: Summary;
}

export function aggregateSteps(samples: readonly StepSample[]): ConfigTimings {
  const pick = (f: (s: StepSample) => number) => summarize(samples.map(f));
  return {
    steps: samples.length,
    preprocess: pick((s) => s.preprocess),
    vision: pick((s) => s.vision),
    embed: pick((s) => s.embed),
    prefill: pick((s) => s.prefill),
    decodeToken: summarize(samples.flatMap((s) => s.decode)),
    decode7: pick((s) => s.prefill + s.decode.reduce((a, b) => a + b, 0)),
    detokenize: pick((s) => s.detokenize),
    total: pick((s) => s.total),
    roundTrip: pick((s) => s.roundTrip),
  };
}

export interface ConfigResult {
  /** e.g. browser-wasm-1, browser-wasm-2, browser-webgpu, node-cpu-1, node-cpu-2-recompute. */
  id: string;
  label: string;
  runtime: 'browser' | 'node';
  ep: string;
  threads: number;
  kvCache: boolean;
  note?: string;
  timings: ConfigTimings;
  /** Fraction of steps whose 7 tokens equal the reference configuration's on the same scene. */
  tokenAgreement?: number;
}

export interface ClosedLoopSummary {
  view: '3d' | 'none';
  steps: number;
  episodes: number;
  /** Steps per second of page time over the whole run. */
  hz: number;
  stepMs: Summary;
  longTasks: { count: number; maxMs: number; totalMs: number };
}

export interface ColdStartSummary {
  runs: number;
  worldMs: Summary;
  modelMs: Summary;
  firstActionMs: Summary;
}

export interface GraphBytes {
  graph: string;
  file: string;
  bytes: number;
  dtype?: string;
}

export interface BenchReport {
  date: string;
  commit: string;
  commit_dirty: boolean;
  machine: MachineInfo;
  /** Other work competed for the CPU during the run (see wasLoaded). */
  loaded: boolean;
  chromium: string;
  quick: boolean;
  model: { id: string; name: string; folder: string; graphs: GraphBytes[]; totalBytes: number };
  scenes: { seed: number; task: string; instruction: string }[];
  rounds: number;
  configs: ConfigResult[];
  /** Model-camera capture in the page (render + readback + base64), ms. */
  render: Summary;
  /** Sim.step (IK + physics of one control period) in Node, ms. */
  ikPhysics: Summary;
  closedLoop: ClosedLoopSummary[];
  coldStart: { empty: ColdStartSummary | null; warm: ColdStartSummary | null };
  ratios: Record<string, number>;
  targets: TargetVerdict[];
}

const byId = (configs: readonly ConfigResult[], id: string) => configs.find((c) => c.id === id);
const med = (c: ConfigResult | undefined, k: keyof Omit<ConfigTimings, 'steps'>) =>
  c ? c.timings[k].median : Number.NaN;

/**
 * Ratios of medians between configurations of one run (`n` = the all-cores thread count):
 * browser WASM / node (model time and round trip) per thread count, KV-cache decode against full
 * recompute, 7-token decode against one prefill, WebGPU against WASM.
 */
export function computeRatios(configs: readonly ConfigResult[], n: number): Record<string, number> {
  const c = (id: string) => byId(configs, id);
  const out: Record<string, number> = {};
  for (const t of [...new Set([1, n])]) {
    out[`browser_wasm_${t}_over_node_${t}`] = ratio(
      med(c(`browser-wasm-${t}`), 'total'),
      med(c(`node-cpu-${t}`), 'total'),
    );
    out[`browser_wasm_${t}_roundtrip_over_node_${t}`] = ratio(
      med(c(`browser-wasm-${t}`), 'roundTrip'),
      med(c(`node-cpu-${t}`), 'roundTrip'),
    );
    out[`node_${t}_recompute_over_kv_decode7`] = ratio(
      med(c(`node-cpu-${t}-recompute`), 'decode7'),
      med(c(`node-cpu-${t}`), 'decode7'),
    );
  }
  for (const id of [`browser-wasm-${n}`, `browser-wasm-1`, `node-cpu-${n}`]) {
    const k = id.replace(/-/g, '_');
    out[`${k}_decode7_over_prefill`] = ratio(med(c(id), 'decode7'), med(c(id), 'prefill'));
  }
  out.browser_webgpu_over_wasm = ratio(
    med(c('browser-webgpu'), 'total'),
    med(c(`browser-wasm-${n}`), 'total'),
  );
  return out;
}

/** The issue's targets on this run's figures. */
export function benchTargets(
  ratios: Record<string, number>,
  n: number,
  closedLoop: readonly ClosedLoopSummary[],
  warm: ColdStartSummary | null,
): TargetVerdict[] {
  const hz = (v: ClosedLoopSummary['view']) => closedLoop.find((c) => c.view === v)?.hz ?? Number.NaN;
  const out: TargetVerdict[] = [];
  for (const t of [...new Set([1, n])]) {
    out.push(
      verdict(
        `wasm_vs_node_${t}`,
        `browser WASM per action / onnxruntime-node, ${t} thread${t > 1 ? 's' : ''} (model time, median)`,
        ratios[`browser_wasm_${t}_over_node_${t}`] ?? Number.NaN,
        '<=',
        1.5,
        '×',
      ),
    );
  }
  out.push(
    verdict(
      'kv_decode7_vs_prefill',
      `7-token KV-cache decode / one prefill (browser WASM ${n} threads, medians)`,
      ratios[`browser_wasm_${n}_decode7_over_prefill`] ?? Number.NaN,
      '<=',
      2,
      '×',
    ),
    verdict('closed_loop_3d', 'closed loop with the 3D view', hz('3d'), '>=', 10, ' Hz', 1),
    verdict('closed_loop_noview', 'closed loop with `?view=0`', hz('none'), '>=', 10, ' Hz', 1),
    verdict(
      'cold_start_warm',
      'cold start with a warm cache (page open → first action, median)',
      warm ? warm.firstActionMs.median / 1000 : Number.NaN,
      '<=',
      3,
      ' s',
    ),
  );
  return out;
}

const ROWS: [keyof Omit<ConfigTimings, 'steps'>, string][] = [
  ['preprocess', 'preprocess'],
  ['vision', 'vision encoder'],
  ['embed', 'prompt embedding'],
  ['prefill', 'prefill (+ token 0)'],
  ['decodeToken', 'decode, per further token'],
  ['decode7', '7-token decode (prefill + 6)'],
  ['detokenize', 'de-tokenize'],
  ['total', 'model total'],
  ['roundTrip', 'round trip (page / call)'],
];

/** Component × configuration table of "median / p95" cells (ms), with render and IK+physics rows. */
export function breakdownTable(r: Pick<BenchReport, 'configs' | 'render' | 'ikPhysics'>): {
  header: string[];
  rows: string[][];
} {
  const header = ['ms, median / p95', ...r.configs.map((c) => c.label)];
  const rows = ROWS.map(([k, name]) => [name, ...r.configs.map((c) => fmtSummary(c.timings[k], 2))]);
  rows.push(['steps measured', ...r.configs.map((c) => String(c.timings.steps))]);
  if (r.configs.some((c) => c.tokenAgreement !== undefined))
    rows.push([
      'tokens = node reference',
      ...r.configs.map((c) =>
        c.tokenAgreement === undefined ? 'reference' : `${Math.round(c.tokenAgreement * 100)}%`,
      ),
    ]);
  rows.push(['model-camera render (page)', fmtSummary(r.render, 2), ...r.configs.slice(1).map(() => '')]);
  rows.push([
    'IK + physics (Sim.step, Node)',
    fmtSummary(r.ikPhysics, 2),
    ...r.configs.slice(1).map(() => ''),
  ]);
  return { header, rows };
}

function targetRows(targets: readonly TargetVerdict[]): string[][] {
  return targets.map((t) => [t.label, t.target, t.shown, verdictWord(t)]);
}

function closedLoopRows(cl: readonly ClosedLoopSummary[]): string[][] {
  return cl.map((c) => [
    c.view === '3d' ? '3D view' : '`?view=0`',
    String(c.steps),
    fmt(c.hz, 1),
    fmtSummary(c.stepMs, 1),
    String(c.longTasks.count),
    fmt(c.longTasks.maxMs, 0),
  ]);
}

function coldRows(cs: BenchReport['coldStart']): string[][] {
  const row = (name: string, s: ColdStartSummary | null) =>
    s
      ? [
          name,
          String(s.runs),
          fmt(s.worldMs.median, 0),
          fmt(s.modelMs.median, 0),
          fmt(s.firstActionMs.median, 0),
        ]
      : [name, '0', '—', '—', '—'];
  return [row('empty cache', cs.empty), row('warm Cache API', cs.warm)];
}

function ratioRows(ratios: Record<string, number>): string[][] {
  return Object.entries(ratios).map(([k, v]) => [k, `${fmt(v, 2)}×`]);
}

/** The stdout report. */
export function benchText(r: BenchReport): string {
  const b = breakdownTable(r);
  const parts = [
    `model ${r.model.id} · ${r.quick ? 'quick run' : 'full run'} · ${r.scenes.length} scenes × ${r.rounds} rounds` +
      ` · ${r.machine.cores} cores, load ${r.machine.loadStart}→${r.machine.loadEnd}${r.loaded ? ' (MACHINE LOADED)' : ''}`,
    '',
    textTable(b.header, b.rows),
    '',
    textTable(['ratio (medians, same run)', 'value'], ratioRows(r.ratios)),
    '',
    textTable(
      ['closed loop', 'steps', 'Hz', 'step ms med / p95', 'long tasks', 'longest ms'],
      closedLoopRows(r.closedLoop),
    ),
    '',
    textTable(
      ['cold start (ms since navigation)', 'runs', 'world', 'model ready', 'first action'],
      coldRows(r.coldStart),
    ),
    '',
    textTable(
      ['graph', 'file', 'bytes'],
      [
        ...r.model.graphs.map((g) => [g.graph, g.file, fmtBytes(g.bytes)]),
        ['all files', '', fmtBytes(r.model.totalBytes)],
      ],
    ),
    '',
    textTable(['target', 'goal', 'measured', 'verdict'], targetRows(r.targets)),
  ];
  return parts.join('\n');
}

/** The generated BENCHMARKS.md section (between the bench markers). */
export function benchMarkdown(r: BenchReport): string {
  const b = breakdownTable(r);
  const load = r.loaded
    ? `**Measured while the machine was loaded** (1-minute load average ${r.machine.loadStart} at the start, ` +
      `${r.machine.loadEnd} at the end, on ${r.machine.cores} cores): other work competed for the CPU, so ` +
      'absolute times are pessimistic and ratios are noisier than on an idle machine.'
    : `Machine idle at the start (load average ${r.machine.loadStart} on ${r.machine.cores} cores).`;
  return [
    `### Run of ${r.date.slice(0, 10)} (${r.quick ? '`--quick`' : 'full'})`,
    '',
    `- commit \`${r.commit.slice(0, 12) || 'unknown'}\`${r.commit_dirty ? ' with uncommitted changes' : ''}`,
    `- machine: ${r.machine.cores} cores (${r.machine.cpuModel}), ${(r.machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory, ${r.machine.os}; ${r.chromium}; Node ${r.machine.node}`,
    `- model \`${r.model.id}\` (${r.model.name}); ${r.scenes.length} scenes × ${r.rounds} rounds, configurations interleaved round by round`,
    `- ${load}`,
    '',
    '#### Targets (issue 7)',
    '',
    markdownTable(['target', 'goal', 'measured', 'verdict'], targetRows(r.targets)),
    '',
    '#### Per-step breakdown',
    '',
    markdownTable(b.header, b.rows),
    '',
    '#### Ratios (medians of this run)',
    '',
    markdownTable(['ratio', 'value'], ratioRows(r.ratios)),
    '',
    '#### Closed loop (`window.vla.runEpisode`, as fast as possible) and main-thread long tasks',
    '',
    markdownTable(
      ['page', 'steps', 'Hz', 'step ms median / p95', 'long tasks (> 50 ms)', 'longest, ms'],
      closedLoopRows(r.closedLoop),
    ),
    '',
    '#### Cold start (ms since navigation start)',
    '',
    markdownTable(['cache', 'runs', 'world up', 'model ready', 'first action'], coldRows(r.coldStart)),
    '',
    '#### Model bytes per graph',
    '',
    markdownTable(
      ['graph', 'file', 'dtype', 'bytes'],
      [
        ...r.model.graphs.map((g) => [g.graph, `\`${g.file}\``, g.dtype ?? '—', fmtBytes(g.bytes)]),
        ['all files of the folder', '', '', fmtBytes(r.model.totalBytes)],
      ],
    ),
  ].join('\n');
}

/**
 * The soak script's analysis and text: memory growth of each series after warm-up against the 10% target,
 * ORT leak checks (live sessions constant, no live tensors between steps), and the stdout / BENCHMARKS.md
 * report. Pure (no I/O).
 */

import type { MachineInfo } from './benchMachine';
import type { MemoryReading } from './benchMemory';
import {
  fmt,
  fmtBytes,
  fmtPercent,
  type Growth,
  markdownTable,
  memoryGrowth,
  type TargetVerdict,
  textTable,
  verdict,
  verdictWord,
} from './benchStats';

/** Growth allowed after warm-up (issue 7). */
export const MAX_GROWTH = 0.1;

export interface SeriesResult {
  id: string;
  label: string;
  growth: Growth;
  /** null when the series was not measured (all NaN/null). */
  verdict: TargetVerdict;
}

export interface LeakCheck {
  /** Live ORT sessions at every reading (expected: one per graph, constant). */
  sessions: number[];
  /** Live ORT tensors at every reading, taken between episodes (expected 0). */
  tensors: number[];
  tensorsCreated: number;
  sessionsCreated: number;
  sessionsConstant: boolean;
  noLiveTensors: boolean;
}

export interface SoakAnalysis {
  warmupSteps: number;
  series: SeriesResult[];
  leaks: LeakCheck | null;
}

const SERIES: [string, string, (r: MemoryReading) => number | null | undefined][] = [
  ['main_js_heap', 'main thread JS heap (after GC)', (r) => r.mainHeapUsed],
  ['main_wasm', 'main thread WASM memory (MuJoCo)', (r) => r.mainWasm],
  ['worker_wasm', 'worker WASM memory (onnxruntime-web)', (r) => r.worker?.wasmBytes],
  ['worker_js_heap', 'worker JS heap (performance.memory, no forced GC)', (r) => r.worker?.jsHeapUsedBytes],
  ['dom_nodes', 'DOM nodes', (r) => r.domNodes],
];

/** Growth of every series after `warmupSteps`, and the ORT leak checks. */
export function analyzeSoak(readings: readonly MemoryReading[], warmupSteps: number): SoakAnalysis {
  const series = SERIES.map(([id, label, get]) => {
    const samples = readings
      .map((r) => ({ step: r.step, bytes: get(r) }))
      .filter(
        (s): s is { step: number; bytes: number } => typeof s.bytes === 'number' && Number.isFinite(s.bytes),
      );
    const growth = memoryGrowth(samples, warmupSteps);
    return {
      id,
      label,
      growth,
      verdict: verdict(id, label, growth.growth * 100, '<=', MAX_GROWTH * 100, '%', 1),
    };
  });
  const withWorker = readings.filter((r) => r.step >= warmupSteps && r.worker);
  let leaks: LeakCheck | null = null;
  if (withWorker.length > 0) {
    const sessions = withWorker.map((r) => r.worker!.ortSessions);
    const tensors = withWorker.map((r) => r.worker!.ortTensors);
    const last = withWorker[withWorker.length - 1]!.worker!;
    leaks = {
      sessions,
      tensors,
      tensorsCreated: last.ortTensorsCreated,
      sessionsCreated: last.ortSessionsCreated,
      sessionsConstant: sessions.every((s) => s === sessions[0]),
      noLiveTensors: tensors.every((t) => t === 0),
    };
  }
  return { warmupSteps, series, leaks };
}

export interface SoakReport {
  date: string;
  commit: string;
  commit_dirty: boolean;
  machine: MachineInfo;
  loaded: boolean;
  chromium: string;
  model: string;
  executionProvider: string;
  view: '3d' | 'none';
  steps: number;
  episodes: number;
  wallSeconds: number;
  analysis: SoakAnalysis;
  readings: MemoryReading[];
}

function seriesRows(a: SoakAnalysis): string[][] {
  return a.series.map((s) => {
    const bytes = s.id !== 'dom_nodes';
    const show = (x: number) => (bytes ? fmtBytes(x) : fmt(x, 0));
    return [
      s.label,
      show(s.growth.baseline),
      show(s.growth.final),
      fmtPercent(s.growth.growth),
      bytes ? `${fmtBytes(s.growth.slopePer1000Steps)}` : fmt(s.growth.slopePer1000Steps, 1),
      s.verdict.met === null ? 'not measured' : `${verdictWord(s.verdict)} (≤ +${MAX_GROWTH * 100}%)`,
    ];
  });
}

function leakLines(l: LeakCheck | null): string[] {
  if (!l) return ['ORT leak check: the worker probe was not reachable (not measured).'];
  const uniq = [...new Set(l.sessions)].join(', ');
  return [
    `ORT sessions live at every reading: ${uniq} (${l.sessionsCreated} created in all) — ${l.sessionsConstant ? 'constant, none leaked' : 'CHANGED: sessions leaked or lost'}`,
    `ORT tensors live between episodes: max ${Math.max(...l.tensors)} (${l.tensorsCreated} created in all) — ${l.noLiveTensors ? 'all disposed' : 'NOT all disposed'}`,
  ];
}

const SERIES_HEADER = ['series', 'after warm-up', 'end', 'growth', 'slope / 1000 steps', 'verdict'];

export function soakText(r: SoakReport): string {
  return [
    `soak: ${r.steps} closed-loop steps in ${r.episodes} episodes, ${r.wallSeconds.toFixed(0)} s · model ${r.model} on ${r.executionProvider}` +
      ` · view ${r.view} · warm-up ${r.analysis.warmupSteps} steps${r.loaded ? ' · MACHINE LOADED' : ''}`,
    '',
    textTable(SERIES_HEADER, seriesRows(r.analysis)),
    '',
    ...leakLines(r.analysis.leaks),
  ].join('\n');
}

export function soakMarkdown(r: SoakReport): string {
  return [
    `### Soak of ${r.date.slice(0, 10)}: ${r.steps} closed-loop steps`,
    '',
    `- commit \`${r.commit.slice(0, 12) || 'unknown'}\`${r.commit_dirty ? ' with uncommitted changes' : ''}; ${r.machine.cores} cores, ${(r.machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB; ${r.chromium}`,
    `- model \`${r.model}\` on ${r.executionProvider}, ${r.view === '3d' ? 'with the 3D view' : '`?view=0`'}; ${r.episodes} episodes in ${r.wallSeconds.toFixed(0)} s; growth measured after a warm-up of ${r.analysis.warmupSteps} steps`,
    r.loaded
      ? `- **Measured while the machine was loaded** (load average ${r.machine.loadStart} → ${r.machine.loadEnd}): memory figures are not affected much, the duration is.`
      : `- machine idle at the start (load average ${r.machine.loadStart})`,
    '',
    markdownTable(SERIES_HEADER, seriesRows(r.analysis)),
    '',
    ...leakLines(r.analysis.leaks).map((l) => `- ${l}`),
  ].join('\n');
}

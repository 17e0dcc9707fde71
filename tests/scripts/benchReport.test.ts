/**
 * The bench/soak/perf reports' pure parts: step samples → per-component summaries (7-token decode =
 * prefill + the further tokens), ratios of medians between configurations, the issue 7 targets, the
 * breakdown table, soak growth/leak verdicts, perf frame analysis, and the CLIs' optional-path flags.
 * Figures are small hand-made samples whose medians are known by construction.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs as parseBench } from '../../scripts/bench';
import { takeOptionalPath } from '../../scripts/lib/benchArgs';
import type { StepSample } from '../../scripts/lib/benchBrowser';
import type { MemoryReading } from '../../scripts/lib/benchMemory';
import { analyzeFrames, perfTargets } from '../../scripts/lib/benchPerf';
import {
  aggregateSteps,
  benchTargets,
  breakdownTable,
  type ClosedLoopSummary,
  type ConfigResult,
  computeRatios,
} from '../../scripts/lib/benchReport';
import { analyzeSoak } from '../../scripts/lib/benchSoak';
import { summarize } from '../../scripts/lib/benchStats';
import { parseArgs as parseSoak } from '../../scripts/soak';

const step = (total: number, prefill: number, decode: number[]): StepSample => ({
  preprocess: 1,
  vision: 2,
  embed: 0.5,
  prefill,
  decode,
  detokenize: 0.1,
  total,
  roundTrip: total + 3,
  tokens: [1, 2, 3, 4, 5, 6, 7],
});

const config = (id: string, samples: StepSample[]): ConfigResult => ({
  id,
  label: id,
  runtime: id.startsWith('node') ? 'node' : 'browser',
  ep: 'wasm',
  threads: 1,
  kvCache: !id.endsWith('recompute'),
  timings: aggregateSteps(samples),
});

describe('bench report', () => {
  it('pools further tokens per token and sums prefill + further tokens per step', () => {
    const t = aggregateSteps([step(10, 4, [1, 1, 1, 1, 1, 1]), step(20, 6, [2, 2, 2, 2, 2, 2])]);
    expect(t.steps).toBe(2);
    expect(t.decodeToken.n).toBe(12);
    expect(t.decodeToken.median).toBe(1.5);
    expect(t.decode7.median).toBe((4 + 6 + (6 + 12)) / 2);
    expect(t.total.median).toBe(15);
    expect(t.roundTrip.median).toBe(18);
  });

  it('computes ratios of medians and judges the issue 7 targets', () => {
    const configs = [
      config('browser-wasm-1', [step(30, 10, [2, 2, 2, 2, 2, 2])]),
      config('browser-wasm-2', [step(24, 8, [1, 1, 1, 1, 1, 1])]),
      config('node-cpu-1', [step(20, 10, [2, 2, 2, 2, 2, 2])]),
      config('node-cpu-2', [step(12, 6, [1, 1, 1, 1, 1, 1])]),
      config('node-cpu-2-recompute', [step(40, 6, [6, 6, 6, 6, 6, 6])]),
    ];
    const r = computeRatios(configs, 2);
    expect(r.browser_wasm_1_over_node_1).toBe(1.5);
    expect(r.browser_wasm_2_over_node_2).toBe(2);
    expect(r.browser_wasm_2_decode7_over_prefill).toBe(14 / 8);
    expect(r.node_2_recompute_over_kv_decode7).toBe(42 / 12);
    expect(r.node_1_recompute_over_kv_decode7).toBeNaN(); // not measured
    expect(r.browser_webgpu_over_wasm).toBeNaN();

    const loop = (view: '3d' | 'none', hz: number): ClosedLoopSummary => ({
      view,
      steps: 10,
      episodes: 1,
      hz,
      stepMs: summarize([1000 / hz]),
      longTasks: { count: 0, maxMs: 0, totalMs: 0 },
    });
    const warm = {
      runs: 1,
      worldMs: summarize([500]),
      modelMs: summarize([900]),
      firstActionMs: summarize([2500]),
    };
    const targets = benchTargets(r, 2, [loop('none', 12), loop('3d', 8)], warm);
    const met = Object.fromEntries(targets.map((t) => [t.id, t.met]));
    expect(met).toEqual({
      wasm_vs_node_1: true,
      wasm_vs_node_2: false,
      kv_decode7_vs_prefill: true,
      closed_loop_3d: false,
      closed_loop_noview: true,
      cold_start_warm: true,
    });
    expect(benchTargets(r, 2, [], null).find((t) => t.id === 'cold_start_warm')?.met).toBeNull();
  });

  it('lays out the breakdown as component rows × configuration columns of median / p95', () => {
    const configs = [
      config('a', [step(10, 4, [1, 1, 1, 1, 1, 1])]),
      config('b', [step(20, 8, [2, 2, 2, 2, 2, 2])]),
    ];
    const t = breakdownTable({ configs, render: summarize([3, 5]), ikPhysics: summarize([0.5]) });
    expect(t.header).toEqual(['ms, median / p95', 'a', 'b']);
    const row = (name: string) => t.rows.find((r) => r[0] === name);
    expect(row('model total')).toEqual(['model total', '10.00 / 10.00', '20.00 / 20.00']);
    expect(row('7-token decode (prefill + 6)')).toEqual([
      '7-token decode (prefill + 6)',
      '10.00 / 10.00',
      '20.00 / 20.00',
    ]);
    expect(row('model-camera render (page)')?.[1]).toBe('4.00 / 4.90');
    for (const r of t.rows) expect(r).toHaveLength(3);
  });
});

describe('soak analysis', () => {
  const reading = (step: number, heap: number, tensors: number, sessions = 3): MemoryReading => ({
    step,
    mainHeapUsed: heap,
    mainHeapTotal: heap * 2,
    domNodes: 500,
    jsEventListeners: 40,
    mainWasm: 64 * 2 ** 20,
    worker: {
      wasmBytes: 32 * 2 ** 20,
      wasmMemories: 1,
      jsHeapUsedBytes: null,
      jsHeapTotalBytes: null,
      ortSessions: sessions,
      ortSessionsCreated: 3,
      ortTensors: tensors,
      ortTensorsCreated: step * 50,
    },
  });

  it('flags heap growth over 10% after warm-up and passes flat series', () => {
    const grow = [0, 100, 200, 300, 400, 500, 600].map((s) => reading(s, s < 100 ? 1e6 : 1e7 + s * 1e4, 0));
    const a = analyzeSoak(grow, 100);
    const v = Object.fromEntries(a.series.map((s) => [s.id, s.verdict.met]));
    // heap after warm-up: 1.1e7 … 1.6e7; first three median 1.2e7, last three 1.5e7 → +25%.
    expect(a.series.find((s) => s.id === 'main_js_heap')?.growth.growth).toBeCloseTo(0.25, 10);
    expect(v.main_js_heap).toBe(false);
    expect(v.main_wasm).toBe(true);
    expect(v.worker_wasm).toBe(true);
    expect(v.worker_js_heap).toBeNull(); // performance.memory not reported
    expect(a.leaks).toMatchObject({ sessionsConstant: true, noLiveTensors: true });
  });

  it('reports live tensors and changing session counts as leaks', () => {
    const rs = [reading(0, 1e7, 0), reading(100, 1e7, 0), reading(200, 1e7, 6), reading(300, 1e7, 12, 6)];
    const a = analyzeSoak(rs, 100);
    expect(a.leaks?.noLiveTensors).toBe(false);
    expect(a.leaks?.sessionsConstant).toBe(false);
    expect(a.leaks?.tensors).toEqual([0, 6, 12]);
  });
});

describe('perf analysis', () => {
  it('counts fps from rAF timestamps and finds slow frames and long tasks', () => {
    const frames = Array.from({ length: 61 }, (_, i) => i * (1000 / 60));
    frames.splice(30, 1); // one dropped frame: a 33 ms interval
    const a = analyzeFrames({
      frames,
      longTasks: [
        { start: 10, duration: 70 },
        { start: 500, duration: 55 },
      ],
      windowMs: 1000,
      simSeconds: 0.5,
    });
    expect(a.fps).toBeCloseTo(59, 6);
    expect(a.slowFrames).toBe(1);
    expect(a.longTasks).toEqual({ count: 2, maxMs: 70, totalMs: 125 });
    expect(a.realTimeFactor).toBe(0.5);
    const t = Object.fromEntries(perfTargets(a, 'x').map((v) => [v.id, v.met]));
    expect(t).toEqual({ fps_x: true, longtask_x: false });
    const quiet = analyzeFrames({ frames: [0, 25, 50], longTasks: [], windowMs: 50, simSeconds: 0 });
    expect(quiet.fps).toBe(40);
    expect(Object.fromEntries(perfTargets(quiet, 'y').map((v) => [v.id, v.met]))).toEqual({
      fps_y: false,
      longtask_y: true,
    });
  });
});

describe('CLI flags', () => {
  it('takes a flag with an optional path', () => {
    expect(takeOptionalPath(['--a', '--json', 'x.json', '--b'], '--json', '/d.json')).toEqual([
      expect.stringMatching(/\/x\.json$/),
      ['--a', '--b'],
    ]);
    expect(takeOptionalPath(['--json', '--b'], '--json', '/d.json')).toEqual(['/d.json', ['--b']]);
    expect(takeOptionalPath(['--json'], '--json', '/d.json')).toEqual(['/d.json', []]);
    expect(takeOptionalPath(['--b'], '--json', '/d.json')).toEqual([null, ['--b']]);
  });

  it('parses bench and soak arguments and rejects unknown ones', () => {
    const b = parseBench(['--quick', '--write-md', '--rounds', '2', '--no-webgpu']);
    expect(b).toMatchObject({ quick: true, rounds: 2, webgpu: false, model: 'vla-tabletop-s' });
    expect(b.writeMd).toMatch(/BENCHMARKS\.md$/);
    expect(() => parseBench(['--bogus'])).toThrow(/unknown argument/);
    const s = parseSoak(['--steps', '300', '--json']);
    expect(s).toMatchObject({ steps: 300, episodeSteps: 100, view: false });
    expect(s.json).toMatch(/soak\.json$/);
    expect(() => parseSoak(['--steps', '0'])).toThrow(/integer/);
  });
});

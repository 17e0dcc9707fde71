/**
 * The perf script's in-page sampler and its analysis: requestAnimationFrame timestamps and main-thread long
 * tasks over a window of a running episode, turned into frame rate, frame-interval percentiles and the
 * issue 6 figures (≥ 50 fps, no long task over 50 ms). The sampler is page source text (no bundler
 * helpers leak into the page); the analysis is pure.
 */
import type { MachineInfo } from './benchMachine';
import { CPU_GROUPS, type CpuGroup } from './benchProcCpu';
import {
  fmt,
  markdownTable,
  type Summary,
  summarize,
  type TargetVerdict,
  textTable,
  verdict,
  verdictWord,
} from './benchStats';

/** Raw figures of one sampling window, as the page returns them. */
export interface FrameSample {
  /** rAF timestamps, ms (page clock). */
  frames: number[];
  longTasks: { start: number; duration: number }[];
  /** Page time the window lasted, ms. */
  windowMs: number;
  /** Sim time advanced over the window, s. */
  simSeconds: number;
}

/**
 * An expression for page.evaluate: samples rAF and long tasks for `ms` and reads the sim clock
 * (window.vla.state().time) at both ends; resolves with a FrameSample.
 */
export function frameSamplerSource(ms: number): string {
  return `(async () => {
    const frames = [];
    const longTasks = [];
    const obs = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
    });
    obs.observe({ type: 'longtask' });
    const sim0 = window.vla.state().time;
    const t0 = performance.now();
    await new Promise((resolve) => {
      const tick = (t) => {
        frames.push(t);
        if (performance.now() - t0 < ${Number(ms)}) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    const windowMs = performance.now() - t0;
    const simSeconds = window.vla.state().time - sim0;
    await new Promise((r) => setTimeout(r, 100));
    for (const e of obs.takeRecords()) longTasks.push({ start: e.startTime, duration: e.duration });
    obs.disconnect();
    return { frames, longTasks, windowMs, simSeconds };
  })()`;
}

export interface FrameAnalysis {
  /** Frames per second over the window: (frames − 1) / (last − first timestamp). */
  fps: number;
  /** Intervals between consecutive frames, ms. */
  intervals: Summary;
  /** Intervals over 20 ms (a frame missed at 50 fps). */
  slowFrames: number;
  longTasks: { count: number; maxMs: number; totalMs: number };
  /** Sim seconds per wall second (1 = real time). */
  realTimeFactor: number;
}

export function analyzeFrames(s: FrameSample): FrameAnalysis {
  const f = s.frames;
  const intervals: number[] = [];
  for (let i = 1; i < f.length; i++) intervals.push(f[i]! - f[i - 1]!);
  const span = f.length > 1 ? f[f.length - 1]! - f[0]! : 0;
  return {
    fps: span > 0 ? ((f.length - 1) * 1000) / span : Number.NaN,
    intervals: summarize(intervals),
    slowFrames: intervals.filter((x) => x > 20).length,
    longTasks: {
      count: s.longTasks.length,
      maxMs: s.longTasks.reduce((m, t) => Math.max(m, t.duration), 0),
      totalMs: s.longTasks.reduce((a, t) => a + t.duration, 0),
    },
    realTimeFactor: s.windowMs > 0 ? s.simSeconds / (s.windowMs / 1000) : Number.NaN,
  };
}

/** The issue 6 figures: ≥ 50 fps, no long task over 50 ms (the longest must be ≤ 50 ms). */
export function perfTargets(a: FrameAnalysis, phase: string): TargetVerdict[] {
  return [
    verdict(`fps_${phase}`, `UI frame rate, ${phase}`, a.fps, '>=', 50, ' fps', 1),
    verdict(
      `longtask_${phase}`,
      `longest main-thread task, ${phase}`,
      a.longTasks.count === 0 ? 0 : a.longTasks.maxMs,
      '<=',
      50,
      ' ms',
      0,
    ),
  ];
}

export interface PerfPhase {
  /** e.g. "real-time episode (▶ Run)", "as-fast-as-possible episode". */
  name: string;
  id: string;
  /** Control steps per second implied by the sim clock (sim seconds × control_hz per wall second). */
  controlHz: number;
  analysis: FrameAnalysis;
  /** CPU ms each group of browser threads used over the window (Linux /proc); absent elsewhere. */
  cpuMs?: Record<CpuGroup, number>;
  /** Wall length of that window, ms. */
  windowMs?: number;
}

export interface PerfReport {
  date: string;
  commit: string;
  commit_dirty: boolean;
  machine: MachineInfo;
  loaded: boolean;
  chromium: string;
  model: string;
  executionProvider: string;
  viewport: { width: number; height: number };
  seconds: number;
  phases: PerfPhase[];
  targets: TargetVerdict[];
}

const HEADER = [
  'phase',
  'fps',
  'frame ms med / p95 / max',
  'frames > 20 ms',
  'long tasks',
  'longest ms',
  'control Hz',
];

function rows(r: PerfReport): string[][] {
  return r.phases.map((p) => [
    p.name,
    fmt(p.analysis.fps, 1),
    `${fmt(p.analysis.intervals.median, 1)} / ${fmt(p.analysis.intervals.p95, 1)} / ${fmt(p.analysis.intervals.max, 0)}`,
    String(p.analysis.slowFrames),
    String(p.analysis.longTasks.count),
    fmt(p.analysis.longTasks.maxMs, 0),
    fmt(p.controlHz, 1),
  ]);
}

const CPU_HEADER = [
  'phase',
  ...CPU_GROUPS.map((g) => `${g} ms/s`),
  'control steps',
  'ms/step main / gpu / other',
];

/** CPU use per phase: ms of CPU per wall second per thread group, and per control step. */
function cpuRows(r: PerfReport): string[][] {
  return r.phases
    .filter((p) => p.cpuMs && p.windowMs)
    .map((p) => {
      const c = p.cpuMs!;
      const secs = p.windowMs! / 1000;
      const steps = p.controlHz * secs;
      const perStep = (ms: number) => (steps >= 1 ? fmt(ms / steps, 0) : '—');
      return [
        p.name,
        ...CPU_GROUPS.map((g) => fmt(c[g] / secs, 0)),
        fmt(steps, 0),
        `${perStep(c['renderer main'])} / ${perStep(c['gpu process'])} / ${perStep(c['renderer other'])}`,
      ];
    });
}

function targetRows(r: PerfReport): string[][] {
  return r.targets.map((t) => [t.label, t.target, t.shown, verdictWord(t)]);
}

export function perfText(r: PerfReport): string {
  return [
    `perf: ${r.seconds} s per phase · model ${r.model} on ${r.executionProvider} · viewport ${r.viewport.width}×${r.viewport.height}` +
      `${r.loaded ? ` · MACHINE LOADED (load ${r.machine.loadStart})` : ''}`,
    '',
    textTable(HEADER, rows(r)),
    ...(cpuRows(r).length > 0
      ? [
          '',
          'CPU time of the browser (Linux /proc; 1000 ms/s = one core busy):',
          textTable(CPU_HEADER, cpuRows(r)),
        ]
      : []),
    '',
    textTable(['figure (issue 6)', 'goal', 'measured', 'verdict'], targetRows(r)),
  ].join('\n');
}

export function perfMarkdown(r: PerfReport): string {
  return [
    `### UI performance of ${r.date.slice(0, 10)} (\`npm run perf\`)`,
    '',
    `- commit \`${r.commit.slice(0, 12) || 'unknown'}\`${r.commit_dirty ? ' with uncommitted changes' : ''}; ${r.machine.cores} cores; ${r.chromium}; viewport ${r.viewport.width}×${r.viewport.height}, all panels as the page opens`,
    `- model \`${r.model}\` on ${r.executionProvider}; ${r.seconds} s sampled per phase`,
    r.loaded
      ? `- **Measured while the machine was loaded** (load average ${r.machine.loadStart} → ${r.machine.loadEnd} on ${r.machine.cores} cores): frame rate and long tasks are pessimistic.`
      : `- machine idle at the start (load average ${r.machine.loadStart})`,
    '',
    markdownTable(HEADER, rows(r)),
    ...(cpuRows(r).length > 0
      ? [
          '',
          'CPU time of the browser per thread group (Linux /proc; 1000 ms/s = one core busy; "other" in ms/step is the renderer\'s other threads: the inference worker, raster, compositor):',
          '',
          markdownTable(CPU_HEADER, cpuRows(r)),
        ]
      : []),
    '',
    markdownTable(['figure (issue 6)', 'goal', 'measured', 'verdict'], targetRows(r)),
  ].join('\n');
}

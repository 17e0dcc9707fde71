/**
 * Summaries of a Chrome DevTools CPU profile (CDP `Profiler.stop`'s `profile`, the `.cpuprofile` format):
 * self time and inclusive time per function, aggregated by function name + url:line, as a small table.
 * Pure; Node only; imports only ./benchStats.
 */
import { fmt, textTable } from './benchStats';

/** The parts of a CDP `Profiler.Profile` this module reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  /** Node id of each sample. */
  samples?: number[];
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas?: number[];
}

export interface ProfileEntry {
  /** "name  file:line" (the url's last path segment; line 1-based). */
  key: string;
  /** Time the function itself was on top of the stack, ms. */
  selfMs: number;
  /** Time the function was anywhere on the stack (recursion counted once), ms. */
  totalMs: number;
}

export interface ProfileSummary {
  /** Sampled span, ms. */
  spanMs: number;
  /** Samples outside (idle), (program) and (garbage collector), ms: time the main thread ran script. */
  busyMs: number;
  idleMs: number;
  gcMs: number;
  /** Every function, by self time, largest first. */
  entries: ProfileEntry[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function keyOf(cf: CpuProfile['nodes'][number]['callFrame']): string {
  const name = cf.functionName || '(anonymous)';
  if (!cf.url) return name;
  const file = cf.url.split('?')[0]!.split('/').pop() || cf.url;
  return `${name}  ${file}:${cf.lineNumber + 1}`;
}

/** Aggregate a CPU profile's samples into self / inclusive time per function. */
export function summarizeProfile(p: CpuProfile): ProfileSummary {
  const parent = new Map<number, number>();
  const byId = new Map<number, CpuProfile['nodes'][number]>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  /** Per node: the distinct keys on its stack (root … node), computed once. */
  const stackKeys = new Map<number, string[]>();
  const keysOf = (id: number): string[] => {
    const cached = stackKeys.get(id);
    if (cached) return cached;
    const out = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n && !SPECIAL.has(n.callFrame.functionName)) out.add(keyOf(n.callFrame));
    }
    const arr = [...out];
    stackKeys.set(id, arr);
    return arr;
  };
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let idleMs = 0;
  let gcMs = 0;
  let busyMs = 0;
  for (let i = 0; i < samples.length; i++) {
    // A sample's duration is the gap to the next sample (the last one: to endTime).
    const next = deltas[i + 1];
    const us = next !== undefined ? next : Math.max(0, p.endTime - (p.startTime + sum(deltas, i + 1)));
    const ms = us / 1000;
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const fn = node.callFrame.functionName;
    if (fn === '(idle)') idleMs += ms;
    else if (fn === '(garbage collector)') gcMs += ms;
    else if (fn !== '(program)') busyMs += ms;
    const k = keyOf(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + ms);
    for (const sk of keysOf(node.id)) total.set(sk, (total.get(sk) ?? 0) + ms);
  }
  const keys = new Set([...self.keys(), ...total.keys()]);
  const entries = [...keys]
    .map((key) => ({ key, selfMs: self.get(key) ?? 0, totalMs: total.get(key) ?? 0 }))
    .sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs);
  return { spanMs: (p.endTime - p.startTime) / 1000, busyMs, idleMs, gcMs, entries };
}

function sum(xs: readonly number[], n: number): number {
  let s = 0;
  for (let i = 0; i < n && i < xs.length; i++) s += xs[i]!;
  return s;
}

/** Two small tables: the top `n` functions by self time and by inclusive time (special nodes excluded). */
export function profileText(s: ProfileSummary, n = 20): string {
  const pct = (ms: number) => `${fmt((100 * ms) / Math.max(1e-9, s.spanMs), 1)}%`;
  const bySelf = s.entries.slice(0, n);
  const byTotal = s.entries
    .filter((e) => !SPECIAL.has(e.key))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, n);
  return [
    `main-thread CPU profile: ${fmt(s.spanMs / 1000, 1)} s sampled · script ${pct(s.busyMs)} · GC ${pct(s.gcMs)} · idle ${pct(s.idleMs)}`,
    '',
    textTable(
      ['self ms', 'self %', 'function  file:line'],
      bySelf.map((e) => [fmt(e.selfMs, 0), pct(e.selfMs), e.key]),
    ),
    '',
    textTable(
      ['total ms', 'total %', 'function  file:line (inclusive)'],
      byTotal.map((e) => [fmt(e.totalMs, 0), pct(e.totalMs), e.key]),
    ),
  ].join('\n');
}

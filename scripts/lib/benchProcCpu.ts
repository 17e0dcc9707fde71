/**
 * CPU time the browser's processes and threads used over a window, read from Linux /proc (utime + stime
 * per thread): a figure that, unlike frame rate, hardly depends on what else loads the machine. Threads are
 * grouped as the renderer's main thread, the renderer's other threads (the inference worker and its WASM
 * threads, raster and compositor threads), the GPU process (SwiftShader rasterizes there) and the rest.
 * Returns null off Linux. Node only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export type CpuGroup = 'renderer main' | 'renderer other' | 'gpu process' | 'other';
export const CPU_GROUPS: readonly CpuGroup[] = ['renderer main', 'renderer other', 'gpu process', 'other'];

/** CPU ms per thread, keyed by `pid/tid`, with the group it belongs to. */
export type CpuSnapshot = Map<string, { group: CpuGroup; ms: number }>;

const TICK_MS = 10; // USER_HZ is 100 on Linux

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** [ppid, utime + stime in ms] from a /proc stat line (the comm field may hold spaces and parentheses). */
function parseStat(stat: string): { ppid: number; ms: number } | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state)
  const ppid = Number(f[1]);
  const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
  return Number.isFinite(ppid) && Number.isFinite(ms) ? { ppid, ms } : null;
}

/** The pids descending from `root` (root included). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = readText(`/proc/${d}/stat`);
    const p = st ? parseStat(st) : null;
    if (!p) continue;
    const list = children.get(p.ppid) ?? [];
    list.push(Number(d));
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function processType(pid: number): string {
  // Chromium rewrites its command line with spaces between the arguments, not NULs.
  const args = (readText(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/);
  const t = args.find((a) => a.startsWith('--type='));
  return t ? t.slice('--type='.length) : 'browser';
}

/**
 * Per-thread CPU time of `rootPid` (default: this Node process, which launched the browser) and its
 * descendants now.
 */
export function cpuSnapshot(rootPid: number = process.pid): CpuSnapshot | null {
  if (process.platform !== 'linux' || !existsSync('/proc/self/task')) return null;
  const snap: CpuSnapshot = new Map();
  for (const pid of descendants(rootPid)) {
    const type = processType(pid);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const st = readText(`/proc/${pid}/task/${tid}/stat`);
      const p = st ? parseStat(st) : null;
      if (!p) continue;
      const group: CpuGroup =
        type === 'renderer'
          ? tid === String(pid)
            ? 'renderer main'
            : 'renderer other'
          : type === 'gpu-process'
            ? 'gpu process'
            : 'other';
      snap.set(`${type}:${pid}/${tid}`, { group, ms: p.ms });
    }
  }
  return snap;
}

/**
 * CPU ms used per group between two snapshots (threads that appeared since `a` count from zero). Renderers
 * other than the busiest one (the page under test; Chromium also runs a WebUI renderer) count as 'other'.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): Record<CpuGroup, number> {
  const out: Record<CpuGroup, number> = {
    'renderer main': 0,
    'renderer other': 0,
    'gpu process': 0,
    other: 0,
  };
  // The busiest renderer is the page; any other renderer (WebUI) counts as 'other'.
  const perRenderer = new Map<string, number>();
  const delta = new Map<string, number>();
  for (const [k, v] of b) {
    const d = Math.max(0, v.ms - (a.get(k)?.ms ?? 0));
    delta.set(k, d);
    if (k.startsWith('renderer:')) {
      const pid = k.slice(0, k.indexOf('/'));
      perRenderer.set(pid, (perRenderer.get(pid) ?? 0) + d);
    }
  }
  let page = '';
  let best = -1;
  for (const [pid, ms] of perRenderer)
    if (ms > best) {
      best = ms;
      page = pid;
    }
  for (const [k, d] of delta) {
    const g = b.get(k)!.group;
    const isOtherRenderer = k.startsWith('renderer:') && !k.startsWith(`${page}/`);
    out[isOtherRenderer ? 'other' : g] += d;
  }
  return out;
}

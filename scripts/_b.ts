import { readFileSync, readdirSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { episodeSpec } from './datagen';
function tree(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) { if (!/^\d+$/.test(d)) continue; try { const st = readFileSync(`/proc/${d}/stat`, 'utf8'); const pp = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]); (kids.get(pp) ?? kids.set(pp, []).get(pp)!).push(Number(d)); } catch {} }
  const out: number[] = []; const q = [root]; while (q.length) { const p = q.pop()!; out.push(p); q.push(...(kids.get(p) ?? [])); } return out;
}
function cpu(pids: number[]): Record<string, number> {
  const r: Record<string, number> = {};
  for (const p of pids) { try { const st = readFileSync(`/proc/${p}/stat`, 'utf8'); const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8'); const type = /--type=(\w[\w-]*)/.exec(cmd)?.[1] ?? 'browser'; const f = st.slice(st.lastIndexOf(')') + 2).split(' '); r[type] = (r[type] ?? 0) + (Number(f[11]) + Number(f[12])) * 10; } catch {} }
  return r;
}
const vite = await import('vite');
const server = await vite.preview({ root: process.cwd(), logLevel: 'warn', build: { outDir: '.cache/datagen-dist' }, preview: { host: '127.0.0.1', port: 4392, strictPort: true } });
const extra = (process.env.EXTRA ?? '').split(' ').filter(Boolean);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: process.env.ARGS ? process.env.ARGS.split(' ') : [...chromiumArgs, ...extra] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:4392/?view=0&policy=0&cam=96`);
await page.waitForFunction(() => typeof (window as any).vla?.recordEpisode === 'function', null, { timeout: 60000 });
const pid = (browser as any)._connection ? undefined : undefined;
const bpid = Number(process.env.BPID ?? 0);
const all = () => cpu(tree(process.pid));
const cdp = await page.context().newCDPSession(page); await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 500 }); await cdp.send('Profiler.start');
console.log(await page.evaluate(() => { const c = new OffscreenCanvas(1,1).getContext('webgl2')!; const i = c.getExtension('WEBGL_debug_renderer_info'); return c.getParameter(i ? i.UNMASKED_RENDERER_WEBGL : c.RENDERER); }));
if (process.env.CFGS) { for (const cfg of process.env.CFGS.split(',')) { const a0 = all(); const ms = await page.evaluate((c) => (window as any).vla.benchRender(c, 40), cfg); const a1 = all(); console.log(cfg.padEnd(10), 'latency', ms.toFixed(1), 'ms; CPU ms/capture gpu', ((a1['gpu-process']! - a0['gpu-process']!) / 41).toFixed(1), 'renderer', ((a1.renderer! - a0.renderer!) / 41).toFixed(1)); } }
const i0 = all(); await new Promise((r) => setTimeout(r, 3000)); const i1 = all(); const idle: Record<string, string> = {}; for (const k of Object.keys(i1)) idle[k] = ((i1[k]! - (i0[k] ?? 0)) / 3).toFixed(0); console.log('idle CPU ms per s', idle);
const c0 = all(); const t0 = performance.now(); let frames = 0; let r = 0, s = 0;
for (let i = 0; i < Number(process.env.N ?? 10); i++) {
  const spec = episodeSpec(0, i);
  const rec = await page.evaluate((a) => (window as any).vla.recordEpisode(a), { seed: spec.seed, task: spec.task, noise: 0.3 });
  frames += rec.steps; console.log("first2", rec.timings.firstMs.toFixed(0), "rest/frame", ((rec.timings.renderMs - rec.timings.firstMs) / rec.steps).toFixed(1)); r += rec.timings.renderMs; s += rec.timings.simMs;
}
const c1 = all();
const { profile } = await cdp.send('Profiler.stop') as any;
const self = new Map<string, number>(); const byId = new Map<number, any>(); for (const n of profile.nodes) byId.set(n.id, n);
const dt = profile.timeDeltas as number[]; const samples = profile.samples as number[];
for (let i = 0; i < samples.length; i++) { const n = byId.get(samples[i]); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000); }
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0).padStart(7)} ms  ${k}`).join('\n')); const wall = performance.now() - t0;
const d: Record<string, string> = {}; for (const k of Object.keys(c1)) d[k] = ((c1[k]! - (c0[k] ?? 0)) / frames).toFixed(1);
console.log(`frames ${frames} wall/frame ${(wall / frames).toFixed(1)} ms render ${(r / frames).toFixed(1)} sim ${(s / frames).toFixed(1)}; CPU ms per frame by process:`, d);
await browser.close(); await server.close();

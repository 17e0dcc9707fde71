import { describe, expect, it } from 'vitest';
import { type CpuSnapshot, cpuBetween, cpuSnapshot } from '../../scripts/lib/benchProcCpu';

const snap = (rows: [string, CpuSnapshot extends Map<string, infer V> ? V : never][]): CpuSnapshot =>
  new Map(rows);

describe('cpuBetween', () => {
  it('sums per group; the busiest renderer is the page and any other renderer counts as other', () => {
    const a = snap([
      ['renderer:10/10', { group: 'renderer main', ms: 100 }],
      ['renderer:10/11', { group: 'renderer other', ms: 50 }],
      ['renderer:20/20', { group: 'renderer main', ms: 5 }], // a WebUI renderer, nearly idle
      ['gpu-process:30/30', { group: 'gpu process', ms: 1000 }],
      ['gpu-process:30/31', { group: 'gpu process', ms: 10 }],
    ]);
    const b = snap([
      ['renderer:10/10', { group: 'renderer main', ms: 180 }],
      ['renderer:10/11', { group: 'renderer other', ms: 70 }],
      ['renderer:10/12', { group: 'renderer other', ms: 40 }], // a thread that appeared (a new worker)
      ['renderer:20/20', { group: 'renderer main', ms: 15 }],
      ['gpu-process:30/30', { group: 'gpu process', ms: 1300 }],
      ['gpu-process:30/31', { group: 'gpu process', ms: 10 }],
      ['browser:1/1', { group: 'other', ms: 7 }],
    ]);
    expect(cpuBetween(a, b)).toEqual({
      'renderer main': 80,
      'renderer other': 20 + 40,
      'gpu process': 300,
      other: 10 + 7,
    });
  });
});

describe('cpuSnapshot', () => {
  it.runIf(process.platform === 'linux')('reads this process and its threads, which use CPU', () => {
    const t0 = cpuSnapshot();
    let x = 0;
    // Burn 50 ms of CPU (not wall time: the machine may be busy), at most 10 s.
    const cpu0 = process.cpuUsage();
    const until = Date.now() + 10_000;
    while (process.cpuUsage(cpu0).user < 50_000 && Date.now() < until) x += Math.sqrt(x + 1);
    const t1 = cpuSnapshot();
    expect(x).toBeGreaterThan(0);
    const mine = [...t1!.keys()].filter((k) => k.endsWith(`:${process.pid}/${process.pid}`));
    expect(mine).toHaveLength(1);
    expect(t1!.get(mine[0]!)!.ms).toBeGreaterThan(t0!.get(mine[0]!)!.ms);
  });
});

import { describe, expect, it } from 'vitest';
import { type CpuProfile, profileText, summarizeProfile } from '../../scripts/lib/benchProfile';

const cf = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/**
 * root ─┬─ tick (app.js:10) ─┬─ render (app.js:20) ── readPixels
 *       │                    └─ render2 = recursive tick (app.js:10) ── readPixels
 *       ├─ (idle)
 *       └─ (garbage collector)
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: cf('(root)'), children: [2, 5, 6] },
    { id: 2, callFrame: cf('tick', 'http://x/assets/app.js?v=1', 9), children: [3, 7] },
    { id: 3, callFrame: cf('render', 'http://x/assets/app.js', 19), children: [4] },
    { id: 4, callFrame: cf('readPixels') },
    { id: 5, callFrame: cf('(idle)') },
    { id: 6, callFrame: cf('(garbage collector)') },
    { id: 7, callFrame: cf('tick', 'http://x/assets/app.js', 9), children: [8] },
    { id: 8, callFrame: cf('readPixels') },
  ],
  startTime: 0,
  endTime: 10_000, // µs
  // sample i lasts until sample i + 1 (timeDeltas[i + 1]); the last one until endTime
  samples: [4, 4, 3, 5, 8, 6, 2],
  timeDeltas: [0, 1000, 2000, 1000, 2000, 1000, 1000],
};

describe('summarizeProfile', () => {
  const s = summarizeProfile(profile);
  const entry = (key: string) => s.entries.find((e) => e.key === key);

  it('gives each sample the time until the next one, the last one until endTime', () => {
    // durations: 1, 2, 1, 2, 1, 1, and 10 − 8 = 2 ms
    expect(s.spanMs).toBe(10);
    expect(s.idleMs).toBe(2);
    expect(s.gcMs).toBe(1);
    expect(s.busyMs).toBe(1 + 2 + 1 + 1 + 2); // readPixels ×3 samples, render, tick
  });

  it('aggregates self time by name + file:line and counts a recursive frame once in inclusive time', () => {
    expect(entry('readPixels')).toEqual({ key: 'readPixels', selfMs: 1 + 2 + 1, totalMs: 4 });
    expect(entry('render  app.js:20')).toEqual({ key: 'render  app.js:20', selfMs: 1, totalMs: 1 + 2 + 1 });
    // tick: self 2 ms (last sample); on the stack of every busy sample once, recursion included
    expect(entry('tick  app.js:10')).toEqual({ key: 'tick  app.js:10', selfMs: 2, totalMs: 7 });
    expect(s.entries[0]?.key).toBe('readPixels');
  });

  it('prints both tables with shares of the sampled span', () => {
    const t = profileText(s, 3);
    expect(t).toMatch(/script 70\.0% · GC 10\.0% · idle 20\.0%/);
    expect(t).toMatch(/4\s+40\.0%\s+readPixels/);
    expect(t).toMatch(/7\s+70\.0%\s+tick {2}app\.js:10/);
  });
});

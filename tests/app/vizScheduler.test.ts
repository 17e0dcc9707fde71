/**
 * The visualizations' draw coalescing (any number of schedule() calls between two animation frames
 * draw once) and the focus cycling of the attention keys (mean → 0 → … → n − 1 → mean).
 */
import { describe, expect, it } from 'vitest';
import { createFrameScheduler } from '../../src/app/components/viz/frameScheduler';
import { clampFocus, cycleValue } from '../../src/app/components/viz/vizStore';

function fakeRaf() {
  const queue = new Map<number, (t: number) => void>();
  let next = 1;
  return {
    raf: (cb: (t: number) => void) => {
      queue.set(next, cb);
      return next++;
    },
    caf: (id: number) => void queue.delete(id),
    frame() {
      const cbs = [...queue.values()];
      queue.clear();
      for (const cb of cbs) cb(0);
    },
    get size() {
      return queue.size;
    },
  };
}

describe('createFrameScheduler', () => {
  it('draws once per frame however often it is scheduled, and again only after a new schedule', () => {
    const f = fakeRaf();
    let draws = 0;
    const s = createFrameScheduler(() => draws++, f.raf, f.caf);
    for (let i = 0; i < 10; i++) s.schedule();
    expect(f.size).toBe(1);
    expect(s.pending).toBe(true);
    f.frame();
    expect(draws).toBe(1);
    expect(s.pending).toBe(false);
    f.frame();
    expect(draws).toBe(1);
    s.schedule();
    f.frame();
    expect(draws).toBe(2);
  });

  it('drops a pending draw on cancel', () => {
    const f = fakeRaf();
    let draws = 0;
    const s = createFrameScheduler(() => draws++, f.raf, f.caf);
    s.schedule();
    s.cancel();
    f.frame();
    expect(draws).toBe(0);
    expect(s.pending).toBe(false);
  });
});

describe('attention focus keys', () => {
  it('cycles mean → 0 → 1 → 2 → mean forward and back for 3 layers', () => {
    const seq: (number | 'mean')[] = [];
    let v: number | 'mean' = 'mean';
    for (let i = 0; i < 4; i++) {
      v = cycleValue(v, 3, 1);
      seq.push(v);
    }
    expect(seq).toEqual([0, 1, 2, 'mean']);
    expect(cycleValue('mean', 3, -1)).toBe(2);
    expect(cycleValue(0, 3, -1)).toBe('mean');
    // an index left over from a bigger model counts as mean
    expect(cycleValue(5, 3, 1)).toBe(0);
    expect(clampFocus(5, 3)).toBe('mean');
    expect(clampFocus(2, 3)).toBe(2);
  });
});

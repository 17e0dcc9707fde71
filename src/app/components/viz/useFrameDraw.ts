/**
 * React glue for FrameScheduler: `useFrameDraw(draw, key)` draws once on the next animation frame after
 * `key` changes (the record, the focus, the size…), however often React re-renders in between, and
 * returns `redraw` for imperative triggers (resize). The latest `draw` closure is used. With `timing`, the
 * element gets `data-draw-ms` / `data-draw-max-ms` (last and worst draw time) for benchmarks. Canvas sizes
 * come from a ResizeObserver cache (cssSize), so that a draw never forces a synchronous layout.
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { createFrameScheduler } from './frameScheduler';

export function useFrameDraw(
  draw: () => void,
  key: readonly unknown[],
  timing?: { readonly current: HTMLElement | null },
): () => void {
  const drawRef = useRef(draw);
  const timingRef = useRef(timing);
  useLayoutEffect(() => {
    drawRef.current = draw;
    timingRef.current = timing;
  });
  const scheduler = useMemo(() => {
    let maxMs = 0;
    return createFrameScheduler(() => {
      const t0 = performance.now();
      drawRef.current();
      const el = timingRef.current?.current;
      if (!el) return;
      const ms = performance.now() - t0;
      maxMs = Math.max(maxMs, ms);
      el.dataset.drawMs = ms.toFixed(2);
      el.dataset.drawMaxMs = maxMs.toFixed(2);
    });
  }, []);
  useEffect(() => () => scheduler.cancel(), [scheduler]);
  const keyRef = useRef<readonly unknown[] | null>(null);
  useEffect(() => {
    const prev = keyRef.current;
    const changed = !prev || prev.length !== key.length || prev.some((v, i) => !Object.is(v, key[i]));
    keyRef.current = key;
    if (changed) scheduler.schedule();
  });
  return scheduler.schedule;
}

/** Track an element's content-box size (CSS px); re-renders only when it changes by a whole pixel. */
export function observeSize(el: Element, onSize: (w: number, h: number) => void): () => void {
  let w = -1;
  let h = -1;
  const ro = new ResizeObserver((entries) => {
    const r = entries[entries.length - 1]?.contentRect;
    if (!r) return;
    const nw = Math.round(r.width);
    const nh = Math.round(r.height);
    if (nw === w && nh === h) return;
    w = nw;
    h = nh;
    onSize(nw, nh);
  });
  ro.observe(el);
  return () => ro.disconnect();
}

/** CSS sizes (clientWidth × clientHeight) of the elements cssSize was asked about. */
const cssSizes = new WeakMap<Element, { w: number; h: number }>();
let cssSizeObserver: ResizeObserver | null = null;

/**
 * An element's clientWidth × clientHeight without a layout read per call: read once, then kept current by
 * a shared ResizeObserver (whose callbacks run after layout). A draw in an animation frame that read
 * clientWidth after the page's DOM writes would force a synchronous layout each time.
 */
export function cssSize(el: HTMLElement): { readonly w: number; readonly h: number } {
  let size = cssSizes.get(el);
  if (size) return size;
  size = { w: el.clientWidth, h: el.clientHeight };
  cssSizes.set(el, size);
  if (typeof ResizeObserver !== 'undefined') {
    cssSizeObserver ??= new ResizeObserver((entries) => {
      for (const e of entries) {
        const t = e.target as HTMLElement;
        const s = cssSizes.get(t);
        if (!s) continue;
        if (!t.isConnected) {
          cssSizeObserver?.unobserve(t); // removed from the page: forget it
          cssSizes.delete(t);
          continue;
        }
        s.w = t.clientWidth;
        s.h = t.clientHeight;
      }
    });
    cssSizeObserver.observe(el);
  }
  return size;
}

/** Size a canvas's backing store to its CSS size × devicePixelRatio; returns the scale, or 0 if hidden. */
export function fitCanvas(canvas: HTMLCanvasElement): number {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const css = cssSize(canvas);
  const w = Math.round(css.w * dpr);
  const h = Math.round(css.h * dpr);
  if (w === 0 || h === 0) return 0;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return dpr;
}

/**
 * How sure the model was: one small canvas per action dimension with the probability of each of the
 * 256 bins (lowest action value left), the chosen bin highlighted, its un-normalized value with unit and
 * the distribution's entropy. Drawn imperatively once per new step on an animation frame; React renders
 * only the static rows. Each chart carries `data-dim` and `data-chosen-bin` (set by the draw).
 */
import { type MouseEvent, useEffect, useRef } from 'react';
import { binToSlot, entropy, tokenToBin } from '../../../core/vizMath';
import type { PolicyStepRecord } from '../../PolicySource';
import { formatAction, pct } from './format';
import { useSelectedRecord, useViewedModel } from './records';
import { cssSize, fitCanvas, observeSize, useFrameDraw } from './useFrameDraw';

const BAR = '#5b7fb8';
const CHOSEN = '#fbbf24';
const CHOSEN_BG = 'rgba(251, 191, 36, 0.18)';
const ZERO = 'rgba(138, 147, 163, 0.45)';

interface Cells {
  canvas: (HTMLCanvasElement | null)[];
  value: (HTMLSpanElement | null)[];
  entropy: (HTMLSpanElement | null)[];
}

/** Draw one dimension's bars; `dpr` is fitCanvas(canvas)'s scale (measured before any DOM write). */
function drawChart(
  canvas: HTMLCanvasElement,
  dpr: number,
  probs: Float32Array,
  d: number,
  bins: number,
  chosen: number,
): number {
  const ctx = canvas.getContext('2d');
  if (!ctx || dpr === 0) return 0;
  const W = canvas.width;
  const H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const base = d * bins;
  let max = 0;
  for (let i = 0; i < bins; i++) max = Math.max(max, probs[base + i]!);
  const bw = W / bins;
  const top = 2 * dpr;
  const scale = max > 0 ? (H - top) / max : 0;
  // the zero action sits between bins (bins/2 − 1) and bins/2
  ctx.fillStyle = ZERO;
  ctx.fillRect(Math.round((bins / 2) * bw), 0, Math.max(1, dpr), H);
  if (chosen >= 0 && chosen < bins) {
    ctx.fillStyle = CHOSEN_BG;
    const w = Math.max(3 * dpr, bw);
    ctx.fillRect((chosen + 0.5) * bw - w / 2, 0, w, H);
  }
  ctx.fillStyle = BAR;
  const minW = Math.max(1, bw - (bw > 3 ? 1 : 0));
  for (let b = 0; b < bins; b++) {
    if (b === chosen) continue;
    const h = probs[base + binToSlot(b, bins)]! * scale;
    if (h >= 0.5) ctx.fillRect(b * bw, H - h, minW, h);
  }
  if (chosen >= 0 && chosen < bins) {
    const h = Math.max(2 * dpr, probs[base + binToSlot(chosen, bins)]! * scale);
    const w = Math.max(2 * dpr, bw);
    ctx.fillStyle = CHOSEN;
    ctx.fillRect((chosen + 0.5) * bw - w / 2, H - h, w, h);
  }
  return max;
}

export function ActionDistributions() {
  // The viewed episode's model (an opened recording's own, else the loaded one): its names, units, bins.
  const scheme = useViewedModel()?.action ?? null;
  const record = useSelectedRecord();
  const cells = useRef<Cells>({ canvas: [], value: [], entropy: [] });
  const hover = useRef<PolicyStepRecord | null>(null);
  const draws = useRef(0);
  const drawn = useRef<{ record: PolicyStepRecord | null; size: string }>({ record: null, size: '' });
  const listRef = useRef<HTMLDivElement>(null);
  const sectionRef = useRef<HTMLElement>(null);

  const redraw = useFrameDraw(
    () => {
      hover.current = record;
      if (!record || !scheme) return;
      const { bins, vocab_size, units } = scheme;
      const { probs, tokens, action } = record.result;
      const dims = tokens.length;
      if (probs.length !== dims * bins) return;
      // Once per new step (or new size): a resize callback for a record already drawn is a no-op.
      const c0 = cells.current.canvas[0];
      const css = c0 ? cssSize(c0) : null;
      const size = css ? `${css.w}x${css.h}` : '';
      if (drawn.current.record === record && drawn.current.size === size) return;
      drawn.current = { record, size };
      draws.current++;
      // Measure every canvas first, then draw and write the labels: a layout read after a DOM write
      // forces a layout, so interleaving them would lay the page out once per dimension.
      const dprs = cells.current.canvas.slice(0, dims).map((c) => (c ? fitCanvas(c) : 0));
      for (let d = 0; d < dims; d++) {
        const canvas = cells.current.canvas[d];
        if (!canvas) continue;
        const chosen = tokenToBin(tokens[d]!, vocab_size);
        const pmax = drawChart(canvas, dprs[d] ?? 0, probs, d, bins, chosen);
        canvas.dataset.chosenBin = String(chosen);
        canvas.dataset.token = String(tokens[d]);
        canvas.dataset.step = String(record.step);
        canvas.dataset.draws = String(draws.current);
        const v = cells.current.value[d];
        if (v) v.textContent = formatAction(action[d]!, units[d] ?? '');
        const e = cells.current.entropy[d];
        if (e) {
          const h = entropy(probs, d * bins, bins);
          e.textContent = `${h.bits.toFixed(2)} bits`;
          e.title = `entropy ${h.nats.toFixed(3)} nats = ${h.bits.toFixed(2)} bits, ${pct(h.normalized)} of log ${bins}; most likely bin p = ${pmax.toFixed(3)}`;
          e.style.setProperty('--h', String(h.normalized));
        }
      }
    },
    [record, scheme],
    sectionRef,
  );

  useEffect(() => {
    const el = listRef.current;
    return el ? observeSize(el, () => redraw()) : undefined;
  }, [redraw]);

  const hoverBin = (e: MouseEvent<HTMLCanvasElement>, d: number) => {
    const r = hover.current;
    if (!r || !scheme) return;
    const { bins } = scheme;
    const rect = e.currentTarget.getBoundingClientRect();
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * bins)));
    const p = r.result.probs[d * bins + binToSlot(b, bins)] ?? 0;
    e.currentTarget.title = `bin ${b}: p = ${p.toFixed(4)}`;
  };

  if (!scheme)
    return (
      <section className="panel viz-panel viz-dists" data-testid="action-distributions">
        <div className="panel-title">
          <span>Action distributions</span>
        </div>
        <div className="viz-message">Load a model to see its action distributions.</div>
      </section>
    );

  const { names, units, dims, bins } = scheme;
  return (
    <section className="panel viz-panel viz-dists" data-testid="action-distributions" ref={sectionRef}>
      <div className="panel-title">
        <span>Action distributions</span>
        <span
          className="panel-note"
          title={`probability of each of the ${bins} bins, −1 (left) … +1 (right); the chosen bin in amber`}
        >
          {record ? `step ${record.step} · ` : ''}
          {bins} bins
        </span>
      </div>
      {!record && <div className="viz-message">Run or step the policy to see its action distributions.</div>}
      <div className="viz-dist-list" ref={listRef} hidden={!record}>
        {Array.from({ length: dims }, (_, d) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: one row per action dimension, fixed order
          <div className="viz-dist-row" key={d}>
            <span className="viz-dist-name" title={units[d] ? `unit: ${units[d]}` : undefined}>
              {names[d] ?? `dim ${d + 1}`}
            </span>
            <canvas
              ref={(el) => {
                cells.current.canvas[d] = el;
              }}
              className="viz-dist-canvas"
              data-testid="action-dist"
              role="img"
              aria-label={`Probability over the ${bins} bins of ${names[d] ?? `dimension ${d + 1}`}`}
              data-dim={d}
              onMouseMove={(e) => hoverBin(e, d)}
            />
            <span
              className="viz-dist-value"
              data-testid={`action-dist-value-${d}`}
              ref={(el) => {
                cells.current.value[d] = el;
              }}
            />
            <span
              className="viz-dist-entropy"
              data-testid={`action-dist-entropy-${d}`}
              ref={(el) => {
                cells.current.entropy[d] = el;
              }}
            />
          </div>
        ))}
      </div>
    </section>
  );
}

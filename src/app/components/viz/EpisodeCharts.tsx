/**
 * The episode at a glance: time series of every action dimension (one uPlot chart per unit, so metres,
 * radians and the gripper each get their own axis) and a running histogram of the chosen bins per
 * dimension up to the selected step, with a marker at that step. uPlot draws each update on canvas in
 * well under a millisecond; updates are coalesced to one per animation frame.
 */
import { type CSSProperties, useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { binHistogram, tokenToBin } from '../../../core/vizMath';
import type { PolicyStepRecord } from '../../PolicySource';
import { selectStep, useSelectedRecord, useTimelineRecords, useViewedModel } from './records';
import { fitCanvas, observeSize, useFrameDraw } from './useFrameDraw';

/** One colour per action dimension (dx … gripper). */
export const DIM_COLORS = ['#60a5fa', '#34d399', '#f472b6', '#fbbf24', '#a78bfa', '#fb923c', '#e5e7eb'];
const dimColor = (d: number) => DIM_COLORS[d % DIM_COLORS.length]!;
const AXIS = '#8a93a3';
const GRID = 'rgba(42, 48, 59, 0.9)';
const MARKER = '#fbbf24';
const SYNC_KEY = 'viz-episode';
const NO_GROUPS: UnitGroup[] = [];

interface UnitGroup {
  unit: string;
  dims: number[];
  /** Display unit and the factor from manifest units. */
  label: string;
  factor: number;
}

/** Action dims grouped by unit in order of appearance; metres are shown in mm. */
export function unitGroups(units: readonly string[]): UnitGroup[] {
  const groups: UnitGroup[] = [];
  units.forEach((unit, d) => {
    let g = groups.find((x) => x.unit === unit);
    if (!g) {
      g = {
        unit,
        dims: [],
        label: unit === 'm' ? 'mm' : unit === '1' ? '' : unit,
        factor: unit === 'm' ? 1000 : 1,
      };
      groups.push(g);
    }
    g.dims.push(d);
  });
  return groups;
}

const chosenCache = new WeakMap<PolicyStepRecord, number[]>();
function chosenBins(r: PolicyStepRecord, vocab: number): number[] {
  let c = chosenCache.get(r);
  if (!c) {
    c = r.result.tokens.map((t) => tokenToBin(t, vocab));
    chosenCache.set(r, c);
  }
  return c;
}

function selectedIndex(records: readonly PolicyStepRecord[], sel: PolicyStepRecord | null): number {
  if (!sel) return records.length - 1;
  const i = records.indexOf(sel);
  if (i >= 0) return i;
  return records.findIndex((r) => r.step === sel.step);
}

function makeOpts(
  group: UnitGroup,
  names: readonly string[],
  size: { width: number; height: number; xAxis: boolean },
  marker: () => number | null,
) {
  const { width, height, xAxis } = size;
  const opts: uPlot.Options = {
    width,
    height,
    legend: { show: false },
    cursor: { sync: { key: SYNC_KEY }, points: { show: false }, drag: { x: false, y: false } },
    scales: {
      x: { time: false },
      // unitless dims (the gripper, 0 closed … 1 open) always show at least 0 … 1
      ...(group.unit === '1'
        ? {
            y: {
              range: (_u: uPlot, lo: number, hi: number): uPlot.Range.MinMax => [
                Math.min(0, lo),
                Math.max(1, hi),
              ],
            },
          }
        : {}),
    },
    axes: [
      {
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        ticks: { show: false },
        size: xAxis ? 18 : 2,
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
        ...(xAxis ? {} : { values: () => [] }),
        gap: 2,
        font: '10px system-ui, sans-serif',
        space: 40,
      },
      {
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        ticks: { show: false },
        size: 42,
        gap: 3,
        font: '10px system-ui, sans-serif',
        space: 18,
      },
    ],
    series: [
      { label: 'step' },
      ...group.dims.map((d) => ({
        label: names[d] ?? `dim ${d + 1}`,
        stroke: dimColor(d),
        width: 1.25,
        points: { show: false },
      })),
    ],
    hooks: {
      draw: [
        (u: uPlot) => {
          const step = marker();
          if (step === null) return;
          const x = Math.round(u.valToPos(step, 'x', true));
          const { top, height: h, left, width: w } = u.bbox;
          if (x < left - 1 || x > left + w + 1) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = MARKER;
          ctx.fillRect(x - 1, top, 2, h);
          ctx.restore();
        },
      ],
    },
  };
  return opts;
}

/** The running histogram: one row per dim, one column per bin, shade ∝ count / row max. */
function drawHistogram(
  canvas: HTMLCanvasElement,
  hist: Uint32Array,
  dims: number,
  bins: number,
  mark: number[] | null,
) {
  const dpr = fitCanvas(canvas);
  const ctx = canvas.getContext('2d');
  if (!ctx || dpr === 0) return;
  const W = canvas.width;
  const H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const rh = H / dims;
  const bw = W / bins;
  for (let d = 0; d < dims; d++) {
    let max = 0;
    for (let b = 0; b < bins; b++) max = Math.max(max, hist[d * bins + b]!);
    const y = Math.round(d * rh);
    const h = Math.max(1, Math.round((d + 1) * rh) - y - 1);
    ctx.fillStyle = 'rgba(29, 34, 43, 1)';
    ctx.fillRect(0, y, W, h);
    if (max === 0) continue;
    ctx.fillStyle = dimColor(d);
    for (let b = 0; b < bins; b++) {
      const c = hist[d * bins + b]!;
      if (c === 0) continue;
      ctx.globalAlpha = 0.25 + 0.75 * (c / max);
      ctx.fillRect(b * bw, y, Math.max(1, bw), h);
    }
    ctx.globalAlpha = 1;
    const m = mark?.[d];
    if (m !== undefined && m >= 0 && m < bins) {
      ctx.strokeStyle = MARKER;
      ctx.lineWidth = Math.max(1, dpr);
      const w = Math.max(3 * dpr, bw);
      ctx.strokeRect((m + 0.5) * bw - w / 2, y + 0.5, w, h - 1);
    }
  }
  // zero action
  ctx.fillStyle = 'rgba(138, 147, 163, 0.5)';
  ctx.fillRect(Math.round((bins / 2) * bw), 0, Math.max(1, dpr), H);
}

export function EpisodeCharts() {
  // The viewed episode's model (an opened recording's own, else the loaded one): names, units, bins.
  const action = useViewedModel()?.action ?? null;
  const records = useTimelineRecords();
  const selected = useSelectedRecord();
  // Charts are rebuilt only when the names or units change, not for each recording of the same model.
  const layoutKey = action ? JSON.stringify([action.names, action.units]) : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: layoutKey stands for action's names and units
  const layout = useMemo(
    () => (action ? { names: action.names, groups: unitGroups(action.units) } : null),
    [layoutKey],
  );
  const groups = layout?.groups ?? NO_GROUPS;
  const chartEls = useRef<(HTMLDivElement | null)[]>([]);
  const plots = useRef<(uPlot | null)[]>([]);
  const histRef = useRef<HTMLCanvasElement>(null);
  const markerStep = useRef<number | null>(null);
  const drawn = useRef<{ records: PolicyStepRecord[] | null; n: number }>({ records: null, n: -1 });
  const draws = useRef(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const recordsRef = useRef(records);
  recordsRef.current = records;

  const selIdx = selectedIndex(records, selected);
  const selStep = selIdx >= 0 ? (records[selIdx]?.step ?? null) : null;

  const redraw = useFrameDraw(
    () => {
      if (!action) return;
      const { dims, bins, vocab_size } = action;
      markerStep.current = selStep;
      const dataChanged = drawn.current.records !== records || drawn.current.n !== records.length;
      drawn.current = { records, n: records.length };
      groups.forEach((g, gi) => {
        const u = plots.current[gi];
        if (!u) return;
        if (dataChanged) {
          const xs = records.map((r) => r.step);
          const ys = g.dims.map((d) => records.map((r) => (r.result.action[d] ?? Number.NaN) * g.factor));
          u.setData([xs, ...ys]);
        } else u.redraw(false, false);
      });
      const canvas = histRef.current;
      if (canvas) {
        const chosen = records.map((r) => chosenBins(r, vocab_size));
        const hist = binHistogram(chosen, dims, bins, selIdx);
        drawHistogram(canvas, hist, dims, bins, selIdx >= 0 ? (chosen[selIdx] ?? null) : null);
        canvas.dataset.steps = String(selIdx + 1);
      }
      draws.current++;
      if (rootRef.current) {
        rootRef.current.dataset.draws = String(draws.current);
        rootRef.current.dataset.selectedStep = selStep === null ? '' : String(selStep);
      }
    },
    [records, records.length, selStep, selIdx, action, groups],
    rootRef,
  );

  // One uPlot per unit group, created when the model (its units) changes, sized to its box.
  useEffect(() => {
    if (!layout) return;
    const offs: (() => void)[] = [];
    groups.forEach((g, gi) => {
      const el = chartEls.current[gi];
      if (!el) return;
      const size = {
        width: Math.max(50, el.clientWidth),
        height: Math.max(24, el.clientHeight),
        xAxis: gi === groups.length - 1,
      };
      const u = new uPlot(
        makeOpts(g, layout.names, size, () => markerStep.current),
        [[], ...g.dims.map(() => [])],
        el,
      );
      plots.current[gi] = u;
      offs.push(
        observeSize(el, (nw, nh) => u.setSize({ width: Math.max(50, nw), height: Math.max(24, nh) })),
      );
      // A click on a chart selects the nearest step in the timeline.
      const click = () => {
        const left = u.cursor.left;
        if (left === undefined || left < 0) return;
        const x = u.posToVal(left, 'x');
        const rs = recordsRef.current;
        let best = -1;
        for (let i = 0; i < rs.length; i++)
          if (best < 0 || Math.abs(rs[i]!.step - x) < Math.abs(rs[best]!.step - x)) best = i;
        if (best >= 0) selectStep(best);
      };
      u.over.addEventListener('click', click);
      offs.push(() => u.over.removeEventListener('click', click));
    });
    drawn.current = { records: null, n: -1 };
    redraw();
    return () => {
      for (const off of offs) off();
      for (const u of plots.current) u?.destroy();
      plots.current = [];
    };
  }, [layout, groups, redraw]);

  useEffect(() => {
    const c = histRef.current;
    return c ? observeSize(c, () => redraw()) : undefined;
  }, [redraw]);

  const names = layout?.names ?? [];
  return (
    <section className="panel viz-panel viz-episode" data-testid="episode-charts">
      <div className="panel-title">
        <span>Episode</span>
        <span className="panel-note" data-testid="episode-charts-steps">
          {records.length === 0
            ? 'no steps yet'
            : `${records.length} step${records.length === 1 ? '' : 's'}${selStep === null ? '' : ` · marker at step ${selStep}`}`}
        </span>
      </div>
      <div className="viz-episode-body" ref={rootRef} data-testid="episode-charts-body">
        <div className="viz-series">
          {groups.map((g, gi) => (
            <div className="viz-series-group" key={g.unit}>
              <div className="viz-series-legend">
                {g.dims.map((d) => (
                  <span key={d}>
                    <i style={{ background: dimColor(d) }} />
                    {names[d] ?? `dim ${d + 1}`}
                  </span>
                ))}
                {g.label && <span className="viz-series-unit">{g.label}</span>}
              </div>
              <div
                className="viz-series-chart"
                data-testid="episode-series"
                ref={(el) => {
                  chartEls.current[gi] = el;
                }}
              />
            </div>
          ))}
        </div>
        <div className="viz-hist" style={{ '--dims': names.length } as CSSProperties}>
          <div className="viz-series-legend">
            <span>chosen bins up to step {selStep ?? '–'}</span>
          </div>
          <div className="viz-hist-grid">
            <div className="viz-hist-names">
              {names.map((n, d) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one row per action dimension, fixed order
                <span key={d}>{n}</span>
              ))}
            </div>
            <canvas ref={histRef} className="viz-hist-canvas" data-testid="episode-histogram" />
          </div>
        </div>
      </div>
    </section>
  );
}

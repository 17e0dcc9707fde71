/**
 * The episode timeline under the 3D view: a scrubber over the viewed episode's policy steps (live, or a
 * recording opened from storage) with a latency strip, the model-frame thumbnail of the hovered/selected
 * step, its index, tokens, action and latency. Keys (outside form fields): ←/→ step (Shift ×10),
 * Home first step, End last step (and, in the live episode, follow new steps). Selecting a step sets what every visualization shows (recording/selection.ts).
 */
import { useEffect, useRef } from 'react';
import type { CapturedFrame, PolicyStepRecord } from '../PolicySource';
import {
  selectStep,
  useFollowingLive,
  useSelectedIndex,
  useSelectedRecord,
  useTimelineRecords,
  useViewedModel,
} from '../recording/selection';
import { appStore, useApp } from '../store';
import { selectedIndexOf, timelineRecordsOf } from '../store/timelineSlice';
import { typingInField } from '../typingInField';
import { observeSize } from './viz/useFrameDraw';

/** Timeline keys, for the keyboard help. */
export const TIMELINE_HELP: readonly (readonly [string, string])[] = [
  ['← / →', 'previous / next step (Shift: 10 steps)'],
  ['Home', 'first step'],
  ['End', 'last step; in the live episode, follow new steps'],
];

/** Toggle "follow live": off freezes the current step; on goes back to the live episode's latest step. */
export function toggleLive(): void {
  const s = appStore.getState();
  const live = s.viewedRecording === null && s.timelineSelected === null;
  if (live) s.selectStep(selectedIndexOf(s) ?? 0);
  else if (s.viewedRecording) s.closeRecording();
  else s.selectStep(null);
}

function useTimelineKeys(): void {
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInField(e)) return;
      const s = appStore.getState();
      const n = timelineRecordsOf(s).length;
      if (n === 0) return;
      const i = selectedIndexOf(s) ?? n - 1;
      let next: number;
      if (e.key === 'ArrowLeft') next = i - (e.shiftKey ? 10 : 1);
      else if (e.key === 'ArrowRight') next = i + (e.shiftKey ? 10 : 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = n - 1;
      else return;
      e.preventDefault();
      if (e.key === 'End' && !s.viewedRecording) s.selectStep(null);
      else s.selectStep(next);
    };
    window.addEventListener('keydown', down);
    return () => window.removeEventListener('keydown', down);
  }, []);
}

/** Draw an RGB frame into a canvas (sized to the frame; CSS scales it up pixelated). */
function drawFrame(canvas: HTMLCanvasElement | null, frame: CapturedFrame | null): void {
  if (!canvas) return;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  if (!frame) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  if (canvas.width !== frame.width) canvas.width = frame.width;
  if (canvas.height !== frame.height) canvas.height = frame.height;
  const img = ctx.createImageData(frame.width, frame.height);
  const n = frame.width * frame.height;
  for (let p = 0; p < n; p++) {
    img.data[4 * p] = frame.rgb[3 * p]!;
    img.data[4 * p + 1] = frame.rgb[3 * p + 1]!;
    img.data[4 * p + 2] = frame.rgb[3 * p + 2]!;
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Per-step latency bars with the selected and hovered steps marked. `css` is the canvas's CSS size as a
 * ResizeObserver last reported it (reading clientWidth here, after React's DOM writes, would force a
 * layout on every step).
 */
function drawStrip(
  canvas: HTMLCanvasElement | null,
  css: { w: number; h: number } | null,
  records: readonly PolicyStepRecord[],
  selected: number | null,
  hover: number | null,
): void {
  if (!canvas || !css) return;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(css.w * dpr));
  const h = Math.max(1, Math.round(css.h * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  ctx.clearRect(0, 0, w, h);
  const n = records.length;
  if (n === 0) return;
  let max = 0;
  for (const r of records) max = Math.max(max, r.latencyMs);
  const bw = w / n;
  const x = (i: number) => (n === 1 ? w / 2 : (i / (n - 1)) * (w - bw) + bw / 2);
  ctx.fillStyle = 'rgba(96, 165, 250, 0.45)';
  records.forEach((r, i) => {
    const bh = max > 0 ? Math.max(1, (r.latencyMs / max) * (h - 2)) : 1;
    ctx.fillRect(x(i) - Math.max(1, bw * 0.8) / 2, h - bh, Math.max(1, bw * 0.8), bh);
  });
  const mark = (i: number, color: string) => {
    ctx.fillStyle = color;
    ctx.fillRect(Math.round(x(i)) - 1, 0, 2, h);
  };
  if (hover !== null) mark(hover, 'rgba(230, 233, 239, 0.5)');
  if (selected !== null) mark(selected, '#fbbf24');
}

function formatAction(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'm') return `${(v * 1000).toFixed(1)}mm`;
  if (unit === 'rad') return `${v.toFixed(3)}rad`;
  return v.toFixed(2);
}

function when(t: number): string {
  return new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function Timeline() {
  useTimelineKeys();
  const records = useTimelineRecords();
  const index = useSelectedIndex();
  const live = useFollowingLive();
  const selected = useSelectedRecord();
  const hover = useApp((s) => s.timelineHover);
  const setHover = useApp((s) => s.setTimelineHover);
  const viewed = useApp((s) => s.viewedRecording?.meta ?? null);
  const closeRecording = useApp((s) => s.closeRecording);
  // The recording's own model (names, units), else the loaded model's.
  const action = useViewedModel()?.action ?? null;
  const thumbRef = useRef<HTMLCanvasElement>(null);
  const stripRef = useRef<HTMLCanvasElement>(null);

  const n = records.length;
  const hoverIndex = hover !== null && hover < n ? hover : null;
  const shownIndex = hoverIndex ?? index;
  const shown = hoverIndex !== null ? (records[hoverIndex] ?? null) : selected;
  const oneOff = n === 0 && shown !== null;

  useEffect(() => drawFrame(thumbRef.current, shown?.frame ?? null), [shown]);
  // The strip's size: observed once (the observer reports it after layout); a new step only redraws.
  const stripSize = useRef<{ w: number; h: number } | null>(null);
  const stripData = useRef({ records, index, hoverIndex });
  stripData.current = { records, index, hoverIndex };
  useEffect(() => {
    const canvas = stripRef.current;
    if (!canvas || typeof ResizeObserver === 'undefined') return;
    return observeSize(canvas, (w, h) => {
      stripSize.current = { w, h };
      const d = stripData.current;
      drawStrip(canvas, stripSize.current, d.records, d.index, d.hoverIndex);
    });
  }, []);
  useEffect(
    () => drawStrip(stripRef.current, stripSize.current, records, index, hoverIndex),
    [records, index, hoverIndex],
  );

  const indexAt = (clientX: number, el: HTMLElement): number => {
    const r = el.getBoundingClientRect();
    const f = r.width > 0 ? (clientX - r.left) / r.width : 0;
    return Math.min(n - 1, Math.max(0, Math.round(f * (n - 1))));
  };
  const dims = shown?.result.tokens.length ?? 0;
  const names = action && action.names.length === dims ? action.names : null;

  return (
    <section className="timeline" data-testid="timeline" data-live={live ? 'true' : 'false'}>
      {viewed && (
        <div className="timeline-recording" data-testid="timeline-recording" data-id={viewed.id}>
          <span>
            Recording · <b>{viewed.task}</b> · seed {viewed.seed} · {when(viewed.startedAt)} ·{' '}
            <span data-testid="timeline-recording-model">{viewed.model?.name ?? viewed.modelName}</span> ·{' '}
            <span className={`rec-status rec-${viewed.status}`}>{viewed.status}</span>
          </span>
          <button
            type="button"
            className="timeline-back"
            data-testid="timeline-back-live"
            onClick={closeRecording}
          >
            Back to live
          </button>
        </div>
      )}
      <div className="timeline-main">
        <canvas
          ref={thumbRef}
          className="timeline-thumb"
          data-testid="timeline-thumb"
          width={64}
          height={64}
          aria-label="Model frame of the shown step"
        />
        <div className="timeline-body">
          <div className="timeline-controls">
            <button
              type="button"
              className="timeline-btn"
              disabled={n === 0}
              onClick={() => selectStep(0)}
              title="First step (Home)"
            >
              |◀
            </button>
            <button
              type="button"
              className="timeline-btn"
              data-testid="timeline-prev"
              disabled={n === 0}
              onClick={() => selectStep((index ?? n - 1) - 1)}
              title="Previous step (←)"
            >
              ◀
            </button>
            <div className="timeline-scrub">
              <input
                type="range"
                className="timeline-range"
                data-testid="timeline-scrubber"
                aria-label="Episode step"
                min={0}
                max={Math.max(0, n - 1)}
                step={1}
                value={index ?? 0}
                disabled={n === 0}
                onChange={(e) => selectStep(Number(e.target.value))}
                onPointerMove={(e) => n > 0 && setHover(indexAt(e.clientX, e.currentTarget))}
                onPointerLeave={() => setHover(null)}
              />
              <canvas ref={stripRef} className="timeline-strip" title="Latency of each step" />
            </div>
            <button
              type="button"
              className="timeline-btn"
              data-testid="timeline-next"
              disabled={n === 0}
              onClick={() => selectStep((index ?? n - 1) + 1)}
              title="Next step (→)"
            >
              ▶
            </button>
            <button
              type="button"
              className="timeline-btn"
              disabled={n === 0}
              onClick={() => selectStep(n - 1)}
              title="Last step (End)"
            >
              ▶|
            </button>
            <button
              type="button"
              className={`timeline-live${live ? ' on' : ''}`}
              data-testid="timeline-live"
              aria-pressed={live}
              onClick={toggleLive}
              title={viewed ? 'Back to the live episode' : 'Follow new steps (End)'}
            >
              ● Live
            </button>
          </div>
          <div className="timeline-detail">
            <span
              className="timeline-step"
              data-testid="timeline-step"
              data-index={shownIndex ?? ''}
              data-step={shown?.step ?? ''}
              data-hover={hoverIndex !== null ? 'true' : 'false'}
            >
              {oneOff
                ? 'one-off prediction'
                : shownIndex === null || !shown
                  ? 'no policy steps yet'
                  : `step ${shown.step} · ${shownIndex + 1} of ${n}`}
              {hoverIndex !== null && <span className="muted"> (hover)</span>}
            </span>
            {shown && (
              <>
                <span className="timeline-tokens" data-testid="timeline-tokens" title="Action tokens">
                  {shown.result.tokens.join(' ')}
                </span>
                <span className="timeline-latency" data-testid="timeline-latency">
                  {shown.latencyMs.toFixed(1)} ms
                </span>
              </>
            )}
          </div>
          {shown && (
            <div className="timeline-action" data-testid="timeline-action">
              {shown.result.action.map((v, d) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one fixed slot per action dimension
                <span key={d}>
                  <span className="muted">{names?.[d] ?? `a${d}`}</span>{' '}
                  {formatAction(v, names ? (action?.units[d] ?? '') : '')}
                </span>
              ))}
            </div>
          )}
          {shown && <div className="timeline-instruction muted">“{shown.instruction}”</div>}
        </div>
      </div>
    </section>
  );
}

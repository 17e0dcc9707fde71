/**
 * Where the model looked: the selected step's input frame with the patch-grid attention of the focused
 * action token (a dimension or the mean; a layer and a head, or the mean) upsampled bilinearly and
 * blended over it, a colour scale, the share of attention per kind of key, and a bar chart over the
 * instruction's tokens. The canvas is drawn once per new step or focus, on an animation frame.
 */
import { type CSSProperties, type ReactNode, useMemo, useRef, useState } from 'react';
import type { AttentionMaps } from '../../../core/policy';
import {
  type AttentionFocus,
  aggregateAttention,
  attentionShares,
  bilinearUpsample,
  displayToken,
  hashValues,
  inferno,
  infernoLut,
  instructionTokenMask,
  type PatchHeatmap,
  patchHeatmap,
  textAttention,
} from '../../../core/vizMath';
import type { PolicyStepRecord } from '../../PolicySource';
import { useApp } from '../../store';
import { pct } from './format';
import { useSelectedRecord, useViewedModel } from './records';
import { useFrameDraw } from './useFrameDraw';
import { clampFocus, type FocusAxis, useViz, vizStore } from './vizStore';

/** Backing-store size of the heatmap canvas (square, CSS scales it). */
const HEAT_PX = 256;

const LEGEND_GRADIENT = `linear-gradient(to right, ${Array.from({ length: 9 }, (_, i) => {
  const [r, g, b] = inferno(i / 8);
  return `rgb(${r}, ${g}, ${b}) ${(i / 8) * 100}%`;
}).join(', ')})`;

const SHARE_KINDS = [
  ['image', 'image'],
  ['keypoints', 'objects'],
  ['state', 'state'],
  ['text', 'prompt'],
  ['action', 'actions'],
] as const;

interface DrawScratch {
  image: ImageData | null;
  up: Float32Array;
  /** Source column offset (bytes) of each output column. */
  cols: Int32Array;
  draws: number;
}

/** Frame (nearest) with the bilinearly upsampled heatmap blended over it, written into `scratch.image`. */
function drawHeatmap(
  canvas: HTMLCanvasElement,
  scratch: DrawScratch,
  frame: PolicyStepRecord['frame'],
  heat: PatchHeatmap | null,
  opacity: number,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const N = HEAT_PX;
  if (!scratch.image) scratch.image = ctx.createImageData(N, N);
  const px = scratch.image.data;
  const up = heat ? bilinearUpsample(heat.values, heat.rows, heat.cols, N, N, scratch.up) : null;
  if (up) scratch.up = up;
  const scale = heat && heat.max > 0 ? 255 / heat.max : 0;
  const lut = infernoLut();
  const { width: fw, height: fh, rgb } = frame;
  const cols = scratch.cols;
  for (let x = 0; x < N; x++) cols[x] = 3 * Math.min(fw - 1, Math.floor(((x + 0.5) * fw) / N));
  for (let y = 0; y < N; y++) {
    const row = 3 * fw * Math.min(fh - 1, Math.floor(((y + 0.5) * fh) / N));
    for (let x = 0; x < N; x++) {
      const s = row + cols[x]!;
      const o = 4 * (y * N + x);
      if (up) {
        const q = Math.min(255, (up[y * N + x]! * scale) | 0);
        const a = opacity * (0.2 + 0.8 * (q / 255));
        const r = rgb[s]!;
        const g = rgb[s + 1]!;
        const b = rgb[s + 2]!;
        px[o] = r + (lut[3 * q]! - r) * a;
        px[o + 1] = g + (lut[3 * q + 1]! - g) * a;
        px[o + 2] = b + (lut[3 * q + 2]! - b) * a;
      } else {
        px[o] = rgb[s]!;
        px[o + 1] = rgb[s + 1]!;
        px[o + 2] = rgb[s + 2]!;
      }
      px[o + 3] = 255;
    }
  }
  ctx.putImageData(scratch.image, 0, 0);
  scratch.draws++;
  canvas.dataset.draws = String(scratch.draws);
}

function FocusSelect(props: {
  axis: FocusAxis;
  label: string;
  value: number | 'mean';
  options: readonly string[];
  meanLabel: string;
}) {
  const { axis, label, value, options, meanLabel } = props;
  return (
    <label className="viz-select">
      <span>{label}</span>
      <select
        data-testid={`attention-${axis}`}
        aria-label={`Attention ${label.toLowerCase()}`}
        value={value === 'mean' ? 'mean' : String(value)}
        onChange={(e) => {
          const v = e.target.value;
          vizStore.getState().setFocus(axis, v === 'mean' ? 'mean' : Number(v));
        }}
      >
        <option value="mean">{meanLabel}</option>
        {options.map((o, i) => (
          <option key={o} value={i}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function Shares({ keys, att }: { keys: Float32Array; att: AttentionMaps }) {
  const s = attentionShares(keys, att.layout);
  return (
    <div className="viz-shares" data-testid="attention-shares">
      <div className="viz-shares-bar">
        {SHARE_KINDS.map(([k]) => (
          <span key={k} className={`share-${k}`} style={{ width: `${s[k] * 100}%` }} />
        ))}
      </div>
      <div className="viz-shares-legend">
        {SHARE_KINDS.filter(
          ([k]) =>
            (k !== 'state' || att.layout.state !== null) && (k !== 'keypoints' || att.layout.keypoints),
        ).map(([k, label]) => (
          <span
            key={k}
            data-share={k}
            title={
              k === 'keypoints'
                ? 'keypoint tokens: image positions the encoder located (objects, the grasp site)'
                : undefined
            }
          >
            <i className={`share-${k}`} />
            {label} {pct(s[k])}
          </span>
        ))}
      </div>
      {s.keypoints > s.image && (
        <p className="viz-shares-note" data-testid="attention-keypoint-note">
          Mostly on the objects the encoder located ({pct(s.keypoints)}), not on the patches: the heatmap
          shows the remaining {pct(s.image)} renormalised.
        </p>
      )}
    </div>
  );
}

function TokenBars(props: { keys: Float32Array; att: AttentionMaps; prompt: string; template: string }) {
  const { keys, att, prompt, template } = props;
  const { tokens, mask, values, max, rest } = useMemo(() => {
    const values = textAttention(keys, att.layout);
    const tokens = att.layout.text.tokens;
    const mask = instructionTokenMask(tokens, prompt, template);
    let max = 0;
    let rest = 0;
    for (let i = 0; i < values.length; i++) {
      if (mask[i]) max = Math.max(max, values[i]!);
      else rest += values[i]!;
    }
    return { tokens, mask, values, max, rest };
  }, [keys, att, prompt, template]);
  return (
    <div className="viz-tokens" data-testid="attention-tokens">
      <div className="viz-tokens-bars">
        {tokens.map((t, i) =>
          mask[i] ? (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: tokens repeat; position is the identity
              key={i}
              className="viz-token"
              data-testid="attention-token"
              data-value={values[i]!.toFixed(5)}
              title={`${displayToken(t)}: ${pct(values[i]!)} of the attention`}
            >
              <div className="viz-token-bar">
                <div style={{ height: `${max > 0 ? (values[i]! / max) * 100 : 0}%` }} />
              </div>
              <span className="viz-token-label">{displayToken(t)}</span>
            </div>
          ) : null,
        )}
      </div>
      <div className="panel-note">
        instruction words, tallest {pct(max)} · template + BOS {pct(rest)}
      </div>
    </div>
  );
}

function Message({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <div className="viz-message" data-testid={testId}>
      {children}
    </div>
  );
}

export function AttentionPanel() {
  const info = useApp((s) => s.model.info);
  // An opened recording is drawn with its own model's action names (and its steps' own attention).
  const viewing = useApp((s) => s.viewedRecording !== null);
  const viewedModel = useViewedModel();
  const viewedAction = viewedModel?.action ?? null;
  const record = useSelectedRecord();
  const focus = useViz((s) => s.focus);
  const opacity = useViz((s) => s.opacity);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const legendMaxRef = useRef<HTMLSpanElement>(null);
  // Scratch buffers made once per mount (a lazy initializer: not re-allocated on every render).
  const [scratch] = useState<{ current: DrawScratch }>(() => ({
    current: {
      image: null,
      up: new Float32Array(HEAT_PX * HEAT_PX),
      cols: new Int32Array(HEAT_PX),
      draws: 0,
    },
  }));

  const manifest = info?.manifest;
  const att = record?.result.attention;
  const D = att?.shape[0] ?? viewedAction?.dims ?? 0;
  const L = att?.shape[1] ?? manifest?.decoder.num_layers ?? 0;
  const H = att?.shape[2] ?? manifest?.decoder.num_kv_heads ?? 0;
  const dim = clampFocus(focus.dim, D);
  const layer = clampFocus(focus.layer, L);
  const head = clampFocus(focus.head, H);

  const keys = useMemo(() => {
    if (!att) return null;
    const f: AttentionFocus = { dim, layer, head };
    return aggregateAttention(att, f);
  }, [att, dim, layer, head]);
  const heat = useMemo(() => (keys && att ? patchHeatmap(keys, att.layout) : null), [keys, att]);

  useFrameDraw(
    () => {
      const canvas = canvasRef.current;
      if (!canvas || !record) return;
      drawHeatmap(canvas, scratch.current, record.frame, heat, opacity);
      canvas.dataset.heatmapHash = heat ? hashValues(heat.values) : 'none';
      canvas.dataset.topPatch = heat && heat.max > 0 ? String(heat.values.indexOf(heat.max)) : '';
      canvas.dataset.focusDim = String(dim);
      canvas.dataset.step = String(record.step);
      if (legendMaxRef.current) legendMaxRef.current.textContent = heat ? pct(heat.max) : '–';
    },
    [record, heat, opacity, dim],
    sectionRef,
  );

  const names = viewedAction?.names ?? [];
  // The viewed episode's model's prompt template (a recording stores its own), else the loaded model's; one
  // that does not fit the prompt marks all of it as instruction (instructionTokenMask), so a recording from
  // before templates were stored still gets its word bars.
  const template = viewedModel?.prompt_template ?? manifest?.prompt.template ?? '{instruction}';
  const title = (
    <div className="panel-title">
      <span>Attention</span>
      {record && att && (
        <span className="panel-note" data-testid="attention-focus">
          step {record.step} · {dim === 'mean' ? 'mean of dims' : (names[dim] ?? `dim ${dim + 1}`)} ·{' '}
          {layer === 'mean' ? 'all layers' : `layer ${layer + 1}`} ·{' '}
          {head === 'mean' ? 'all heads' : `head ${head + 1}`}
        </span>
      )}
    </div>
  );

  if (!viewing && !manifest)
    return (
      <section className="panel viz-panel viz-attention" data-testid="attention-panel">
        {title}
        <Message testId="attention-empty">Load a model to see where it looks.</Message>
      </section>
    );
  if (!viewing && !info?.hasAttention)
    return (
      <section className="panel viz-panel viz-attention" data-testid="attention-panel">
        {title}
        <Message testId="attention-none">
          This model's decoder does not output attention weights (its manifest declares no{' '}
          <code>decoder.attentions</code>), so there is no attention map to show. The action charts still
          work.
        </Message>
      </section>
    );

  const selects = (
    <div className="viz-selects">
      <FocusSelect
        axis="dim"
        label="Action"
        value={dim}
        meanLabel="mean"
        options={Array.from({ length: D }, (_, i) => `${i + 1} · ${names[i] ?? `dim ${i + 1}`}`)}
      />
      <FocusSelect
        axis="layer"
        label="Layer"
        value={layer}
        meanLabel="mean"
        options={Array.from({ length: L }, (_, i) => `layer ${i + 1}`)}
      />
      <FocusSelect
        axis="head"
        label="Head"
        value={head}
        meanLabel="mean"
        options={Array.from({ length: H }, (_, i) => `head ${i + 1}`)}
      />
    </div>
  );

  return (
    <section className="panel viz-panel viz-attention" data-testid="attention-panel" ref={sectionRef}>
      {title}
      <div className="viz-attention-body">
        <div className="viz-heat">
          <div className="viz-heat-frame">
            <canvas
              ref={canvasRef}
              className="viz-heat-canvas"
              data-testid="attention-heatmap"
              role="img"
              aria-label="Model input frame with the attention heatmap over its patches"
              width={HEAT_PX}
              height={HEAT_PX}
              hidden={!record}
            />
            {!record && (
              <Message testId="attention-waiting">
                Run or step the policy (Enter, .) to see where it looks.
              </Message>
            )}
            {record && !att && (
              <Message testId="attention-missing">This step was recorded without attention.</Message>
            )}
          </div>
          <div className="viz-legend" title="share of the image attention per patch">
            <span>0</span>
            <span className="viz-legend-bar" style={{ background: LEGEND_GRADIENT } as CSSProperties} />
            <span ref={legendMaxRef} data-testid="attention-legend-max">
              –
            </span>
          </div>
        </div>
        <div className="viz-attention-side">
          {selects}
          <label className="viz-select viz-opacity">
            <span>Blend</span>
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={opacity}
              aria-label="Heatmap opacity"
              onChange={(e) => vizStore.getState().setOpacity(Number(e.target.value))}
            />
          </label>
          {keys && att && <Shares keys={keys} att={att} />}
          {keys && att && record && (
            <TokenBars keys={keys} att={att} prompt={record.result.prompt.text} template={template} />
          )}
        </div>
      </div>
    </section>
  );
}

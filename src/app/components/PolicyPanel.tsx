/**
 * The policy panel: the instruction box (Enter runs), Run / Pause / Step / Reset, max steps, the last
 * action per dimension with its unit and token, and the step latency (last and median over the episode).
 * Notices under the box say when the instruction is empty, longer than the model reads, or was cut to fit
 * the model's positions, and when an episode was interrupted (its recorded steps are kept).
 */
import { useMemo } from 'react';
import { checkInstruction, instructionNotice } from '../../core/prompt';
import { useApp } from '../store';
import type { PolicyDecoding } from '../store/policySlice';

const noop = () => undefined;

/** Median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  if (unit === 'm') return `${v >= 0 ? '+' : '−'}${Math.abs(v * 1000).toFixed(1)} mm`;
  if (unit === 'rad') return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)} rad`;
  return `${v.toFixed(2)}${unit && unit !== '1' ? ` ${unit}` : ''}`;
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} ms` : '–';
}

export function PolicyPanel() {
  const info = useApp((s) => s.model.info);
  const worldReady = useApp((s) => s.worldStatus === 'ready');
  const status = useApp((s) => s.episode.status);
  const source = useApp((s) => s.episode.source);
  const text = useApp((s) => s.policyInstruction ?? s.instruction);
  const setText = useApp((s) => s.setPolicyInstruction);
  const maxSteps = useApp((s) => s.policyMaxSteps);
  const setMaxSteps = useApp((s) => s.setPolicyMaxSteps);
  const decoding = useApp((s) => s.policyDecoding);
  const setDecoding = useApp((s) => s.setPolicyDecoding);
  const modelDecoding = info?.manifest.action.decoding ?? 'argmax';
  const records = useApp((s) => s.policyRecords);
  const reason = useApp((s) => s.episode.reason);
  const last = useApp((s) => s.lastPrediction);
  const runPolicy = useApp((s) => s.runPolicy);
  const stepPolicy = useApp((s) => s.stepPolicy);
  const togglePause = useApp((s) => s.togglePolicyPause);
  const resetScene = useApp((s) => s.resetScene);
  const ready = worldReady && info !== null;
  const running = status === 'running';
  const policyRunning = running && source === 'policy';
  const paused = status === 'paused';

  const latency = useMemo(() => {
    const all = records.map((r) => r.latencyMs);
    return { median: median(all), n: all.length };
  }, [records]);
  const action = info?.manifest.action;
  const t = last?.result.timings;
  const maxChars = info?.manifest.prompt.max_chars;
  const notice = useMemo(() => instructionNotice(checkInstruction(text, maxChars)), [text, maxChars]);
  const cut = last?.result.prompt.truncated && last.instruction === text ? last.result.prompt.text : null;

  return (
    <div className="panel policy-panel" data-testid="policy-panel">
      <div className="panel-title">
        <span>Policy</span>
        {info && <span className="panel-note">{info.manifest.control_hz} Hz</span>}
      </div>
      <form
        className="instruction-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) void runPolicy().catch(noop);
        }}
      >
        <input
          data-testid="policy-instruction"
          className="instruction-input"
          type="text"
          aria-label="Instruction"
          placeholder="tell the robot what to do…"
          dir="auto"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
      {(notice || cut) && (
        <div className="panel-note instruction-notice" role="status" data-testid="instruction-notice">
          {notice ??
            `The prompt was cut to fit the model's ${info?.manifest.decoder.max_positions ?? ''} positions; it read: ${cut}`}
        </div>
      )}
      {status === 'interrupted' && (
        <div className="notice-box" role="status" data-testid="episode-interrupted">
          Episode {reason}. Its {records.length} recorded step{records.length === 1 ? '' : 's'} are kept; Run
          starts a new episode.
        </div>
      )}
      <div className="row buttons">
        <button
          type="button"
          className="primary"
          data-testid="policy-run"
          disabled={!ready || policyRunning}
          onClick={() => void runPolicy().catch(noop)}
          title="Run the policy (Enter)"
        >
          {paused ? '▶ Resume' : '▶ Run'}
        </button>
        <button
          type="button"
          data-testid="policy-pause"
          disabled={!ready || !running}
          onClick={() => void togglePause()}
          title="Pause (Space; Space again resumes)"
        >
          ❚❚ Pause
        </button>
        <button
          type="button"
          data-testid="policy-step"
          disabled={!ready}
          onClick={() => void stepPolicy().catch(noop)}
          title="Single step (.)"
        >
          ▸ Step
        </button>
        <button
          type="button"
          data-testid="policy-reset"
          disabled={!worldReady}
          onClick={() => void resetScene()}
          title="Reset the scene (R)"
        >
          ↺
        </button>
      </div>
      <label className="field inline">
        <span>Max steps</span>
        <input
          data-testid="policy-max-steps"
          type="number"
          min={1}
          step={10}
          value={maxSteps}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (Number.isFinite(n) && n >= 1) setMaxSteps(n);
          }}
        />
      </label>
      <label
        className="field inline"
        title="How each action token is chosen from its 256-bin distribution: the most likely bin (greedy), or the bin where the cumulative probability reaches one half (median). Applies from the next Run or Step."
      >
        <span>Decoding</span>
        <select
          data-testid="policy-decoding"
          value={decoding}
          onChange={(e) => setDecoding(e.target.value as PolicyDecoding)}
        >
          <option value="model">model default ({modelDecoding === 'median' ? 'median' : 'greedy'})</option>
          <option value="argmax">greedy (argmax)</option>
          <option value="median">median</option>
        </select>
      </label>

      <table className="readout" data-testid="action-readout">
        <tbody>
          {(action?.names ?? []).map((name, d) => {
            const v = last?.result.action[d];
            const norm = last?.result.normalized[d] ?? 0;
            const unit = action?.units[d] ?? '';
            const gripper = name === 'gripper';
            return (
              <tr key={name} data-dim={d}>
                <td className="dim">{name}</td>
                <td className="bar">
                  <div className={`vbar${gripper ? ' from-left' : ''}`}>
                    <div
                      className="vbar-fill"
                      style={
                        gripper
                          ? { left: 0, width: `${(((norm + 1) / 2) * 100).toFixed(1)}%` }
                          : {
                              left: `${(Math.min(0, norm) * 50 + 50).toFixed(1)}%`,
                              width: `${(Math.abs(norm) * 50).toFixed(1)}%`,
                            }
                      }
                    />
                  </div>
                </td>
                <td className="val" data-testid={`action-${d}`}>
                  {v === undefined ? '–' : formatValue(v, unit)}
                </td>
                <td className="tok">{last ? `#${last.result.tokens[d]}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="latency" data-testid="latency">
        <span>
          step <b data-testid="latency-last">{ms(last?.latencyMs ?? Number.NaN)}</b>
        </span>
        <span>
          median <b data-testid="latency-median">{ms(latency.median)}</b>
          {latency.n > 0 && <span className="muted"> / {latency.n}</span>}
        </span>
      </div>
      {t && (
        <div className="panel-note timings" data-testid="latency-breakdown">
          vision {t.visionMs.toFixed(1)} · prefill {t.prefillMs.toFixed(1)} · decode{' '}
          {t.decodeMs.reduce((a, b) => a + b, 0).toFixed(1)} · model total {t.totalMs.toFixed(1)} ms
        </div>
      )}
      {!info && <div className="panel-note">Waiting for the model…</div>}
    </div>
  );
}

/** Run expert / Stop / Reset, playback pace, and the episode progress. */
import { useApp } from '../store';
import type { Pace } from '../store/uiSlice';

const PACES: readonly { label: string; pace: Pace; speed: number }[] = [
  { label: '1× real time', pace: 'realtime', speed: 1 },
  { label: '2× real time', pace: 'realtime', speed: 2 },
  { label: '4× real time', pace: 'realtime', speed: 4 },
  { label: 'as fast as possible', pace: 'fast', speed: 1 },
];

export function EpisodePanel() {
  const ready = useApp((s) => s.worldStatus === 'ready');
  const status = useApp((s) => s.episode.status);
  const steps = useApp((s) => s.episode.steps);
  const maxSteps = useApp((s) => s.episode.maxSteps);
  const pace = useApp((s) => s.pace);
  const speed = useApp((s) => s.speed);
  const setPace = useApp((s) => s.setPace);
  const runExpert = useApp((s) => s.runExpert);
  const stopEpisode = useApp((s) => s.stopEpisode);
  const resetScene = useApp((s) => s.resetScene);
  const running = status === 'running';
  const paceIndex = Math.max(
    0,
    PACES.findIndex((p) => p.pace === pace && (pace === 'fast' || p.speed === speed)),
  );
  const progress = status === 'success' ? 1 : maxSteps > 0 ? Math.min(1, steps / maxSteps) : 0;

  return (
    <div className="panel">
      <div className="panel-title">Episode</div>
      <div className="row buttons">
        <button
          type="button"
          className="primary"
          data-testid="run-expert"
          disabled={!ready}
          onClick={() => void runExpert()}
        >
          ▶ Run expert
        </button>
        <button type="button" data-testid="stop" disabled={!running} onClick={() => void stopEpisode()}>
          ■ Stop
        </button>
        <button type="button" data-testid="reset" disabled={!ready} onClick={() => void resetScene()}>
          ↺ Reset
        </button>
      </div>
      <label className="field">
        <span>Playback</span>
        <select
          data-testid="pace-select"
          value={paceIndex}
          onChange={(e) => {
            const p = PACES[Number(e.target.value)];
            if (p) setPace(p.pace, p.speed);
          }}
        >
          {PACES.map((p, i) => (
            <option key={p.label} value={i}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <div
        className={`progress status-${status}`}
        role="progressbar"
        aria-label="episode progress"
        aria-valuenow={steps}
        aria-valuemin={0}
        aria-valuemax={maxSteps}
      >
        <div className="progress-fill" style={{ width: `${(progress * 100).toFixed(1)}%` }} />
      </div>
      <div className="panel-note" data-testid="episode-steps">
        {status === 'idle'
          ? 'Press Run expert, or drive the arm with the keyboard.'
          : `step ${steps} / ${maxSteps}`}
      </div>
    </div>
  );
}

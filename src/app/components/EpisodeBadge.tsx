/**
 * Success / failure / running indicator (data-testid="episode-status", data-status = EpisodeStatus), and
 * which task the verdict is for when the typed instruction asked for another than the scene's.
 */
import { useApp } from '../store';

const LABEL = {
  idle: 'Ready',
  running: 'Running',
  paused: 'Paused',
  success: 'Success',
  failure: 'Failure',
  stopped: 'Stopped',
  interrupted: 'Interrupted',
} as const;

export function EpisodeBadge() {
  const status = useApp((s) => s.episode.status);
  const source = useApp((s) => s.episode.source);
  const steps = useApp((s) => s.episode.steps);
  const reason = useApp((s) => s.episode.reason);
  const checked = useApp((s) => s.episode.task);
  const sceneTask = useApp((s) => s.task);
  const label = status === 'running' && source ? `Running (${source})` : LABEL[status];
  return (
    <div className={`episode-badge status-${status}`} data-testid="episode-status" data-status={status}>
      <span className="dot" />
      <span className="label">{label}</span>
      {status !== 'idle' && <span className="steps">{steps} steps</span>}
      {checked && status !== 'idle' && (
        <span
          className="checked-task"
          data-testid="episode-task"
          title={`Success is checked for the task your instruction asks for; the scene was made for ${sceneTask}.`}
        >
          checking {checked} (from the instruction)
        </span>
      )}
      {reason && status !== 'idle' && (
        <span className="reason" data-testid="episode-reason">
          {reason}
        </span>
      )}
    </div>
  );
}

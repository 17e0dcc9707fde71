/** Success / failure / running indicator (data-testid="episode-status", data-status = EpisodeStatus). */
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
  const label = status === 'running' && source ? `Running (${source})` : LABEL[status];
  return (
    <div className={`episode-badge status-${status}`} data-testid="episode-status" data-status={status}>
      <span className="dot" />
      <span className="label">{label}</span>
      {status !== 'idle' && <span className="steps">{steps} steps</span>}
      {reason && status !== 'idle' && (
        <span className="reason" data-testid="episode-reason">
          {reason}
        </span>
      )}
    </div>
  );
}

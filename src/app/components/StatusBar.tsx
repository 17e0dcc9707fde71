/** A thin status bar: world status, seed/task, sim time and render fps (polled at 2 Hz, not per frame). */
import { useEffect, useState } from 'react';
import { useApp } from '../store';

export function StatusBar() {
  const world = useApp((s) => s.world);
  const worldStatus = useApp((s) => s.worldStatus);
  const seed = useApp((s) => s.seed);
  const task = useApp((s) => s.task);
  const [live, setLive] = useState({ fps: 0, time: 0 });

  useEffect(() => {
    if (!world) return;
    const id = setInterval(() => {
      setLive({ fps: world.fps, time: world.runner.scene ? world.sim.state().time : 0 });
    }, 500);
    return () => clearInterval(id);
  }, [world]);

  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className={`pill world-${worldStatus}`} data-testid="world-status">
        MuJoCo {worldStatus}
      </span>
      <span>
        task <b>{task}</b>
      </span>
      <span>
        seed <b>{seed}</b>
      </span>
      <span>{world ? `${world.sim.controlHz} Hz control` : ''}</span>
      <span className="spacer" />
      <span>sim t = {live.time.toFixed(1)} s</span>
      <span>{live.fps > 0 ? `view ${live.fps.toFixed(0)} fps` : 'view idle'}</span>
    </footer>
  );
}

/** The main 3D view: hands its canvas to World.attachViewport; the render loop runs outside React. */
import { useEffect, useRef } from 'react';
import { useApp } from '../store';
import { EpisodeBadge } from './EpisodeBadge';

export function Viewport3D() {
  const world = useApp((s) => s.world);
  const worldStatus = useApp((s) => s.worldStatus);
  const worldError = useApp((s) => s.worldError);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!world || !canvas) return;
    return world.attachViewport(canvas);
  }, [world]);

  return (
    <section className="viewport" data-testid="viewport">
      <canvas
        ref={canvasRef}
        className="viewport-canvas"
        data-testid="viewport-canvas"
        onDoubleClick={() => world?.resetView()}
      />
      <div className="viewport-overlay">
        <EpisodeBadge />
      </div>
      {worldStatus === 'loading' && <div className="viewport-message">Loading MuJoCo…</div>}
      {worldStatus === 'error' && <div className="viewport-message error">Could not start: {worldError}</div>}
      <div className="viewport-hint">
        drag to orbit · right-drag to pan · scroll to zoom · double-click resets view
      </div>
    </section>
  );
}

/** The model camera's frame, drawn by World each animation frame into a small pixelated canvas. */
import { useEffect, useRef } from 'react';
import { useApp } from '../store';

export const CAMERA_SIZES = [32, 64, 96, 128, 224] as const;

export function CameraView() {
  const world = useApp((s) => s.world);
  const size = useApp((s) => s.cameraSize);
  const setCameraSize = useApp((s) => s.setCameraSize);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!world) return;
    world.attachCameraCanvas(canvasRef.current);
    return () => world.attachCameraCanvas(null);
  }, [world]);

  return (
    <div className="panel">
      <div className="panel-title">
        <span>Model camera</span>
        <select
          aria-label="Model camera resolution"
          data-testid="camera-size"
          value={size}
          onChange={(e) => setCameraSize(Number(e.target.value))}
        >
          {CAMERA_SIZES.map((s) => (
            <option key={s} value={s}>
              {s}×{s}
            </option>
          ))}
        </select>
      </div>
      <canvas
        ref={canvasRef}
        className="camera-canvas"
        data-testid="camera-canvas"
        width={size}
        height={size}
      />
      <div className="panel-note">
        What the policy sees: the fixed model camera, {size}×{size} RGB.
      </div>
    </div>
  );
}

/**
 * The policy's input source: sim | webcam | image | video, a camera picker, file pickers, a live preview
 * of the square crop the policy gets, and a clear message (in red) when a camera or file cannot be used;
 * the policy then stays on the sim camera. The preview redraws at ≤ 15 fps, outside React renders.
 */
import { useEffect, useRef } from 'react';
import { isPreviewable, type SourceKind } from '../sources/FrameSource';
import { appStore, useApp } from '../store';

const KINDS: readonly { kind: SourceKind; label: string }[] = [
  { kind: 'sim', label: 'Sim' },
  { kind: 'webcam', label: 'Webcam' },
  { kind: 'image', label: 'Image' },
  { kind: 'video', label: 'Video' },
];

const PREVIEW_INTERVAL_MS = 1000 / 15;
const noop = () => undefined;

function usePreview(
  canvas: React.RefObject<HTMLCanvasElement | null>,
  kind: SourceKind,
  label: string,
  size: number,
) {
  useEffect(() => {
    const el = canvas.current;
    if (kind === 'sim' || !el || !label) return;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    let raf = 0;
    let last = -Infinity;
    const draw = (t: number) => {
      raf = requestAnimationFrame(draw);
      if (t - last < PREVIEW_INTERVAL_MS) return;
      last = t;
      const src = appStore.getState().activeFrameSource();
      if (src.kind !== kind || !isPreviewable(src)) return;
      try {
        src.drawPreview(ctx, size);
      } catch {
        cancelAnimationFrame(raf);
      }
      if (kind === 'image') cancelAnimationFrame(raf); // a still image: once is enough
    };
    raf = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(raf);
  }, [canvas, kind, label, size]);
}

export function SourcePanel() {
  const source = useApp((s) => s.source);
  const size = useApp((s) => s.cameraSize);
  const worldReady = useApp((s) => s.world !== null);
  const setSource = useApp((s) => s.setSource);
  const refreshCameras = useApp((s) => s.refreshCameras);
  const imageInput = useRef<HTMLInputElement>(null);
  const videoInput = useRef<HTMLInputElement>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const { kind, pending, error, cameras } = source;
  usePreview(preview, kind, source.label, size);

  useEffect(() => {
    const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    void refreshCameras();
    if (!md?.addEventListener) return;
    const onChange = () => void refreshCameras();
    md.addEventListener('devicechange', onChange);
    return () => md.removeEventListener('devicechange', onChange);
  }, [refreshCameras]);

  const choose = (k: SourceKind) => {
    if (k === 'image') imageInput.current?.click();
    else if (k === 'video') videoInput.current?.click();
    else void setSource(k).catch(noop);
  };
  const onFile = (k: 'image' | 'video') => (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ''; // the same file chosen again still fires change
    if (file) void setSource(k, { file, name: file.name }).catch(noop);
  };
  const showPicker = kind === 'webcam' || pending === 'webcam';

  return (
    <div
      className="panel source-panel"
      data-testid="source-panel"
      data-kind={kind}
      data-pending={pending ?? ''}
    >
      <div className="panel-title">
        <span>Policy input</span>
        <span
          className={`pill source-${pending ? 'starting' : error ? 'error' : 'ready'}`}
          data-testid="source-status"
        >
          {pending ? `opening ${pending}…` : kind === 'sim' ? 'sim camera' : kind}
        </span>
      </div>
      <fieldset className="segmented" aria-label="Policy input source">
        {KINDS.map((o) => (
          <button
            key={o.kind}
            type="button"
            aria-pressed={kind === o.kind}
            data-testid={`source-${o.kind}`}
            className={kind === o.kind ? 'seg active' : pending === o.kind ? 'seg pending' : 'seg'}
            disabled={!worldReady}
            onClick={() => choose(o.kind)}
          >
            {o.label}
          </button>
        ))}
      </fieldset>
      <input
        ref={imageInput}
        type="file"
        accept="image/*"
        hidden
        data-testid="source-image-file"
        onChange={onFile('image')}
      />
      <input
        ref={videoInput}
        type="file"
        accept="video/*"
        hidden
        data-testid="source-video-file"
        onChange={onFile('video')}
      />
      {showPicker && (
        <label className="field">
          <span>Camera</span>
          <select
            data-testid="source-camera"
            value={source.deviceId ?? ''}
            disabled={pending !== null}
            onChange={(e) => void setSource('webcam', { deviceId: e.target.value }).catch(noop)}
          >
            {source.deviceId === null && <option value="">default camera</option>}
            {cameras.map((c) => (
              <option key={c.deviceId || c.label} value={c.deviceId}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {(kind === 'image' || kind === 'video') && (
        <div className="row source-file">
          <span className="source-file-name" data-testid="source-label" title={source.label}>
            {source.label}
          </span>
          <button type="button" onClick={() => choose(kind)}>
            Choose another…
          </button>
        </div>
      )}
      {error && (
        <div className="error-box" role="alert" data-testid="source-error" data-error={error.name}>
          {error.message} The policy is using the sim camera.
        </div>
      )}
      {kind !== 'sim' && (
        <>
          <canvas
            ref={preview}
            className="camera-canvas"
            data-testid="source-preview"
            width={size}
            height={size}
          />
          <div className="panel-note" data-testid="source-note">
            What the policy sees: {kind === 'webcam' ? source.label : `the ${kind}`}, centre-cropped from{' '}
            {source.inputWidth}×{source.inputHeight} to {size}×{size}
            {kind === 'video' ? '; the video plays (looped) while an episode runs' : ''}. The arm in the sim
            still executes the actions.
          </div>
        </>
      )}
      {kind === 'sim' && (
        <div className="panel-note">
          The policy sees the sim’s model camera (above). Pick a webcam, an image or a video to feed it
          instead.
        </div>
      )}
    </div>
  );
}

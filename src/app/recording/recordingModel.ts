/**
 * Which model's names, units and control rate the timeline and panels should draw the viewed episode with:
 * a recording's own (stored with it, see RecordingModel), else the loaded model's (the live episode, and
 * recordings made before the model was stored). Pure functions over the manifest and store shape; no React.
 */
import type { Manifest } from '../../core/manifest';
import type { ViewedRecording } from '../store/timelineSlice';
import type { RecordingModel } from './types';

const fromManifest = new WeakMap<Manifest, RecordingModel>();

/** The manifest's identity and action metadata as stored with a recording (one object per manifest). */
export function recordingModelOf(manifest: Manifest): RecordingModel {
  let m = fromManifest.get(manifest);
  if (!m) {
    const a = manifest.action;
    m = {
      id: manifest.id,
      name: manifest.name,
      action: {
        dims: a.dims,
        names: [...a.names],
        units: [...a.units],
        bins: a.bins,
        vocab_size: a.vocab_size,
      },
      control_hz: manifest.control_hz,
      prompt_template: manifest.prompt.template,
    };
    fromManifest.set(manifest, m);
  }
  return m;
}

/**
 * The model the viewed episode was made with: the opened recording's stored model, else the loaded
 * model's (null when none is loaded). Returns the same object while neither changes (safe as a selector).
 */
export function viewedModelOf(s: {
  viewedRecording: ViewedRecording | null;
  model: { info: { manifest: Manifest } | null };
}): RecordingModel | null {
  const stored = s.viewedRecording?.meta.model;
  if (stored) return stored;
  const manifest = s.model.info?.manifest;
  return manifest ? recordingModelOf(manifest) : null;
}

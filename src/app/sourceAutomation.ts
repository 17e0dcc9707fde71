/**
 * The input-source calls of `window.vla` (setSource, sourceStatus, sourceFrame, policyFrame), added with
 * extendAutomation, plus `?source=webcam` at start-up. They go through the same store actions as the
 * source panel, so the page shows what automation does. Must not import React or ORT.
 */
import { bytesToBase64, extendAutomation } from './automation';
import type { SourceKind } from './sources/FrameSource';
import { isSourceKind } from './sources/FrameSource';
import type { AppState } from './store';

export interface VlaSourceStatus {
  /** The source the policy reads now (after a failed switch: 'sim'). */
  kind: SourceKind;
  /** A source still being opened, or null. */
  pending: SourceKind | null;
  label: string;
  deviceId: string | null;
  /** Input size before the square crop, pixels. */
  input: { width: number; height: number };
  /** The square size frames are given to the policy at, pixels (the model camera size). */
  frameSize: number;
  /** Why the last switch failed or the source was lost; null when fine. */
  error: { kind: SourceKind; name: string; message: string } | null;
  cameras: { deviceId: string; label: string }[];
}

export interface VlaFrame {
  width: number;
  height: number;
  /** RGB bytes, rows top to bottom, base64. */
  rgbBase64: string;
}

export interface VlaSourceApi {
  /**
   * Switch the policy input. Webcam: `deviceId` picks a camera. Image / video: the file from `url`
   * (fetched) or `base64` bytes with their MIME `type`; `name` labels it. Rejects with the panel's message
   * (and the policy falls back to the sim) when the source cannot be opened.
   */
  setSource(
    kind: SourceKind,
    options?: { deviceId?: string; url?: string; base64?: string; type?: string; name?: string },
  ): Promise<VlaSourceStatus>;
  sourceStatus(): VlaSourceStatus;
  /** The frame the policy would get now from the current source. */
  sourceFrame(): Promise<VlaFrame>;
  /** The input frame of the latest policy step (episode step or predict), or null before any. */
  policyFrame(): Promise<(VlaFrame & { step: number }) | null>;
}

interface Store {
  getState(): AppState;
}

function statusOf(s: AppState): VlaSourceStatus {
  const v = s.source;
  return {
    kind: v.kind,
    pending: v.pending,
    label: v.label,
    deviceId: v.deviceId,
    input: { width: v.inputWidth, height: v.inputHeight },
    frameSize: s.cameraSize,
    error: v.error ? { ...v.error } : null,
    cameras: v.cameras.map((c) => ({ deviceId: c.deviceId, label: c.label })),
  };
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function fileFrom(options: {
  url?: string;
  base64?: string;
  type?: string;
}): Promise<Blob | undefined> {
  if (options.base64 !== undefined)
    return new Blob([base64ToBytes(options.base64)], { type: options.type ?? '' });
  if (options.url !== undefined) {
    const res = await fetch(options.url);
    if (!res.ok) throw new Error(`setSource: ${options.url} answered ${res.status}`);
    return res.blob();
  }
  return undefined;
}

export function createSourceAutomation(store: Store): VlaSourceApi {
  const get = store.getState;
  return {
    setSource: async (kind, options = {}) => {
      if (!isSourceKind(kind)) throw new Error(`setSource: unknown source ${String(kind)}`);
      const file = await fileFrom(options);
      const name = options.name ?? options.url?.split('/').pop() ?? kind;
      await get().setSource(kind, {
        ...(options.deviceId !== undefined ? { deviceId: options.deviceId } : {}),
        ...(file ? { file, name } : {}),
      });
      return statusOf(get());
    },
    sourceStatus: () => statusOf(get()),
    sourceFrame: async () => {
      const f = get().captureSourceFrame();
      return { width: f.width, height: f.height, rgbBase64: bytesToBase64(f.rgb) };
    },
    policyFrame: async () => {
      const r = get().lastPrediction;
      if (!r) return null;
      return {
        width: r.frame.width,
        height: r.frame.height,
        rgbBase64: bytesToBase64(r.frame.rgb),
        step: r.step,
      };
    },
  };
}

/** `?source=webcam|sim`: the source to start with (image and video need a file, so not from the URL). */
export function readSourceParam(search: string): 'webcam' | 'sim' | null {
  const v = new URLSearchParams(search).get('source');
  if (v === null) return null;
  if (v === 'webcam' || v === 'sim') return v;
  console.warn(`ignoring ?source=${v}: expected webcam or sim (choose an image or video in the panel)`);
  return null;
}

/** Add the source calls to window.vla and apply `?source=`. */
export function installSourceAutomation(store: Store, search: string): VlaSourceApi {
  const api = createSourceAutomation(store);
  extendAutomation(api as unknown as Record<string, unknown>);
  if (readSourceParam(search) === 'webcam')
    void store
      .getState()
      .setSource('webcam')
      .catch((e: unknown) => console.warn('?source=webcam:', e instanceof Error ? e.message : e));
  return api;
}

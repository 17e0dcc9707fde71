/**
 * The webcam as a frame source: getUserMedia (video only, an exact deviceId when one was picked) into a
 * muted, detached <video>; frames are drawn from it at each capture. dispose() stops every track, so the
 * camera light goes off when the user switches away. Also lists cameras (enumerateDevices).
 * Must not import React, three.js or ORT.
 */
import { type CanvasFactory, MediaFrameSource } from './MediaFrameSource';
import { SourceFailure } from './sourceErrors';

/** A camera the picker offers. `label` is empty until the page has camera permission. */
export interface CameraInfo {
  deviceId: string;
  label: string;
}

/** How long a started camera may take to deliver its first frame, ms. */
export const FIRST_FRAME_TIMEOUT_MS = 10_000;

function mediaDevices(): MediaDevices {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!md?.getUserMedia)
    throw new SourceFailure(
      'NotSupportedError',
      'This page has no camera access: the browser offers getUserMedia only on https or localhost pages.',
    );
  return md;
}

/** The video inputs, in the browser's order (labels need permission; ids may be empty before it). */
export async function listCameras(): Promise<CameraInfo[]> {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  if (!md?.enumerateDevices) return [];
  const all = await md.enumerateDevices();
  return all
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/** Resolve once `video` has a decoded frame (videoWidth > 0), reject on error or after `timeoutMs`. */
export function waitForFrame(video: HTMLVideoElement, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (video.readyState >= 2 && video.videoWidth > 0) {
      resolve();
      return;
    }
    const done = (err?: Error) => {
      clearTimeout(timer);
      video.removeEventListener('loadeddata', onData);
      video.removeEventListener('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => {
      if (video.videoWidth > 0) done();
    };
    const onError = () => {
      const code = video.error?.code;
      const text = video.error?.message || (code ? `media error ${code}` : 'unknown media error');
      done(new SourceFailure('MediaError', `${what} could not be decoded (${text}).`));
    };
    const timer = setTimeout(
      () => done(new SourceFailure('TimeoutError', `${what} gave no frame within ${timeoutMs / 1000} s.`)),
      timeoutMs,
    );
    video.addEventListener('loadeddata', onData);
    video.addEventListener('error', onError);
  });
}

export class WebcamSource extends MediaFrameSource {
  /** The device this stream came from (from the track settings). */
  readonly deviceId: string;
  private readonly stream: MediaStream;

  /**
   * Wrap an open stream and the video element playing it. `onEnded` fires once if the camera stops by
   * itself (unplugged, revoked), not when dispose() stops it.
   */
  constructor(
    stream: MediaStream,
    video: HTMLVideoElement,
    options: { label: string; deviceId: string; onEnded?: () => void; canvas?: CanvasFactory },
  ) {
    let released = false;
    super({
      kind: 'webcam',
      label: options.label,
      media: video,
      size: () => ({ width: video.videoWidth, height: video.videoHeight }),
      release: () => {
        released = true;
        for (const t of stream.getTracks()) t.stop();
        video.pause();
        video.srcObject = null;
      },
      ...(options.canvas ? { canvas: options.canvas } : {}),
    });
    this.stream = stream;
    this.deviceId = options.deviceId;
    const onEnded = options.onEnded;
    if (onEnded)
      for (const t of stream.getVideoTracks())
        t.addEventListener('ended', () => {
          if (!released) onEnded();
        });
  }

  /** Live tracks of the stream (for tests and status). */
  get liveTracks(): number {
    return this.stream.getTracks().filter((t) => t.readyState === 'live').length;
  }

  /** Ask for the camera (`deviceId` exact when given) and wait for its first frame. */
  static async open(deviceId?: string, onEnded?: () => void): Promise<WebcamSource> {
    const md = mediaDevices();
    const video: MediaTrackConstraints = deviceId
      ? { deviceId: { exact: deviceId } }
      : { width: { ideal: 640 }, height: { ideal: 480 } };
    const stream = await md.getUserMedia({ video, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) {
      for (const t of stream.getTracks()) t.stop();
      throw new SourceFailure('NotFoundError', 'The camera stream has no video track.');
    }
    const el = document.createElement('video');
    el.muted = true;
    el.playsInline = true;
    el.srcObject = stream;
    try {
      await el.play();
      await waitForFrame(el, FIRST_FRAME_TIMEOUT_MS, 'The camera');
    } catch (e) {
      for (const t of stream.getTracks()) t.stop();
      el.srcObject = null;
      throw e;
    }
    const settings = track.getSettings();
    return new WebcamSource(stream, el, {
      label: track.label || 'camera',
      deviceId: settings.deviceId ?? deviceId ?? '',
      ...(onEnded ? { onEnded } : {}),
    });
  }
}

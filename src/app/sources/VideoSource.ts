/**
 * An uploaded video as a frame source: a muted, looped, detached <video> on an object URL. It plays while
 * an episode runs and pauses otherwise (the store calls setPlaying); restart() goes back to the start on a
 * scene reset. dispose() revokes the URL. Must not import React, three.js or ORT.
 *
 * While paused, the policy gets the same pixels every step: a capture is kept and handed out again until
 * the video plays, seeks or the size changes. Redrawing a paused <video> is not guaranteed to repeat
 * itself byte for byte (the media pipeline may present its frame again after it settles), and a still
 * input must not make the policy's tokens flicker.
 */
import type { CapturedFrame } from '../PolicySource';
import { type CanvasFactory, MediaFrameSource } from './MediaFrameSource';
import { waitForFrame } from './WebcamSource';

/** How long a video file may take to decode its first frame, ms. */
const VIDEO_LOAD_TIMEOUT_MS = 15_000;

export class VideoSource extends MediaFrameSource {
  private readonly video: HTMLVideoElement;
  private wantPlaying = false;
  /** The last capture while paused, with the position and side it was taken at. */
  private still: { time: number; size: number; frame: CapturedFrame } | null = null;

  constructor(video: HTMLVideoElement, label: string, release: () => void, canvas?: CanvasFactory) {
    super({
      kind: 'video',
      label,
      media: video,
      size: () => ({ width: video.videoWidth, height: video.videoHeight }),
      release: () => {
        video.pause();
        release();
      },
      ...(canvas ? { canvas } : {}),
    });
    this.video = video;
  }

  /** Whether the video is playing now. */
  get playing(): boolean {
    return !this.video.paused;
  }

  /** Current playback position, s. */
  get currentTime(): number {
    return this.video.currentTime;
  }

  /** Play (looped) or pause. A play() the browser refuses leaves it paused on the current frame. */
  setPlaying(on: boolean): void {
    if (this.isDisposed || on === this.wantPlaying) return;
    this.wantPlaying = on;
    if (on) void this.video.play().catch(() => undefined);
    else this.video.pause();
  }

  /** Seek back to the first frame. */
  restart(): void {
    this.still = null;
    if (!this.isDisposed) this.video.currentTime = 0;
  }

  override capture(size: number): CapturedFrame {
    const paused = this.video.paused && !this.video.seeking;
    const time = this.video.currentTime;
    const kept = this.still;
    if (paused && kept && kept.time === time && kept.size === size) return copyFrame(kept.frame);
    const frame = super.capture(size);
    this.still = paused ? { time, size, frame: copyFrame(frame) } : null;
    return frame;
  }

  /** Load `file` as a looped muted video and wait for its first frame; rejects when it cannot be played. */
  static async fromBlob(file: Blob, label: string): Promise<VideoSource> {
    const url = URL.createObjectURL(file);
    const el = document.createElement('video');
    el.muted = true;
    el.loop = true;
    el.playsInline = true;
    el.preload = 'auto';
    const release = () => {
      el.removeAttribute('src');
      el.load();
      URL.revokeObjectURL(url);
    };
    el.src = url;
    try {
      await waitForFrame(el, VIDEO_LOAD_TIMEOUT_MS, `“${label}”`);
      await settleAtStart(el);
    } catch (e) {
      release();
      throw e;
    }
    return new VideoSource(el, label, release);
  }
}

function copyFrame(f: CapturedFrame): CapturedFrame {
  return { ...f, rgb: f.rgb.slice() };
}

/** How long the seek to the first frame may take before the source is used as it stands, ms. */
const SETTLE_TIMEOUT_MS = 2_000;

/**
 * Seek to 0 and wait for `seeked`, so the frame a paused video shows is the decoded first frame rather
 * than whatever the element painted on `loadeddata`. A seek that does not finish in time is not an error.
 */
function settleAtStart(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      video.removeEventListener('seeked', done);
      resolve();
    };
    const timer = setTimeout(done, SETTLE_TIMEOUT_MS);
    video.addEventListener('seeked', done);
    video.currentTime = 0;
  });
}

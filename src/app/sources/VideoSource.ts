/**
 * An uploaded video as a frame source: a muted, looped, detached <video> on an object URL. It plays while
 * an episode runs and pauses otherwise (the store calls setPlaying); restart() goes back to the start on a
 * scene reset. dispose() revokes the URL. Must not import React, three.js or ORT.
 */
import { type CanvasFactory, MediaFrameSource } from './MediaFrameSource';
import { waitForFrame } from './WebcamSource';

/** How long a video file may take to decode its first frame, ms. */
const VIDEO_LOAD_TIMEOUT_MS = 15_000;

export class VideoSource extends MediaFrameSource {
  private readonly video: HTMLVideoElement;
  private wantPlaying = false;

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
    if (!this.isDisposed) this.video.currentTime = 0;
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
    } catch (e) {
      release();
      throw e;
    }
    return new VideoSource(el, label, release);
  }
}

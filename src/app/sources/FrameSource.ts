/**
 * Where the policy's input frame comes from: the sim's model camera (default), a webcam, an uploaded image
 * or an uploaded video. Every source yields a square RGB CapturedFrame (rows top-to-bottom) at the size
 * the policy asks for. Must not import React, three.js or ORT.
 */
import type { CapturedFrame } from '../PolicySource';

export type SourceKind = 'sim' | 'webcam' | 'image' | 'video';

export const SOURCE_KINDS: readonly SourceKind[] = ['sim', 'webcam', 'image', 'video'];

export function isSourceKind(v: unknown): v is SourceKind {
  return typeof v === 'string' && (SOURCE_KINDS as readonly string[]).includes(v);
}

/** One frame source. `capture` is synchronous (the policy calls it at each control step). */
export interface FrameSource {
  readonly kind: SourceKind;
  /** What it shows: the camera's label, the file name, "sim model camera". */
  readonly label: string;
  /** Pixel size of the input before the square crop (the sim: its camera resolution). */
  readonly inputWidth: number;
  readonly inputHeight: number;
  /**
   * The current frame, `size × size` RGB, centre-cropped and resampled (a new buffer each call). The sim
   * returns its model camera frame, which the store keeps at the same size.
   */
  capture(size: number): CapturedFrame;
  /** Release what the source holds (camera tracks, decoded image, video element). Idempotent. */
  dispose(): void;
}

/** A frame source that can also draw its crop onto a 2D canvas (the panel's live preview, no readback). */
export interface PreviewableSource extends FrameSource {
  drawPreview(ctx: CanvasRenderingContext2D, size: number): void;
}

export function isPreviewable(s: FrameSource): s is PreviewableSource {
  return typeof (s as Partial<PreviewableSource>).drawPreview === 'function';
}

/** The sim's model camera as a frame source (the default). */
export class SimFrameSource implements FrameSource {
  readonly kind = 'sim' as const;
  readonly label = 'sim model camera';
  private readonly grab: () => CapturedFrame;
  private last: { w: number; h: number } = { w: 0, h: 0 };

  /** `grab` returns the model camera's current frame (World.captureFrame). */
  constructor(grab: () => CapturedFrame) {
    this.grab = grab;
  }

  get inputWidth(): number {
    return this.last.w;
  }

  get inputHeight(): number {
    return this.last.h;
  }

  capture(_size: number): CapturedFrame {
    const f = this.grab();
    this.last = { w: f.width, h: f.height };
    return f;
  }

  dispose(): void {}
}

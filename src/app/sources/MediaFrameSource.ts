/**
 * The capture path shared by the webcam, image and video sources: draw the centred square crop of a
 * drawable (video element, ImageBitmap) onto a `size × size` 2D canvas (OffscreenCanvas when there is one)
 * with smoothing, read it back and pack it as RGB. The canvas is injectable so Node tests can drive it.
 * Must not import React, three.js or ORT.
 */
import type { CapturedFrame } from '../PolicySource';
import type { PreviewableSource, SourceKind } from './FrameSource';
import { centerCropRect, frameSide, rgbaToRgb } from './frameGeometry';

/** The part of a 2D canvas context the capture uses (CanvasRenderingContext2D or OffscreenCanvas's). */
export interface Context2D {
  imageSmoothingEnabled: boolean;
  imageSmoothingQuality: ImageSmoothingQuality;
  fillStyle: string | CanvasGradient | CanvasPattern;
  fillRect(x: number, y: number, w: number, h: number): void;
  drawImage(
    image: CanvasImageSource,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
  ): void;
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}

/** Makes a `side × side` scratch canvas and its 2D context. */
export type CanvasFactory = (side: number) => Context2D;

/** OffscreenCanvas where available (main thread included), else a detached <canvas>. */
export const defaultCanvasFactory: CanvasFactory = (side) => {
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(side, side)
      : Object.assign(document.createElement('canvas'), { width: side, height: side });
  const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false }) as Context2D | null;
  if (!ctx) throw new Error('this browser gives no 2D canvas context');
  return ctx;
};

export interface MediaFrameSourceOptions {
  kind: Exclude<SourceKind, 'sim'>;
  label: string;
  /** The drawable (a video element with current data, an ImageBitmap). */
  media: CanvasImageSource;
  /** Its intrinsic size in pixels now (a camera may change resolution while running). */
  size: () => { width: number; height: number };
  /** Releases what the media holds (tracks, bitmap, object URL); called once by dispose(). */
  release?: () => void;
  canvas?: CanvasFactory;
}

export class MediaFrameSource implements PreviewableSource {
  readonly kind: Exclude<SourceKind, 'sim'>;
  readonly label: string;
  protected readonly media: CanvasImageSource;
  private readonly sizeOf: () => { width: number; height: number };
  private readonly release: (() => void) | undefined;
  private readonly makeCanvas: CanvasFactory;
  private scratch: Context2D | null = null;
  private scratchSide = 0;
  private disposed = false;

  constructor(options: MediaFrameSourceOptions) {
    this.kind = options.kind;
    this.label = options.label;
    this.media = options.media;
    this.sizeOf = options.size;
    this.release = options.release;
    this.makeCanvas = options.canvas ?? defaultCanvasFactory;
  }

  get inputWidth(): number {
    return this.sizeOf().width;
  }

  get inputHeight(): number {
    return this.sizeOf().height;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  capture(size: number): CapturedFrame {
    const side = frameSide(size);
    if (!this.scratch || this.scratchSide !== side) {
      this.scratch = this.makeCanvas(side);
      this.scratchSide = side;
    }
    this.drawPreview(this.scratch, side);
    const { data } = this.scratch.getImageData(0, 0, side, side);
    return { width: side, height: side, rgb: rgbaToRgb(data) };
  }

  /** Draw the centred square crop scaled to `size × size` at the canvas origin (black behind it). */
  drawPreview(ctx: Context2D, size: number): void {
    if (this.disposed) throw new Error(`the ${this.kind} source was closed`);
    const { width, height } = this.sizeOf();
    const r = centerCropRect(width, height);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.media, r.sx, r.sy, r.sw, r.sh, 0, 0, size, size);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.scratch = null;
    this.release?.();
  }
}

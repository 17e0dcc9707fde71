/**
 * How the store opens sources: the browser implementations by default, fakes in Node tests. Opening is
 * the only place a source touches getUserMedia, createImageBitmap or <video>.
 */
import type { FrameSource } from './FrameSource';
import { ImageSource } from './ImageSource';
import { VideoSource } from './VideoSource';
import { type CameraInfo, listCameras, WebcamSource } from './WebcamSource';

/** A video source's extra controls (the store plays it while an episode runs). */
export interface PlayableSource extends FrameSource {
  setPlaying(on: boolean): void;
  restart(): void;
}

export function isPlayable(s: FrameSource): s is PlayableSource {
  const p = s as Partial<PlayableSource>;
  return typeof p.setPlaying === 'function' && typeof p.restart === 'function';
}

export interface SourceOpeners {
  /** Open a camera (exact `deviceId` when given); `onEnded` fires if it stops by itself. */
  webcam(deviceId: string | undefined, onEnded: () => void): Promise<FrameSource & { deviceId: string }>;
  image(file: Blob, name: string): Promise<FrameSource>;
  video(file: Blob, name: string): Promise<PlayableSource>;
  listCameras(): Promise<CameraInfo[]>;
}

export const browserOpeners: SourceOpeners = {
  webcam: (deviceId, onEnded) => WebcamSource.open(deviceId, onEnded),
  image: (file, name) => ImageSource.fromBlob(file, name),
  video: (file, name) => VideoSource.fromBlob(file, name),
  listCameras,
};

/**
 * An uploaded image as a frame source: the file is decoded once (createImageBitmap, EXIF orientation
 * applied) and its centred square crop is resampled at each capture. Must not import React, three.js or ORT.
 */
import { type CanvasFactory, MediaFrameSource } from './MediaFrameSource';
import { SourceFailure } from './sourceErrors';

export class ImageSource extends MediaFrameSource {
  /** Wrap a decoded bitmap; dispose() closes it. */
  constructor(bitmap: ImageBitmap, label: string, canvas?: CanvasFactory) {
    super({
      kind: 'image',
      label,
      media: bitmap,
      size: () => ({ width: bitmap.width, height: bitmap.height }),
      release: () => bitmap.close(),
      ...(canvas ? { canvas } : {}),
    });
  }

  /** Decode `file`; rejects (EncodingError / InvalidStateError) when it is not a readable image. */
  static async fromBlob(file: Blob, label: string): Promise<ImageSource> {
    if (typeof createImageBitmap !== 'function')
      throw new SourceFailure('NotSupportedError', 'This browser cannot decode images here.');
    const bitmap = await createImageBitmap(file);
    if (!(bitmap.width > 0 && bitmap.height > 0)) {
      bitmap.close();
      throw new SourceFailure('EncodingError', `“${label}” decoded to an empty image.`);
    }
    return new ImageSource(bitmap, label);
  }
}

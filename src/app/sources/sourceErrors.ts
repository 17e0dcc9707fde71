/**
 * Turns what getUserMedia, image decoding and video loading throw into one clear sentence for the source
 * panel (permission denied, no camera, camera busy, unreadable file…). Pure: no DOM access.
 */
import type { SourceKind } from './FrameSource';

/** A failed or lost source, as the panel shows it; the policy has fallen back to the sim camera. */
export interface SourceError {
  /** The source that was asked for. */
  kind: SourceKind;
  /** The DOMException / Error name (NotAllowedError, NotFoundError, NotReadableError, EncodingError…). */
  name: string;
  /** One or two sentences for a person. */
  message: string;
}

/** A source failure that already carries its user-facing message. */
export class SourceFailure extends Error {
  override readonly name: string;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function nameOf(e: unknown): string {
  if (e && typeof e === 'object' && 'name' in e && typeof e.name === 'string' && e.name) return e.name;
  return 'Error';
}

function detailOf(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string') return e.message;
  return typeof e === 'string' ? e : '';
}

/** Map an error from opening or reading a source to a SourceError with a plain message. */
export function describeSourceError(kind: SourceKind, e: unknown, what = ''): SourceError {
  const name = nameOf(e);
  const detail = detailOf(e);
  if (e instanceof SourceFailure) return { kind, name, message: e.message };
  if (kind === 'webcam') {
    switch (name) {
      case 'NotAllowedError':
      case 'PermissionDeniedError':
      case 'SecurityError':
        return {
          kind,
          name,
          message:
            'Camera permission was denied. Allow camera access for this page in the browser (the camera icon in the address bar), then choose Webcam again.',
        };
      case 'NotFoundError':
      case 'DevicesNotFoundError':
      case 'OverconstrainedError':
        return {
          kind,
          name,
          message:
            name === 'OverconstrainedError'
              ? 'The chosen camera is not available any more. Pick another camera.'
              : 'No camera was found. Connect a camera, or use the sim, an image or a video.',
        };
      case 'NotReadableError':
      case 'TrackStartError':
      case 'AbortError':
        return {
          kind,
          name,
          message:
            'The camera could not be started: it may be in use by another application, or the system blocked it. Close the other application and choose Webcam again.',
        };
      default:
        return { kind, name, message: `The camera could not be opened${detail ? `: ${detail}` : '.'}` };
    }
  }
  if (kind === 'image')
    return {
      kind,
      name,
      message: `${what ? `“${what}”` : 'The file'} could not be read as an image${detail ? ` (${detail})` : ''}. Use a PNG, JPEG, WebP or GIF file.`,
    };
  if (kind === 'video')
    return {
      kind,
      name,
      message: `${what ? `“${what}”` : 'The file'} could not be played as a video${detail ? ` (${detail})` : ''}. Use a WebM or MP4 file this browser can play.`,
    };
  return { kind, name, message: detail || 'The source failed.' };
}

/**
 * Store slice for the policy's input source: sim (the model camera, default) | webcam | image | video.
 * It holds the live FrameSource outside reactive state, opens new ones through SourceOpeners (browser or
 * test fakes), falls back to the sim with a clear message when opening or reading a source fails, plays a
 * video source only while an episode runs, and hands the policy a square frame at the camera size.
 */
import type { CapturedFrame } from '../PolicySource';
import { type FrameSource, SimFrameSource, type SourceKind } from '../sources/FrameSource';
import { browserOpeners, isPlayable, type SourceOpeners } from '../sources/openers';
import { describeSourceError, type SourceError, SourceFailure } from '../sources/sourceErrors';
import type { CameraInfo } from '../sources/WebcamSource';
import type { SliceCreator } from './types';

export interface SourceView {
  /** The source the policy reads now. */
  kind: SourceKind;
  /** A source being opened (the policy keeps reading `kind` until it is ready); null when none. */
  pending: SourceKind | null;
  /** The camera's label, the file name, or "sim model camera". */
  label: string;
  /** The open camera's device id (webcam only). */
  deviceId: string | null;
  /** Input size before the square crop, pixels. */
  inputWidth: number;
  inputHeight: number;
  /** Why the last switch failed or the source was lost (the policy is on the sim then); null when fine. */
  error: SourceError | null;
  /** Cameras for the picker (labels appear once camera permission is granted). */
  cameras: CameraInfo[];
}

export interface SetSourceOptions {
  /** Webcam: the camera to open (from `cameras`); default: the browser's choice. */
  deviceId?: string;
  /** Image / video: the file. */
  file?: Blob;
  /** Image / video: its name, for the panel. */
  name?: string;
}

export interface SourceSlice {
  source: SourceView;
  /**
   * Switch the policy input. Resolves with the new view once the source gives frames; on failure the
   * policy falls back to the sim, `source.error` says why, and the promise rejects with that message.
   * A newer call supersedes one still opening (whose source is then closed).
   */
  setSource(kind: SourceKind, options?: SetSourceOptions): Promise<SourceView>;
  /** Re-list the cameras (after permission, on devicechange). */
  refreshCameras(): Promise<CameraInfo[]>;
  /** The policy's input frame now: square, `cameraSize` pixels, RGB rows top-to-bottom. */
  captureSourceFrame(): CapturedFrame;
  /**
   * The same frame, for the policy loop: the sim's is read back without stalling the main thread and is
   * shared with the camera preview of the same state (World.captureFrameAsync; do not modify it); other
   * sources capture synchronously.
   */
  captureSourceFrameAsync(): Promise<CapturedFrame>;
  /** The live source object (previews); not reactive: subscribe to `source` for changes. */
  activeFrameSource(): FrameSource;
  dismissSourceError(): void;
}

/** The source slice over `openers` (browser APIs by default; tests pass fakes). */
export function makeSourceSlice(openers: SourceOpeners = browserOpeners): SliceCreator<SourceSlice> {
  return (set, get, api) => {
    const sim = new SimFrameSource(() => {
      const world = get().world;
      if (!world) throw new Error('the world is not loaded yet');
      return world.captureFrame();
    });
    let active: FrameSource = sim;
    let request = 0;
    let offPlayback: (() => void) | null = null;

    const viewOf = (src: FrameSource, error: SourceError | null = null): SourceView => {
      const isSim = src.kind === 'sim';
      const deviceId = (src as { deviceId?: unknown }).deviceId;
      return {
        kind: src.kind,
        pending: null,
        label: src.label,
        deviceId: src.kind === 'webcam' && typeof deviceId === 'string' ? deviceId : null,
        inputWidth: isSim ? get().cameraSize : src.inputWidth,
        inputHeight: isSim ? get().cameraSize : src.inputHeight,
        error,
        cameras: get().source.cameras,
      };
    };

    /** Make `next` the active source, closing the previous one and (re)binding video playback. */
    const activate = (next: FrameSource) => {
      const prev = active;
      active = next;
      offPlayback?.();
      offPlayback = null;
      if (prev !== next && prev !== sim) prev.dispose();
      if (isPlayable(next)) {
        next.setPlaying(get().episode.status === 'running');
        offPlayback = api.subscribe((s, p) => {
          if (s.episode.status === p.episode.status) return;
          if (s.episode.status === 'idle') next.restart();
          next.setPlaying(s.episode.status === 'running');
        });
      }
    };

    /** Fall back to the sim with `error` shown. */
    const fallBack = (error: SourceError) => {
      activate(sim);
      set({ source: viewOf(sim, error) });
    };

    const refreshCameras = async () => {
      const cameras = await openers.listCameras().catch(() => [] as CameraInfo[]);
      set((s) => ({ source: { ...s.source, cameras } }));
      return cameras;
    };

    const open = (kind: Exclude<SourceKind, 'sim'>, options: SetSourceOptions): Promise<FrameSource> => {
      if (kind === 'webcam') {
        let opened: FrameSource | null = null;
        const onEnded = () => {
          if (opened && active === opened)
            fallBack({
              kind: 'webcam',
              name: 'EndedError',
              message:
                'The camera stopped (unplugged, or taken by another application). The policy is on the sim camera.',
            });
        };
        return openers.webcam(options.deviceId, onEnded).then((s) => {
          opened = s;
          return s;
        });
      }
      const file = options.file;
      if (!file)
        return Promise.reject(
          new SourceFailure(
            'NotFoundError',
            `Choose a${kind === 'image' ? 'n image' : ' video'} file first.`,
          ),
        );
      const name = options.name ?? ((file as { name?: unknown }).name as string | undefined) ?? kind;
      return kind === 'image' ? openers.image(file, name) : openers.video(file, name);
    };

    return {
      source: {
        kind: 'sim',
        pending: null,
        label: sim.label,
        deviceId: null,
        inputWidth: 0,
        inputHeight: 0,
        error: null,
        cameras: [],
      },
      setSource: async (kind, options = {}) => {
        const token = ++request;
        if (kind === 'sim') {
          activate(sim);
          set({ source: viewOf(sim) });
          return get().source;
        }
        // One camera at a time: some systems refuse to open a camera that this page still holds.
        if (kind === 'webcam' && active.kind === 'webcam') activate(sim);
        set((s) => ({ source: { ...s.source, pending: kind, error: null } }));
        let next: FrameSource;
        try {
          next = await open(kind, options);
        } catch (e) {
          if (token !== request) return get().source;
          const error = describeSourceError(kind, e, options.name);
          fallBack(error);
          if (kind === 'webcam') void refreshCameras();
          throw new SourceFailure(error.name, error.message);
        }
        if (token !== request) {
          next.dispose();
          return get().source;
        }
        activate(next);
        set({ source: viewOf(next) });
        if (kind === 'webcam') await refreshCameras();
        return get().source;
      },
      refreshCameras,
      captureSourceFrame: () => {
        const size = get().cameraSize;
        if (active === sim) return sim.capture(size);
        try {
          return active.capture(size);
        } catch (e) {
          fallBack(describeSourceError(active.kind, e, active.label));
          return sim.capture(size);
        }
      },
      captureSourceFrameAsync: async () => {
        const world = get().world;
        if (active !== sim || !world) return get().captureSourceFrame();
        return world.captureFrameAsync();
      },
      activeFrameSource: () => active,
      dismissSourceError: () => set((s) => ({ source: { ...s.source, error: null } })),
    };
  };
}

export const createSourceSlice: SliceCreator<SourceSlice> = makeSourceSlice();

/**
 * The recording calls of `window.vla` (list, export, import, open, delete, select a timeline step), added
 * with extendAutomation. They use the same EpisodeRecorder and store as the recordings panel and the
 * timeline. Byte payloads cross as base64 strings (structured-clone friendly for Playwright). No React.
 */
import { bytesToBase64, extendAutomation } from './automation';
import type { EpisodeRecorder } from './recording/recorder';
import { recordingFileName } from './recording/recordingFile';
import { selectedRecordOf } from './recording/selection';
import type { RecordingMeta } from './recording/types';
import type { AppState } from './store';
import { selectedIndexOf, timelineRecordsOf } from './store/timelineSlice';

/** What the timeline shows now. */
export interface VlaTimelineView {
  /** The opened recording's id; null for the live episode. */
  recordingId: string | null;
  /** Whether the timeline follows the latest live step. */
  live: boolean;
  /** Steps in the viewed episode. */
  length: number;
  /** Selected index into those steps (null: none). */
  index: number | null;
  /** The selected record's episode step, tokens and latency (null when there is none). */
  step: number | null;
  tokens: number[] | null;
  latencyMs: number | null;
}

export interface VlaRecordingSteps {
  meta: RecordingMeta;
  /** Action tokens per step, [steps][dims]. */
  tokens: number[][];
  /** FNV-1a 32-bit hash (hex) of each step's frame RGB bytes, with its size: `WxH:hash`. */
  frames: string[];
}

export interface VlaRecordingApi {
  /** Stored recordings, newest first (after every queued write has landed). */
  listRecordings(): Promise<RecordingMeta[]>;
  /** Wait until every step recorded so far is in IndexedDB. */
  flushRecordings(): Promise<void>;
  /** A stored recording's tokens and frame hashes. */
  recordingSteps(id: string): Promise<VlaRecordingSteps>;
  /** The export zip as base64, with the file name the panel would use. */
  exportRecording(id: string): Promise<{ name: string; base64: string; bytes: number }>;
  /** Import an export zip (base64 string or bytes); resolves with the new recording's metadata. */
  importRecording(data: string | Uint8Array | number[]): Promise<RecordingMeta>;
  deleteRecording(id: string): Promise<void>;
  /** Show a stored recording in the timeline. */
  openRecording(id: string): Promise<VlaTimelineView>;
  /** Back to the live episode, following its latest step. */
  closeRecording(): VlaTimelineView;
  /** Select step i of the viewed episode (clamped); null follows the latest step. */
  selectStep(i: number | null): VlaTimelineView;
  timeline(): VlaTimelineView;
}

/** FNV-1a 32-bit hash of bytes, as 8 hex digits. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function timelineView(s: AppState): VlaTimelineView {
  const r = selectedRecordOf(s);
  return {
    recordingId: s.viewedRecording?.meta.id ?? null,
    live: s.viewedRecording === null && s.timelineSelected === null,
    length: timelineRecordsOf(s).length,
    index: selectedIndexOf(s),
    step: r?.step ?? null,
    tokens: r ? [...r.result.tokens] : null,
    latencyMs: r?.latencyMs ?? null,
  };
}

export function createRecordingAutomation(
  store: { getState(): AppState },
  recorder: EpisodeRecorder,
): VlaRecordingApi {
  const get = store.getState;
  return {
    listRecordings: () => recorder.list(),
    flushRecordings: () => recorder.flush(),
    recordingSteps: async (id) => {
      const { meta, records } = await recorder.read(id);
      return {
        meta,
        tokens: records.map((r) => [...r.result.tokens]),
        frames: records.map((r) => `${r.frame.width}x${r.frame.height}:${fnv1a(r.frame.rgb)}`),
      };
    },
    exportRecording: async (id) => {
      const { meta, bytes } = await recorder.exportZip(id);
      return { name: recordingFileName(meta), base64: bytesToBase64(bytes), bytes: bytes.length };
    },
    importRecording: (data) =>
      recorder.importZip(
        typeof data === 'string'
          ? base64ToBytes(data)
          : data instanceof Uint8Array
            ? data
            : Uint8Array.from(data),
      ),
    deleteRecording: (id) => recorder.remove(id),
    openRecording: async (id) => {
      await recorder.open(id);
      return timelineView(get());
    },
    closeRecording: () => {
      get().closeRecording();
      return timelineView(get());
    },
    selectStep: (i) => {
      get().selectStep(i);
      return timelineView(get());
    },
    timeline: () => timelineView(get()),
  };
}

/** Add the recording calls to window.vla. */
export function installRecordingAutomation(
  store: { getState(): AppState },
  recorder: EpisodeRecorder,
): VlaRecordingApi {
  const api = createRecordingAutomation(store, recorder);
  extendAutomation(api as unknown as Record<string, unknown>);
  return api;
}

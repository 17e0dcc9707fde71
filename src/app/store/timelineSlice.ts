/**
 * Store slice for the episode timeline: which episode is viewed (the live one, or a recording opened from
 * storage), which step of it is selected, and whether the selection follows new live steps; plus what
 * the recordings panel shows (the stored recordings' metadata, the one being written, storage errors).
 * Selection hooks over it live in src/app/recording/selection.ts. No React or IndexedDB here.
 */
import type { PolicyStepRecord } from '../PolicySource';
import type { RecordingMeta } from '../recording/types';
import type { SliceCreator } from './types';

/** A stored recording opened in the timeline (its records are read once, whole). */
export interface ViewedRecording {
  meta: RecordingMeta;
  records: PolicyStepRecord[];
}

/** What the recordings panel shows; written by the EpisodeRecorder (src/app/recording/recorder.ts). */
export interface RecordingsView {
  /** False until storage has been opened and listed. */
  loaded: boolean;
  /** Stored recordings, newest first. */
  list: RecordingMeta[];
  /** The recording the live episode is being written to. */
  activeId: string | null;
  /** The last storage problem (quota, IndexedDB unavailable, bad import file), for the user. */
  error: string | null;
  /** Bytes used and available for this origin (navigator.storage.estimate), when known. */
  usage: { used: number; quota: number } | null;
}

export interface TimelineSlice {
  /** Index into the viewed episode's records; null follows the latest step. */
  timelineSelected: number | null;
  /** Step under the pointer on the scrubber (preview only; does not change what the views show). */
  timelineHover: number | null;
  /** The recording shown instead of the live episode; null shows the live episode. */
  viewedRecording: ViewedRecording | null;
  recordings: RecordingsView;
  setRecordingsView(patch: Partial<RecordingsView>): void;
  /** Select step `i` of the viewed episode (clamped); null follows the latest step ("live"). */
  selectStep(i: number | null): void;
  setTimelineHover(i: number | null): void;
  /** Show a stored recording in the timeline (selects its first step). */
  openRecording(recording: ViewedRecording): void;
  /** Go back to the live episode, following its latest step. */
  closeRecording(): void;
}

/** The records of the episode the timeline shows. */
export function timelineRecordsOf(s: {
  viewedRecording: ViewedRecording | null;
  policyRecords: PolicyStepRecord[];
}): PolicyStepRecord[] {
  return s.viewedRecording ? s.viewedRecording.records : s.policyRecords;
}

/** The index actually shown (selection clamped to the records; null when there are none). */
export function selectedIndexOf(s: {
  viewedRecording: ViewedRecording | null;
  policyRecords: PolicyStepRecord[];
  timelineSelected: number | null;
}): number | null {
  const n = timelineRecordsOf(s).length;
  if (n === 0) return null;
  if (s.timelineSelected === null) return n - 1;
  return Math.min(Math.max(0, s.timelineSelected), n - 1);
}

export const createTimelineSlice: SliceCreator<TimelineSlice> = (set, get) => ({
  timelineSelected: null,
  timelineHover: null,
  viewedRecording: null,
  recordings: { loaded: false, list: [], activeId: null, error: null, usage: null },
  setRecordingsView: (patch) => set((s) => ({ recordings: { ...s.recordings, ...patch } })),
  selectStep: (i) => {
    if (i === null || !Number.isFinite(i)) {
      set({ timelineSelected: null });
      return;
    }
    const n = timelineRecordsOf(get()).length;
    set({ timelineSelected: n === 0 ? null : Math.min(Math.max(0, Math.round(i)), n - 1) });
  },
  setTimelineHover: (i) => set({ timelineHover: i }),
  openRecording: (recording) =>
    set({
      viewedRecording: recording,
      timelineSelected: recording.records.length > 0 ? 0 : null,
      timelineHover: null,
    }),
  closeRecording: () => set({ viewedRecording: null, timelineSelected: null, timelineHover: null }),
});

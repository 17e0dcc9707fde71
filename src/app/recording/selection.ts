/**
 * React hooks and a plain action for "which policy step is the app showing": the timeline's selected step
 * of the viewed episode (live, or a recording opened from storage). Visualization panels read
 * `useSelectedRecord()`; the timeline and charts over the episode read `useTimelineRecords()`, and the
 * names and units to draw it with from `useViewedModel()`.
 */

import type { PolicyStepRecord } from '../PolicySource';
import { type AppState, appStore, useApp } from '../store';
import { selectedIndexOf, timelineRecordsOf } from '../store/timelineSlice';
import { viewedModelOf } from './recordingModel';
import type { RecordingModel } from './types';

/** The record the views should show: the selected step, else the latest, else the last one-off prediction. */
export function selectedRecordOf(s: AppState): PolicyStepRecord | null {
  const records = timelineRecordsOf(s);
  const i = selectedIndexOf(s);
  if (i !== null) return records[i] ?? null;
  return s.viewedRecording ? null : s.lastPrediction;
}

/**
 * The step selected in the timeline; when the timeline follows live (or nothing is selected) the latest
 * record of the viewed episode, falling back to `lastPrediction` for the live episode.
 */
export function useSelectedRecord(): PolicyStepRecord | null {
  return useApp(selectedRecordOf);
}

/** The records of the episode being viewed: the live episode's, or a loaded recording's. */
export function useTimelineRecords(): PolicyStepRecord[] {
  return useApp(timelineRecordsOf);
}

/** The index of the selected step in `useTimelineRecords()` (null when there are no records). */
export function useSelectedIndex(): number | null {
  return useApp(selectedIndexOf);
}

/**
 * The model the viewed episode was made with (names, units, control rate): an opened recording's own,
 * else the loaded model's (also for recordings stored without it). Null when neither is known.
 */
export function useViewedModel(): RecordingModel | null {
  return useApp(viewedModelOf);
}

/** Whether the timeline follows the latest live step. */
export function useFollowingLive(): boolean {
  return useApp((s) => s.viewedRecording === null && s.timelineSelected === null);
}

/** Select step `i` of the viewed episode (clamped); null follows the latest step. */
export function selectStep(i: number | null): void {
  appStore.getState().selectStep(i);
}

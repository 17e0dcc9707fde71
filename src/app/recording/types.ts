/**
 * Types of stored episode recordings (IndexedDB and export files): the metadata of one recording.
 * Pure types; no DOM or IndexedDB imports.
 */

/** How a recorded episode ended; "recording" while it runs, "interrupted" when the page or worker died. */
export type RecordingStatus = 'recording' | 'success' | 'failure' | 'stopped' | 'interrupted';

export interface RecordingMeta {
  /** Unique id (time-based, sortable). */
  id: string;
  /** Start time, ms since the epoch. */
  startedAt: number;
  /** Last write, ms since the epoch. */
  updatedAt: number;
  seed: number;
  task: string;
  instruction: string;
  modelId: string;
  modelName: string;
  executionProvider: string;
  status: RecordingStatus;
  /** Why it ended (the runner's reason), when it has. */
  reason: string | null;
  /** Number of steps stored. */
  steps: number;
  /** Model frame size of the steps. */
  frameWidth: number;
  frameHeight: number;
  /** 'live': recorded in this browser; 'import': read from an exported file. */
  origin: 'live' | 'import';
}

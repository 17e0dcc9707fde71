/**
 * Types of stored episode recordings (IndexedDB and export files): the metadata of one recording.
 * Pure types; no DOM or IndexedDB imports.
 */

/** How a recorded episode ended; "recording" while it runs, "interrupted" when the page or worker died. */
export type RecordingStatus = 'recording' | 'success' | 'failure' | 'stopped' | 'interrupted';

/**
 * The model an episode was recorded with: its manifest's identity, action scheme and control rate, so a
 * recording is drawn with its own dimension names and units even when another model is loaded.
 */
export interface RecordingModel {
  /** Manifest `id` and `name`. */
  id: string;
  name: string;
  /** Manifest `action`: dimension names and units (same length as dims), bins, vocabulary size. */
  action: { dims: number; names: string[]; units: string[]; bins: number; vocab_size: number };
  /** Manifest `control_hz`: control steps per second. */
  control_hz: number;
  /**
   * Manifest `prompt.template` (`{instruction}` marks the instruction), so the attention bar chart splits a
   * recorded prompt into template and instruction words by its own model's template. Absent in recordings
   * made before it was stored (the loaded model's template is used then).
   */
  prompt_template?: string;
}

export interface RecordingMeta {
  /** Unique id (time-based, sortable). */
  id: string;
  /** Start time, ms since the epoch. */
  startedAt: number;
  /** Last write, ms since the epoch. */
  updatedAt: number;
  seed: number;
  /** The scene's task (with the seed, it rebuilds the scene). */
  task: string;
  /** The task success was checked for, when the instruction asked for another (core/instructionTask.ts). */
  checkedTask?: string;
  instruction: string;
  modelId: string;
  modelName: string;
  /** The recording model's manifest metadata; absent in recordings made before it was stored. */
  model?: RecordingModel;
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

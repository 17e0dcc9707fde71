/**
 * Where the visualizations get their policy steps: the timeline's selection (src/app/recording/
 * selection.ts) — the selected step of the viewed episode (or the latest), and that episode's records.
 * One line to change if the selection moves.
 */
export { selectStep, useSelectedRecord, useTimelineRecords } from '../../recording/selection';

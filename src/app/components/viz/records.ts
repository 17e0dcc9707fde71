/**
 * Where the visualizations get their policy steps: the timeline's selection (src/app/recording/
 * selection.ts) — the selected step of the viewed episode (or the latest), that episode's records, and the
 * model it was made with (names, units, bins).
 * One line to change if the selection moves.
 */
export { selectStep, useSelectedRecord, useTimelineRecords, useViewedModel } from '../../recording/selection';

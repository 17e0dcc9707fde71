/**
 * The app store's combined state type and the slice-creator type. Later issues add slices
 * (model, policy, timeline…) by extending AppState here and spreading their creator in index.ts.
 */
import type { StateCreator } from 'zustand';
import type { EpisodeSlice } from './episodeSlice';
import type { PolicySlice } from './policySlice';
import type { SimSlice } from './simSlice';
import type { SourceSlice } from './sourceSlice';
import type { TimelineSlice } from './timelineSlice';
import type { UiSlice } from './uiSlice';

export type AppState = SimSlice & EpisodeSlice & UiSlice & PolicySlice & TimelineSlice & SourceSlice;

/** A slice creator over the whole store (slices may read each other through get()). */
export type SliceCreator<T> = StateCreator<AppState, [], [], T>;

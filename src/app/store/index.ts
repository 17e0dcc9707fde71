/**
 * The one app store, built from slices (zustand "slices pattern"). `appStore` is the vanilla store for
 * non-React code (window.vla, bootstrap); `useApp(selector)` is the React hook — select narrowly.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { createEpisodeSlice } from './episodeSlice';
import { createPolicySlice } from './policySlice';
import { createSimSlice } from './simSlice';
import { createSourceSlice } from './sourceSlice';
import { createTimelineSlice } from './timelineSlice';
import type { AppState } from './types';
import { createUiSlice } from './uiSlice';

export type { AppState } from './types';

export function createAppStore() {
  return createStore<AppState>()((...a) => ({
    ...createSimSlice(...a),
    ...createEpisodeSlice(...a),
    ...createUiSlice(...a),
    ...createPolicySlice(...a),
    ...createSourceSlice(...a),
    ...createTimelineSlice(...a),
  }));
}

export const appStore = createAppStore();

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}

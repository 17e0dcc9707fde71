/**
 * UI state of the visualizations (kept out of the app store): the attention focus (action dim, layer,
 * head or 'mean'), the heatmap opacity, and whether the dock is open. Vanilla zustand + a React hook.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { AttentionFocus } from '../../../core/vizMath';

export type FocusAxis = keyof AttentionFocus;

export interface VizState {
  focus: AttentionFocus;
  /** Heatmap opacity over the frame, 0 … 1. */
  opacity: number;
  open: boolean;
  setFocus(axis: FocusAxis, value: number | 'mean'): void;
  /** Step an axis through mean → 0 → 1 → … → n − 1 → mean (delta ±1). */
  cycleFocus(axis: FocusAxis, n: number, delta: 1 | -1): void;
  setOpacity(v: number): void;
  toggleOpen(): void;
}

export function cycleValue(current: number | 'mean', n: number, delta: 1 | -1): number | 'mean' {
  // positions: 0 = mean, 1 … n = index 0 … n − 1
  const pos = current === 'mean' || current >= n ? 0 : current + 1;
  const next = (((pos + delta) % (n + 1)) + n + 1) % (n + 1);
  return next === 0 ? 'mean' : next - 1;
}

export const vizStore = createStore<VizState>()((set) => ({
  focus: { dim: 'mean', layer: 'mean', head: 'mean' },
  opacity: 0.75,
  open: true,
  setFocus: (axis, value) => set((s) => ({ focus: { ...s.focus, [axis]: value } })),
  cycleFocus: (axis, n, delta) =>
    set((s) => ({ focus: { ...s.focus, [axis]: cycleValue(s.focus[axis], n, delta) } })),
  setOpacity: (v) => set({ opacity: Math.min(1, Math.max(0, v)) }),
  toggleOpen: () => set((s) => ({ open: !s.open })),
}));

export function useViz<T>(selector: (s: VizState) => T): T {
  return useStore(vizStore, selector);
}

/** A focus index that fits n entries ('mean' when it does not). */
export function clampFocus(v: number | 'mean', n: number): number | 'mean' {
  return v === 'mean' || v < n ? v : 'mean';
}

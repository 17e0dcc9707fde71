/**
 * Store slice for UI-only choices: how fast "Run expert" plays, and whether the help panel is open.
 */
import type { SliceCreator } from './types';

export type Pace = 'realtime' | 'fast';

export interface UiSlice {
  /** 'realtime' plays at the control rate × speed; 'fast' as fast as the machine allows. */
  pace: Pace;
  /** Real-time multiplier when pace is 'realtime'. */
  speed: number;
  helpOpen: boolean;
  setPace(pace: Pace, speed?: number): void;
  toggleHelp(): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  pace: 'realtime',
  speed: 2,
  helpOpen: true,
  setPace: (pace, speed) => set((s) => ({ pace, speed: speed ?? s.speed })),
  toggleHelp: () => set((s) => ({ helpOpen: !s.helpOpen })),
});

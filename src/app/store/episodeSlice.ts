/**
 * Store slice for the current episode as the UI shows it: status, action source, step count, the success
 * monitor's reason. Fed by `bindRunner` from EpisodeRunner events (step updates throttled, never per frame).
 */
import type { ActionSourceKind, EpisodeResult, EpisodeStatus, RunnerEvent } from '../EpisodeRunner';
import type { SliceCreator } from './types';

export interface EpisodeView {
  status: EpisodeStatus;
  source: ActionSourceKind | null;
  steps: number;
  maxSteps: number;
  reason: string;
  /** The task success is checked for when the instruction asked for another than the scene's; else null. */
  task: string | null;
}

export interface EpisodeSlice {
  episode: EpisodeView;
  lastResult: EpisodeResult | null;
  /** Reset to the chosen seed/task and run the scripted expert (pace from the UI slice). */
  runExpert(): Promise<EpisodeResult | null>;
  stopEpisode(): Promise<void>;
  /** Apply one runner event to the episode view. */
  applyRunnerEvent(e: RunnerEvent): void;
}

const IDLE: EpisodeView = { status: 'idle', source: null, steps: 0, maxSteps: 0, reason: '', task: null };

export const createEpisodeSlice: SliceCreator<EpisodeSlice> = (set, get) => ({
  episode: IDLE,
  lastResult: null,
  runExpert: async () => {
    const { world, seed, task, pace, speed } = get();
    if (!world) return null;
    await get().resetScene(seed, task);
    return world.runExpertHere({ pace, speed });
  },
  stopEpisode: async () => {
    await get().world?.stop();
  },
  applyRunnerEvent: (e) => {
    switch (e.type) {
      case 'reset':
        set({ episode: IDLE, lastResult: null, instruction: e.instruction });
        break;
      case 'start':
        set({
          episode: {
            status: 'running',
            source: e.source,
            steps: 0,
            maxSteps: e.maxSteps,
            reason: '',
            task: e.task,
          },
        });
        break;
      case 'step':
        set((s) => ({ episode: { ...s.episode, steps: e.steps, reason: e.reason } }));
        break;
      case 'end':
        set((s) => ({
          lastResult: e.result,
          episode: { ...s.episode, status: e.result.status, steps: e.result.steps, reason: e.result.reason },
        }));
        break;
    }
  },
});

/** Subscribe the store to a runner's events; step events are coalesced to at most one per `intervalMs`. */
export function bindRunner(
  runner: { subscribe(l: (e: RunnerEvent) => void): () => void },
  apply: (e: RunnerEvent) => void,
  intervalMs = 100,
): () => void {
  let last = 0;
  let pending: RunnerEvent | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (pending) {
      const p = pending;
      pending = null;
      last = Date.now();
      apply(p);
    }
  };
  const off = runner.subscribe((e) => {
    if (e.type !== 'step') {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
      apply(e);
      return;
    }
    pending = e;
    const due = last + intervalMs - Date.now();
    if (due <= 0) flush();
    else timer ??= setTimeout(flush, due);
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}

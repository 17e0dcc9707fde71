/**
 * requestAnimationFrame coalescing for the visualization canvases: any number of `schedule()` calls
 * between two frames run the draw once, on the next frame. No React, no DOM beyond rAF (injectable).
 */

export interface FrameScheduler {
  /** Ask for one draw on the next animation frame (a no-op when one is already pending). */
  schedule(): void;
  /** Drop a pending draw. */
  cancel(): void;
  readonly pending: boolean;
}

type Raf = (cb: (t: number) => void) => number;
type Caf = (id: number) => void;

export function createFrameScheduler(
  run: () => void,
  raf: Raf = (cb) => requestAnimationFrame(cb),
  caf: Caf = (id) => cancelAnimationFrame(id),
): FrameScheduler {
  let id: number | null = null;
  return {
    schedule() {
      if (id !== null) return;
      id = raf(() => {
        id = null;
        run();
      });
    },
    cancel() {
      if (id !== null) caf(id);
      id = null;
    },
    get pending() {
      return id !== null;
    },
  };
}

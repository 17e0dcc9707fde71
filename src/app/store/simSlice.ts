/**
 * Store slice for the world: the World runtime handle, its load status, the chosen seed and task, the
 * default instruction and the model camera resolution. Actions call into World; no per-frame state here.
 */
import { allTaskIds, parseTask } from '../../core/task';
import { DEFAULT_CAMERA_SIZE } from '../../render/ModelCamera';
import type { World } from '../World';
import type { SliceCreator } from './types';

export type WorldStatus = 'loading' | 'ready' | 'error';

export interface SimSlice {
  /** The runtime (sim, renderer, runner); null until loaded. Not reactive data: never changes after load. */
  world: World | null;
  worldStatus: WorldStatus;
  worldError: string;
  seed: number;
  task: string;
  /** Default instruction of the current task. */
  instruction: string;
  /** Model camera resolution, pixels (square). */
  cameraSize: number;
  setWorld(world: World): void;
  setWorldError(message: string): void;
  /** Reset the world to (seed, task), defaulting to the current ones. Resolves with the instruction. */
  resetScene(seed?: number, task?: string): Promise<string>;
  setCameraSize(size: number): void;
}

export const DEFAULT_TASK = allTaskIds()[0] ?? 'pick:red-block';

export const createSimSlice: SliceCreator<SimSlice> = (set, get) => ({
  world: null,
  worldStatus: 'loading',
  worldError: '',
  seed: 0,
  task: DEFAULT_TASK,
  instruction: '',
  cameraSize: DEFAULT_CAMERA_SIZE,
  setWorld: (world) => set({ world, worldStatus: 'ready', worldError: '' }),
  setWorldError: (message) => set({ worldStatus: 'error', worldError: message }),
  resetScene: async (seed, task) => {
    const world = get().world;
    const nextSeed = Math.trunc(seed ?? get().seed);
    const nextTask = task ?? get().task;
    parseTask(nextTask);
    if (!world) {
      set({ seed: nextSeed, task: nextTask });
      return '';
    }
    const { instruction } = await world.reset(nextSeed, nextTask);
    set({ seed: nextSeed, task: nextTask, instruction });
    return instruction;
  },
  setCameraSize: (size) => {
    get().world?.setCameraSize(size);
    set({ cameraSize: size });
  },
});

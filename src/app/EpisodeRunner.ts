/**
 * The episode loop, outside React: reset(seed, task) → step with an action source (expert | teleop | policy)
 * → success monitor → stop on success, max steps, source end or stop(). The store, the UI and window.vla
 * all drive episodes through one runner; listeners get reset/step/end events.
 * Imports core and sim; must not import React, three.js or ORT.
 */
import { WorkerCrashedError } from '../core/errors';
import { createExpert } from '../core/expert';
import { defaultInstruction } from '../core/instructions';
import { generateScene } from '../core/sceneGenerator';
import { createSuccessMonitor, type SuccessMonitor } from '../core/success';
import type { Action, SceneSpec, SimState, StepResult } from '../core/types';
import type { Sim } from '../sim/Sim';

export type ActionSourceKind = 'expert' | 'teleop' | 'policy';

/**
 * Where actions come from. `act(state, step)` gets the episode's step index (a later run() of the same
 * episode continues counting); it may be async (a policy in a worker); return null to end the episode.
 * `settle()` delivers whatever the source deferred (e.g. per-step reports kept off the control loop's
 * critical path): the runner calls it before every 'end' event, so listeners of 'end' see all of it.
 */
export interface ActionSource {
  readonly kind: ActionSourceKind;
  act(state: SimState, step: number): Action | null | Promise<Action | null>;
  settle?(): void;
  dispose?(): void;
}

/**
 * idle: reset, nothing run yet; running; paused (by pause() or after `stepsThisRun`; run() again resumes
 * the same episode); success; failure (max steps or source ended); stopped (by stop()/reset);
 * interrupted (the runtime under the source died mid-episode: interrupt(), or the source threw
 * WorkerCrashedError; the steps so far are kept in the result).
 */
export type EpisodeStatus = 'idle' | 'running' | 'paused' | 'success' | 'failure' | 'stopped' | 'interrupted';

export interface EpisodeResult {
  status: Exclude<EpisodeStatus, 'idle' | 'running'>;
  success: boolean;
  steps: number;
  reason: string;
  source: ActionSourceKind;
  /** Actions applied, one per step ([steps × 7]). */
  actions: number[][];
  /** Wall time of each step (action + physics), ms. */
  stepMs: number[];
}

export interface RunOptions {
  /** Stop with failure once the episode has this many control steps in all. @default DEFAULT_MAX_STEPS */
  maxSteps?: number;
  /** 'realtime' paces steps at the sim's control rate × speed; 'fast' runs as fast as it can. @default 'fast' */
  pace?: 'realtime' | 'fast';
  /** Real-time multiplier for pace 'realtime'. @default 1 */
  speed?: number;
  /** Control rate that pace 'realtime' keeps, Hz (a policy's manifest control_hz). @default sim.controlHz */
  hz?: number;
  /** Pause (status 'paused', resumable) after this many steps of this run: 1 = single step. */
  stepsThisRun?: number;
}

export type RunnerEvent =
  | { type: 'reset'; scene: SceneSpec; state: SimState; instruction: string }
  /** `task`: the task success is checked for when it is not the scene's own (EpisodeRunner.checkTask), else null. */
  | { type: 'start'; source: ActionSourceKind; maxSteps: number; task: string | null }
  | { type: 'step'; steps: number; state: SimState; result: StepResult; success: boolean; reason: string }
  | { type: 'end'; result: EpisodeResult };

/** Default episode length in control steps (30 s at 10 Hz). */
export const DEFAULT_MAX_STEPS = 300;
/**
 * In 'fast' pace, yield to the event loop (so the view repaints) after this much stepping without the
 * event loop having run a task, ms. A source that waits for a worker yields on its own every step.
 */
const FAST_SLICE_MS = 40;

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Tells whether the event loop has run a task since arm(): a zero-delay timer that fires at the first
 * turn. Lets the fast loop skip its own yield (a timer hop that would queue behind, and wait for, any
 * work the step scheduled) when awaiting the source already gave the page its turn.
 */
class TurnWatch {
  private armed = 0;
  private fired = 0;

  arm(): void {
    const id = ++this.armed;
    setTimeout(() => {
      this.fired = Math.max(this.fired, id);
    }, 0);
  }

  get turned(): boolean {
    return this.fired === this.armed;
  }
}

export class EpisodeRunner {
  readonly sim: Sim;
  private currentScene: SceneSpec | null = null;
  private currentInstruction = '';
  private monitor: SuccessMonitor | null = null;
  /** The task checkTask() chose when it is not the scene's own; null otherwise. */
  private otherTask: string | null = null;
  private stepCount = 0;
  private lastReason = '';
  private statusValue: EpisodeStatus = 'idle';
  private runToken = 0;
  private active: Promise<EpisodeResult> | null = null;
  private pauseToken = -1;
  private interruptToken = -1;
  private interruptReason = '';
  private readonly listeners = new Set<(e: RunnerEvent) => void>();

  constructor(sim: Sim) {
    this.sim = sim;
  }

  get scene(): SceneSpec | null {
    return this.currentScene;
  }

  get instruction(): string {
    return this.currentInstruction;
  }

  get status(): EpisodeStatus {
    return this.statusValue;
  }

  get steps(): number {
    return this.stepCount;
  }

  get running(): boolean {
    return this.statusValue === 'running';
  }

  subscribe(listener: (e: RunnerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stop any running episode and build the world for (seed, task). Throws TaskParseError on a bad task. */
  async reset(
    seed: number,
    task: string,
  ): Promise<{ scene: SceneSpec; state: SimState; instruction: string }> {
    await this.stop();
    const scene = generateScene(seed, task);
    const state = this.sim.reset(scene);
    this.currentScene = scene;
    this.currentInstruction = defaultInstruction(task);
    this.monitor = createSuccessMonitor(scene, state);
    this.otherTask = null;
    this.stepCount = 0;
    this.lastReason = '';
    this.statusValue = 'idle';
    this.emit({ type: 'reset', scene, state, instruction: this.currentInstruction });
    return { scene, state, instruction: this.currentInstruction };
  }

  /**
   * Check success for `task` instead of the scene's own task (e.g. the one a typed instruction asks for,
   * core/instructionTask.ts), from the current state. Only before the episode's first step: a check
   * that changed mid-episode would judge steps taken for another task.
   */
  checkTask(task: string): void {
    const scene = this.requireScene();
    if (this.stepCount > 0) throw new Error('checkTask: the episode has already started');
    this.monitor = createSuccessMonitor({ ...scene, task }, this.sim.state());
    this.otherTask = task === scene.task ? null : task;
  }

  /** The task success is checked for: the scene's, unless checkTask() chose another. */
  get checkedTask(): string | null {
    return this.otherTask ?? this.currentScene?.task ?? null;
  }

  /** The scripted expert for the current scene, as an action source. */
  expertSource(options: { noise?: number; seed?: number } = {}): ActionSource {
    const scene = this.requireScene();
    const expert = createExpert(scene, options);
    return { kind: 'expert', act: (state) => expert.act(state) };
  }

  /**
   * Run an episode from the current state with `source` until success, `maxSteps`, the source ends, or
   * stop()/reset(). A run already in progress is stopped first. Resolves with the outcome.
   */
  async run(source: ActionSource, options: RunOptions = {}): Promise<EpisodeResult> {
    this.requireScene();
    await this.stop();
    const token = ++this.runToken;
    const promise = this.loop(source, token, options).catch((err: unknown) => {
      source.settle?.();
      this.statusValue = 'failure';
      this.lastReason = `error: ${err instanceof Error ? err.message : String(err)}`;
      this.emit({ type: 'end', result: this.errorResult(source.kind) });
      throw err;
    });
    this.active = promise;
    try {
      return await promise;
    } finally {
      if (this.active === promise) this.active = null;
      source.dispose?.();
    }
  }

  /** Pause the running episode (status 'paused'; run() resumes it) and wait until its loop has ended. */
  async pause(): Promise<void> {
    if (!this.active) return;
    this.pauseToken = this.runToken;
    await this.stop();
  }

  /**
   * End the running episode as 'interrupted' (its runtime died; `reason` says how) and wait until its loop
   * has ended. No-op when nothing runs.
   */
  async interrupt(reason: string): Promise<void> {
    if (!this.active) return;
    this.interruptToken = this.runToken;
    this.interruptReason = reason;
    await this.stop();
  }

  /** Stop the running episode (if any) and wait until its loop has ended. */
  async stop(): Promise<void> {
    this.runToken++;
    const active = this.active;
    if (active) await active.catch(() => undefined);
  }

  private async loop(source: ActionSource, token: number, options: RunOptions): Promise<EpisodeResult> {
    const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    const realtime = (options.pace ?? 'fast') === 'realtime';
    const periodMs = 1000 / (options.hz ?? this.sim.controlHz) / Math.max(1e-3, options.speed ?? 1);
    const pauseAt = options.stepsThisRun === undefined ? Infinity : this.stepCount + options.stepsThisRun;
    const actions: number[][] = [];
    const stepMs: number[] = [];
    const monitor = this.monitor!;
    this.statusValue = 'running';
    this.emit({ type: 'start', source: source.kind, maxSteps, task: this.otherTask });
    let state = this.sim.state();
    let sliceStart = now();
    const turns = new TurnWatch();
    if (!realtime) turns.arm();
    let nextAt = now();
    const finish = (status: EpisodeResult['status'], reason: string): EpisodeResult => {
      source.settle?.();
      this.statusValue = status;
      this.lastReason = reason;
      const result: EpisodeResult = {
        status,
        success: status === 'success',
        steps: this.stepCount,
        reason,
        source: source.kind,
        actions,
        stepMs,
      };
      this.emit({ type: 'end', result });
      return result;
    };
    const interruptedBy = (why: string) =>
      finish('interrupted', `interrupted at step ${this.stepCount}: ${why}`);
    const interrupted = () =>
      this.interruptToken === token
        ? interruptedBy(this.interruptReason)
        : this.pauseToken === token
          ? finish('paused', `paused at step ${this.stepCount}`)
          : finish('stopped', 'stopped');
    for (;;) {
      if (token !== this.runToken) return interrupted();
      if (this.stepCount >= maxSteps) {
        return finish('failure', `max steps (${maxSteps}) reached: ${this.lastReason}`);
      }
      const t0 = now();
      let action: Action | null;
      try {
        action = await source.act(state, this.stepCount);
      } catch (err) {
        if (token === this.runToken && isWorkerCrash(err)) return interruptedBy((err as Error).message);
        if (token !== this.runToken && this.interruptToken === token) return interrupted();
        throw err;
      }
      if (token !== this.runToken) return interrupted();
      if (action === null) return finish('failure', `${source.kind} ended: ${this.lastReason}`);
      const result = this.sim.step(action);
      state = result.state;
      this.stepCount++;
      actions.push(Array.from(action));
      stepMs.push(now() - t0);
      const verdict = monitor.update(state);
      this.lastReason = verdict.reason;
      this.emit({
        type: 'step',
        steps: this.stepCount,
        state,
        result,
        success: verdict.success,
        reason: verdict.reason,
      });
      if (verdict.success) return finish('success', verdict.reason);
      if (this.stepCount >= pauseAt) return finish('paused', `paused at step ${this.stepCount}`);
      if (realtime) {
        nextAt += periodMs;
        const wait = nextAt - now();
        if (wait < -periodMs) nextAt = now(); // fell behind: do not try to catch up in a burst
        await sleep(wait);
      } else if (turns.turned) {
        sliceStart = now();
        turns.arm();
      } else if (now() - sliceStart > FAST_SLICE_MS) {
        await sleep(0);
        sliceStart = now();
        turns.arm();
      }
    }
  }

  private errorResult(source: ActionSourceKind): EpisodeResult {
    return {
      status: 'failure',
      success: false,
      steps: this.stepCount,
      reason: this.lastReason,
      source,
      actions: [],
      stepMs: [],
    };
  }

  private emit(e: RunnerEvent): void {
    for (const l of this.listeners) l(e);
  }

  private requireScene(): SceneSpec {
    if (!this.currentScene) throw new Error('EpisodeRunner: call reset(seed, task) first');
    return this.currentScene;
  }
}

function isWorkerCrash(err: unknown): boolean {
  return err instanceof WorkerCrashedError || (err instanceof Error && err.name === 'WorkerCrashedError');
}

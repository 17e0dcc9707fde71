/**
 * The policy as an EpisodeRunner action source: each step captures the model-camera frame, builds the
 * manifest's proprio state (if any) from the sim state, calls Policy.predict with the instruction, and
 * returns the action; every step is handed to `onStep` as a full record (frame, tokens, probs, timings).
 * Records are delivered once the next step's prediction has been sent (the model then runs in its worker
 * while the store and UI work they trigger runs here, off the loop's critical path and clear of the model
 * camera's render), or after REPORT_WAIT_MS without a next step, batched to at most one delivery per
 * `reportIntervalMs`; settle() delivers what is pending at once (the runner calls it before 'end').
 * Imports core and the Policy interface only; must not import React, three.js or ORT.
 */
import type { Manifest } from '../core/manifest';
import type { Frame, Policy, PolicyStep, PredictOptions } from '../core/policy';
import { proprioState } from '../core/proprio';
import type { Action, SimState } from '../core/types';
import type { ActionSource } from './EpisodeRunner';

/** An RGB frame as the model camera gives it: `rgb` is [height × width × 3] bytes, rows top-to-bottom. */
export interface CapturedFrame {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** One closed-loop policy step, kept whole for the timeline and visualizations. */
export interface PolicyStepRecord {
  /** Episode step index (0-based) this prediction was made at. */
  step: number;
  instruction: string;
  /** The model input frame (a copy, RGB, rows top-to-bottom). */
  frame: CapturedFrame;
  /** Raw proprio state fed to the model (manifest `state.names` units), when the model takes one. */
  proprio: number[] | null;
  /** The policy's output: tokens, normalized and un-normalized action, probs [dims × bins], attention, timings. */
  result: PolicyStep;
  /** Wall time from capture to the action being returned (capture + predict round trip), ms. */
  latencyMs: number;
}

export interface PolicySourceOptions {
  policy: Pick<Policy, 'predict'>;
  manifest: Manifest;
  instruction: string;
  /** The current model-camera frame (it is copied, never modified). */
  capture: () => CapturedFrame | Promise<CapturedFrame>;
  predictOptions?: Omit<PredictOptions, 'state'>;
  /** Each step's record, in step order, soon after its action was returned (see the header). */
  onStep?: (record: PolicyStepRecord) => void;
  /**
   * Deliver records to onStep at most once per this many ms (the ones in between wait and arrive together,
   * in order): a loop stepping faster than the UI needs then re-renders it less often. @default 0
   */
  reportIntervalMs?: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
/** A record still pending this long after its step (no next prediction came: paused, slow) is delivered, ms. */
const REPORT_WAIT_MS = 150;

export class PolicySource implements ActionSource {
  readonly kind = 'policy' as const;
  private readonly options: PolicySourceOptions;
  /** Records not yet handed to onStep, oldest first. */
  private pending: PolicyStepRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(options: PolicySourceOptions) {
    this.options = options;
  }

  /** Hand every record not yet reported to onStep now (the runner calls this before an episode's end). */
  settle(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.lastReport = now();
    for (const r of batch) this.options.onStep?.(r);
  }

  dispose(): void {
    this.settle();
  }

  /** One prediction on the current frame and state, without stepping anything. */
  async predict(state: SimState, step = 0): Promise<PolicyStepRecord> {
    const { policy, manifest, instruction, capture, predictOptions, onStep } = this.options;
    const t0 = now();
    const f = await capture();
    const frame: CapturedFrame = { width: f.width, height: f.height, rgb: f.rgb.slice() };
    const proprio = manifest.state ? proprioState(manifest.state.names, state) : null;
    // predict() transfers the buffer it gets: hand it its own copy and keep `frame` for the record.
    const input: Frame = { width: frame.width, height: frame.height, channels: 3, data: frame.rgb.slice() };
    const request = policy.predict(
      input,
      instruction,
      proprio ? { ...predictOptions, state: proprio } : { ...predictOptions },
    );
    // The request is on its way to the worker: this thread is free until the reply.
    if (this.pending.length > 0 && now() - this.lastReport >= (this.options.reportIntervalMs ?? 0))
      this.settle();
    const result = await request;
    const record: PolicyStepRecord = { step, instruction, frame, proprio, result, latencyMs: now() - t0 };
    if (onStep) {
      this.pending.push(record);
      const due = this.lastReport + (this.options.reportIntervalMs ?? 0) - now();
      this.timer ??= setTimeout(() => this.settle(), Math.max(REPORT_WAIT_MS, due));
    }
    return record;
  }

  async act(state: SimState, step: number): Promise<Action> {
    const record = await this.predict(state, step);
    return record.result.action;
  }
}

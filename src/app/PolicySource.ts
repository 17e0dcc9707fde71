/**
 * The policy as an EpisodeRunner action source: each step captures the model-camera frame, builds the
 * manifest's proprio state (if any) from the sim state, calls Policy.predict with the instruction, and
 * returns the action; every step is handed to `onStep` as a full record (frame, tokens, probs, timings).
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
  onStep?: (record: PolicyStepRecord) => void;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class PolicySource implements ActionSource {
  readonly kind = 'policy' as const;
  private readonly options: PolicySourceOptions;

  constructor(options: PolicySourceOptions) {
    this.options = options;
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
    const result = await policy.predict(
      input,
      instruction,
      proprio ? { ...predictOptions, state: proprio } : { ...predictOptions },
    );
    const record: PolicyStepRecord = { step, instruction, frame, proprio, result, latencyMs: now() - t0 };
    onStep?.(record);
    return record;
  }

  async act(state: SimState, step: number): Promise<Action> {
    const record = await this.predict(state, step);
    return record.result.action;
  }
}

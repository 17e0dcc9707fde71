/**
 * Typed errors of the model runtime. They cross the worker boundary as
 * `{ name, message, ...fields }` and are rebuilt with `reviveError`. Pure; no DOM,
 * three.js, ORT or React.
 */

/** Base class: `code` is stable for tests and UI messages. */
export class VlaError extends Error {
  override name = 'VlaError';
  readonly code: string = 'vla';
}

/** manifest.json is missing a field, has a wrong type, or is not JSON. `file` and `field` name the culprit. */
export class ManifestError extends VlaError {
  override name = 'ManifestError';
  override readonly code = 'manifest';
  constructor(
    message: string,
    readonly file: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** An ONNX graph's inputs/outputs do not match what the manifest declares. */
export class GraphContractError extends VlaError {
  override name = 'GraphContractError';
  override readonly code = 'graph-contract';
  constructor(
    message: string,
    readonly file: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** A model file could not be fetched, read or parsed (unreachable URL, HTTP error, invalid ONNX). */
export class ModelLoadError extends VlaError {
  override name = 'ModelLoadError';
  override readonly code = 'model-load';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** The model produced NaN/Inf logits. */
export class InvalidLogitsError extends VlaError {
  override name = 'InvalidLogitsError';
  override readonly code = 'invalid-logits';
}

/** A predict() argument is unusable (frame size, missing state, prompt too long for the model). */
export class PolicyInputError extends VlaError {
  override name = 'PolicyInputError';
  override readonly code = 'policy-input';
}

/** The requested execution provider is unavailable (e.g. `webgpu` without navigator.gpu). */
export class ExecutionProviderError extends VlaError {
  override name = 'ExecutionProviderError';
  override readonly code = 'execution-provider';
}

/** predict() before load(), or use after dispose(). */
export class PolicyStateError extends VlaError {
  override name = 'PolicyStateError';
  override readonly code = 'policy-state';
}

/** The inference worker died (terminated or crashed); pending calls reject with this. */
export class WorkerCrashedError extends VlaError {
  override name = 'WorkerCrashedError';
  override readonly code = 'worker-crashed';
}

/** The WebGPU device the model ran on was lost (destroyed, driver reset, GPU removed); the client falls back to WASM. */
export class DeviceLostError extends VlaError {
  override name = 'DeviceLostError';
  override readonly code = 'device-lost';
}

/** A plain-object form of an error, safe to structured-clone. */
export interface SerializedError {
  name: string;
  message: string;
  file?: string;
  field?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const out: SerializedError = { name: e.name, message: e.message };
    const f = e as Partial<{ file: unknown; field: unknown }>;
    if (typeof f.file === 'string') out.file = f.file;
    if (typeof f.field === 'string') out.field = f.field;
    return out;
  }
  return { name: 'Error', message: String(e) };
}

/** Rebuild a typed error from `{ name, message, file?, field? }` (unknown names give a plain Error). */
export function reviveError(s: SerializedError): Error {
  const file = s.file ?? '';
  const field = s.field ?? '';
  switch (s.name) {
    case 'ManifestError':
      return new ManifestError(s.message, file, field);
    case 'GraphContractError':
      return new GraphContractError(s.message, file, field);
    case 'ModelLoadError':
      return new ModelLoadError(s.message, file);
    case 'InvalidLogitsError':
      return new InvalidLogitsError(s.message);
    case 'PolicyInputError':
      return new PolicyInputError(s.message);
    case 'ExecutionProviderError':
      return new ExecutionProviderError(s.message);
    case 'PolicyStateError':
      return new PolicyStateError(s.message);
    case 'WorkerCrashedError':
      return new WorkerCrashedError(s.message);
    case 'DeviceLostError':
      return new DeviceLostError(s.message);
    default: {
      const e = new Error(s.message);
      e.name = s.name;
      return e;
    }
  }
}

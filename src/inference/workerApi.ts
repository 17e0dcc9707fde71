/**
 * The API the inference worker exposes over Comlink, wrapping an OnnxPolicy: errors
 * leave as plain `{ name, message, file?, field? }` objects (the client rebuilds typed
 * errors), and result buffers (probs, attention) are transferred, not copied.
 */
import * as Comlink from 'comlink';
import { serializeError } from '../core/errors';
import type {
  ExecutionProviderPreference,
  Frame,
  LoadProgress,
  ModelInfo,
  ModelSource,
  PolicyStep,
  PredictOptions,
} from '../core/policy';
import type { OnnxPolicy } from './onnxPolicy';

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw serializeError(e);
  }
}

export function createWorkerApi(policy: OnnxPolicy) {
  return {
    load(
      source: ModelSource,
      executionProvider: ExecutionProviderPreference,
      cache: boolean,
      onProgress?: (p: LoadProgress) => void,
    ): Promise<ModelInfo> {
      return guard(() =>
        policy.load(source, {
          executionProvider,
          cache,
          ...(onProgress ? { onProgress: (p) => void onProgress(p) } : {}),
        }),
      );
    },
    setExecutionProvider(pref: ExecutionProviderPreference): Promise<ModelInfo> {
      return guard(() => policy.setExecutionProvider(pref));
    },
    predict(frame: Frame, instruction: string, options: PredictOptions): Promise<PolicyStep> {
      return guard(async () => {
        const step = await policy.predict(frame, instruction, options);
        const buffers: Transferable[] = [step.probs.buffer as ArrayBuffer];
        if (step.attention) buffers.push(step.attention.data.buffer as ArrayBuffer);
        return Comlink.transfer(step, buffers);
      });
    },
    dispose(): Promise<void> {
      return guard(() => policy.dispose());
    },
  };
}

export type WorkerApi = ReturnType<typeof createWorkerApi>;

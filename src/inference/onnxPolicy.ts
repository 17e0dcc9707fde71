/**
 * `OnnxPolicy`: the Policy implementation over ONNX Runtime, used inside the worker
 * and in-process in Node. It loads a model folder, picks the EP (falling back to WASM
 * when `auto` cannot create WebGPU sessions), and runs `decodeActions`, one call at a time.
 * The ORT module and environment come from the host (worker or Node).
 */
import { ModelLoadError, PolicyStateError } from '../core/errors';
import type {
  ExecutionProvider,
  ExecutionProviderPreference,
  Frame,
  LoadOptions,
  ModelInfo,
  ModelSource,
  Policy,
  PolicyStep,
  PredictOptions,
} from '../core/policy';
import { decodeActions } from './decode';
import { chooseExecutionProvider, type EpChoice, type GpuLike } from './executionProvider';
import { loadModelBundle, type ModelBundle, type ModelFileReader } from './modelFiles';
import { type OrtModule, OrtSessions } from './sessions';
import { PromptTokenizer } from './tokenizer';

export interface RuntimeHost {
  /**
   * The ORT build for an EP, or one module for all. The browser worker loads the plain WASM build
   * (half the bytes to fetch and compile) unless WebGPU is used, which needs the JSEP build.
   */
  ort: OrtModule | ((ep: ExecutionProvider) => Promise<OrtModule>);
  /** navigator.gpu, or null where there is none (Node). */
  gpu: GpuLike | null;
  /** WASM threads configured in ort.env. */
  wasmThreads: number;
  /** A reader for a source (url/files in the browser, dir in Node). */
  readerFor(source: ModelSource, cache: boolean): ModelFileReader;
}

/** A User Timing mark (read by the bench's cold-start breakdown); a no-op where there is no `performance`. */
function mark(name: string): void {
  globalThis.performance?.mark?.(name);
}

/** Resolves after the pending microtasks (and the I/O they start) have run. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

interface Loaded {
  bundle: ModelBundle;
  tokenizer: PromptTokenizer;
  sessions: OrtSessions;
  info: ModelInfo;
}

export class OnnxPolicy implements Policy {
  private loaded: Loaded | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: RuntimeHost) {}

  /** What is loaded, or null. */
  get info(): ModelInfo | null {
    return this.loaded?.info ?? null;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const job = this.queue.then(fn);
    this.queue = job.catch(() => {});
    return job;
  }

  load(source: ModelSource, options: LoadOptions = {}): Promise<ModelInfo> {
    return this.serial(async () => {
      mark('vla:load:start');
      const pref = options.executionProvider ?? 'auto';
      // The EP probe (requestAdapter) runs while the files are read; its error, if any, is thrown after
      // the files' errors, as before.
      const choice = chooseExecutionProvider(pref, this.host.gpu);
      choice.catch(() => {});
      const reader = this.host.readerFor(source, options.cache !== false);
      const bundle = await loadModelBundle(reader, options.onProgress);
      mark('vla:load:files');
      // Session creation waits on ORT's WASM fetch and compile (off this thread), so the tokenizer is
      // built meanwhile. A bad tokenizer still fails the load, after the sessions it started are released.
      const creating = this.createSessions(bundle, pref, choice);
      creating.catch(() => {});
      let tokenizer: PromptTokenizer;
      try {
        await nextTask(); // let ORT start its WASM fetch before this thread is busy with the tokenizer
        tokenizer = this.tokenizerFor(bundle, reader);
      } catch (e) {
        await creating.then(
          (c) => c.sessions.dispose(),
          () => {},
        );
        throw e;
      }
      mark('vla:load:tokenizer');
      const { sessions, reason } = await creating;
      mark('vla:load:sessions');
      await this.releaseLoaded();
      this.loaded = {
        bundle,
        tokenizer,
        sessions,
        info: this.describe(bundle, sessions.executionProvider, reason),
      };
      return this.loaded.info;
    });
  }

  /** Re-create the sessions of the loaded model on another EP. */
  setExecutionProvider(pref: ExecutionProviderPreference): Promise<ModelInfo> {
    return this.serial(async () => {
      const cur = this.requireLoaded();
      const { sessions, reason } = await this.createSessions(cur.bundle, pref);
      await cur.sessions.dispose();
      cur.sessions = sessions;
      cur.info = this.describe(cur.bundle, sessions.executionProvider, reason);
      return cur.info;
    });
  }

  predict(frame: Frame, instruction: string, options: PredictOptions = {}): Promise<PolicyStep> {
    return this.serial(async () => {
      const cur = this.requireLoaded();
      return decodeActions(
        cur.sessions,
        cur.bundle.manifest,
        cur.tokenizer,
        frame,
        instruction,
        options,
        cur.sessions.executionProvider,
      );
    });
  }

  dispose(): Promise<void> {
    return this.serial(() => this.releaseLoaded());
  }

  private requireLoaded(): Loaded {
    if (!this.loaded) throw new PolicyStateError('no model is loaded: call load() first');
    return this.loaded;
  }

  private async releaseLoaded(): Promise<void> {
    const cur = this.loaded;
    this.loaded = null;
    if (cur) await cur.sessions.dispose();
  }

  /** The prompt tokenizer of `bundle`; throws ModelLoadError when its vocabulary does not match the manifest. */
  private tokenizerFor(bundle: ModelBundle, reader: ModelFileReader): PromptTokenizer {
    const file = reader.where(bundle.manifest.tokenizer);
    const tokenizer = new PromptTokenizer(bundle.tokenizerJson, bundle.tokenizerConfig, file);
    if (tokenizer.vocabSize !== bundle.manifest.action.vocab_size) {
      throw new ModelLoadError(
        `${file}: has ${tokenizer.vocabSize} tokens but manifest field "action.vocab_size" is ${bundle.manifest.action.vocab_size}`,
        bundle.manifest.tokenizer,
      );
    }
    return tokenizer;
  }

  private async createSessions(
    bundle: ModelBundle,
    pref: ExecutionProviderPreference,
    chosen?: Promise<EpChoice>,
  ): Promise<{ sessions: OrtSessions; reason: string }> {
    const choice = await (chosen ?? chooseExecutionProvider(pref, this.host.gpu));
    mark('vla:load:ep');
    try {
      return {
        sessions: await OrtSessions.create(
          await this.ortFor(choice.executionProvider),
          bundle,
          choice.executionProvider,
        ),
        reason: choice.reason,
      };
    } catch (e) {
      if (pref !== 'auto' || choice.executionProvider !== 'webgpu' || !(e instanceof ModelLoadError)) throw e;
      const sessions = await OrtSessions.create(await this.ortFor('wasm'), bundle, 'wasm');
      return { sessions, reason: `auto: WebGPU sessions failed (${e.message}); using WASM` };
    }
  }

  private ortFor(ep: ExecutionProvider): Promise<OrtModule> {
    const ort = this.host.ort;
    return typeof ort === 'function' ? ort(ep) : Promise.resolve(ort);
  }

  private describe(bundle: ModelBundle, ep: ExecutionProvider, reason: string): ModelInfo {
    const m = bundle.manifest;
    return {
      id: m.id,
      name: m.name,
      manifest: m,
      executionProvider: ep,
      executionProviderReason: reason,
      wasmThreads: this.host.wasmThreads,
      bytes: { ...bundle.bytes },
      hasAttention: m.decoder.attentions !== undefined,
    };
  }
}

/**
 * ONNX Runtime sessions for a model bundle: creates the three graphs on one EP,
 * checks their inputs/outputs against the manifest, serializes every
 * `session.run`, and releases sessions on dispose. The ORT module is passed in
 * (onnxruntime-web in the worker and in Node, or a wrapper over onnxruntime-node for the
 * bench's native baseline), so this file only uses its types. Counts live sessions and
 * tensors (`ortResourceCounts`) for the soak script's leak check.
 */
import type * as Ort from 'onnxruntime-web';
import { ModelLoadError } from '../core/errors';
import { checkGraphIO, GRAPH_NAMES, type GraphIO, type GraphName } from '../core/graphContract';
import type { ExecutionProvider } from '../core/policy';
import type { GraphBackend, TensorLike, TensorType } from './decode';
import type { ModelBundle } from './modelFiles';

/**
 * What the sessions need of an ORT module. onnxruntime-web satisfies it; so does a wrapper over
 * onnxruntime-node whose `create` substitutes its own execution provider and thread counts.
 */
export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options?: Ort.InferenceSession.SessionOptions): Promise<Ort.InferenceSession>;
  };
  Tensor: typeof Ort.Tensor;
}

/** ORT objects made through OrtSessions in this realm: live now and made in all. */
export interface OrtResourceCounts {
  sessions: number;
  sessionsCreated: number;
  /** Input tensors and run outputs not yet disposed. */
  tensors: number;
  tensorsCreated: number;
}

const counts: OrtResourceCounts = { sessions: 0, sessionsCreated: 0, tensors: 0, tensorsCreated: 0 };

/** A snapshot of the live session and tensor counts (a leak shows as `tensors` growing across steps). */
export function ortResourceCounts(): OrtResourceCounts {
  return { ...counts };
}

/** Count `t` as live until its (first) dispose(). */
function track<T extends TensorLike>(t: T): T {
  counts.tensors++;
  counts.tensorsCreated++;
  const dispose = t.dispose?.bind(t);
  let live = true;
  (t as { dispose?: () => void }).dispose = () => {
    if (live) {
      live = false;
      counts.tensors--;
    }
    dispose?.();
  };
  return t;
}

async function release(s: Ort.InferenceSession): Promise<void> {
  counts.sessions--;
  await s.release().catch(() => {});
}

function graphIO(s: Ort.InferenceSession): GraphIO {
  const conv = (names: readonly string[], meta: readonly Ort.InferenceSession.ValueMetadata[] | undefined) =>
    names.map((name, i) => {
      const m = meta?.[i];
      if (m?.isTensor) return { name, type: m.type, shape: m.shape };
      return { name };
    });
  return { inputs: conv(s.inputNames, s.inputMetadata), outputs: conv(s.outputNames, s.outputMetadata) };
}

export class OrtSessions implements GraphBackend {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly ort: OrtModule,
    private readonly sessions: Record<GraphName, Ort.InferenceSession>,
    readonly executionProvider: ExecutionProvider,
  ) {}

  /**
   * Create sessions for all graphs on `ep` and check them against the manifest.
   * Throws ModelLoadError (bytes ORT cannot load) or GraphContractError (I/O mismatch).
   */
  static async create(ort: OrtModule, bundle: ModelBundle, ep: ExecutionProvider): Promise<OrtSessions> {
    const created: Partial<Record<GraphName, Ort.InferenceSession>> = {};
    const options: Ort.InferenceSession.SessionOptions = {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      // Fold int8 weight-only DequantizeLinear into constants once at load; otherwise ORT dequantizes
      // every weight on every run (measured ~3× slower than fp32 for the q8 decoder).
      extra: { session: { disable_quant_qdq: '1' } },
    };
    try {
      for (const g of GRAPH_NAMES) {
        const file = bundle.graphFiles[g];
        let s: Ort.InferenceSession;
        try {
          // ORT may take ownership of the buffer it is given: pass a copy so the bundle stays usable.
          s = await ort.InferenceSession.create(bundle.graphs[g].slice(), options);
        } catch (e) {
          throw new ModelLoadError(
            `${file}: onnxruntime could not load this graph on ${ep} (${(e as Error).message ?? e})`,
            bundle.manifest.graphs[g],
          );
        }
        globalThis.performance?.mark?.(`vla:session:${g}`);
        created[g] = s;
        counts.sessions++;
        counts.sessionsCreated++;
        checkGraphIO(bundle.manifest, g, graphIO(s), file);
      }
    } catch (e) {
      await Promise.all(Object.values(created).map(release));
      throw e;
    }
    return new OrtSessions(ort, created as Record<GraphName, Ort.InferenceSession>, ep);
  }

  tensor(
    type: TensorType,
    data: Float32Array | BigInt64Array | Uint16Array | Int32Array,
    dims: readonly number[],
  ): TensorLike {
    return track(new this.ort.Tensor(type, data as never, dims));
  }

  run(graph: GraphName, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
    const job = this.queue.then(async () => {
      if (this.disposed) throw new Error('sessions were disposed');
      const out = (await this.sessions[graph].run(feeds as Ort.InferenceSession.FeedsType)) as Record<
        string,
        TensorLike
      >;
      for (const t of Object.values(out)) track(t);
      return out;
    });
    this.queue = job.catch(() => {});
    return job;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await Promise.all(Object.values(this.sessions).map(release));
  }
}

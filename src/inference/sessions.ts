/**
 * ONNX Runtime sessions for a model bundle: creates the three graphs on one EP,
 * checks their inputs/outputs against the manifest, serializes every
 * `session.run`, and releases sessions on dispose. The ORT module is passed in
 * (onnxruntime-web in the worker and in Node), so this file only uses its types.
 */
import type * as Ort from 'onnxruntime-web';
import { ModelLoadError } from '../core/errors';
import { checkGraphIO, GRAPH_NAMES, type GraphIO, type GraphName } from '../core/graphContract';
import type { ExecutionProvider } from '../core/policy';
import type { GraphBackend, TensorLike, TensorType } from './decode';
import type { ModelBundle } from './modelFiles';

export type OrtModule = typeof Ort;

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
        created[g] = s;
        checkGraphIO(bundle.manifest, g, graphIO(s), file);
      }
    } catch (e) {
      await Promise.all(Object.values(created).map((s) => s.release().catch(() => {})));
      throw e;
    }
    return new OrtSessions(ort, created as Record<GraphName, Ort.InferenceSession>, ep);
  }

  tensor(
    type: TensorType,
    data: Float32Array | BigInt64Array | Uint16Array | Int32Array,
    dims: readonly number[],
  ): TensorLike {
    return new this.ort.Tensor(type, data as never, dims);
  }

  run(graph: GraphName, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
    const job = this.queue.then(async () => {
      if (this.disposed) throw new Error('sessions were disposed');
      return (await this.sessions[graph].run(feeds as Ort.InferenceSession.FeedsType)) as Record<
        string,
        TensorLike
      >;
    });
    this.queue = job.catch(() => {});
    return job;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await Promise.all(Object.values(this.sessions).map((s) => s.release().catch(() => {})));
  }
}

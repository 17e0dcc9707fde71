/**
 * A call into a worker whose death must not leave its caller waiting: the returned promise is registered in
 * `pending` (the owner rejects every entry when the worker stops) until `run()` settles. `errorOf` turns
 * `run()`'s own failure into what the caller gets. Pure; used by the inference client and the model camera.
 */
export function trackedCall<T>(
  pending: Set<(e: Error) => void>,
  run: () => Promise<T>,
  errorOf: (e: unknown) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    pending.add(reject);
    run().then(
      (v) => {
        pending.delete(reject);
        resolve(v);
      },
      (e: unknown) => {
        pending.delete(reject);
        reject(errorOf(e));
      },
    );
  });
}

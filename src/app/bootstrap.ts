/**
 * Starts the runtime: reads URL parameters (?task=…&seed=…&cam=…&view=0&policy=0), loads the World, binds its runner
 * to the store, builds the initial scene and installs window.vla (plus the data recorder). Must not import React.
 */
import { parseTask } from '../core/task';
import { installAutomation } from './automation';
import { installDatagen } from './datagen';
import { PolicySource } from './PolicySource';
import { preloadPolicy, startPolicy } from './policyRuntime';
import { installSourceAutomation } from './sourceAutomation';
import { appStore } from './store';
import { bindRunner } from './store/episodeSlice';
import { World } from './World';

export interface UrlParams {
  task?: string;
  seed?: number;
  cameraSize?: number;
  /** `?view=0`: do not render the main 3D view (data generation, headless scripts). */
  mainView?: false;
  /** `?policy=0`: do not start the policy runtime (no inference worker, no model download; data generation). */
  policy?: false;
}

/** Parse `?task=…&seed=…&cam=…&view=0&policy=0`; invalid values are dropped with a warning. */
export function readUrlParams(search: string): UrlParams {
  const q = new URLSearchParams(search);
  const out: UrlParams = {};
  const task = q.get('task');
  if (task) {
    try {
      parseTask(task);
      out.task = task;
    } catch (err) {
      console.warn(`ignoring ?task=${task}: ${(err as Error).message}`);
    }
  }
  const seed = Number.parseInt(q.get('seed') ?? '', 10);
  if (Number.isFinite(seed)) out.seed = seed;
  const cam = Number.parseInt(q.get('cam') ?? '', 10);
  if (Number.isFinite(cam) && cam >= 8 && cam <= 512) out.cameraSize = cam;
  if (q.get('view') === '0') out.mainView = false;
  if (q.get('policy') === '0') out.policy = false;
  return out;
}

export async function bootstrap(search: string): Promise<void> {
  const params = readUrlParams(search);
  const store = appStore.getState();
  // The model downloads and its sessions are created while MuJoCo starts (cold start).
  const policyLoad = params.policy !== false ? preloadPolicy(search, appStore) : undefined;
  try {
    const cameraSize = params.cameraSize ?? store.cameraSize;
    const world = await World.create({ cameraSize, mainView: params.mainView ?? true });
    bindRunner(world.runner, (e) => appStore.getState().applyRunnerEvent(e));
    appStore.setState({ cameraSize });
    store.setWorld(world);
    await appStore.getState().resetScene(params.seed ?? store.seed, params.task ?? store.task);
    installAutomation(appStore.getState);
    installSourceAutomation(appStore, search); // window.vla.setSource / sourceStatus; ?source=webcam
    installDatagen(world, async (frame, state, instruction) => {
      const { policy, model } = appStore.getState();
      if (!policy || !model.info) throw new Error('recordEpisode: no model is loaded');
      const source = new PolicySource({
        policy,
        manifest: model.info.manifest,
        instruction,
        capture: () => frame,
      });
      return [...(await source.act(state, 0))];
    });
    if (params.policy !== false) void startPolicy(search, appStore, policyLoad); // records, camera size, ?autorun
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error('VLA Playground failed to start:', err);
    store.setWorldError(message);
  }
}

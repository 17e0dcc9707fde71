/**
 * The model camera follows the loaded model's input size even when the model finished loading before the
 * world existed (the policy is preloaded while MuJoCo starts): the load can then only record the size in
 * the store, and matchCameraToLoadedModel applies it to the world once it is up. `?cam=` still wins.
 */
import { describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import manifestJson from '../../models/vla-tabletop-s/manifest.json';
import type { AppState } from '../../src/app/store';
import { createPolicySlice } from '../../src/app/store/policySlice';
import { createSimSlice } from '../../src/app/store/simSlice';
import type { World } from '../../src/app/World';
import { parseManifest } from '../../src/core/manifest';
import type { ModelInfo } from '../../src/core/policy';

const manifest = parseManifest(manifestJson, 'models/vla-tabletop-s/manifest.json');
const info = { id: 'vla-tabletop-s', manifest } as unknown as ModelInfo;
const cameraSize = manifest.image.camera_size ?? manifest.image.width;

function setup() {
  const store = createStore<AppState>()(
    (...a) => ({ ...createSimSlice(...a), ...createPolicySlice(...a) }) as unknown as AppState,
  );
  const policy = {
    info: null,
    load: vi.fn(async () => info),
    predict: vi.fn(),
    dispose: vi.fn(),
    setExecutionProvider: vi.fn(),
  };
  store.getState().setPolicy(policy as unknown as AppState['policy'] & object);
  const world = { setCameraSize: vi.fn(), runner: { running: false } } as unknown as World;
  return { store, world };
}

describe('model camera size of a preloaded model', () => {
  it('a model loaded before the world is up sizes the world camera once it is', async () => {
    expect(cameraSize).not.toBe(64); // else the test could not tell
    const { store, world } = setup();
    store.setState({ cameraSize: 64 });
    await store.getState().loadModel('vla-tabletop-s');
    expect(store.getState().cameraSize).toBe(cameraSize); // recorded, no world to apply it to
    // bootstrap then creates the world at its own size and stores that size
    store.setState({ world, cameraSize: 64 });
    store.getState().matchCameraToLoadedModel();
    expect(world.setCameraSize).toHaveBeenCalledWith(cameraSize);
    expect(store.getState().cameraSize).toBe(cameraSize);
  });

  it('does nothing without a model, or when ?cam= fixed the size', async () => {
    const { store, world } = setup();
    store.setState({ world, cameraSize: 64 });
    store.getState().matchCameraToLoadedModel();
    expect(world.setCameraSize).not.toHaveBeenCalled();
    store.setState({ matchCameraToModel: false });
    await store.getState().loadModel('vla-tabletop-s');
    store.getState().matchCameraToLoadedModel();
    expect(world.setCameraSize).not.toHaveBeenCalled();
    expect(store.getState().cameraSize).toBe(64);
  });
});

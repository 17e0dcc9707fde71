/**
 * The source slice in Node with fake openers and a fake policy over the real EpisodeRunner + Sim: the
 * policy's input follows the chosen source while the sim arm executes the actions; switching away
 * closes the old source; denied / missing / busy cameras and unreadable files fall back to the sim with
 * a message; a newer switch supersedes one still opening; a video plays only while an episode runs.
 */
import { describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import manifestJson from '../../models/fixture-random/manifest.json';
import { EpisodeRunner } from '../../src/app/EpisodeRunner';
import type { CapturedFrame } from '../../src/app/PolicySource';
import { createSourceAutomation } from '../../src/app/sourceAutomation';
import type { FrameSource, SourceKind } from '../../src/app/sources/FrameSource';
import type { PlayableSource, SourceOpeners } from '../../src/app/sources/openers';
import type { AppState } from '../../src/app/store';
import { bindRunner, createEpisodeSlice } from '../../src/app/store/episodeSlice';
import { createPolicySlice } from '../../src/app/store/policySlice';
import { createSimSlice } from '../../src/app/store/simSlice';
import { makeSourceSlice } from '../../src/app/store/sourceSlice';
import { createUiSlice } from '../../src/app/store/uiSlice';
import type { World } from '../../src/app/World';
import { parseManifest } from '../../src/core/manifest';
import type { Frame, ModelInfo, PolicyStep, PredictOptions } from '../../src/core/policy';
import { Sim } from '../../src/sim/Sim';

const manifest = parseManifest(manifestJson, 'models/fixture-random/manifest.json');

/** A size × size frame filled with one colour. */
function solid(size: number, rgb: [number, number, number]): CapturedFrame {
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < out.length; i += 3) out.set(rgb, i);
  return { width: size, height: size, rgb: out };
}

const SIM_RGB: [number, number, number] = [10, 20, 30];

/** A fake source of `kind` giving solid `rgb` frames at the requested size, counting disposes. */
function fakeSource(kind: Exclude<SourceKind, 'sim'>, rgb: [number, number, number], label: string = kind) {
  const src = {
    kind,
    label,
    deviceId: 'dev-0',
    inputWidth: 640,
    inputHeight: 480,
    sizes: [] as number[],
    fail: false,
    capture: (size: number) => {
      if (src.fail) throw new Error('decode failed');
      src.sizes.push(size);
      return solid(size, rgb);
    },
    dispose: vi.fn(),
  };
  return src;
}

type Fake = ReturnType<typeof fakeSource>;

function fakePlayable(rgb: [number, number, number]) {
  const base = fakeSource('video', rgb, 'clip.webm');
  const calls: string[] = [];
  return Object.assign(base, {
    calls,
    setPlaying: (on: boolean) => calls.push(on ? 'play' : 'pause'),
    restart: () => calls.push('restart'),
  });
}

/** Openers whose results the test hands out; each records what it was asked. */
function fakeOpeners() {
  const asked: { kind: string; arg: unknown }[] = [];
  let webcam: () => Promise<Fake> = async () => fakeSource('webcam', [200, 0, 0], 'fake_device_0');
  let image: (file: Blob, name: string) => Promise<FrameSource> = async (_f, name) =>
    fakeSource('image', [0, 200, 0], name);
  let video: () => Promise<PlayableSource> = async () => fakePlayable([0, 0, 200]);
  const ended: (() => void)[] = [];
  const openers: SourceOpeners = {
    webcam: (deviceId, onEnded) => {
      asked.push({ kind: 'webcam', arg: deviceId });
      ended.push(onEnded);
      return webcam();
    },
    image: (file, name) => {
      asked.push({ kind: 'image', arg: name });
      return image(file, name);
    },
    video: () => {
      asked.push({ kind: 'video', arg: null });
      return video();
    },
    listCameras: async () => [{ deviceId: 'dev-0', label: 'fake_device_0' }],
  };
  return {
    openers,
    asked,
    ended,
    setWebcam: (f: () => Promise<Fake>) => {
      webcam = f;
    },
    setImage: (f: typeof image) => {
      image = f;
    },
    setVideo: (f: typeof video) => {
      video = f;
    },
  };
}

/** A fake policy that keeps a copy of every frame it was given. */
function fakePolicy() {
  const frames: Uint8Array[] = [];
  const options: (PredictOptions | undefined)[] = [];
  return {
    frames,
    options,
    info: null,
    async load() {
      throw new Error('not used');
    },
    async setExecutionProvider() {
      throw new Error('not used');
    },
    dispose() {},
    async predict(frame: Frame, instruction: string, opts?: PredictOptions): Promise<PolicyStep> {
      frames.push(Uint8Array.from(frame.data));
      options.push(opts);
      const action = [0.01, 0, 0, 0, 0, 0, 1];
      return {
        tokens: action.map((_, d) => 300 - d),
        normalized: action.map(() => 0),
        action,
        probs: new Float32Array(7 * 4).fill(0.25),
        timings: {
          preprocessMs: 0,
          visionMs: 0,
          embedMs: 0,
          prefillMs: 0,
          decodeMs: [0],
          detokenizeMs: 0,
          totalMs: 0,
        },
        prompt: { text: instruction, ids: [], truncated: false },
        executionProvider: 'wasm',
      };
    },
  };
}

/** A store with the sim, episode, ui, policy and (fake-opener) source slices over a real runner. */
async function setup() {
  const fakes = fakeOpeners();
  const store = createStore<AppState>()(
    (...a) =>
      ({
        ...createSimSlice(...a),
        ...createEpisodeSlice(...a),
        ...createUiSlice(...a),
        ...createPolicySlice(...a),
        ...makeSourceSlice(fakes.openers)(...a),
      }) as AppState,
  );
  const runner = new EpisodeRunner(await Sim.create());
  await runner.reset(1, 'pick:red-block');
  bindRunner(runner, (e) => store.getState().applyRunnerEvent(e));
  const simCaptures = { n: 0 };
  const world = {
    sim: runner.sim,
    runner,
    setCameraSize: () => undefined,
    captureFrame: () => {
      simCaptures.n++;
      return solid(store.getState().cameraSize, SIM_RGB);
    },
    captureFrameAsync: async () => {
      simCaptures.n++;
      return solid(store.getState().cameraSize, SIM_RGB);
    },
  } as unknown as World;
  const policy = fakePolicy();
  const info = { id: 'fixture-random', manifest } as unknown as ModelInfo;
  store.setState((s) => ({
    world,
    worldStatus: 'ready',
    cameraSize: 96,
    policy: policy as unknown as AppState['policy'],
    model: { ...s.model, status: 'ready', info },
  }));
  return { store, fakes, runner, policy, simCaptures, get: store.getState };
}

const firstPixel = (b: Uint8Array) => Array.from(b.subarray(0, 3));

describe('source slice', () => {
  it('starts on the sim; a webcam then feeds the policy while the sim arm executes the actions', async () => {
    const { get, policy, runner, simCaptures, fakes } = await setup();
    expect(get().source.kind).toBe('sim');
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual(SIM_RGB);

    const view = await get().setSource('webcam');
    expect(view).toMatchObject({ kind: 'webcam', pending: null, label: 'fake_device_0', deviceId: 'dev-0' });
    expect(view.cameras).toEqual([{ deviceId: 'dev-0', label: 'fake_device_0' }]);
    expect(fakes.asked).toEqual([{ kind: 'webcam', arg: undefined }]);

    const ee0 = runner.sim.state().ee.pos[0]!;
    simCaptures.n = 0;
    const r = await get().runPolicy({ pace: 'fast', maxSteps: 3, instruction: 'pick up the red block' });
    expect(r?.steps).toBe(3);
    expect(policy.frames).toHaveLength(3);
    for (const f of policy.frames) {
      expect(f).toHaveLength(96 * 96 * 3); // square, at the camera size
      expect(firstPixel(f)).toEqual([200, 0, 0]);
    }
    expect(simCaptures.n).toBe(0); // the model camera was not read for the policy
    expect(get().policyRecords.map((x) => firstPixel(x.frame.rgb))).toEqual([
      [200, 0, 0],
      [200, 0, 0],
      [200, 0, 0],
    ]);
    // the arm still executes the actions (+1 cm in x per step)
    expect(runner.sim.state().ee.pos[0]! - ee0).toBeGreaterThan(0.015);

    // one-off predict reads the source too, at a changed camera size
    get().setCameraSize(64);
    const rec = await get().predictHere('x');
    expect(rec.frame.width).toBe(64);
    expect(firstPixel(rec.frame.rgb)).toEqual([200, 0, 0]);
  });

  it("passes the decoding choice to predict; 'model' leaves it to the manifest", async () => {
    const { get, policy } = await setup();
    expect(get().policyDecoding).toBe('model');
    await get().predictHere('x');
    get().setPolicyDecoding('median');
    await get().predictHere('x');
    get().setPolicyDecoding('argmax');
    get().setPolicyInstruction('pick up the red block');
    await get().stepPolicy(); // an episode step goes through the same source
    expect(policy.options.map((o) => o?.decoding)).toEqual([undefined, 'median', 'argmax']);
  });

  it('switching away closes the old source; back to the sim reads the model camera again', async () => {
    const { get, fakes } = await setup();
    const cam = fakeSource('webcam', [1, 2, 3]);
    fakes.setWebcam(async () => cam);
    await get().setSource('webcam');
    await get().setSource('image', { file: new Blob(['x']), name: 'bands.png' });
    expect(cam.dispose).toHaveBeenCalledTimes(1);
    expect(get().source).toMatchObject({ kind: 'image', label: 'bands.png', deviceId: null });
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual([0, 200, 0]);
    await get().setSource('sim');
    expect(get().source.kind).toBe('sim');
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual(SIM_RGB);
  });

  it('a second camera replaces the first, which is closed before the new one opens', async () => {
    const { get, fakes } = await setup();
    const first = fakeSource('webcam', [1, 1, 1]);
    fakes.setWebcam(async () => first);
    await get().setSource('webcam');
    let disposedBeforeOpen = false;
    fakes.setWebcam(async () => {
      disposedBeforeOpen = first.dispose.mock.calls.length === 1;
      return fakeSource('webcam', [2, 2, 2]);
    });
    await get().setSource('webcam', { deviceId: 'dev-1' });
    expect(disposedBeforeOpen).toBe(true);
    expect(fakes.asked.at(-1)).toEqual({ kind: 'webcam', arg: 'dev-1' });
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual([2, 2, 2]);
  });

  it.each([
    ['NotAllowedError', /permission was denied/i],
    ['NotFoundError', /no camera was found/i],
    ['NotReadableError', /could not be started/i],
  ])('a %s falls back to the sim with a clear message', async (name, message) => {
    const { get, fakes, policy } = await setup();
    const img = fakeSource('image', [5, 5, 5]);
    fakes.setImage(async () => img);
    await get().setSource('image', { file: new Blob(['x']), name: 'a.png' });
    fakes.setWebcam(() => Promise.reject(new DOMException('browser text', name)));
    await expect(get().setSource('webcam')).rejects.toThrow(message);
    expect(get().source.kind).toBe('sim');
    expect(get().source.pending).toBeNull();
    expect(get().source.error).toMatchObject({ kind: 'webcam', name });
    expect(get().source.error?.message).toMatch(message);
    expect(img.dispose).toHaveBeenCalledTimes(1);
    // the sim stays usable: the policy reads the model camera
    const rec = await get().predictHere('x');
    expect(firstPixel(rec.frame.rgb)).toEqual(SIM_RGB);
    expect(policy.frames).toHaveLength(1);
    get().dismissSourceError();
    expect(get().source.error).toBeNull();
  });

  it('an unreadable image names the file; an image without a file is refused', async () => {
    const { get, fakes } = await setup();
    fakes.setImage(() =>
      Promise.reject(new DOMException('The source image cannot be decoded.', 'InvalidStateError')),
    );
    await expect(
      get().setSource('image', { file: new Blob(['not a png']), name: 'broken.png' }),
    ).rejects.toThrow(/“broken\.png” could not be read as an image/);
    expect(get().source).toMatchObject({ kind: 'sim', error: { kind: 'image', name: 'InvalidStateError' } });
    await expect(get().setSource('video')).rejects.toThrow(/choose a video file/i);
    expect(get().source.kind).toBe('sim');
  });

  it('while a source opens the policy keeps the old one; a newer switch wins and the stale one is closed', async () => {
    const { get, fakes } = await setup();
    const slow = fakeSource('webcam', [9, 9, 9]);
    let openSlow: (s: Fake) => void = () => undefined;
    fakes.setWebcam(() => new Promise<Fake>((r) => (openSlow = r)));
    const pending = get().setSource('webcam');
    expect(get().source.pending).toBe('webcam');
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual(SIM_RGB);
    await get().setSource('image', { file: new Blob(['x']), name: 'b.png' });
    openSlow(slow);
    await pending;
    expect(slow.dispose).toHaveBeenCalledTimes(1);
    expect(get().source).toMatchObject({ kind: 'image', pending: null });
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual([0, 200, 0]);
  });

  it('a camera that stops by itself, or a source that cannot be read, falls back to the sim', async () => {
    const { get, fakes } = await setup();
    await get().setSource('webcam');
    fakes.ended.at(-1)?.();
    expect(get().source).toMatchObject({ kind: 'sim', error: { name: 'EndedError' } });
    expect(get().source.error?.message).toMatch(/camera stopped/i);

    const img = fakeSource('image', [4, 4, 4], 'c.png');
    fakes.setImage(async () => img);
    await get().setSource('image', { file: new Blob(['x']), name: 'c.png' });
    img.fail = true;
    expect(firstPixel(get().captureSourceFrame().rgb)).toEqual(SIM_RGB);
    expect(get().source).toMatchObject({ kind: 'sim', error: { kind: 'image' } });
    expect(img.dispose).toHaveBeenCalledTimes(1);
  });

  it('a video plays only while an episode runs and restarts on a scene reset', async () => {
    const { get, fakes, runner } = await setup();
    const clip = fakePlayable([0, 0, 200]);
    fakes.setVideo(async () => clip);
    await get().setSource('video', { file: new Blob(['x']), name: 'clip.webm' });
    expect(clip.calls).toEqual(['pause']);
    await get().runPolicy({ pace: 'fast', maxSteps: 2, instruction: 'pick up the red block' });
    expect(clip.calls).toEqual(['pause', 'play', 'pause']);
    await runner.reset(2, 'pick:red-block');
    expect(clip.calls).toEqual(['pause', 'play', 'pause', 'restart', 'pause']);
    await get().setSource('sim');
    expect(clip.dispose).toHaveBeenCalledTimes(1);
    await get().runPolicy({ pace: 'fast', maxSteps: 1, instruction: 'pick up the red block' });
    expect(clip.calls).toHaveLength(5); // no longer bound to the episode
  });

  it('window.vla.setSource / sourceStatus / policyFrame go through the slice', async () => {
    const { store, get, fakes } = await setup();
    const api = createSourceAutomation(store);
    let got: { type: string; bytes: number[] } | null = null;
    fakes.setImage(async (file, name) => {
      got = { type: file.type, bytes: Array.from(new Uint8Array(await file.arrayBuffer())) };
      return fakeSource('image', [7, 8, 9], name);
    });
    const status = await api.setSource('image', {
      base64: btoa('\x01\x02\xff'),
      type: 'image/png',
      name: 'p.png',
    });
    expect(got).toEqual({ type: 'image/png', bytes: [1, 2, 255] });
    expect(status).toMatchObject({
      kind: 'image',
      label: 'p.png',
      frameSize: 96,
      input: { width: 640, height: 480 },
    });
    expect(await api.policyFrame()).toBeNull();
    await get().predictHere('x');
    const pf = await api.policyFrame();
    expect(pf).toMatchObject({ width: 96, height: 96, step: 0 });
    expect(Array.from(atob(pf!.rgbBase64).slice(0, 3), (c) => c.charCodeAt(0))).toEqual([7, 8, 9]);
    const sf = await api.sourceFrame();
    expect(Array.from(atob(sf.rgbBase64).slice(0, 3), (c) => c.charCodeAt(0))).toEqual([7, 8, 9]);
    await expect(api.setSource('screen' as SourceKind)).rejects.toThrow(/unknown source/);
    fakes.setWebcam(() => Promise.reject(new DOMException('x', 'NotAllowedError')));
    await expect(api.setSource('webcam')).rejects.toThrow(/permission was denied/i);
    expect(api.sourceStatus()).toMatchObject({ kind: 'sim', error: { name: 'NotAllowedError' } });
  });
});

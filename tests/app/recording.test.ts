/**
 * Recording in Node: the timeline slice and selection (selected / latest / lastPrediction, clamping,
 * opened recordings), and the EpisodeRecorder over IndexedDB (fake-indexeddb): steps written as they
 * arrive, episode status from the runner's result (a crashed worker's "interrupted" included), resets
 * start new recordings, the bound on how many are kept, "interrupted" after a writer died, quota errors,
 * export → import through storage; the model metadata stored with each recording (and the fallback to
 * the loaded model for recordings without it); asking once for persistent storage.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EpisodeResult } from '../../src/app/EpisodeRunner';
import type { PolicyStepRecord } from '../../src/app/PolicySource';
import { EpisodeRecorder, statusOfResult } from '../../src/app/recording/recorder';
import { encodeRecordingZip, RecordingFileError } from '../../src/app/recording/recordingFile';
import { recordingModelOf, viewedModelOf } from '../../src/app/recording/recordingModel';
import { selectedRecordOf } from '../../src/app/recording/selection';
import { RecordingStore, requestPersistentStorage } from '../../src/app/recording/storage';
import type { RecordingMeta } from '../../src/app/recording/types';
import { createRecordingAutomation, fnv1a, timelineView } from '../../src/app/recordingAutomation';
import { createAppStore } from '../../src/app/store';
import type { Manifest } from '../../src/core/manifest';
import { parseManifest } from '../../src/core/manifest';
import type { ModelInfo } from '../../src/core/policy';

function lcg(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeRecord(i: number, tag = 0): PolicyStepRecord {
  const rnd = lcg(1 + i + 1000 * tag);
  const dims = 7;
  return {
    step: i,
    instruction: 'pick up the red block',
    frame: { width: 4, height: 4, rgb: new Uint8Array(48).map(() => Math.floor(rnd() * 256)) },
    proprio: null,
    latencyMs: 5 + i,
    result: {
      tokens: Array.from({ length: dims }, () => 31744 + Math.floor(rnd() * 256)),
      normalized: Array.from({ length: dims }, () => rnd() * 2 - 1),
      action: Array.from({ length: dims }, () => rnd() * 0.01),
      probs: new Float32Array(dims * 256).map(() => rnd()),
      timings: {
        preprocessMs: 0,
        visionMs: 1,
        embedMs: 0,
        prefillMs: 1,
        decodeMs: [1, 1, 1, 1, 1, 1],
        detokenizeMs: 0,
        totalMs: 4,
      },
      prompt: { text: 'x', ids: [1], truncated: false },
      executionProvider: 'wasm',
    },
  };
}

function result(status: EpisodeResult['status'], steps: number, reason = 'done'): EpisodeResult {
  return { status, success: status === 'success', steps, reason, source: 'policy', actions: [], stepMs: [] };
}

const FIXTURE_MANIFEST = parseManifest(readFileSync('models/fixture-random/manifest.json'), 'manifest.json');
/** Another model: same action layout, its own id, names, units and control rate. */
const OTHER_MANIFEST: Manifest = {
  ...FIXTURE_MANIFEST,
  id: 'other-arm',
  name: 'Other arm',
  action: {
    ...FIXTURE_MANIFEST.action,
    names: ['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'grip'],
    units: ['cm', 'cm', 'cm', 'deg', 'deg', 'deg', '1'],
  },
  control_hz: 4,
  prompt: { ...FIXTURE_MANIFEST.prompt, template: 'Task: {instruction}. Action:' },
};

function modelInfo(manifest: Manifest): ModelInfo {
  return {
    id: manifest.id,
    name: manifest.name,
    manifest,
    executionProvider: 'wasm',
    executionProviderReason: 'test',
    wasmThreads: 1,
    bytes: {},
    hasAttention: false,
  };
}

/** Load `manifest` as the store's model, the way policySlice does once a model is ready. */
function loadModel(store: ReturnType<typeof createAppStore>, manifest: Manifest): void {
  store.setState((s) => ({ model: { ...s.model, status: 'ready', info: modelInfo(manifest) } }));
}

let dbCount = 0;
function setup(options: { maxRecordings?: number; db?: string; persist?: () => Promise<unknown> } = {}) {
  const store = createAppStore();
  const name = options.db ?? `test-recordings-${++dbCount}`;
  let t = 1_700_000_000_000;
  const recorder = new EpisodeRecorder(store, {
    open: () => RecordingStore.open(name),
    now: () => (t += 1000),
    persist: options.persist ?? (async () => false),
    ...(options.maxRecordings === undefined ? {} : { maxRecordings: options.maxRecordings }),
  });
  /** Append a record the way policySlice's onStep does. */
  const step = (r: PolicyStepRecord) =>
    store.setState((s) => ({ policyRecords: [...s.policyRecords, r], lastPrediction: r }));
  /** A reset: the runner's reset event clears the records and the result. */
  const reset = () => {
    store.getState().clearPolicyRecords();
    store.setState({ lastResult: null });
  };
  const end = (r: EpisodeResult) => store.setState({ lastResult: r });
  return { store, recorder, step, reset, end, name };
}

describe('timeline selection', () => {
  it('shows the latest step while following live, the selected one otherwise, clamped', () => {
    const store = createAppStore();
    const s = () => store.getState();
    expect(selectedRecordOf(s())).toBeNull();
    const one = makeRecord(0);
    store.setState({ lastPrediction: one });
    expect(selectedRecordOf(s())).toBe(one); // no episode records: the one-off prediction
    const recs = [makeRecord(0), makeRecord(1), makeRecord(2)];
    store.setState({ policyRecords: recs, lastPrediction: recs[2]! });
    expect(selectedRecordOf(s())).toBe(recs[2]);
    s().selectStep(1);
    expect(selectedRecordOf(s())).toBe(recs[1]);
    store.setState((st) => ({ policyRecords: [...st.policyRecords, makeRecord(3)] }));
    expect(selectedRecordOf(s())).toBe(recs[1]); // a selection stays put while steps arrive
    s().selectStep(99);
    expect(s().timelineSelected).toBe(3);
    s().selectStep(-5);
    expect(selectedRecordOf(s())).toBe(recs[0]);
    s().selectStep(null);
    expect(selectedRecordOf(s())?.step).toBe(3);
    expect(timelineView(s())).toMatchObject({ live: true, length: 4, index: 3, step: 3 });
  });

  it('shows an opened recording instead of the live episode, and goes back', () => {
    const store = createAppStore();
    const s = () => store.getState();
    const live = [makeRecord(0), makeRecord(1)];
    store.setState({ policyRecords: live });
    const rec = [makeRecord(0, 9), makeRecord(1, 9), makeRecord(2, 9)];
    s().openRecording({ meta: { id: 'r1' } as never, records: rec });
    expect(timelineView(s())).toMatchObject({ recordingId: 'r1', live: false, length: 3, index: 0 });
    expect(selectedRecordOf(s())).toBe(rec[0]);
    s().selectStep(2);
    expect(selectedRecordOf(s())?.result.tokens).toEqual(rec[2]!.result.tokens);
    s().closeRecording();
    expect(selectedRecordOf(s())).toBe(live[1]);
    expect(timelineView(s()).live).toBe(true);
  });
});

describe('EpisodeRecorder', () => {
  it('writes each step as it arrives and the episode status when it ends', async () => {
    const { store, recorder, step, end } = setup();
    store.setState({ seed: 7, task: 'pick:red-block' });
    const recs = [makeRecord(0), makeRecord(1), makeRecord(2)];
    step(recs[0]!);
    await recorder.flush();
    let [meta] = await recorder.list();
    expect(meta).toMatchObject({
      seed: 7,
      task: 'pick:red-block',
      status: 'recording',
      steps: 1,
      origin: 'live',
    });
    expect(store.getState().recordings.activeId).toBe(meta!.id);
    step(recs[1]!);
    step(recs[2]!);
    end(result('failure', 3, 'max steps (3) reached'));
    await recorder.flush();
    [meta] = await recorder.list();
    expect(meta).toMatchObject({ status: 'failure', reason: 'max steps (3) reached', steps: 3 });
    const back = await recorder.read(meta!.id);
    expect(back.records.map((r) => r.result.tokens)).toEqual(recs.map((r) => r.result.tokens));
    expect(back.records.map((r) => fnv1a(r.frame.rgb))).toEqual(recs.map((r) => fnv1a(r.frame.rgb)));
    expect(Array.from(back.records[2]!.result.probs)).toEqual(Array.from(recs[2]!.result.probs));
    expect(store.getState().recordings.list[0]?.steps).toBe(3);
    await recorder.dispose();
  });

  it('starts a new recording on each reset; a paused episode stays open', async () => {
    const { recorder, step, reset, end } = setup();
    step(makeRecord(0));
    end(result('paused', 1, 'paused at step 1'));
    step(makeRecord(1));
    reset();
    step(makeRecord(0, 2));
    end(result('success', 1, 'lifted'));
    await recorder.flush();
    const list = await recorder.list();
    expect(list.map((m) => [m.status, m.steps])).toEqual([
      ['success', 1],
      ['stopped', 2],
    ]);
    expect(list[1]?.reason).toBe('reset');
    await recorder.dispose();
  });

  it('maps runner results onto recording statuses', () => {
    expect(statusOfResult(result('success', 3))).toBe('success');
    expect(statusOfResult(result('failure', 3, 'max steps (3) reached'))).toBe('failure');
    expect(statusOfResult(result('failure', 3, 'error: the inference worker died'))).toBe('interrupted');
    expect(statusOfResult(result('stopped', 3))).toBe('stopped');
    expect(statusOfResult(result('interrupted', 3, 'interrupted at step 3: worker stopped'))).toBe(
      'interrupted',
    );
    expect(statusOfResult(result('paused', 3))).toBeNull();
  });

  it('stores an episode interrupted by a crashed worker as interrupted right away, not at the reset', async () => {
    const { recorder, step, reset, end } = setup();
    step(makeRecord(0));
    step(makeRecord(1));
    const why = 'interrupted at step 2: the inference worker stopped: terminated';
    end(result('interrupted', 2, why));
    await recorder.flush();
    const [meta] = await recorder.list();
    expect(meta).toMatchObject({ status: 'interrupted', reason: why, steps: 2 });
    // The reset that follows starts the next recording and leaves this one as it ended.
    reset();
    step(makeRecord(0, 1));
    await recorder.flush();
    const list = await recorder.list();
    expect(list.map((m) => [m.status, m.reason])).toEqual([
      ['recording', null],
      ['interrupted', why],
    ]);
    await recorder.dispose();
  });

  it('keeps only the newest maxRecordings episodes', async () => {
    const { recorder, step, reset, end } = setup({ maxRecordings: 2 });
    for (let e = 0; e < 4; e++) {
      step(makeRecord(0, e));
      end(result('failure', 1, `episode ${e}`));
      reset();
    }
    await recorder.flush();
    const list = await recorder.list();
    expect(list.map((m) => m.reason)).toEqual(['episode 3', 'episode 2']);
    await recorder.dispose();
  });

  it('marks an episode whose page died mid-way as interrupted, keeping its steps', async () => {
    const first = setup();
    first.step(makeRecord(0));
    first.step(makeRecord(1));
    await first.recorder.flush();
    // The "page" goes away without an end or reset; a new one opens the same database.
    await first.recorder.dispose();
    const second = setup({ db: first.name });
    await second.recorder.flush();
    const [meta] = await second.recorder.list();
    expect(meta).toMatchObject({ status: 'interrupted', steps: 2 });
    expect(second.store.getState().recordings).toMatchObject({ loaded: true, activeId: null });
    await second.recorder.dispose();
  });

  it('on a quota error drops the oldest recording and retries, then says storage is full', async () => {
    const name = `test-recordings-quota-${++dbCount}`;
    const db = await RecordingStore.open(name);
    const original = db.append.bind(db);
    let failures = 0;
    db.append = async (...args) => {
      if (failures > 0) {
        failures--;
        throw new DOMException('quota', 'QuotaExceededError');
      }
      return original(...args);
    };
    const store = createAppStore();
    const recorder = new EpisodeRecorder(store, { open: async () => db });
    const step = (r: PolicyStepRecord) => store.setState((s) => ({ policyRecords: [...s.policyRecords, r] }));
    step(makeRecord(0, 1));
    store.setState({ lastResult: result('failure', 1, 'old one') });
    store.getState().clearPolicyRecords();
    await recorder.flush();
    failures = 1;
    step(makeRecord(0, 2));
    await recorder.flush();
    let list = await recorder.list();
    expect(list).toHaveLength(1); // the old recording made room
    expect(list[0]?.steps).toBe(1);
    expect(store.getState().recordings.error).toBeNull();
    failures = 100; // nothing left to drop: the episode stops recording, with a message
    step(makeRecord(1, 2));
    await recorder.flush();
    expect(store.getState().recordings.error).toMatch(/stopped at step 1: browser storage is full/);
    list = await recorder.list();
    expect(list[0]?.steps).toBe(1);
    await recorder.dispose();
  });

  it('exports and imports through window.vla-style calls with identical tokens and frames', async () => {
    const { store, recorder, step, end } = setup();
    const api = createRecordingAutomation(store, recorder);
    const recs = [makeRecord(0, 5), makeRecord(1, 5)];
    for (const r of recs) step(r);
    end(result('success', 2, 'lifted'));
    const [meta] = await api.listRecordings();
    const exported = await api.exportRecording(meta!.id);
    expect(exported.name).toMatch(/^vla-recording_.*\.zip$/);
    const imported = await api.importRecording(exported.base64);
    expect(imported.id).not.toBe(meta!.id);
    expect(imported).toMatchObject({ origin: 'import', status: 'success', steps: 2 });
    const a = await api.recordingSteps(meta!.id);
    const b = await api.recordingSteps(imported.id);
    expect(b.tokens).toEqual(recs.map((r) => r.result.tokens));
    expect(b.tokens).toEqual(a.tokens);
    expect(b.frames).toEqual(a.frames);
    // Opening it shows it in the timeline; selecting a step changes what is shown.
    expect(await api.openRecording(imported.id)).toMatchObject({ recordingId: imported.id, index: 0 });
    expect(api.selectStep(1).tokens).toEqual(recs[1]!.result.tokens);
    // A bad file is refused with a message in the panel, and nothing is stored.
    await expect(api.importRecording(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(RecordingFileError);
    expect(store.getState().recordings.error).toMatch(/Import failed: not a recording file/);
    expect(await api.listRecordings()).toHaveLength(2);
    await recorder.dispose();
  });

  it('will not delete the recording being written; deletes others', async () => {
    const { recorder, step, reset } = setup();
    step(makeRecord(0));
    reset();
    step(makeRecord(0, 3));
    const list = await recorder.list();
    expect(list).toHaveLength(2);
    await expect(recorder.remove(list[0]!.id)).rejects.toThrow(/running episode/);
    await recorder.remove(list[1]!.id);
    expect((await recorder.list()).map((m) => m.id)).toEqual([list[0]!.id]);
    await recorder.dispose();
  });

  it.each([
    ['success', 'lifted'],
    ['failure', 'max steps (3) reached'],
    ['stopped', 'stopped'],
  ] as const)(
    'a %s episode is final at once: all steps and the status stored, deletable before the reset',
    async (status, reason) => {
      const { store, recorder, step, reset, end } = setup();
      const recs = [makeRecord(0, 8), makeRecord(1, 8), makeRecord(2, 8)];
      for (const r of recs) step(r);
      const id = store.getState().recordings.activeId;
      expect(id).not.toBeNull();
      // The last steps and the end arrive together, before any write has run.
      end(result(status, 3, reason));
      expect(store.getState().recordings.activeId).toBeNull();
      await recorder.flush();
      const [meta] = await recorder.list();
      expect(meta).toMatchObject({ id, status, reason, steps: 3 });
      expect((await recorder.read(id!)).records.map((r) => r.result.tokens)).toEqual(
        recs.map((r) => r.result.tokens),
      );
      // Opened from storage (it is no longer the running episode), with its stored status.
      await recorder.open(id!);
      expect(store.getState().viewedRecording?.meta).toMatchObject({ id, status, steps: 3 });
      store.getState().closeRecording();
      // Still the live episode (no reset yet): the same records do not start another recording.
      store.setState({ lastPrediction: recs[2]! });
      await recorder.flush();
      expect(await recorder.list()).toHaveLength(1);
      // Deleted before the reset; the reset and the next episode leave it deleted.
      await recorder.remove(id!);
      expect(await recorder.list()).toEqual([]);
      expect(store.getState().recordings.list).toEqual([]);
      reset();
      step(makeRecord(0, 9));
      await recorder.flush();
      const list = await recorder.list();
      expect(list.map((m) => [m.status, m.steps])).toEqual([['recording', 1]]);
      expect(list[0]!.id).not.toBe(id);
      await recorder.dispose();
    },
  );
});

describe("the recording's model", () => {
  it('stores the manifest id, name, action names and units and control rate with each episode', async () => {
    const { store, recorder, step, end } = setup();
    loadModel(store, FIXTURE_MANIFEST);
    step(makeRecord(0));
    end(result('failure', 1, 'max steps (1) reached'));
    const [meta] = await recorder.list();
    expect(meta?.model).toEqual({
      id: 'fixture-random',
      name: FIXTURE_MANIFEST.name,
      action: {
        dims: 7,
        names: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
        units: ['m', 'm', 'm', 'rad', 'rad', 'rad', '1'],
        bins: 256,
        vocab_size: FIXTURE_MANIFEST.action.vocab_size,
      },
      control_hz: FIXTURE_MANIFEST.control_hz,
      prompt_template: FIXTURE_MANIFEST.prompt.template,
    });
    // Stored, not only in memory: a second page reading the same database sees it.
    expect((await recorder.read(meta!.id)).meta.model).toEqual(meta?.model);
    await recorder.dispose();
  });

  it("is exported and imported; an opened recording is drawn with its own model's names, the live one with the loaded model's", async () => {
    const { store, recorder, step, end } = setup();
    const api = createRecordingAutomation(store, recorder);
    loadModel(store, OTHER_MANIFEST);
    step(makeRecord(0, 4));
    step(makeRecord(1, 4));
    end(result('success', 2, 'lifted'));
    const [meta] = await api.listRecordings();
    const imported = await api.importRecording((await api.exportRecording(meta!.id)).base64);
    expect(imported.model).toEqual(recordingModelOf(OTHER_MANIFEST));
    expect(imported.model?.action.units[0]).toBe('cm');
    // Another model is loaded now: the live episode uses its names, the opened recording its own.
    loadModel(store, FIXTURE_MANIFEST);
    expect(viewedModelOf(store.getState())?.action.names[0]).toBe('dx');
    await api.openRecording(imported.id);
    const shown = viewedModelOf(store.getState());
    expect(shown).toMatchObject({
      id: 'other-arm',
      name: 'Other arm',
      control_hz: 4,
      prompt_template: 'Task: {instruction}. Action:',
    });
    expect(shown?.action.names).toEqual(['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'grip']);
    expect(viewedModelOf(store.getState())).toBe(shown); // a stable selector result
    api.closeRecording();
    expect(viewedModelOf(store.getState())?.id).toBe('fixture-random');
    await recorder.dispose();
  });

  it('falls back to the loaded model for recordings stored or exported without one', async () => {
    const { store, recorder, name } = setup();
    await recorder.flush();
    // Metadata as an older build stored it: no `model` key.
    const old: RecordingMeta = {
      id: 'rec-old',
      startedAt: 1_600_000_000_000,
      updatedAt: 1_600_000_001_000,
      seed: 2,
      task: 'pick:red-block',
      instruction: 'pick up the red block',
      modelId: 'vla-tabletop-s',
      modelName: 'VLA tabletop S',
      executionProvider: 'wasm',
      status: 'failure',
      reason: 'max steps (2) reached',
      steps: 0,
      frameWidth: 4,
      frameHeight: 4,
      origin: 'live',
    };
    // An IndexedDB recording from an older build: no `model` key.
    const db = await RecordingStore.open(name);
    await db.create(old);
    await db.append(old.id, 0, [makeRecord(0, 6), makeRecord(1, 6)]);
    db.close();
    expect('model' in (await recorder.read('rec-old')).meta).toBe(false);
    expect(viewedModelOf(store.getState())).toBeNull(); // nothing loaded, nothing known
    loadModel(store, FIXTURE_MANIFEST);
    await recorder.open('rec-old');
    expect(store.getState().viewedRecording?.meta.id).toBe('rec-old');
    expect(viewedModelOf(store.getState())).toBe(recordingModelOf(FIXTURE_MANIFEST));
    // An export file from an older build imports and falls back the same way.
    const zip = encodeRecordingZip(old, [makeRecord(0, 7)]);
    const imported = await recorder.importZip(zip);
    expect('model' in imported).toBe(false);
    await recorder.open(imported.id);
    expect(viewedModelOf(store.getState())?.action.names).toEqual(FIXTURE_MANIFEST.action.names);
    await recorder.dispose();
  });
});

describe('persistent storage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is asked for once, when the first recording is stored', async () => {
    let asked = 0;
    const { recorder, step, reset, end } = setup({ persist: async () => ++asked });
    await recorder.flush();
    expect(asked).toBe(0); // opening storage asks nothing
    step(makeRecord(0));
    await recorder.flush();
    expect(asked).toBe(1);
    end(result('failure', 1, 'one'));
    reset();
    step(makeRecord(0, 1));
    end(result('failure', 1, 'two'));
    await recorder.flush();
    expect(await recorder.list()).toHaveLength(2);
    expect(asked).toBe(1);
    await recorder.dispose();
  });

  it('a refusal (or an error) changes nothing: recording goes on', async () => {
    const { store, recorder, step } = setup({ persist: async () => Promise.reject(new Error('denied')) });
    step(makeRecord(0));
    step(makeRecord(1));
    await recorder.flush();
    expect((await recorder.list())[0]?.steps).toBe(2);
    expect(store.getState().recordings.error).toBeNull();
    await recorder.dispose();
  });

  it('navigator.storage.persist() is called once: not when already persistent, not again on a later page', async () => {
    const items = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => items.set(k, v),
    });
    let persisted = true;
    const persist = vi.fn(async () => false); // refused
    vi.stubGlobal('navigator', { storage: { persist, persisted: async () => persisted } });
    expect(await requestPersistentStorage()).toBe(false);
    expect(persist).not.toHaveBeenCalled();
    persisted = false;
    expect(await requestPersistentStorage()).toBe(true);
    expect(await requestPersistentStorage()).toBe(false);
    expect(persist).toHaveBeenCalledTimes(1);
    vi.stubGlobal('navigator', {});
    items.clear();
    expect(await requestPersistentStorage()).toBe(false); // no storage manager: nothing to ask
  });
});

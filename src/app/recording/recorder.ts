/**
 * EpisodeRecorder: writes every policy episode to IndexedDB as its steps arrive. It watches the store's
 * `policyRecords` (one episode = the records between two resets) and `lastResult` (how it ended: the
 * recording is final, and deletable, at once), and serializes all writes through one queue. Keeps the
 * last `maxRecordings` episodes; a quota error first drops the oldest recording and retries, then stops
 * recording that episode with a message for the user.
 * Also the recordings library (open, delete, export, import) the panel and window.vla use. No React.
 */
import type { PolicyStepRecord } from '../PolicySource';
import type { AppState } from '../store';
import { decodeRecordingZip, encodeRecordingZip } from './recordingFile';
import { recordingModelOf } from './recordingModel';
import { compactRecord, isQuotaError, RecordingStore, requestPersistentStorage } from './storage';
import type { RecordingMeta, RecordingStatus } from './types';

/** How many recordings are kept; the oldest beyond this are deleted when a new one starts. */
export const MAX_RECORDINGS = 10;

export interface RecorderStore {
  getState(): AppState;
  subscribe(listener: (s: AppState, prev: AppState) => void): () => void;
}

export interface RecorderOptions {
  /** Opens the storage (tests pass a differently named database). */
  open?: () => Promise<RecordingStore>;
  maxRecordings?: number;
  now?: () => number;
  /**
   * Asks for persistent storage once the first recording is stored (tests pass a spy).
   * @default requestPersistentStorage (navigator.storage.persist(), once)
   */
  persist?: () => Promise<unknown>;
}

/**
 * The live episode's recording: "running" while `meta.status` is 'recording'; once the episode ends it is
 * final (status stored, deletable) but stays here until the reset, so that its records are not taken for
 * a new episode.
 */
interface Active {
  meta: RecordingMeta;
  /** The episode's first record (identity tells a new episode from more steps of this one). */
  first: PolicyStepRecord;
  /** Records seen in the store / handed to the writer so far. */
  seen: number;
  pending: PolicyStepRecord[];
  flushQueued: boolean;
  written: number;
  /** Storage refused this episode (quota): later steps are dropped. */
  failed: boolean;
  releaseLock: (() => void) | null;
}

const LOCK_PREFIX = 'vla-recording:';

function lockManager(): LockManager | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Map how the runner ended an episode onto a recording status (null: the episode is still open). */
export function statusOfResult(result: NonNullable<AppState['lastResult']>): RecordingStatus | null {
  const status = result.status;
  switch (status) {
    case 'success':
      return 'success';
    case 'stopped':
      return 'stopped';
    case 'interrupted':
      // The runtime under the policy died mid-episode (a crashed or killed inference worker).
      return 'interrupted';
    case 'failure':
      // An exception in the loop (predict threw) ends the episode as an error.
      return result.reason.startsWith('error:') ? 'interrupted' : 'failure';
    case 'paused':
      return null; // the episode may resume
    default: {
      // Every runner status is mapped above (a new one must be added here).
      const unknown: never = status;
      return unknown;
    }
  }
}

export class EpisodeRecorder {
  private readonly store: RecorderStore;
  private readonly maxRecordings: number;
  private readonly now: () => number;
  private readonly persist: () => Promise<unknown>;
  /** Whether persistent storage has been asked for (once per recorder). */
  private persistAsked = false;
  private readonly dbPromise: Promise<RecordingStore>;
  private chain: Promise<void> = Promise.resolve();
  private active: Active | null = null;
  private lastId = 0;
  private readonly unsubscribe: () => void;

  constructor(store: RecorderStore, options: RecorderOptions = {}) {
    this.store = store;
    this.maxRecordings = options.maxRecordings ?? MAX_RECORDINGS;
    this.now = options.now ?? Date.now;
    this.persist = options.persist ?? requestPersistentStorage;
    // Subscribe first, so steps that arrive while the database opens are queued, not lost.
    this.unsubscribe = store.subscribe((s, prev) => this.onChange(s, prev));
    this.dbPromise = (options.open ?? (() => RecordingStore.open()))();
    this.enqueue(async (db) => {
      const held = await this.heldLocks();
      await db.markInterrupted((id) => held.has(id));
      await db.prune(this.maxRecordings);
      await this.refresh(db);
      this.view({ loaded: true });
    });
    const s = store.getState();
    if (s.policyRecords.length > 0) this.onChange(s, { ...s, policyRecords: [] });
  }

  /** Resolves when every write queued so far has finished. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Stop watching the store; queued writes still finish. */
  async dispose(): Promise<void> {
    this.unsubscribe();
    await this.flush();
    this.active?.releaseLock?.();
    (await this.dbPromise.catch(() => null))?.close();
  }

  // ── library ──────────────────────────────────────────────────────────────────────────────────────

  async list(): Promise<RecordingMeta[]> {
    return this.run((db) => this.refresh(db));
  }

  async read(id: string): Promise<{ meta: RecordingMeta; records: PolicyStepRecord[] }> {
    const r = await this.run((db) => db.read(id));
    if (!r) throw new Error(`no recording ${id}`);
    return r;
  }

  /** Show a recording in the timeline; the running episode's own recording goes back to live instead. */
  async open(id: string): Promise<RecordingMeta> {
    const running = this.running();
    if (running?.meta.id === id) {
      this.store.getState().closeRecording();
      return running.meta;
    }
    const r = await this.read(id);
    this.store.getState().openRecording(r);
    return r.meta;
  }

  async remove(id: string): Promise<void> {
    if (this.running()?.meta.id === id)
      throw new Error('the recording of the running episode cannot be deleted');
    // The finished live episode's: steps queued before now are written first (one queue), none after.
    if (this.active?.meta.id === id) this.active.failed = true;
    await this.run(async (db) => {
      await db.delete(id);
      await this.refresh(db);
    });
    if (this.store.getState().viewedRecording?.meta.id === id) this.store.getState().closeRecording();
  }

  /** The recording as an export zip (see recordingFile.ts). */
  async exportZip(id: string): Promise<{ meta: RecordingMeta; bytes: Uint8Array }> {
    const { meta, records } = await this.read(id);
    return { meta, bytes: encodeRecordingZip(meta, records) };
  }

  /**
   * Validate and store an exported zip as a new recording (a fresh id, origin 'import'). Throws
   * RecordingFileError for a bad file and shows the message in the panel.
   */
  async importZip(bytes: Uint8Array): Promise<RecordingMeta> {
    let decoded: ReturnType<typeof decodeRecordingZip>;
    try {
      decoded = decodeRecordingZip(bytes);
    } catch (e) {
      this.view({ error: `Import failed: ${message(e)}` });
      throw e;
    }
    const meta: RecordingMeta = {
      ...decoded.meta,
      id: this.newId(),
      status: decoded.meta.status === 'recording' ? 'interrupted' : decoded.meta.status,
      origin: 'import',
      steps: 0,
    };
    try {
      return await this.run(async (db) => {
        await this.withQuotaRetry(db, [meta.id], () => db.create(meta));
        this.askPersistence();
        let stored = meta;
        const CHUNK = 64;
        for (let i = 0; i < decoded.records.length; i += CHUNK) {
          const part = decoded.records.slice(i, i + CHUNK);
          stored = await this.withQuotaRetry(db, [meta.id], () => db.append(meta.id, i, part));
        }
        await db.prune(this.maxRecordings, this.protectedIds([meta.id]));
        await this.refresh(db);
        this.view({ error: null });
        return stored;
      });
    } catch (e) {
      await this.run((db) => db.delete(meta.id)).catch(() => undefined);
      this.view({ error: `Import failed: ${this.storageMessage(e)}` });
      throw e;
    }
  }

  // ── recording the live episode ─────────────────────────────────────────────────────────────────────

  private onChange(s: AppState, prev: AppState): void {
    if (s.policyRecords !== prev.policyRecords) this.onRecords(s);
    if (s.lastResult !== prev.lastResult && s.lastResult && s.lastResult.source === 'policy' && this.active) {
      const status = statusOfResult(s.lastResult);
      if (status && this.active.meta.status === 'recording')
        this.finish(this.active, status, s.lastResult.reason);
    }
  }

  private onRecords(s: AppState): void {
    const records = s.policyRecords;
    let a = this.active;
    if (a && (records.length < a.seen || records[0] !== a.first)) {
      if (a.meta.status === 'recording') this.finish(a, 'stopped', 'reset');
      this.close(a);
      a = null;
      // A new live episode: a live timeline follows its latest step again.
      if (!s.viewedRecording && s.timelineSelected !== null) s.selectStep(null);
    }
    const first = records[0];
    if (!first) return;
    if (!a) a = this.begin(s, first);
    if (records.length > a.seen) {
      for (let i = a.seen; i < records.length; i++) a.pending.push(compactRecord(records[i]!));
      a.seen = records.length;
      this.scheduleFlush(a);
    }
  }

  private begin(s: AppState, first: PolicyStepRecord): Active {
    const t = this.now();
    const info = s.model.info;
    const meta: RecordingMeta = {
      id: this.newId(),
      startedAt: t,
      updatedAt: t,
      seed: s.seed,
      task: s.task,
      ...(s.episode.task ? { checkedTask: s.episode.task } : {}),
      instruction: first.instruction,
      modelId: info?.id ?? s.model.ref,
      modelName: info?.name ?? s.model.ref,
      ...(info ? { model: recordingModelOf(info.manifest) } : {}),
      executionProvider: first.result.executionProvider,
      status: 'recording',
      reason: null,
      steps: 0,
      frameWidth: first.frame.width,
      frameHeight: first.frame.height,
      origin: 'live',
    };
    const a: Active = {
      meta,
      first,
      seen: 0,
      pending: [],
      flushQueued: false,
      written: 0,
      failed: false,
      releaseLock: null,
    };
    this.active = a;
    this.holdLock(a);
    this.view({ activeId: meta.id, error: null });
    this.enqueue(async (db) => {
      try {
        await this.withQuotaRetry(db, [meta.id], () => db.create(meta));
        this.askPersistence();
        await db.prune(this.maxRecordings, this.protectedIds([meta.id]));
        await this.refresh(db);
      } catch (e) {
        a.failed = true;
        this.view({ error: `Recording failed: ${this.storageMessage(e)}` });
      }
    });
    return a;
  }

  private scheduleFlush(a: Active): void {
    if (a.flushQueued) return;
    a.flushQueued = true;
    this.enqueue(async (db) => {
      a.flushQueued = false;
      const batch = a.pending;
      a.pending = [];
      if (a.failed || batch.length === 0) return;
      try {
        const meta = await this.withQuotaRetry(db, [a.meta.id], () =>
          db.append(a.meta.id, a.written, batch, { updatedAt: this.now() }),
        );
        a.written += batch.length;
        a.meta = { ...a.meta, steps: meta.steps, updatedAt: meta.updatedAt };
        this.patchList(meta);
      } catch (e) {
        a.failed = true;
        this.view({
          error: `Recording stopped at step ${a.written}: ${this.storageMessage(e)}`,
        });
      }
    });
  }

  /**
   * Store how the episode ended; from now on the recording is final (not running: deletable, opened from
   * storage). Queued behind the steps already seen, so none is lost.
   */
  private finish(a: Active, status: RecordingStatus, reason: string): void {
    a.meta = { ...a.meta, status, reason };
    const patch = { status, reason, updatedAt: this.now() };
    this.enqueue(async (db) => {
      const meta = await db.update(a.meta.id, patch).catch(() => null);
      if (meta) this.patchList(meta);
      // Stored as ended: another page may now open the database without taking it for interrupted.
      a.releaseLock?.();
      a.releaseLock = null;
    });
    if (this.active === a) this.view({ activeId: null });
  }

  /** The live episode's recording while its episode runs (or is paused), else null. */
  private running(): Active | null {
    return this.active?.meta.status === 'recording' ? this.active : null;
  }

  private close(a: Active): void {
    a.releaseLock?.();
    a.releaseLock = null;
    if (this.active === a) {
      this.active = null;
      this.view({ activeId: null });
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────

  private newId(): string {
    const t = Math.max(this.now(), this.lastId + 1);
    this.lastId = t;
    return `rec-${t.toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  }

  private protectedIds(extra: string[]): string[] {
    const ids = [...extra];
    if (this.active) ids.push(this.active.meta.id);
    const viewed = this.store.getState().viewedRecording?.meta.id;
    if (viewed) ids.push(viewed);
    return ids;
  }

  /** Run `op`; on a quota error delete the oldest unprotected recording and retry (until none is left). */
  private async withQuotaRetry<T>(db: RecordingStore, protect: string[], op: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await op();
      } catch (e) {
        if (!isQuotaError(e)) throw e;
        const dropped = await db.deleteOldest(this.protectedIds(protect));
        if (!dropped) throw e;
        await this.refresh(db);
      }
    }
  }

  /** Once a recording is stored, ask (once, in the background) that the browser keep it under pressure. */
  private askPersistence(): void {
    if (this.persistAsked) return;
    this.persistAsked = true;
    void this.persist().catch(() => undefined);
  }

  private storageMessage(e: unknown): string {
    if (isQuotaError(e))
      return 'browser storage is full. Delete (or export, then delete) recordings to free space.';
    return message(e);
  }

  private enqueue(op: (db: RecordingStore) => Promise<void>): void {
    this.chain = this.chain
      .then(async () => op(await this.dbPromise))
      .catch((e: unknown) => {
        this.view({ error: `Recordings unavailable: ${message(e)}`, loaded: true });
      });
  }

  /** Queue `op` and resolve (or reject) with its result. */
  private run<T>(op: (db: RecordingStore) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.chain = this.chain.then(async () => {
        try {
          resolve(await op(await this.dbPromise));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  private async refresh(db: RecordingStore): Promise<RecordingMeta[]> {
    const list = await db.list();
    const usage = await estimateUsage();
    this.view(usage ? { list, usage } : { list });
    return list;
  }

  private patchList(meta: RecordingMeta): void {
    const list = this.store.getState().recordings.list;
    if (list.some((m) => m.id === meta.id))
      this.view({ list: list.map((m) => (m.id === meta.id ? meta : m)) });
  }

  private view(patch: Partial<AppState['recordings']>): void {
    this.store.getState().setRecordingsView(patch);
  }

  private holdLock(a: Active): void {
    const locks = lockManager();
    if (!locks) return;
    void locks
      .request(
        LOCK_PREFIX + a.meta.id,
        () =>
          new Promise<void>((release) => {
            if (this.active !== a || a.meta.status !== 'recording') release();
            else a.releaseLock = release;
          }),
      )
      .catch(() => undefined);
  }

  private async heldLocks(): Promise<Set<string>> {
    const locks = lockManager();
    if (!locks) return new Set();
    try {
      const q = await locks.query();
      return new Set(
        (q.held ?? [])
          .map((l) => l.name ?? '')
          .filter((n) => n.startsWith(LOCK_PREFIX))
          .map((n) => n.slice(LOCK_PREFIX.length)),
      );
    } catch {
      return new Set();
    }
  }
}

async function estimateUsage(): Promise<{ used: number; quota: number } | null> {
  try {
    if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return null;
    const e = await navigator.storage.estimate();
    return { used: e.usage ?? 0, quota: e.quota ?? 0 };
  } catch {
    return null;
  }
}

let service: EpisodeRecorder | null = null;

/** Start the app's recorder once (later calls return the same one). */
export function startRecorder(store: RecorderStore, options?: RecorderOptions): EpisodeRecorder {
  service ??= new EpisodeRecorder(store, options);
  return service;
}

/** The app's recorder, once started. */
export function recorder(): EpisodeRecorder | null {
  return service;
}

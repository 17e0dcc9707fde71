/**
 * IndexedDB storage of episode recordings (via `idb`, a ~1 kB promise wrapper over the raw API):
 * a `recordings` store of RecordingMeta by id, and a `steps` store of PolicyStepRecords keyed
 * [recordingId, index], appended in the same transaction that updates the metadata's step count.
 * Typed arrays are stored as they are (structured clone). No React here.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { PolicyStep } from '../../core/policy';
import type { PolicyStepRecord } from '../PolicySource';
import type { RecordingMeta } from './types';

export const RECORDINGS_DB_NAME = 'vla-recordings';
const DB_VERSION = 1;

interface StoredStep {
  recordingId: string;
  index: number;
  record: PolicyStepRecord;
}

interface RecordingDb extends DBSchema {
  recordings: { key: string; value: RecordingMeta; indexes: { startedAt: number } };
  steps: { key: [string, number]; value: StoredStep };
}

/** True for a storage-quota failure (directly, or a transaction aborted by one). */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; inner?: { name?: string } } | null;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError';
}

/**
 * A compact copy of a record with only the fields the timeline uses (typed arrays sliced so a view on
 * a larger buffer does not store the whole buffer).
 */
export function compactRecord(r: PolicyStepRecord): PolicyStepRecord {
  const s = r.result;
  const result: PolicyStep = {
    tokens: [...s.tokens],
    normalized: [...s.normalized],
    action: [...s.action],
    probs: s.probs.slice(),
    timings: { ...s.timings, decodeMs: [...s.timings.decodeMs] },
    prompt: { text: s.prompt.text, ids: [...s.prompt.ids], truncated: s.prompt.truncated },
    executionProvider: s.executionProvider,
    ...(s.attention
      ? {
          attention: { data: s.attention.data.slice(), shape: s.attention.shape, layout: s.attention.layout },
        }
      : {}),
  };
  return {
    step: r.step,
    instruction: r.instruction,
    frame: { width: r.frame.width, height: r.frame.height, rgb: r.frame.rgb.slice() },
    proprio: r.proprio ? [...r.proprio] : null,
    result,
    latencyMs: r.latencyMs,
  };
}

const PERSIST_ASKED_KEY = 'vla-recordings:persist-asked';

/**
 * Ask the browser to keep this origin's storage under pressure (`navigator.storage.persist()`), once:
 * not when storage is already persistent, and not again after an earlier page asked (remembered in
 * localStorage, so a browser that prompts does not prompt on every visit). A refusal is ignored. Resolves
 * with whether it asked.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    if (!storage?.persist) return false;
    const local = typeof localStorage !== 'undefined' ? localStorage : null;
    if (local?.getItem(PERSIST_ASKED_KEY)) return false;
    if (await storage.persisted?.()) return false;
    local?.setItem(PERSIST_ASKED_KEY, String(Date.now()));
    await storage.persist();
    return true;
  } catch {
    return false; // no storage manager, storage blocked, or a refusal that throws: recordings still work
  }
}

const stepRange = (id: string) => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);

export class RecordingStore {
  private readonly db: IDBPDatabase<RecordingDb>;

  private constructor(db: IDBPDatabase<RecordingDb>) {
    this.db = db;
  }

  /** Open (creating on first use) the recordings database. */
  static async open(name = RECORDINGS_DB_NAME): Promise<RecordingStore> {
    const db = await openDB<RecordingDb>(name, DB_VERSION, {
      upgrade(d) {
        const rec = d.createObjectStore('recordings', { keyPath: 'id' });
        rec.createIndex('startedAt', 'startedAt');
        d.createObjectStore('steps', { keyPath: ['recordingId', 'index'] });
      },
    });
    return new RecordingStore(db);
  }

  /** All recordings' metadata, newest first. */
  async list(): Promise<RecordingMeta[]> {
    const all = await this.db.getAllFromIndex('recordings', 'startedAt');
    return all.reverse();
  }

  async get(id: string): Promise<RecordingMeta | undefined> {
    return this.db.get('recordings', id);
  }

  async create(meta: RecordingMeta): Promise<void> {
    await this.db.put('recordings', meta);
  }

  /**
   * Append records at indices [start, start + records.length) and patch the metadata (steps count,
   * updatedAt, anything in `patch`) in one transaction. Resolves with the updated metadata.
   */
  async append(
    id: string,
    start: number,
    records: readonly PolicyStepRecord[],
    patch: Partial<RecordingMeta> = {},
  ): Promise<RecordingMeta> {
    const tx = this.db.transaction(['recordings', 'steps'], 'readwrite');
    const steps = tx.objectStore('steps');
    const metas = tx.objectStore('recordings');
    records.forEach((record, i) => {
      void steps.put({ recordingId: id, index: start + i, record });
    });
    const meta = await metas.get(id);
    if (!meta) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw new Error(`recording ${id} does not exist`);
    }
    const next: RecordingMeta = { ...meta, ...patch, steps: Math.max(meta.steps, start + records.length) };
    void metas.put(next);
    await tx.done;
    return next;
  }

  async update(id: string, patch: Partial<RecordingMeta>): Promise<RecordingMeta | null> {
    const tx = this.db.transaction('recordings', 'readwrite');
    const meta = await tx.store.get(id);
    if (!meta) {
      await tx.done;
      return null;
    }
    const next = { ...meta, ...patch };
    void tx.store.put(next);
    await tx.done;
    return next;
  }

  /** A recording's metadata and records in step order; null when it does not exist. */
  async read(id: string): Promise<{ meta: RecordingMeta; records: PolicyStepRecord[] } | null> {
    const tx = this.db.transaction(['recordings', 'steps'], 'readonly');
    const meta = await tx.objectStore('recordings').get(id);
    const rows = await tx.objectStore('steps').getAll(stepRange(id));
    await tx.done;
    if (!meta) return null;
    return { meta, records: rows.map((r) => r.record) };
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(['recordings', 'steps'], 'readwrite');
    void tx.objectStore('steps').delete(stepRange(id));
    void tx.objectStore('recordings').delete(id);
    await tx.done;
  }

  /** Delete the oldest recordings beyond `keep` (never those in `protect`). Resolves with the deleted ids. */
  async prune(keep: number, protect: readonly string[] = []): Promise<string[]> {
    const all = await this.list();
    const deleted: string[] = [];
    let kept = 0;
    for (const m of all) {
      if (protect.includes(m.id) || kept < keep) {
        kept++;
        continue;
      }
      await this.delete(m.id);
      deleted.push(m.id);
    }
    return deleted;
  }

  /** Delete the single oldest recording not in `protect`; resolves with its id, or null if none. */
  async deleteOldest(protect: readonly string[] = []): Promise<string | null> {
    const all = await this.list();
    const victim = [...all].reverse().find((m) => !protect.includes(m.id));
    if (!victim) return null;
    await this.delete(victim.id);
    return victim.id;
  }

  /** Mark recordings still "recording" (their writer died) as interrupted, except those `alive(id)`. */
  async markInterrupted(alive: (id: string) => boolean = () => false): Promise<string[]> {
    const changed: string[] = [];
    for (const m of await this.list()) {
      if (m.status !== 'recording' || alive(m.id)) continue;
      await this.update(m.id, {
        status: 'interrupted',
        reason: m.reason ?? 'the page closed or crashed during the episode',
      });
      changed.push(m.id);
    }
    return changed;
  }

  close(): void {
    this.db.close();
  }
}

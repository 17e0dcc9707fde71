/**
 * The recordings panel: every policy episode stored in this browser (IndexedDB, the last MAX_RECORDINGS
 * kept), with status, steps and model; open one in the timeline, export it to a zip, delete it, or import
 * an exported zip. Storage and import errors are shown here. Talks to the EpisodeRecorder.
 */
import { useRef, useState } from 'react';
import { MAX_RECORDINGS, recorder } from '../recording/recorder';
import { recordingFileName } from '../recording/recordingFile';
import type { RecordingMeta } from '../recording/types';
import { useApp } from '../store';

function bytesText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(0, Math.round(n / 1e3))} kB`;
}

function when(t: number): string {
  return new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function RecordingRow({ meta, active, viewed }: { meta: RecordingMeta; active: boolean; viewed: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const setView = useApp((s) => s.setRecordingsView);
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await f();
    } catch (e) {
      setView({ error: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const rec = recorder();
  return (
    <li
      className={`recording-row${viewed ? ' viewed' : ''}`}
      data-testid="recording-row"
      data-id={meta.id}
      data-status={meta.status}
      data-steps={meta.steps}
    >
      <div className="recording-line">
        <span className="recording-task" title={meta.instruction}>
          {meta.task} <span className="muted">· seed {meta.seed}</span>
          {meta.checkedTask && <span className="muted"> · checked {meta.checkedTask}</span>}
        </span>
        <span className={`rec-status rec-${meta.status}`} data-testid="recording-status">
          {meta.status}
        </span>
      </div>
      <div className="recording-line muted">
        <span>
          {when(meta.startedAt)} · <span data-testid="recording-steps">{meta.steps}</span>{' '}
          {meta.steps === 1 ? 'step' : 'steps'} · {meta.modelId}
          {meta.origin === 'import' ? ' · imported' : ''}
        </span>
      </div>
      <div className="row recording-actions">
        <button
          type="button"
          className="rec-action"
          data-testid="recording-open"
          disabled={!rec || busy || viewed}
          onClick={() => void act(() => rec!.open(meta.id))}
          title={active ? 'Show the live episode in the timeline' : 'Show this recording in the timeline'}
        >
          {viewed ? 'Viewing' : active ? 'Live' : 'Open'}
        </button>
        <button
          type="button"
          className="rec-action"
          data-testid="recording-export"
          disabled={!rec || busy}
          onClick={() =>
            void act(async () => {
              const { meta: m, bytes } = await rec!.exportZip(meta.id);
              download(bytes, recordingFileName(m));
            })
          }
          title="Download as a zip (JSON + PNG frames)"
        >
          ⤓ Export
        </button>
        <button
          type="button"
          className={confirming ? 'rec-action danger' : 'rec-action'}
          data-testid="recording-delete"
          disabled={!rec || busy || active}
          onClick={() => {
            if (!confirming) {
              setConfirming(true);
              setTimeout(() => setConfirming(false), 3000);
              return;
            }
            setConfirming(false);
            void act(() => rec!.remove(meta.id));
          }}
          title={active ? 'The running episode is still being recorded' : 'Delete (click twice)'}
        >
          {confirming ? 'Delete?' : '✕'}
        </button>
      </div>
    </li>
  );
}

export function RecordingsPanel() {
  const view = useApp((s) => s.recordings);
  const viewedId = useApp((s) => s.viewedRecording?.meta.id ?? null);
  const setView = useApp((s) => s.setRecordingsView);
  const fileRef = useRef<HTMLInputElement>(null);
  const [importing, setImporting] = useState(false);

  const onFile = async (file: File | undefined) => {
    const rec = recorder();
    if (!file || !rec) return;
    setImporting(true);
    try {
      const meta = await rec.importZip(new Uint8Array(await file.arrayBuffer()));
      await rec.open(meta.id);
    } catch {
      // importZip has put the reason in view.error
    } finally {
      setImporting(false);
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  return (
    <div className="panel recordings-panel" data-testid="recordings-panel">
      <div className="panel-title">
        <span>Recordings</span>
        <span className="panel-note" data-testid="recordings-count">
          {view.list.length} / {MAX_RECORDINGS}
        </span>
      </div>
      {view.error && (
        <div className="recordings-error" role="alert" data-testid="recordings-error">
          <span>{view.error}</span>
          <button
            type="button"
            className="recordings-dismiss"
            aria-label="Dismiss"
            onClick={() => setView({ error: null })}
          >
            ×
          </button>
        </div>
      )}
      {!view.loaded && <div className="panel-note">Opening storage…</div>}
      {view.loaded && view.list.length === 0 && (
        <div className="panel-note">No recordings yet: run the policy and each episode is saved here.</div>
      )}
      {view.list.length > 0 && (
        <ul className="recording-list" data-testid="recording-list">
          {view.list.map((m) => (
            <RecordingRow key={m.id} meta={m} active={m.id === view.activeId} viewed={m.id === viewedId} />
          ))}
        </ul>
      )}
      <div className="row">
        <button
          type="button"
          data-testid="recordings-import"
          disabled={importing}
          onClick={() => fileRef.current?.click()}
        >
          {importing ? 'Importing…' : '⤒ Import…'}
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".zip,application/zip"
          hidden
          data-testid="recordings-import-input"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
      </div>
      <div className="panel-note">
        Every policy episode is saved in this browser as it runs (a reload keeps it); the last{' '}
        {MAX_RECORDINGS} are kept, older ones are deleted.
        {view.usage && view.usage.quota > 0 && (
          <>
            {' '}
            Storage: {bytesText(view.usage.used)} of {bytesText(view.usage.quota)}.
          </>
        )}
      </div>
    </div>
  );
}

/**
 * The model panel: bundled-model picker, load from URL, open a local folder, the EP selector, and what is
 * loaded (name, size, dtype, the EP actually used and why), the load progress in bytes and any error.
 * A failed load shows its error here; the previous model (and the rest of the app) keeps working. A runtime
 * fault the app recovered from (worker restarted, WebGPU device lost → WASM) shows as a notice.
 */
import { useRef, useState } from 'react';
import type { ExecutionProviderPreference, ModelInfo } from '../../core/policy';
import { filesFromInput } from '../modelFolder';
import { BUNDLED_MODELS } from '../models';
import { useApp } from '../store';

const URL_OPTION = '__url__';
const EP_OPTIONS: readonly { value: ExecutionProviderPreference; label: string }[] = [
  { value: 'auto', label: 'auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'wasm', label: 'WASM' },
];

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}

function totalBytes(info: ModelInfo): number {
  return Object.values(info.bytes).reduce((a, b) => a + b, 0);
}

function dtypes(info: ModelInfo): string {
  const q = info.manifest.quantization;
  if (!q) return 'fp32';
  const set = [...new Set(Object.values(q))];
  return set.length === 1
    ? (set[0] ?? '')
    : Object.entries(q)
        .map(([g, d]) => `${g} ${d}`)
        .join(', ');
}

const noop = () => undefined;

export function ModelPanel() {
  const model = useApp((s) => s.model);
  const policyReady = useApp((s) => s.policy !== null);
  const loadModel = useApp((s) => s.loadModel);
  const loadModelFiles = useApp((s) => s.loadModelFiles);
  const setExecutionProvider = useApp((s) => s.setExecutionProvider);
  const [urlMode, setUrlMode] = useState(false);
  const [url, setUrl] = useState('');
  const folderRef = useRef<HTMLInputElement>(null);
  const { info, status, progress, error, notice } = model;
  const loading = status === 'loading';
  const bundledValue = urlMode
    ? URL_OPTION
    : (BUNDLED_MODELS.find((m) => m.id === info?.id)?.id ?? model.ref);
  const pct = progress && progress.totalAll > 0 ? Math.min(1, progress.loadedAll / progress.totalAll) : 0;

  return (
    <div className="panel model-panel" data-testid="model-panel" data-status={status}>
      <div className="panel-title">
        <span>Model</span>
        <span className={`pill model-${status}`} data-testid="model-status">
          {status === 'idle' ? 'not loaded' : status}
        </span>
      </div>
      <label className="field">
        <span>Bundled model</span>
        <select
          data-testid="model-select"
          value={bundledValue}
          disabled={!policyReady || loading}
          onChange={(e) => {
            if (e.target.value === URL_OPTION) setUrlMode(true);
            else {
              setUrlMode(false);
              void loadModel(e.target.value).catch(noop);
            }
          }}
        >
          {BUNDLED_MODELS.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id}
            </option>
          ))}
          {!BUNDLED_MODELS.some((m) => m.id === bundledValue) && bundledValue !== URL_OPTION && (
            <option value={bundledValue}>{bundledValue}</option>
          )}
          <option value={URL_OPTION}>Load from URL…</option>
        </select>
      </label>
      {urlMode && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (url.trim()) void loadModel(url.trim()).catch(noop);
          }}
        >
          <input
            data-testid="model-url"
            type="url"
            placeholder="https://…/model-folder"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
          <button
            type="submit"
            data-testid="model-load-url"
            disabled={!policyReady || loading || !url.trim()}
          >
            Load
          </button>
        </form>
      )}
      <div className="row">
        <button
          type="button"
          data-testid="model-open-folder"
          disabled={!policyReady || loading}
          onClick={() => folderRef.current?.click()}
        >
          Open folder…
        </button>
        <span className="panel-note">or drop a model folder on the page</span>
        <input
          ref={folderRef}
          data-testid="model-folder-input"
          type="file"
          hidden
          multiple
          {...{ webkitdirectory: '', directory: '' }}
          onChange={(e) => {
            const list = e.target.files;
            if (list && list.length > 0) {
              const { files, label } = filesFromInput(list);
              void loadModelFiles(files, label).catch(noop);
            }
            e.target.value = '';
          }}
        />
      </div>

      {info && (
        <dl className="facts" data-testid="model-info">
          <dt>Name</dt>
          <dd data-testid="model-name" title={info.manifest.description ?? ''}>
            {info.name}
          </dd>
          <dt>Size</dt>
          <dd data-testid="model-size">
            {formatBytes(totalBytes(info))} · <span data-testid="model-dtype">{dtypes(info)}</span>
          </dd>
          <dt>Actions</dt>
          <dd>
            {info.manifest.action.dims} × {info.manifest.action.bins} bins · {info.manifest.control_hz} Hz
            {info.hasAttention ? ' · attention' : ''}
          </dd>
        </dl>
      )}

      <div className="field">
        <span>Execution provider</span>
        <fieldset className="segmented" aria-label="Execution provider">
          {EP_OPTIONS.map((o) => (
            <button
              key={o.value}
              type="button"
              aria-pressed={model.epPreference === o.value}
              data-testid={`ep-${o.value}`}
              className={model.epPreference === o.value ? 'seg active' : 'seg'}
              disabled={!info || loading}
              onClick={() => void setExecutionProvider(o.value).catch(noop)}
            >
              {o.label}
            </button>
          ))}
        </fieldset>
      </div>
      {info && (
        <div className="ep-line" data-testid="model-ep" data-ep={info.executionProvider}>
          <span className={`ep-badge ep-${info.executionProvider}`}>
            {info.executionProvider === 'webgpu' ? 'WebGPU' : 'WASM'}
            {info.executionProvider === 'wasm'
              ? ` · ${info.wasmThreads} thread${info.wasmThreads === 1 ? '' : 's'}`
              : ''}
          </span>
          <span className="panel-note" data-testid="model-ep-reason">
            {info.executionProviderReason}
          </span>
        </div>
      )}

      {(loading || (progress && pct < 1)) && (
        <div className="load-progress" data-testid="model-progress">
          <div
            className="progress"
            role="progressbar"
            aria-label="model download"
            aria-valuenow={progress?.loadedAll ?? 0}
            aria-valuemin={0}
            aria-valuemax={progress?.totalAll ?? 0}
          >
            <div className="progress-fill" style={{ width: `${(pct * 100).toFixed(1)}%` }} />
          </div>
          <div className="panel-note">
            {progress
              ? `${formatBytes(progress.loadedAll)} / ${formatBytes(progress.totalAll)} · ${progress.file}${progress.fromCache ? ' (cache)' : ''}`
              : `loading ${model.ref}…`}
          </div>
        </div>
      )}

      {notice && (
        <div className="notice-box" role="status" data-testid="model-notice" data-notice={notice.kind}>
          <b>{notice.kind === 'device-lost' ? 'WebGPU device lost' : 'Worker restarted'}</b>:{' '}
          {notice.message.charAt(0).toUpperCase() + notice.message.slice(1)}
        </div>
      )}

      {error && (
        <div className="error-box" role="alert" data-testid="model-error" data-error={error.name}>
          <b>{error.name}</b> ({error.during}): {error.message}
          {info && status !== 'error' && <div className="panel-note">Still running {info.id}.</div>}
        </div>
      )}
    </div>
  );
}

/**
 * Reading a `vla-onnx` model folder: readers for a base URL (fetch with byte-level
 * progress and the Cache API) and for a local folder's files, and `loadModelBundle`,
 * which reads manifest → tokenizer → graphs and parses the manifest, and `checkOnnxBytes`, a
 * structural check of a graph file that names truncation or non-ONNX bytes before ORT sees them.
 * I/O only; manifest parsing is in src/core. No ORT import.
 */
import { ManifestError, ModelLoadError } from '../core/errors';
import type { GraphName } from '../core/graphContract';
import { GRAPH_NAMES } from '../core/graphContract';
import { type Manifest, parseManifest } from '../core/manifest';
import type { LoadProgress } from '../core/policy';

export interface FileProgress {
  loaded: number;
  total: number;
  fromCache: boolean;
}

export interface ModelFileReader {
  /** Where `path` lives, for error messages (URL or folder path). */
  where(path: string): string;
  /** The file's bytes; `fresh` skips caches (used for the manifest). */
  read(path: string, onProgress?: (p: FileProgress) => void, fresh?: boolean): Promise<Uint8Array>;
  /** Called once the manifest is known, so cached entries can be keyed by its content. */
  setVersion?(version: string): void;
}

const CACHE_NAME = 'vla-models-v1';

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** FNV-1a of a byte string, hex; a cheap content version for cache keys. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

async function readBody(res: Response, onProgress?: (p: FileProgress) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length') ?? 0) || 0;
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    onProgress?.({ loaded: b.length, total: b.length, fromCache: false });
    return b;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.({ loaded: 0, total, fromCache: false });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ loaded, total: Math.max(total, loaded), fromCache: false });
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Reader for a folder served at `baseUrl`. With `cache` (default) and the Cache API available,
 * files are stored under keys versioned by the manifest's content and revalidated with conditional
 * requests, so a reload does not download them again and a changed file is fetched again.
 */
export function urlReader(
  baseUrl: string,
  options: { cache?: boolean; fetch?: typeof fetch } = {},
): ModelFileReader {
  const doFetch = options.fetch ?? fetch;
  const cacheApi = options.cache !== false && typeof caches !== 'undefined' ? caches : null;
  let version = '';
  return {
    where: (path) => joinUrl(baseUrl, path),
    setVersion(v) {
      version = v;
    },
    async read(path, onProgress, fresh) {
      const url = joinUrl(baseUrl, path);
      const key = `${url}${url.includes('?') ? '&' : '?'}vla-version=${version}`;
      let cache: Cache | null = null;
      let hit: Response | undefined;
      if (cacheApi && !fresh) {
        try {
          cache = await cacheApi.open(CACHE_NAME);
          hit = await cache.match(key);
        } catch {
          cache = null; // opaque origins, private mode: no cache
        }
      }
      // A cached copy is revalidated with a conditional request (ETag / Last-Modified): 304 or no
      // network → the cached bytes, without downloading them again.
      const headers: Record<string, string> = {};
      const etag = hit?.headers.get('etag');
      const modified = hit?.headers.get('last-modified');
      if (etag) headers['if-none-match'] = etag;
      if (modified) headers['if-modified-since'] = modified;
      const fromCache = async (r: Response) => {
        const b = new Uint8Array(await r.arrayBuffer());
        onProgress?.({ loaded: b.length, total: b.length, fromCache: true });
        return b;
      };
      if (hit && !etag && !modified) return fromCache(hit);
      let res: Response;
      try {
        res = await doFetch(url, fresh || hit ? { cache: 'no-store', headers } : {});
      } catch (e) {
        if (hit) return fromCache(hit);
        throw new ModelLoadError(`${url}: unreachable (${(e as Error).message})${cspHint(url)}`, path);
      }
      if (hit && res.status === 304) return fromCache(hit);
      if (!res.ok) throw new ModelLoadError(`${url}: HTTP ${res.status} ${res.statusText}`.trim(), path);
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('text/html') && !path.endsWith('.html')) {
        throw new ModelLoadError(
          `${url}: the server returned an HTML page, not the file (is the path right?)`,
          path,
        );
      }
      const bytes = await readBody(res, onProgress);
      if (cache) {
        const keep: Record<string, string> = { 'content-type': type };
        for (const h of ['etag', 'last-modified']) {
          const v = res.headers.get(h);
          if (v) keep[h] = v;
        }
        try {
          await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: keep }));
        } catch {
          // quota exceeded or similar: keep going without the cache
        }
      }
      return bytes;
    },
  };
}

/** Reader over the files of a picked/dropped folder (paths relative to the folder, `/`-separated). */
export function filesReader(
  files: Record<string, Blob | ArrayBuffer | Uint8Array>,
  label = 'local folder',
): ModelFileReader {
  // Accept both "manifest.json" and "<folder>/manifest.json" keys.
  const keys = Object.keys(files);
  const prefixKey = keys.find((k) => k === 'manifest.json' || k.endsWith('/manifest.json'));
  const prefix = prefixKey ? prefixKey.slice(0, prefixKey.length - 'manifest.json'.length) : '';
  return {
    where: (path) => `${label}/${path}`,
    async read(path, onProgress) {
      const f = files[prefix + path] ?? files[path];
      if (f === undefined) throw new ModelLoadError(`${label}/${path}: file not found in the folder`, path);
      const bytes =
        f instanceof Uint8Array
          ? f
          : f instanceof ArrayBuffer
            ? new Uint8Array(f)
            : new Uint8Array(await f.arrayBuffer());
      onProgress?.({ loaded: bytes.length, total: bytes.length, fromCache: false });
      return bytes;
    },
  };
}

/** Why a fetch of `url` may have been refused by the site's CSP (plain http: to another host), or ''. */
function cspHint(url: string): string {
  try {
    const u = new URL(url);
    const here = typeof location !== 'undefined' ? location.origin : '';
    const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1';
    if (u.protocol === 'http:' && !local && u.origin !== here)
      return '; the site only fetches https: URLs (and localhost), so use an https: address';
  } catch {
    // not a URL: no hint
  }
  return '';
}

const WIRE_NAMES: Record<number, string> = { 0: 'varint', 1: '64-bit', 2: 'length-delimited', 5: '32-bit' };
const MODEL_FIELDS: Record<number, string> = { 1: 'ir_version', 7: 'graph', 8: 'opset_import' };

function hexHead(b: Uint8Array): string {
  return Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Structural check of an ONNX file (a ModelProto protobuf): walks its top-level fields and returns
 * what is wrong — empty, truncated (a field runs past the end of a file that starts like ONNX), not a
 * protobuf / not ONNX, no graph — or null when the structure is sound (ORT still checks the rest).
 */
export function checkOnnxBytes(bytes: Uint8Array): string | null {
  const n = bytes.length;
  if (n === 0) return 'is empty (0 bytes), not an ONNX model';
  // Every ONNX writer emits ModelProto fields in order, starting with ir_version (field 1, varint): 0x08.
  const startsLikeOnnx = bytes[0] === 0x08;
  const notOnnx = (at: number, why: string) =>
    `is not an ONNX model: ${why} at byte ${at} (its ${n} bytes start ${hexHead(bytes)}; an ONNX file starts 08, its ir_version)`;
  let o = 0;
  const varint = (): number | null => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (o >= n) return null;
      const b = bytes[o++]!;
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return v;
      scale *= 128;
    }
    return Number.NaN;
  };
  let graph = false;
  while (o < n) {
    const at = o;
    const tag = varint();
    if (tag === null)
      return startsLikeOnnx
        ? `is truncated: the file ends inside a field header at byte ${at} (the file has ${n} bytes)`
        : notOnnx(at, 'the bytes end inside a field header');
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (!Number.isFinite(tag) || field === 0 || !(wire in WIRE_NAMES))
      return notOnnx(at, `no valid protobuf field (field ${field}, wire type ${wire})`);
    let size: number;
    if (wire === 0) {
      const v = varint();
      if (v === null)
        return startsLikeOnnx
          ? `is truncated: it ends inside field ${field} (the file has ${n} bytes)`
          : notOnnx(at, 'a field runs past the end');
      size = 0;
    } else if (wire === 1) size = 8;
    else if (wire === 5) size = 4;
    else {
      const len = varint();
      if (len === null || !Number.isFinite(len))
        return startsLikeOnnx
          ? `is truncated: it ends inside the length of field ${field}`
          : notOnnx(at, 'a bad field length');
      size = len;
    }
    if (o + size > n) {
      const name = MODEL_FIELDS[field] ? ` (${MODEL_FIELDS[field]})` : '';
      return startsLikeOnnx
        ? `is truncated: field ${field}${name} at byte ${at} needs ${size} bytes but only ${n - o} remain (the file has ${n} bytes)`
        : notOnnx(at, `field ${field} declares ${size} bytes but only ${n - o} remain`);
    }
    if (field === 7 && wire === 2) graph = true;
    o += size;
  }
  return graph
    ? null
    : `is not an ONNX model: it has no graph (ModelProto field 7; its ${n} bytes start ${hexHead(bytes)})`;
}

export interface ModelBundle {
  manifest: Manifest;
  tokenizerJson: unknown;
  tokenizerConfig: Record<string, unknown> | null;
  graphs: Record<GraphName, Uint8Array>;
  /** Bytes per file path. */
  bytes: Record<string, number>;
  /** Human-readable location per graph, for error messages. */
  graphFiles: Record<GraphName, string>;
}

function parseJson(bytes: Uint8Array, where: string, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelLoadError(`${where}: not valid JSON (${(e as Error).message})`, path);
  }
}

/** Read and parse a whole model folder. Progress is reported per file and in total. */
export async function loadModelBundle(
  reader: ModelFileReader,
  onProgress?: (p: LoadProgress) => void,
): Promise<ModelBundle> {
  const bytes: Record<string, number> = {};
  const state = new Map<string, FileProgress>();
  const report = (file: string) => (p: FileProgress) => {
    state.set(file, p);
    if (!onProgress) return;
    let loadedAll = 0;
    let totalAll = 0;
    for (const s of state.values()) {
      loadedAll += s.loaded;
      totalAll += s.total;
    }
    onProgress({ file, loaded: p.loaded, total: p.total, loadedAll, totalAll, fromCache: p.fromCache });
  };
  const manifestBytes = await reader.read('manifest.json', report('manifest.json'), true);
  bytes['manifest.json'] = manifestBytes.length;
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestBytes, reader.where('manifest.json'));
  } catch (e) {
    if (e instanceof ManifestError) throw e;
    throw new ModelLoadError(String(e), 'manifest.json');
  }
  reader.setVersion?.(fnv1a(manifestBytes));
  const readOne = async (path: string) => {
    const b = await reader.read(path, report(path));
    bytes[path] = b.length;
    return b;
  };
  const cfgPath = manifest.tokenizer_config;
  const [tok, cfg, ...graphBytes] = await Promise.all([
    readOne(manifest.tokenizer),
    cfgPath ? readOne(cfgPath) : Promise.resolve(null),
    ...GRAPH_NAMES.map((g) => readOne(manifest.graphs[g])),
  ]);
  const graphs = {} as Record<GraphName, Uint8Array>;
  const graphFiles = {} as Record<GraphName, string>;
  GRAPH_NAMES.forEach((g, i) => {
    graphs[g] = graphBytes[i]!;
    graphFiles[g] = reader.where(manifest.graphs[g]);
    const problem = checkOnnxBytes(graphs[g]);
    if (problem) throw new ModelLoadError(`${graphFiles[g]}: ${problem}`, manifest.graphs[g]);
  });
  return {
    manifest,
    tokenizerJson: parseJson(tok!, reader.where(manifest.tokenizer), manifest.tokenizer),
    tokenizerConfig:
      cfg && cfgPath ? (parseJson(cfg, reader.where(cfgPath), cfgPath) as Record<string, unknown>) : null,
    graphs,
    bytes,
    graphFiles,
  };
}

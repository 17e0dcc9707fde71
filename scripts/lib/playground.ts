/**
 * Shared Node-side harness for scripts that drive the built playground in headless Chromium (eval,
 * datagen, benchmarks): build the app when its sources are newer than the build, serve it with
 * `vite preview` on a free port (plus extra folders mounted at URL prefixes, e.g. a model folder outside
 * `models/`), launch Debian Chromium with playwright.config's `chromiumArgs`, and open pages that wait
 * for `window.vla`. Node only; never bundled into the app.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import type { Plugin, PreviewServer } from 'vite';
import { chromiumArgs } from '../../playwright.config';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Default build folder of these scripts (kept apart from `dist/`, which `npm test` builds and serves). */
export const DEFAULT_BUILD_DIR = join(ROOT, '.cache', 'playground-dist');
/** What a build depends on: a newer file under any of these makes the build stale. */
export const BUILD_INPUTS = ['src', 'index.html', 'vite.config.ts', 'package.json', 'public', 'models'];
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Same headers as vite.config.ts (multi-threaded WASM needs cross-origin isolation). */
const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const f of readdirSync(path)) {
    if (f.startsWith('.')) continue;
    m = Math.max(m, newestMtime(join(path, f)));
  }
  return m;
}

/** Marker file in an unminified build folder (readable function names, for CPU profiles). */
const UNMINIFIED_MARK = '.unminified';

/** True when `outDir` holds a build newer than every file under BUILD_INPUTS (and minified as asked). */
export function buildIsFresh(outDir = DEFAULT_BUILD_DIR, minify = true): boolean {
  const stamp = join(outDir, 'index.html');
  if (!existsSync(stamp)) return false;
  if (existsSync(join(outDir, UNMINIFIED_MARK)) === minify) return false;
  const srcAt = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(ROOT, p))));
  return statSync(stamp).mtimeMs > srcAt;
}

/**
 * Build the app into `outDir` unless it is fresh. `build: false` never builds and only requires that
 * some build exists there (for a checkout whose sources are mid-edit). `minify: false` builds with
 * readable names (CPU profiles) and marks the folder so. @default minify true
 */
export async function ensureBuild(
  options: { outDir?: string; build?: boolean; minify?: boolean; log?: (s: string) => void } = {},
) {
  const outDir = options.outDir ?? DEFAULT_BUILD_DIR;
  const log = options.log ?? ((s: string) => process.stderr.write(s));
  if (options.build === false) {
    if (!existsSync(join(outDir, 'index.html'))) throw new Error(`no build in ${outDir} (drop --no-build)`);
    return;
  }
  const minify = options.minify ?? true;
  if (buildIsFresh(outDir, minify)) return;
  log(`building the app${minify ? '' : ' (unminified)'} into ${outDir} …\n`);
  const vite = await import('vite');
  await vite.build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true, minify } });
  if (!minify) writeFileSync(join(outDir, UNMINIFIED_MARK), 'built with minify: false\n');
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** A preview-server plugin serving each `dir` at URL `prefix` (e.g. `/ext/model/` → a folder). */
function mountFolders(mounts: Record<string, string>): Plugin {
  const table = Object.entries(mounts).map(([prefix, dir]) => ({
    prefix: `/${prefix.replace(/^\/+|\/+$/g, '')}/`,
    dir: resolve(dir),
  }));
  return {
    name: 'vla-playground-mounts',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        const hit = table.find((m) => url.startsWith(m.prefix));
        if (!hit) return next();
        const file = resolve(hit.dir, `.${url.slice(hit.prefix.length - 1)}`);
        if (!file.startsWith(hit.dir + sep) || !existsSync(file) || !statSync(file).isFile()) return next();
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
        const body = readFileSync(file);
        res.setHeader('Content-Length', String(body.length));
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    },
  };
}

export interface ServeOptions {
  /** Build folder to serve. @default DEFAULT_BUILD_DIR */
  outDir?: string;
  /** false: do not build, serve what is there. @default true (build when stale) */
  build?: boolean;
  /** false: build with readable names (CPU profiles). @default true */
  minify?: boolean;
  /** Extra folders to serve: URL prefix → folder on disk (with COOP/COEP headers). */
  mounts?: Record<string, string>;
  log?: (s: string) => void;
}

export interface Served {
  /** e.g. `http://127.0.0.1:41234/` (ends with a slash). */
  baseUrl: string;
  /** The page URL with these query parameters (values stringified; undefined ones dropped). */
  url(params?: Record<string, string | number | boolean | undefined>): string;
  close(): Promise<void>;
}

/** Build if needed and start `vite preview` of the app on a free port (the `models/` plugin included). */
export async function servePlayground(options: ServeOptions = {}): Promise<Served> {
  const outDir = options.outDir ?? DEFAULT_BUILD_DIR;
  await ensureBuild({
    outDir,
    ...(options.build === undefined ? {} : { build: options.build }),
    ...(options.minify === undefined ? {} : { minify: options.minify }),
    ...(options.log ? { log: options.log } : {}),
  });
  const vite = await import('vite');
  const port = await freePort();
  const server: PreviewServer = await vite.preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    plugins: options.mounts ? [mountFolders(options.mounts)] : [],
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  return {
    baseUrl,
    url: (params = {}) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
      const s = q.toString();
      return s ? `${baseUrl}?${s}` : baseUrl;
    },
    close: () => server.close(),
  };
}

/** Launch headless Debian Chromium with the project's flags (WebGPU on SwiftShader, no network noise). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...chromiumArgs, ...extraArgs],
  });
}

export interface OpenPageOptions {
  /** Wait until `window.vla[waitFor]` is a function. @default 'reset' */
  waitFor?: string;
  timeoutMs?: number;
  /** Called with console errors and page errors (default: written to stderr). */
  onError?: (text: string) => void;
}

/** Open `url` in a new page of `browser` and wait for window.vla (and the named call) to be installed. */
export async function openPlaygroundPage(
  browser: Browser,
  url: string,
  options: OpenPageOptions = {},
): Promise<Page> {
  const onError = options.onError ?? ((t: string) => process.stderr.write(`\n${t}\n`));
  const page = await browser.newPage();
  page.on('pageerror', (err) => onError(`[page error] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') onError(`[page console] ${msg.text()}`);
  });
  await page.goto(url);
  const name = options.waitFor ?? 'reset';
  await page.waitForFunction(
    (n) => typeof (window.vla as Record<string, unknown> | undefined)?.[n] === 'function',
    name,
    { timeout: options.timeoutMs ?? 60_000 },
  );
  return page;
}

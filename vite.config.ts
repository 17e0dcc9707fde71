/**
 * Vite config for the playground. Cross-origin isolation (COOP/COEP) is set on
 * dev, preview and (via public/_headers) the built site, because multi-threaded
 * WASM needs SharedArrayBuffer. The `bundledModels` plugin serves `models/` at
 * `/models/` in dev and preview and copies it into the build output.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import react from '@vitejs/plugin-react';
import { type Connect, defineConfig, type Plugin } from 'vite';

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const MODEL_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serve `<root>/models/**` at `/models/**` (with ETag revalidation) and copy it into `outDir/models`. */
function bundledModels(): Plugin {
  let root = process.cwd();
  let outDir = 'dist';
  const serve: Connect.NextHandleFunction = (req, res, next) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    if (!url.startsWith('/models/')) return next();
    const base = resolve(root, 'models');
    const file = resolve(base, `.${url.slice('/models'.length)}`);
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) return next();
    const st = statSync(file);
    const etag = `"${createHash('sha1').update(`${file}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 16)}"`;
    for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', st.mtime.toUTCString());
    res.setHeader('Cache-Control', 'no-cache');
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('Content-Type', MODEL_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(st.size));
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  };
  return {
    name: 'vla-bundled-models',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serve);
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve);
    },
    closeBundle() {
      const src = resolve(root, 'models');
      if (existsSync(src) && existsSync(outDir)) {
        cpSync(src, resolve(outDir, 'models'), {
          recursive: true,
          filter: (p) => !/(^|[/\\])\.[^/\\]+$/.test(p),
        });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), bundledModels()],
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web', 'mujoco-js'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 16000 },
});

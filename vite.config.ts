/**
 * Vite config for the playground. Cross-origin isolation (COOP/COEP) is set on
 * dev, preview and (via public/_headers) the built site, because multi-threaded
 * WASM needs SharedArrayBuffer. The `bundledModels` plugin serves `models/` at
 * `/models/` in dev and preview and copies it into the build output. The built site
 * (preview, and public/_headers for static hosts) also sends a Content-Security-Policy
 * without 'unsafe-eval'; `cspSafeDeps` rewrites the dependencies' `new Function` sites so
 * they run under it.
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

/**
 * The built site's Content-Security-Policy (public/_headers carries the same line; e2e/security.spec.ts
 * checks both). Scripts and workers come only from the site itself; 'wasm-unsafe-eval' lets ORT and
 * MuJoCo compile WebAssembly, and nothing allows eval. connect-src also allows https: and local servers
 * because "Load from URL…" fetches a model folder the user names; nothing else leaves the origin.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of the built site as `vite preview` serves it. */
export const siteHeaders = { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy };

/**
 * Each dependency's code that builds functions from strings at run time, and an eval-free equivalent
 * (what emscripten emits with -sDYNAMIC_EXECUTION=0). A site that is no longer found fails the build,
 * so a dependency upgrade cannot silently bring eval back under the CSP.
 */
const EVAL_SITES: readonly { module: RegExp; find: string; replace: string; helpers: string }[] = [
  {
    // mujoco-js (emscripten embind): function invokers and emval method callers.
    module: /mujoco-js[\\/]dist[\\/]mujoco_wasm\.js$/,
    find: 'var invokerFn = new Function(...args, invokerFnBody)(...closureArgs);',
    replace:
      'var invokerFn = __vlaEmbindInvoker(humanName, argTypes, isClassMethodFunc, returns, cppInvokerFunc, cppTargetFunc, needsDestructorStack, minArgs, expectedArgCount, checkArgCount, throwBindingError, runDestructors);',
    helpers: `function __vlaEmbindInvoker(humanName, argTypes, isClassMethodFunc, returns, invoker, fn, needsDestructorStack, minArgs, maxArgs, checkArgCount, throwBindingError, runDestructors) {
  var argCount = argTypes.length - 2;
  return function (...args) {
    checkArgCount(args.length, minArgs, maxArgs, humanName, throwBindingError);
    var destructors = needsDestructorStack ? [] : null;
    var head = [fn];
    var thisWired;
    if (isClassMethodFunc) { thisWired = argTypes[1].toWireType(destructors, this); head.push(thisWired); }
    var wired = [];
    for (var i = 0; i < argCount; ++i) wired.push(argTypes[i + 2].toWireType(destructors, args[i]));
    var rv = invoker(...head, ...wired);
    if (needsDestructorStack) runDestructors(destructors);
    else for (var j = isClassMethodFunc ? 1 : 2; j < argTypes.length; ++j)
      if (argTypes[j].destructorFunction !== null) argTypes[j].destructorFunction(j === 1 ? thisWired : wired[j - 2]);
    if (returns) return argTypes[0].fromWireType(rv);
  };
}`,
  },
  {
    module: /mujoco-js[\\/]dist[\\/]mujoco_wasm\.js$/,
    find: 'var invokerFunction = new Function(...params, functionBody)(...args);',
    replace: 'var invokerFunction = __vlaEmvalCaller(kind, types, argCount, retType, emval_returnValue);',
    helpers: `function __vlaEmvalCaller(kind, types, argCount, retType, emval_returnValue) {
  return function (obj, func, destructorsRef, args) {
    var argv = [];
    var offset = 0;
    for (var i = 0; i < argCount; ++i) { argv.push(types[i].readValueFromPointer(args + offset)); offset += types[i].argPackAdvance; }
    var rv = kind === 1 ? new func(...argv) : kind === 0 ? func.call(obj, ...argv) : func.call(...argv);
    if (!retType.isVoid) return emval_returnValue(retType, destructorsRef, rv);
  };
}`,
  },
  {
    // onnxruntime-web 1.30 (minified emscripten emval): the method caller; h = kind, C = argument readers,
    // f.Cd = void return, l = toReturnWire, im = emval_returnValue, He = toValue, wr = getStringOrSymbol.
    module: /onnxruntime-web[\\/]dist[\\/]ort\.bundle\.min\.mjs$/,
    find: 'h=new Function(Object.keys(P),z)(...Object.values(P))',
    replace: 'h=__vlaOrtEmvalCaller(h,C,f.Cd,l,im,He,wr)',
    helpers: `function __vlaOrtEmvalCaller(kind, argFromPtr, isVoid, toReturnWire, emval_returnValue, toValue, getStringOrSymbol) {
  return function (handle, methodName, destructorsRef, args) {
    var target = kind === 3 ? null : toValue(handle);
    var name = kind === 1 ? getStringOrSymbol(methodName) : null;
    var argv = argFromPtr.map((read, k) => read(args + 8 * k));
    var rv;
    if (kind === 0) rv = target(...argv);
    else if (kind === 2) rv = new target(...argv);
    else if (kind === 1) rv = target[name](...argv);
    else if (kind === 3) rv = argv[argv.length - 1];
    else throw new TypeError('emval: unknown method-caller kind ' + kind);
    if (!isVoid) return emval_returnValue(toReturnWire, destructorsRef, rv);
  };
}`,
  },
  {
    // zod 4 probes \`new Function("")\` (a CSP violation report even when caught) unless jitless.
    module: /zod[\\/]v4[\\/]core[\\/]core\.js$/,
    find: '(_a.__zod_globalConfig = {})',
    replace: '(_a.__zod_globalConfig = { jitless: true })',
    helpers: '',
  },
];

/** Build-time rewrite of EVAL_SITES (main bundle and worker bundles). */
function cspSafeDeps(): Plugin {
  return {
    name: 'vla-csp-safe-deps',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      const sites = EVAL_SITES.filter((s) => s.module.test(file));
      if (sites.length === 0) return null;
      let out = code;
      for (const s of sites) {
        if (!out.includes(s.find)) this.error(`CSP: "${s.find}" not found in ${file}; update EVAL_SITES`);
        out = out.replace(s.find, s.replace);
        if (s.helpers) out += `\n${s.helpers}\n`;
      }
      if (/new Function\(/.test(out) && !/zod/.test(file))
        this.error(`CSP: ${file} still calls new Function`);
      return { code: out, map: null };
    },
  };
}

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

/**
 * Long-lived caching of the build's content-hashed files (`/assets/*`; public/_headers says the same for
 * static hosts). sirv would send `no-cache`, so every reload revalidated the 28 MB ORT .wasm and the
 * worker scripts; `immutable` lets the browser take them (and V8's code cache for the streamed WASM) from
 * its HTTP cache without asking. index.html and models/ keep revalidating.
 */
function immutableAssets(): Plugin {
  return {
    name: 'vla-immutable-assets',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').startsWith('/assets/'))
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        next();
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), bundledModels(), cspSafeDeps(), immutableAssets()],
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: siteHeaders, host: '127.0.0.1' },
  worker: { format: 'es', plugins: () => [cspSafeDeps()] },
  optimizeDeps: { exclude: ['onnxruntime-web', 'mujoco-js'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 16000 },
});

/**
 * e2e for issue 7, security: the built site is served with a Content-Security-Policy (the one in
 * public/_headers for static hosts) that allows no eval beyond 'wasm-unsafe-eval', and runs under it on
 * both execution providers without a violation; a normal session sends no request anywhere but the
 * site's own origin, while a remote model URL the user types is fetched (and only then).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, expect as baseExpect, type Page, test } from '@playwright/test';

// Minutes per test: on a busy 2-core machine the page alone (MuJoCo, ORT WASM) takes a while to compile.
test.describe.configure({ timeout: 360_000 });
const expect = baseExpect.configure({ timeout: 120_000 });

const headersFile = readFileSync(join(process.cwd(), 'public', '_headers'), 'utf8');
const fileCsp = /^\s+Content-Security-Policy:\s*(.+)$/m.exec(headersFile)?.[1]?.trim() ?? '';

/** Directive → sources of a CSP string. */
function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

/**
 * Console errors that are not the app's: ORT's WebGPU node-placement warnings, and emscripten's note that
 * a WASM module is still compiling after 10 s ("still waiting on run dependencies", a slow machine).
 */
const benign = (text: string) =>
  text.includes('[W:onnxruntime') ||
  /still waiting on run dependencies|^dependency: |^\(end of list\)$/.test(text);

/** Record every request of the context (page and workers), CSP violations and console errors. */
function watch(context: BrowserContext, page: Page) {
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error' && !benign(m.text())) consoleErrors.push(`worker: ${m.text()}`);
    }),
  );
  return { requests, consoleErrors };
}

/** Open the app at `query` and wait for the model (minutes are allowed: a busy 2-core machine compiles slowly). */
async function openReady(page: Page, query: string) {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !benign(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`/${query}`);
  await page.waitForFunction(() => typeof window.vla?.ready === 'function', null, { timeout: 180_000 });
  const ready = await page.evaluate(() => window.vla!.ready());
  return { errors, ready };
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    const list: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = list;
    document.addEventListener('securitypolicyviolation', (e) =>
      list.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
});

test('the site, its worker and its scripts are served with the CSP of public/_headers: no unsafe-eval', async ({
  page,
}) => {
  expect(fileCsp).not.toBe('');
  const d = directives(fileCsp);
  expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(d.get('default-src')).toEqual(["'self'"]);
  expect(d.get('object-src')).toEqual(["'none'"]);
  for (const [name, values] of d) {
    expect(values, name).not.toContain("'unsafe-eval'");
    expect(values, name).not.toContain("'unsafe-inline'");
    expect(values, name).not.toContain('*');
  }
  const scripts = new Set<string>();
  page.on('response', (r) => {
    if (/\.(js|mjs|wasm)$/.test(new URL(r.url()).pathname)) scripts.add(r.url());
  });
  const res = await page.goto('/?ep=wasm&model=models/fixture-random/');
  expect(res?.headers()['content-security-policy']).toBe(fileCsp);
  await page.waitForFunction(() => typeof window.vla?.ready === 'function', null, { timeout: 180_000 });
  await page.evaluate(() => window.vla!.ready());
  const urls = [...scripts];
  expect(urls.some((u) => /inference\.worker-[^/]+\.js$/.test(u))).toBe(true);
  expect(urls.some((u) => /mujoco_wasm-[^/]+\.js$/.test(u))).toBe(true);
  // A worker's policy is the one its own script is served with: ask the server for each script.
  for (const u of urls) {
    const r = await page.request.head(u);
    expect(r.headers()['content-security-policy'], u).toBe(fileCsp);
  }
  // The browser enforces it: a string timer (eval) and an inline script do not run, and are reported.
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __evalRan?: boolean; __inlineRan?: boolean };
    setTimeout('window.__evalRan = true', 0);
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.head.append(script);
    await new Promise((r) => setTimeout(r, 300));
    return { eval: w.__evalRan ?? false, inline: w.__inlineRan ?? false };
  });
  expect(ran).toEqual({ eval: false, inline: false });
  const seen = await violations(page);
  expect(seen.some((v) => /^script-src\S* eval /.test(v))).toBe(true);
  expect(seen.some((v) => /^script-src\S* inline /.test(v))).toBe(true);
});

test('a normal session (expert, policy on WASM and WebGPU, EP switch) stays on 127.0.0.1 with no CSP violation', async ({
  page,
  context,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const w = watch(context, page);
  const { errors, ready } = await openReady(page, '?task=put:red-block:blue-bowl&seed=3');
  const expert = await page.evaluate(() => window.vla!.runExpert({ seed: 3, task: 'pick:red-block' }));
  expect(expert.steps).toBeGreaterThan(0);
  await page.getByTestId('policy-max-steps').fill('5');
  await page.getByTestId('policy-instruction').fill('put the red block in the blue bowl');
  await page.getByTestId('policy-instruction').press('Enter');
  const status = page.getByTestId('episode-status');
  await expect(status).toHaveAttribute('data-status', /success|failure/);
  await expect(status).toContainText('5 steps');
  const args = { instruction: 'pick up the red block', seed: 3, task: 'pick:red-block' };
  const onWasm = await page.evaluate((a) => window.vla!.predict(a), args);
  expect(await page.evaluate(() => window.vla!.setExecutionProvider('webgpu'))).toEqual({
    executionProvider: 'webgpu',
  });
  const onGpu = await page.evaluate((a) => window.vla!.predict(a), args);
  expect(onWasm.tokens).toHaveLength(7);
  expect(onGpu.tokens).toHaveLength(7); // both EPs run under the CSP (token parity: e2e/runtime.spec.ts)
  await page.evaluate(() => window.vla!.cameraFrame());

  const own = (u: string) => u.startsWith(`${origin}/`) || u.startsWith('data:') || u.startsWith('blob:');
  expect(w.requests.filter((u) => !own(u))).toEqual([]);
  // The listener sees the worker's fetches too (the model files), so the check above covers them.
  expect(w.requests.some((u) => u.includes(`/models/${ready.modelId}/manifest.json`))).toBe(true);
  expect(w.requests.some((u) => /\/models\/[^/]+\/onnx\/[^/]+\.onnx/.test(u))).toBe(true);
  expect(await violations(page)).toEqual([]);
  expect(w.consoleErrors).toEqual([]);
  expect(errors).toEqual([]);
});

test('a remote model URL the user loads is fetched (CORS) and runs; that is the only remote request', async ({
  page,
  context,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const remote = 'https://models.example.test/vla/fixture-random';
  const fixture = join(process.cwd(), 'models', 'fixture-random');
  await context.route(`${remote}/**`, (route) => {
    const path = new URL(route.request().url()).pathname.replace('/vla/fixture-random/', '');
    route.fulfill({
      status: 200,
      headers: {
        'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
      },
      body: readFileSync(join(fixture, path)),
    });
  });
  const w = watch(context, page);
  await openReady(page, '?ep=wasm&model=models/fixture-random/');
  expect(w.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([]);

  const panel = page.getByTestId('model-panel');
  await panel.getByTestId('model-select').selectOption('__url__');
  await panel.getByTestId('model-url').fill(remote);
  await panel.getByTestId('model-load-url').click();
  await expect(panel.getByTestId('model-status')).toHaveText('ready');
  await expect(panel.getByTestId('model-error')).toHaveCount(0);
  const p = await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  expect(p.tokens).toHaveLength(7);
  const away = w.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
  expect(away.length).toBeGreaterThanOrEqual(4); // manifest, tokenizer files, graphs
  for (const u of away) expect(u.startsWith(`${remote}/`), u).toBe(true);

  // A plain-http remote URL is refused by the CSP, and the message says why.
  const e = await page.evaluate(() =>
    window.vla!.loadModel('http://models.example.test/vla/fixture-random').then(
      () => 'loaded',
      (x: Error) => x.message,
    ),
  );
  expect(e).toMatch(/unreachable .*only fetches https: URLs/);
  expect(await violations(page)).toEqual([]); // the refusal was in the worker, not the page
});

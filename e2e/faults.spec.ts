/**
 * e2e for issue 7, fault injection: broken models (truncated ONNX, random bytes, a manifest field missing
 * or of the wrong type, graph inputs that do not match the manifest, no tokenizer, an unreachable URL,
 * NaN logits) each show a specific error in the model panel while the previous model keeps running; odd
 * instructions (empty, 10,000 characters, emoji, right-to-left) are handled visibly; a worker killed
 * mid-episode is restarted and the episode marked interrupted with its steps kept; a lost WebGPU device
 * falls back to WASM and says so. Broken models are made at test time from models/fixture-random and
 * served with context.route; only the two runtime faults use window.vla.debug.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, expect as baseExpect, type Page, test } from '@playwright/test';

// Minutes per test: on a busy 2-core machine the page alone (MuJoCo, ORT WASM) takes a while to compile.
test.describe.configure({ timeout: 360_000 });
const expect = baseExpect.configure({ timeout: 120_000 });

const FIXTURE = join(process.cwd(), 'models', 'fixture-random');
const fixtureFile = (path: string) => readFileSync(join(FIXTURE, path));
const fixtureManifest = (): FixtureManifest => JSON.parse(fixtureFile('manifest.json').toString('utf8'));

/** Iterate the fields of a protobuf message in `buf[start, end)`: field number, wire type, value range. */
function* protoFields(buf: Uint8Array, start: number, end: number) {
  let o = start;
  const varint = () => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = buf[o++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
  };
  while (o < end) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const value = varint();
      yield { field, wire, value, from: o, to: o };
    } else if (wire === 2) {
      const len = varint();
      yield { field, wire, value: len, from: o, to: o + len };
      o += len;
    } else if (wire === 1) o += 8;
    else if (wire === 5) o += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
}

/**
 * A copy of an ONNX model whose float initializers (ModelProto.graph = 7 → GraphProto.initializer = 5 →
 * TensorProto data_type = 2 (1: FLOAT), raw_data = 9) are all NaN: the weights of a diverged training run.
 */
function withNanWeights(onnx: Uint8Array): { bytes: Uint8Array; tensors: number } {
  const bytes = onnx.slice();
  const view = new DataView(bytes.buffer);
  let tensors = 0;
  for (const g of protoFields(bytes, 0, bytes.length)) {
    if (g.field !== 7) continue;
    for (const init of protoFields(bytes, g.from, g.to)) {
      if (init.field !== 5) continue;
      let type = 0;
      let raw: { from: number; to: number } | null = null;
      for (const t of protoFields(bytes, init.from, init.to)) {
        if (t.field === 2) type = t.value;
        if (t.field === 9) raw = t;
      }
      if (type !== 1 || !raw) continue;
      for (let i = raw.from; i + 4 <= raw.to; i += 4) view.setFloat32(i, Number.NaN, true);
      tensors++;
    }
  }
  return { bytes, tensors };
}

/** The parts of the fixture's manifest.json the variants edit. */
type FixtureManifest = Record<string, unknown> & {
  control_hz?: unknown;
  image: Record<string, unknown>;
  decoder: Record<string, unknown>;
};

interface Variant {
  /** Replaced files (null: 404). */
  files?: Record<string, Uint8Array | null>;
  /** Edit of the fixture's manifest. */
  manifest?: (m: FixtureManifest) => void;
}

const decoder = new Uint8Array(fixtureFile('onnx/decoder.onnx'));
const randomBytes = (() => {
  let s = 12345;
  const b = new Uint8Array(4096).map(() => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 16) & 0xff;
  });
  b[0] = 0x5a; // not an ONNX start byte (0x08)
  return b;
})();
const nan = withNanWeights(decoder);

const VARIANTS: Record<string, Variant> = {
  truncated: { files: { 'onnx/decoder.onnx': decoder.subarray(0, Math.floor(decoder.length * 0.6)) } },
  random: { files: { 'onnx/vision_encoder.onnx': randomBytes } },
  'missing-field': { manifest: (m) => delete m.control_hz },
  'wrong-type': { manifest: (m) => (m.image.width = '64') },
  'graph-mismatch': { manifest: (m) => (m.decoder.num_layers = 3) },
  'no-tokenizer': { files: { 'tokenizer.json': null } },
  nan: { files: { 'onnx/decoder.onnx': nan.bytes } },
};

/** Serve `/fault/<variant>/…` from the fixture with the variant's edits (to the page and its workers). */
async function serveVariants(context: BrowserContext) {
  await context.route(/\/fault\/[^/]+\//, async (route) => {
    const url = new URL(route.request().url());
    const [, , name, ...rest] = url.pathname.split('/');
    const path = rest.join('/');
    const v = VARIANTS[name ?? ''];
    if (!v) return route.fulfill({ status: 404, body: 'no such variant' });
    let body: Uint8Array | string | null | undefined = v.files?.[path];
    if (body === undefined) {
      if (path === 'manifest.json') {
        const m = fixtureManifest();
        v.manifest?.(m);
        body = JSON.stringify(m);
      } else body = fixtureFile(path);
    }
    if (body === null) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not Found' });
    return route.fulfill({
      status: 200,
      contentType: path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      body: Buffer.from(body),
    });
  });
}

/**
 * Console errors that are not the app's: ORT's WebGPU node-placement warnings, and emscripten's note that
 * a WASM module is still compiling after 10 s ("still waiting on run dependencies", a slow machine).
 */
const benign = (text: string) =>
  text.includes('[W:onnxruntime') ||
  /still waiting on run dependencies|^dependency: |^\(end of list\)$/.test(text);

/** Console errors and uncaught exceptions of the page (ORT's WebGPU placement warnings are not errors). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !benign(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Open the app with the variants served; resolves once the model of `query` is ready. */
async function openWith(page: Page, query: string) {
  await serveVariants(page.context());
  const errors = collectErrors(page);
  await page.goto(`/${query}`);
  // Generous: compiling MuJoCo (11 MB of JS) and ORT's 28 MB WASM takes minutes on a busy 2-core machine.
  await page.waitForFunction(() => typeof window.vla?.ready === 'function', null, { timeout: 180_000 });
  const ready = await page.evaluate(() => window.vla!.ready());
  return { errors, ready };
}

/** Playback "as fast as possible" (the last option) or 1× real time (the first). */
async function setPace(page: Page, pace: 'fast' | 'realtime') {
  const select = page.getByTestId('pace-select');
  const n = await select.locator('option').count();
  await select.selectOption({ index: pace === 'fast' ? n - 1 : 0 });
}

/** The previous model still predicts, and the sim still runs the expert. */
async function stillWorks(page: Page) {
  const p = await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  expect(p.tokens).toHaveLength(7);
  await expect(page.getByTestId('model-name')).toHaveText('Random-weights test fixture (not a policy)');
}

test('each broken model shows a specific error naming the file, field or cause; the old model keeps running', async ({
  page,
}) => {
  expect(nan.tensors).toBeGreaterThan(5);
  await openWith(page, '?task=pick:red-block&seed=2&ep=wasm&model=models/fixture-random/');
  const panel = page.getByTestId('model-panel');
  const error = panel.getByTestId('model-error');
  const cases: { variant: string; name: string; says: RegExp[] }[] = [
    {
      variant: 'truncated',
      name: 'ModelLoadError',
      says: [
        /fault\/truncated\/onnx\/decoder\.onnx/,
        /is truncated: field 7 \(graph\)/,
        /needs \d+ bytes but only \d+ remain/,
      ],
    },
    {
      variant: 'random',
      name: 'ModelLoadError',
      says: [/fault\/random\/onnx\/vision_encoder\.onnx/, /is not an ONNX model/, /start 5a /],
    },
    {
      variant: 'missing-field',
      name: 'ManifestError',
      says: [/fault\/missing-field\/manifest\.json/, /field "control_hz" is missing \(expected number\)/],
    },
    {
      variant: 'wrong-type',
      name: 'ManifestError',
      says: [
        /fault\/wrong-type\/manifest\.json/,
        /field "image\.width" is invalid: expected number, received string/,
      ],
    },
    {
      variant: 'graph-mismatch',
      name: 'GraphContractError',
      says: [
        /fault\/graph-mismatch\/onnx\/decoder\.onnx/,
        /past_key_values\.2\.key/,
        /"decoder\.num_layers"/,
      ],
    },
    {
      variant: 'no-tokenizer',
      name: 'ModelLoadError',
      says: [/fault\/no-tokenizer\/tokenizer\.json/, /HTTP 404/],
    },
  ];
  for (const c of cases) {
    await test.step(c.variant, async () => {
      // Through the UI: Load from URL…
      await panel.getByTestId('model-select').selectOption('__url__');
      await panel.getByTestId('model-url').fill(`${new URL(page.url()).origin}/fault/${c.variant}/`);
      await panel.getByTestId('model-load-url').click();
      await expect(error).toHaveAttribute('data-error', c.name);
      for (const s of c.says) await expect(error).toContainText(s);
      await expect(error).toContainText('Still running fixture-random.');
      await expect(panel.getByTestId('model-status')).toHaveText('ready');
      await stillWorks(page);
    });
  }

  await test.step('unreachable URL', async () => {
    // Nothing listens on the discard port: a real connection refusal, still on 127.0.0.1.
    const name = await page.evaluate(() =>
      window.vla!.loadModel('http://127.0.0.1:9/vla-model').then(
        () => 'loaded',
        (e: Error) => e.name,
      ),
    );
    expect(name).toBe('ModelLoadError');
    await expect(error).toContainText('http://127.0.0.1:9/vla-model/manifest.json: unreachable');
    await stillWorks(page);
  });

  await test.step('NaN logits', async () => {
    // It loads (the graph is valid), but the first step's logits are NaN: named, the episode ends, no crash.
    await page.evaluate(() => window.vla!.loadModel('/fault/nan/'));
    const r = await page.evaluate(() =>
      window.vla!.predict({ instruction: 'pick up the red block' }).then(
        () => 'predicted',
        (e: Error) => `${e.name}: ${e.message}`,
      ),
    );
    expect(r).toMatch(/^InvalidLogitsError: the model produced a non-finite logit \(NaN\)/);
    await expect(error).toHaveAttribute('data-error', 'InvalidLogitsError');
    await expect(error).toContainText('onnx/decoder.onnx: the model produced a non-finite logit (NaN)');
    await page.getByTestId('policy-max-steps').fill('5');
    await page.getByTestId('policy-run').click();
    const status = page.getByTestId('episode-status');
    await expect(status).toHaveAttribute('data-status', 'failure');
    await expect(page.getByTestId('episode-reason')).toContainText('non-finite logit');
    // The sim and the app still work: the expert runs, and a good model loads and predicts again.
    const expert = await page.evaluate(() => window.vla!.runExpert({ seed: 2, task: 'pick:red-block' }));
    expect(expert.steps).toBeGreaterThan(0);
    await page.evaluate(() => window.vla!.loadModel('fixture-random'));
    await expect(error).toHaveCount(0);
    await stillWorks(page);
  });
});

test('empty, 10,000-character, emoji and right-to-left instructions are handled visibly', async ({
  page,
}) => {
  const { errors } = await openWith(page, '?task=pick:red-block&seed=4&ep=wasm&model=models/fixture-random/');
  const box = page.getByTestId('policy-instruction');
  const notice = page.getByTestId('instruction-notice');
  const status = page.getByTestId('episode-status');
  await page.getByTestId('policy-max-steps').fill('3');
  await setPace(page, 'fast');
  await expect(notice).toHaveCount(0);

  await test.step('empty', async () => {
    await box.fill('   ');
    await expect(notice).toHaveText('The instruction is empty: type what the robot should do.');
    await box.press('Enter');
    await page.getByTestId('policy-run').click();
    await page.waitForTimeout(500);
    await expect(status).toHaveAttribute('data-status', 'idle'); // nothing ran
    const e = await page.evaluate(() =>
      window.vla!.predict({ instruction: '' }).then(
        () => 'predicted',
        (x: Error) => `${x.name}: ${x.message}`,
      ),
    );
    expect(e).toBe('PolicyInputError: the instruction is empty: type what the robot should do');
  });

  await test.step('10,000 characters', async () => {
    const long = `${'put the red block in the blue bowl and '.repeat(300).slice(0, 9_999)}x`;
    expect(long).toHaveLength(10_000);
    await box.fill(long);
    await expect(notice).toContainText('10,000 characters');
    await expect(notice).toContainText('reads only the first 512');
    await box.press('Enter');
    await expect(status).toHaveAttribute('data-status', /success|failure/);
    await expect(status).toContainText('3 steps');
    const p = await page.evaluate((t) => window.vla!.predict({ instruction: t }), long);
    expect(p.tokens).toHaveLength(7);
  });

  await test.step('emoji', async () => {
    const text = '🤖 pick up the red block 🟥👍🏽 now 🙏';
    await box.fill(text);
    await expect(notice).toHaveCount(0);
    await box.press('Enter');
    await expect(status).toHaveAttribute('data-status', /success|failure/);
    await expect(status).toContainText('3 steps');
    const p = await page.evaluate((t) => window.vla!.predict({ instruction: t }), text);
    expect(p.tokens).toHaveLength(7);
    await expect(box).toHaveValue(text);
  });

  await test.step('right-to-left', async () => {
    const hebrew = 'הרם את הקובייה האדומה';
    await expect(box).toHaveAttribute('dir', 'auto');
    await box.fill(hebrew);
    expect(await box.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true);
    await box.fill('pick up the red block');
    expect(await box.evaluate((el) => el.matches(':dir(ltr)'))).toBe(true);
    const arabic = 'ضع المكعب الأحمر في الوعاء الأزرق';
    await box.fill(arabic);
    expect(await box.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true);
    await box.press('Enter');
    await expect(status).toHaveAttribute('data-status', /success|failure/);
    await expect(status).toContainText('3 steps');
    const p = await page.evaluate((t) => window.vla!.predict({ instruction: t }), `${hebrew} ${arabic}`);
    expect(p.tokens).toHaveLength(7);
  });
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a worker killed mid-episode is restarted; the episode is marked interrupted and keeps its steps', async ({
  page,
}) => {
  const { errors } = await openWith(page, '?task=pick:red-block&seed=6&ep=wasm&model=models/fixture-random/');
  const status = page.getByTestId('episode-status');
  await page.getByTestId('policy-max-steps').fill('300');
  await setPace(page, 'realtime'); // the kill lands mid-episode
  await page.getByTestId('policy-instruction').fill('pick up the red block');
  await page.getByTestId('policy-run').click();
  await expect(status).toContainText('Running (policy)');
  await expect(status).toContainText(/([3-9]|\d\d+) steps/);
  await page.evaluate(() => window.vla!.debug.terminateWorker());

  await expect(status).toHaveAttribute('data-status', 'interrupted');
  const steps = Number(/(\d+) steps/.exec((await status.textContent()) ?? '')?.[1]);
  expect(steps).toBeGreaterThanOrEqual(3);
  expect(steps).toBeLessThan(300);
  await expect(page.getByTestId('episode-reason')).toHaveText(
    `interrupted at step ${steps}: the inference worker stopped: terminated`,
  );
  await expect(page.getByTestId('episode-interrupted')).toContainText(`Its ${steps} recorded steps are kept`);
  const notice = page.getByTestId('model-notice');
  await expect(notice).toHaveAttribute('data-notice', 'worker-restarted');
  await expect(notice).toContainText(
    'The inference worker stopped: terminated; restarted it and reloaded fixture-random (WASM).',
  );
  await expect(page.getByTestId('model-status')).toHaveText('ready');
  await expect(page.getByTestId('episode-interrupted')).toContainText(`Its ${steps} recorded steps`); // still

  // The restarted worker runs a new episode.
  await setPace(page, 'fast');
  await page.getByTestId('policy-max-steps').fill('4');
  await page.getByTestId('policy-run').click();
  await expect(status).toHaveAttribute('data-status', /success|failure/);
  await expect(status).toContainText('4 steps');

  // Through automation too: runEpisode resolves, marked interrupted, when the worker dies under it.
  const r = await page.evaluate(async () => {
    const run = window.vla!.runEpisode({ seed: 6, task: 'pick:red-block', maxSteps: 100_000 });
    await new Promise((res) => setTimeout(res, 1500));
    await window.vla!.debug.terminateWorker();
    return run;
  });
  expect(r.success).toBe(false);
  expect(r.reason).toMatch(/^interrupted at step \d+: the inference worker stopped: terminated$/);
  expect(r.tokens.length).toBe(r.steps); // the records of the steps before the kill are kept
  expect(r.steps).toBeGreaterThan(0);
  await expect(page.getByTestId('model-status')).toHaveText('ready');
  const p = await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  expect(p.tokens).toHaveLength(7);
  expect(errors).toEqual([]);
});

test('a lost WebGPU device falls back to WASM mid-episode and says so', async ({ page }) => {
  const { ready } = await openWith(
    page,
    '?task=pick:red-block&seed=8&ep=webgpu&model=models/fixture-random/',
  );
  expect(ready.executionProvider).toBe('webgpu');
  const args = { instruction: 'pick up the red block', seed: 8, task: 'pick:red-block' };
  const onGpu = await page.evaluate((a) => window.vla!.predict(a), args);
  await expect(page.getByTestId('model-ep')).toHaveAttribute('data-ep', 'webgpu');

  // An episode on WebGPU; the device is destroyed under it; it finishes on WASM without interruption.
  const status = page.getByTestId('episode-status');
  await page.getByTestId('policy-max-steps').fill('12');
  await setPace(page, 'realtime');
  await page.getByTestId('policy-instruction').fill(args.instruction);
  await page.getByTestId('policy-run').click();
  await expect(status).toContainText(/([2-9]|1[01]) steps/);
  expect(await page.evaluate(() => window.vla!.debug.loseGpuDevice())).toBe(true);

  const ep = page.getByTestId('model-ep');
  await expect(ep).toHaveAttribute('data-ep', 'wasm');
  await expect(page.getByTestId('model-ep-reason')).toContainText(
    /^WebGPU device lost \(destroyed.*\); fell back to WASM$/,
  );
  const notice = page.getByTestId('model-notice');
  await expect(notice).toHaveAttribute('data-notice', 'device-lost');
  await expect(notice).toContainText('fell back to WASM');
  await expect(page.getByTestId('ep-wasm')).toHaveAttribute('aria-pressed', 'true');
  await expect(status).toHaveAttribute('data-status', /success|failure/, { timeout: 60_000 });
  await expect(status).toContainText('12 steps');
  await expect(page.getByTestId('model-error')).toHaveCount(0);

  // The same model on WASM gives the tokens it gave on WebGPU.
  const onWasm = await page.evaluate((a) => window.vla!.predict(a), args);
  expect(onWasm.tokens).toEqual(onGpu.tokens);
  expect(await page.evaluate(() => window.vla!.ready())).toEqual({
    modelId: 'fixture-random',
    executionProvider: 'wasm',
  });
});

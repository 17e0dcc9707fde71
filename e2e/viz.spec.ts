/**
 * e2e for the visualizations of issue 6: each action-distribution chart highlights the bin of the token
 * `window.vla.predict` returned (OpenVLA: index = vocab_size − id, bin = index − 1), also for a past step
 * picked in the timeline; the charts redraw at most once per new step; the attention heatmap follows the
 * focused dimension (keys and selects) and its hottest patch is the one predict's attention says; a
 * model whose manifest declares no attention output shows a message instead of a heatmap; a recording
 * made with another model is labelled with that model's names and units; a finished episode's recording
 * is deletable before the next reset.
 */
import { expect, type Page, test } from '@playwright/test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

interface ManifestLike {
  image: { patch_grid?: [number, number] };
  action: { dims: number; bins: number; vocab_size: number; units: string[] };
  decoder: { attentions?: string; num_layers: number; num_kv_heads: number };
}

/** Like helpers' openPlayground, with room for a slow, shared machine (MuJoCo + model load). */
async function open(page: Page, query: string): Promise<{ errors: string[] }> {
  const errors: string[] = [];
  page.on('console', (m) => {
    // Emscripten's "still waiting on run dependencies" notes (a slow wasm instantiate) are not app errors.
    if (m.type() === 'error' && !/run dependencies|dependency: |\(end of list\)/.test(m.text()))
      errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`/${query}`, { timeout: 240_000 });
  await page.waitForFunction(() => window.vla?.ready !== undefined, null, { timeout: 300_000 });
  return { errors };
}

async function openReady(page: Page, query = '') {
  const opened = await open(page, query);
  const ready = await page.evaluate(() => window.vla!.ready());
  const manifest: ManifestLike = await page.evaluate(
    (id) => fetch(`models/${id}/manifest.json`).then((r) => r.json()),
    ready.modelId,
  );
  return { ...opened, ready, manifest };
}

// Model load plus a few policy steps; generous for a shared, busy test machine.
test.describe.configure({ timeout: 600_000 });

/** The OpenVLA display bin of a token: discretized index vocab_size − id, minus one. */
const binOf = (token: number, vocab: number) => vocab - token - 1;

async function chosenBins(
  page: Page,
): Promise<{ dim: string | null; bin: string | null; step: string | null }[]> {
  return page.getByTestId('action-dist').evaluateAll((els) =>
    els.map((e) => ({
      dim: e.getAttribute('data-dim'),
      bin: e.getAttribute('data-chosen-bin'),
      step: e.getAttribute('data-step'),
    })),
  );
}

/** A hash of the heatmap canvas's pixels, read back in the page. */
function heatmapPixels(page: Page): Promise<string> {
  return page.getByTestId('attention-heatmap').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
    return (h >>> 0).toString(16);
  });
}

test('each action chart highlights the bin of the token predict returned, live and for a past step', async ({
  page,
}) => {
  const { manifest, errors } = await openReady(page, '?task=pick:red-block&seed=3');
  const { dims, vocab_size: V, units } = manifest.action;
  const p = await page.evaluate(() =>
    window.vla!.predict({ instruction: 'pick up the red block', seed: 3, task: 'pick:red-block' }),
  );
  expect(p.tokens).toHaveLength(dims);
  const charts = page.getByTestId('action-dist');
  await expect(charts).toHaveCount(dims);
  const want = p.tokens.map((t) => String(binOf(t, V)));
  await expect.poll(async () => (await chosenBins(page)).map((c) => c.bin)).toEqual(want);
  expect((await chosenBins(page)).map((c) => c.dim)).toEqual(want.map((_, d) => String(d)));
  for (const b of want) expect(Number(b)).toBeGreaterThanOrEqual(0);
  // the value beside each chart is the un-normalized action with its unit; the entropy is in bits
  for (let d = 0; d < dims; d++) {
    const value = (await page.getByTestId(`action-dist-value-${d}`).textContent()) ?? '';
    if (units[d] === 'm') {
      expect(value).toContain('mm');
      const mm = Number.parseFloat(value.replace('−', '-'));
      expect(Math.abs(mm - p.action[d]! * 1000)).toBeLessThan(0.051);
    } else if (units[d] === 'rad') expect(value).toContain('rad');
    const bits = Number.parseFloat((await page.getByTestId(`action-dist-entropy-${d}`).textContent()) ?? '');
    const h = -p.probs[d]!.reduce((s, q) => (q > 0 ? s + q * Math.log2(q) : s), 0);
    expect(bits).toBeCloseTo(h, 1);
  }

  // A short episode: the charts show the last step, redrawn at most once per step.
  const drawsBefore = Number((await charts.first().getAttribute('data-draws')) ?? 0);
  const steps = 6;
  const r = await page.evaluate(
    (n) => window.vla!.runEpisode({ seed: 3, task: 'pick:red-block', maxSteps: n }),
    steps,
  );
  expect(r.tokens).toHaveLength(steps);
  const last = r.tokens[steps - 1]!.map((t) => String(binOf(t, V)));
  await expect.poll(async () => (await chosenBins(page)).map((c) => c.bin)).toEqual(last);
  await expect(page.getByTestId('episode-charts-steps')).toContainText(`${steps} steps`);
  await expect(page.getByTestId('episode-histogram')).toHaveAttribute('data-steps', String(steps));
  const drawsAfter = Number((await charts.first().getAttribute('data-draws')) ?? 0);
  expect(drawsAfter - drawsBefore).toBeGreaterThanOrEqual(1);
  expect(drawsAfter - drawsBefore).toBeLessThanOrEqual(steps);

  // A past step picked in the timeline: every view shows that step's tokens.
  await page.evaluate(() => (window.vla as unknown as { selectStep(i: number): unknown }).selectStep(2));
  const past = r.tokens[2]!.map((t) => String(binOf(t, V)));
  await expect.poll(async () => (await chosenBins(page)).map((c) => c.bin)).toEqual(past);
  await expect(charts.first()).toHaveAttribute('data-step', '2');
  await expect(page.getByTestId('episode-histogram')).toHaveAttribute('data-steps', '3');
  expect(errors).toEqual([]);
});

test('the attention heatmap follows the focused dimension; keys do not fire while typing', async ({
  page,
}) => {
  const { manifest, errors } = await openReady(page, '?task=put:red-block:blue-bowl&seed=4');
  expect(manifest.decoder.attentions).toBeTruthy();
  const grid = manifest.image.patch_grid!;
  const nPatches = grid[0] * grid[1];
  const p = await page.evaluate(() =>
    window.vla!.predict({
      instruction: 'put the red block in the blue bowl',
      seed: 4,
      task: 'put:red-block:blue-bowl',
    }),
  );
  expect(p.attention).toHaveLength(manifest.action.dims);
  const heat = page.getByTestId('attention-heatmap');
  await expect(heat).toBeVisible();
  await expect(heat).toHaveAttribute('data-focus-dim', 'mean');
  const meanHash = await heat.getAttribute('data-heatmap-hash');
  const meanPixels = await heatmapPixels(page);
  expect(meanHash).toMatch(/^[0-9a-f]{8}$/);

  // predict's attention (mean over layers and heads) of a dim → its hottest image patch
  const topPatch = (d: number) => {
    const row = p.attention![d]!.slice(0, nPatches);
    return row.indexOf(Math.max(...row));
  };

  // Key 1 focuses dx, key 7 the gripper: the drawn heatmap (hash and pixels) changes each time.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('1');
  await expect(heat).toHaveAttribute('data-focus-dim', '0');
  await expect(heat).not.toHaveAttribute('data-heatmap-hash', meanHash!);
  await expect(heat).toHaveAttribute('data-top-patch', String(topPatch(0)));
  const dxHash = await heat.getAttribute('data-heatmap-hash');
  const dxPixels = await heatmapPixels(page);
  expect(dxPixels).not.toBe(meanPixels);
  await page.keyboard.press('7');
  await expect(heat).toHaveAttribute('data-focus-dim', '6');
  await expect(heat).not.toHaveAttribute('data-heatmap-hash', dxHash!);
  await expect(heat).toHaveAttribute('data-top-patch', String(topPatch(6)));
  expect(await heatmapPixels(page)).not.toBe(dxPixels);
  await expect(page.getByTestId('attention-dim')).toHaveValue('6');

  // The select does the same; 0 goes back to the mean (same map as before).
  await page.getByTestId('attention-dim').selectOption('2');
  await expect(heat).toHaveAttribute('data-focus-dim', '2');
  await expect(heat).toHaveAttribute('data-top-patch', String(topPatch(2)));
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('0');
  await expect(heat).toHaveAttribute('data-heatmap-hash', meanHash!);

  // Layer and head keys cycle through the model's layers and heads.
  await page.keyboard.press('l');
  await expect(page.getByTestId('attention-layer')).toHaveValue('0');
  await page.keyboard.press('Shift+H');
  await expect(page.getByTestId('attention-head')).toHaveValue(String(manifest.decoder.num_kv_heads - 1));
  await expect(heat).not.toHaveAttribute('data-heatmap-hash', meanHash!);

  // Typing a digit in the instruction box does not move the focus.
  const box = page.getByTestId('policy-instruction');
  await box.fill('');
  await box.pressSequentially('3');
  await expect(box).toHaveValue('3');
  await expect(page.getByTestId('attention-dim')).toHaveValue('mean');

  // The instruction's words get a bar each, and the key kinds share all the attention: the bundled
  // model's keypoint tokens (the objects its encoder located) apart from the patches.
  await expect(page.getByTestId('attention-token')).toHaveCount(8);
  await expect(page.getByTestId('attention-token').first()).toContainText('put');
  await expect(page.getByTestId('attention-shares')).toContainText('image');
  await expect(page.getByTestId('attention-shares')).toContainText('objects');
  await expect(page.getByTestId('keyboard-help-viz')).toContainText('attention');
  expect(errors).toEqual([]);
});

test('a model whose manifest declares no attention output says so, and its action charts still work', async ({
  page,
}) => {
  // The fixture's manifest without decoder.attentions: the graph still has the output; the runtime ignores it.
  await page.context().route('**/models/fixture-random/manifest.json', async (route) => {
    const res = await route.fetch();
    const m = await res.json();
    delete m.decoder.attentions;
    await route.fulfill({ response: res, json: m });
  });
  const { errors } = await open(page, '?model=models/fixture-random/&ep=wasm&task=pick:red-block&seed=1');
  await page.evaluate(() => window.vla!.ready());
  const msg = page.getByTestId('attention-none');
  await expect(msg).toBeVisible();
  await expect(msg).toContainText('does not output attention');
  await expect(page.getByTestId('attention-heatmap')).toHaveCount(0);
  const p = await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  expect(p.attention).toBeUndefined();
  const vocab = await page.evaluate(() =>
    fetch('models/fixture-random/manifest.json')
      .then((r) => r.json())
      .then((m) => m.action.vocab_size as number),
  );
  const want = p.tokens.map((t) => String(binOf(t, vocab)));
  await expect.poll(async () => (await chosenBins(page)).map((c) => c.bin)).toEqual(want);
  await expect(msg).toBeVisible();
  expect(errors).toEqual([]);
});

test("a recording made with another model is drawn with that model's names and units; a finished episode is deletable at once", async ({
  page,
}) => {
  const { manifest, errors } = await openReady(page, '?task=pick:red-block&seed=3');
  const liveNames = await page.evaluate(
    (id) =>
      fetch(`models/${id}/manifest.json`)
        .then((r) => r.json())
        .then((m) => m.action.names as string[]),
    (await page.evaluate(() => window.vla!.ready())).modelId,
  );
  const r = await page.evaluate(() =>
    window.vla!.runEpisode({ seed: 3, task: 'pick:red-block', maxSteps: 3 }),
  );
  expect(r.steps).toBeGreaterThan(1);
  await page.evaluate(() => window.vla!.flushRecordings());
  const [meta] = await page.evaluate(() => window.vla!.listRecordings());
  expect(meta).toMatchObject({ steps: r.steps, status: r.success ? 'success' : 'failure' });

  // The same steps as another model's recording: its own names and units (cm, deg) in the file.
  const otherNames = ['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'grip'].slice(0, manifest.action.dims);
  const otherUnits = ['cm', 'cm', 'cm', 'deg', 'deg', 'deg', '1'].slice(0, manifest.action.dims);
  const exported = await page.evaluate((id) => window.vla!.exportRecording(id), meta!.id);
  const files = unzipSync(new Uint8Array(Buffer.from(exported.base64, 'base64')));
  const doc = JSON.parse(strFromU8(files['recording.json']!));
  doc.meta.model = {
    ...doc.meta.model,
    id: 'other-arm',
    name: 'Other arm',
    action: { ...doc.meta.model.action, names: otherNames, units: otherUnits },
    // A template with no fixed words: every prompt token is instruction, so it gets a bar of its own.
    prompt_template: '{instruction}',
  };
  files['recording.json'] = strToU8(JSON.stringify(doc));
  const other = Buffer.from(zipSync(files)).toString('base64');
  const imported = await page.evaluate((b64) => window.vla!.importRecording(b64), other);
  expect(imported.model?.action.names).toEqual(otherNames);

  const distNames = () => page.locator('.viz-dist-name').allTextContents();
  const legend = page.getByTestId('episode-charts').locator('.viz-series-legend');
  const histNames = () => page.locator('.viz-hist-names span').allTextContents();
  const dimOptions = () => page.getByTestId('attention-dim').locator('option').allTextContents();
  const tokenBars = () => page.getByTestId('attention-token').count();
  // Live: the loaded model's names.
  await expect.poll(distNames).toEqual(liveNames);
  expect(await histNames()).toEqual(liveNames);
  let liveBars = 0;
  if (manifest.decoder.attentions) {
    await expect.poll(tokenBars).toBeGreaterThan(0);
    liveBars = await tokenBars();
  }

  await page.evaluate((id) => window.vla!.openRecording(id), imported.id);
  await expect(page.getByTestId('timeline-recording-model')).toHaveText('Other arm');
  await expect.poll(distNames).toEqual(otherNames);
  await expect(page.getByTestId('action-dist-value-0')).toContainText('cm');
  await expect(page.getByTestId('action-dist-value-3')).toContainText('deg');
  expect(await histNames()).toEqual(otherNames);
  await expect(legend.first()).toContainText('x');
  await expect(legend.filter({ hasText: 'grip' })).toHaveCount(1);
  await expect(page.getByTestId('episode-charts').locator('.viz-series-unit')).toHaveText(['cm', 'deg']);
  if (manifest.decoder.attentions) {
    expect((await dimOptions()).slice(1)).toEqual(otherNames.map((n, i) => `${i + 1} · ${n}`));
    await page.getByTestId('attention-dim').selectOption('6');
    await expect(page.getByTestId('attention-focus')).toContainText('grip');
    // The recording's own template splits the same prompt: its template words get bars too.
    await expect.poll(tokenBars).toBeGreaterThan(liveBars);
  }
  // Back to live: the loaded model's names again.
  await page.getByTestId('timeline-back-live').click();
  await expect.poll(distNames).toEqual(liveNames);
  expect(await histNames()).toEqual(liveNames);

  // The finished live episode's recording is final without a reset: deletable from the panel.
  const row = page.locator(`[data-testid="recording-row"][data-id="${meta!.id}"]`);
  const del = row.getByTestId('recording-delete');
  await expect(del).toBeEnabled();
  await del.click();
  await del.click();
  await expect(row).toHaveCount(0);
  const left = await page.evaluate(() => window.vla!.listRecordings());
  expect(left.map((m) => m.id)).toEqual([imported.id]);
  expect(errors).toEqual([]);
});

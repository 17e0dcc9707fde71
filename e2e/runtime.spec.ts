/**
 * e2e for issue 4 (the in-browser VLA runtime): the default model loads and the panel shows its name and
 * EP; an instruction typed and run with Enter drives the arm for 20 steps with finite actions; predict
 * gives the same tokens on WASM and on WebGPU (SwiftShader); URL parameters pick instruction, EP, model
 * and autorun; a failed load is shown while the old model keeps working. Runs against `vite preview`.
 */
import { expect, type Page, test } from '@playwright/test';
import { openPlayground } from './helpers';

async function openReady(page: Page, query = '') {
  const opened = await openPlayground(page, query);
  await page.waitForFunction(() => typeof window.vla?.ready === 'function', null, { timeout: 30_000 });
  const ready = await page.evaluate(() => window.vla!.ready());
  return { ...opened, ready };
}

test('the default model loads; the model panel shows its name, size and EP', async ({ page }) => {
  const { ready, errors } = await openReady(page);
  expect(ready.modelId).toMatch(/\S/);
  expect(['wasm', 'webgpu']).toContain(ready.executionProvider);
  const manifest = await page.evaluate(
    (id) => fetch(`models/${id}/manifest.json`).then((r) => r.json()),
    ready.modelId,
  );
  const panel = page.getByTestId('model-panel');
  await expect(panel.getByTestId('model-name')).toHaveText(manifest.name);
  await expect(panel.getByTestId('model-size')).toContainText(/\d(\.\d+)? (kB|MB)/);
  await expect(panel.getByTestId('model-ep')).toHaveAttribute('data-ep', ready.executionProvider);
  await expect(panel.getByTestId('model-ep')).toContainText(
    ready.executionProvider === 'wasm' ? 'WASM' : 'WebGPU',
  );
  // auto never takes SwiftShader over WASM, and says why
  expect(ready.executionProvider).toBe('wasm');
  await expect(panel.getByTestId('model-ep-reason')).toContainText(/auto/);
  expect(errors).toEqual([]);
});

test('an instruction typed and run with Enter drives the arm for 20 steps with finite actions', async ({
  page,
}) => {
  const { errors } = await openReady(page, '?task=pick:red-block&seed=3');
  const joints0 = await page.evaluate(() => window.vla!.state().joints);
  await page.getByTestId('policy-max-steps').fill('20');
  const box = page.getByTestId('policy-instruction');
  await box.fill('grab the red cube and lift it');
  await box.press('Enter');
  const status = page.getByTestId('episode-status');
  await expect(status).toHaveAttribute('data-status', /running|success|failure/, { timeout: 10_000 });
  await expect(status).toHaveAttribute('data-status', /success|failure/, { timeout: 45_000 });
  const steps = Number(/(\d+) steps/.exec((await status.textContent()) ?? '')?.[1]);
  expect(steps).toBeGreaterThan(0);
  expect(steps).toBeLessThanOrEqual(20);
  const joints1 = await page.evaluate(() => window.vla!.state().joints);
  const moved = Math.max(...joints1.map((q, i) => Math.abs(q - (joints0[i] ?? q))));
  expect(moved).toBeGreaterThan(1e-3);
  // The action readout shows the last step's 7 finite values; latency is on screen.
  for (let d = 0; d < 7; d++) {
    const txt = (await page.getByTestId(`action-${d}`).textContent()) ?? '';
    expect(Number.isFinite(Number.parseFloat(txt.replace('−', '-')))).toBe(true);
  }
  await expect(page.getByTestId('latency-last')).toContainText(/\d+(\.\d)? ms/);
  await expect(page.getByTestId('model-ep')).toHaveAttribute('data-ep', /wasm|webgpu/);

  // The same loop through automation: 20 steps, every action finite, tokens in the action range.
  const said = 'lift up the crimson cube';
  const r = await page.evaluate(
    (instruction) => window.vla!.runEpisode({ seed: 3, task: 'pick:red-block', instruction, maxSteps: 20 }),
    said,
  );
  expect(r.steps).toBe(20);
  // The Policy panel shows what that call ran, not the defaults.
  await expect(page.getByTestId('policy-instruction')).toHaveValue(said);
  await expect(page.getByTestId('policy-max-steps')).toHaveValue('20');
  expect(r.actions).toHaveLength(20);
  expect(r.tokens).toHaveLength(20);
  expect(r.stepMs).toHaveLength(20);
  for (const a of r.actions) {
    expect(a).toHaveLength(7);
    for (const v of a) expect(Number.isFinite(v)).toBe(true);
  }
  expect(errors).toEqual([]);
});

test('success is checked for the block the typed instruction names, not only the scene task', async ({
  page,
}) => {
  // Seed 0's scene for pick:red-block also holds a purple block (the page a newcomer opens).
  const { errors } = await openReady(page, '?task=pick:red-block&seed=0');
  const blocks = await page.evaluate(() =>
    Object.keys(window.vla!.state().objects).filter((n) => n.endsWith('_block')),
  );
  const other = blocks.find((n) => n !== 'red_block')!.split('_')[0];
  await page.getByTestId('policy-max-steps').fill('3');
  const box = page.getByTestId('policy-instruction');
  const status = page.getByTestId('episode-status');
  const checked = page.getByTestId('episode-task');

  await box.fill(`pick up the ${other} block`);
  await box.press('Enter');
  await expect(status).toHaveAttribute('data-status', /success|failure/, { timeout: 45_000 });
  await expect(checked).toHaveText(`checking pick:${other}-block (from the instruction)`);
  // The recording keeps both: the scene's task (to rebuild the scene) and the task that was checked.
  const metas = await page.evaluate(async () => {
    await window.vla!.flushRecordings();
    return window.vla!.listRecordings();
  });
  const latest = metas.reduce((a, b) => (b.startedAt > a.startedAt ? b : a));
  expect([latest.task, latest.checkedTask]).toEqual(['pick:red-block', `pick:${other}-block`]);

  // The scene's own block: nothing to say.
  await box.fill('pick up the red block');
  await box.press('Enter');
  await expect(status).toHaveAttribute('data-status', /running|success|failure/);
  await expect(status).toHaveAttribute('data-status', /success|failure/, { timeout: 45_000 });
  await expect(checked).toHaveCount(0);

  // window.vla.runEpisode names its task: that one is checked, whatever the instruction says.
  await page.evaluate(
    (instruction) => window.vla!.runEpisode({ seed: 0, task: 'pick:red-block', instruction, maxSteps: 3 }),
    `pick up the ${other} block`,
  );
  await expect(status).toHaveAttribute('data-status', /success|failure/);
  await expect(checked).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('predict gives the same tokens on WASM and on WebGPU (SwiftShader)', async ({ page }) => {
  const { errors } = await openReady(page);
  const args = { instruction: 'put the green block on the yellow plate', seed: 5, task: 'pick:green-block' };
  expect(await page.evaluate(() => window.vla!.setExecutionProvider('wasm'))).toEqual({
    executionProvider: 'wasm',
  });
  const q0 = await page.evaluate(() => window.vla!.state().joints);
  const onWasm = await page.evaluate((a) => window.vla!.predict(a), args);
  expect(onWasm.tokens).toHaveLength(7);
  expect(onWasm.probs).toHaveLength(7);
  for (const p of onWasm.probs) expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 3);

  const gpu = await page.evaluate(() => window.vla!.setExecutionProvider('webgpu'));
  expect(gpu).toEqual({ executionProvider: 'webgpu' });
  await expect(page.getByTestId('model-ep')).toHaveAttribute('data-ep', 'webgpu');
  const onGpu = await page.evaluate((a) => window.vla!.predict(a), args);
  expect(onGpu.tokens).toEqual(onWasm.tokens);
  const maxDiff = Math.max(...onGpu.probs.flat().map((v, i) => Math.abs(v - (onWasm.probs.flat()[i] ?? 0))));
  expect(maxDiff).toBeLessThan(1e-3);
  // predict does not move the arm
  expect(await page.evaluate(() => window.vla!.state().joints)).toEqual(q0);
  // onnxruntime's own WebGPU node-placement notes ("[W:onnxruntime…]") are warnings, not app errors.
  expect(errors.filter((e) => !e.includes('[W:onnxruntime'))).toEqual([]);
});

test('the Decoding select picks each token as the argmax or the median bin of its distribution', async ({
  page,
}) => {
  const { ready, errors } = await openReady(page);
  const manifest = await page.evaluate(
    (id) => fetch(`models/${id}/manifest.json`).then((r) => r.json()),
    ready.modelId,
  );
  const first = manifest.action.vocab_size - manifest.action.bins;
  const args = { instruction: 'push the red block left', seed: 3, task: 'push:red-block:left' };
  const select = page.getByTestId('policy-decoding');
  await expect(select).toHaveValue('model');
  const check = async (mode: 'argmax' | 'median') => {
    await select.selectOption(mode);
    const r = await page.evaluate((a) => window.vla!.predict(a), args);
    const expected = r.probs.map((p) => {
      if (mode === 'argmax') return first + p.indexOf(Math.max(...p));
      const half = p.reduce((s, v) => s + v, 0) / 2;
      let acc = 0;
      for (let k = 0; k < p.length; k++) {
        acc += p[k]!;
        if (acc >= half) return first + k;
      }
      return first + p.length - 1;
    });
    expect(r.tokens).toEqual(expected);
    return r.tokens;
  };
  const greedy = await check('argmax');
  const median = await check('median');
  expect(greedy).toHaveLength(7);
  // The two rules differ on this frame (the distributions are not symmetric), so the choice reached the worker.
  expect(median).not.toEqual(greedy);
  expect(errors).toEqual([]);
});

test('URL parameters set instruction, EP and model and autorun the policy; a bad model URL is shown', async ({
  page,
}) => {
  const text = 'shove the blue cube to the left';
  const q = `?task=push:blue-block:left&seed=7&instruction=${encodeURIComponent(text)}&ep=wasm&model=models/fixture-random/&autorun=1`;
  const { ready } = await openReady(page, q);
  expect(ready.executionProvider).toBe('wasm');
  await expect(page.getByTestId('policy-instruction')).toHaveValue(text);
  await expect(page.getByTestId('ep-wasm')).toHaveAttribute('aria-pressed', 'true');
  const status = page.getByTestId('episode-status');
  await expect(status).toContainText('Running (policy)', { timeout: 15_000 });
  await expect(status).toContainText(/[1-9]\d* steps/, { timeout: 15_000 });
  // Space pauses, Space resumes
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Space');
  await expect(status).toHaveAttribute('data-status', 'paused');
  const pausedAt = await page.evaluate(() => window.vla!.state().time);
  await page.waitForTimeout(400);
  expect(await page.evaluate(() => window.vla!.state().time)).toBe(pausedAt);
  await page.keyboard.press('.');
  await expect.poll(() => page.evaluate(() => window.vla!.state().time)).toBeGreaterThan(pausedAt);
  await expect(status).toHaveAttribute('data-status', 'paused');
  await page.evaluate(() => window.vla!.stop());

  // A model folder that is not there: a typed error in the panel, the old model still predicts.
  const failed = await page.evaluate(() =>
    window.vla!.loadModel('models/no-such-model').then(
      () => 'loaded',
      (e: Error) => e.name,
    ),
  );
  expect(failed).toBe('ModelLoadError');
  await expect(page.getByTestId('model-error')).toContainText('no-such-model');
  await expect(page.getByTestId('model-name')).toBeVisible();
  const p = await page.evaluate(() => window.vla!.predict({ instruction: 'push the blue block left' }));
  expect(p.tokens).toHaveLength(7);
});

/**
 * e2e for the episode timeline and recordings (issue 6): policy steps on the bundled model are written to
 * IndexedDB as they arrive and survive a reload; a recording exported from the panel and imported back
 * has identical tokens and frames; the timeline shows the selected step (index, tokens, thumbnail pixels)
 * and follows the keyboard; a bad file gets a clear message; an episode cut off by a reload, or by a
 * crashed inference worker, is kept as "interrupted"; each recording carries its model's manifest
 * metadata. The tests share one page (serial) so the model loads three times, not eight.
 */
import { type Browser, expect, type Page, test } from '@playwright/test';

const QUERY = '?task=pick:red-block&seed=3';
// Emscripten's "still waiting on run dependencies" notes when MuJoCo's wasm loads slowly are not errors.
const BENIGN = /still waiting on run dependencies|^dependency: |^\(end of list\)$/;

// Generous limits: on a machine shared with a training job the page can take minutes to load the model.
test.describe.configure({ mode: 'serial', timeout: 600_000 });

let page: Page;
const errors: string[] = [];

async function waitReady(p: Page): Promise<void> {
  await p.waitForFunction(
    () => typeof window.vla?.ready === 'function' && typeof window.vla?.listRecordings === 'function',
    null,
    { timeout: 480_000 },
  );
  await p.evaluate(() => window.vla!.ready());
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  test.setTimeout(600_000);
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !BENIGN.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${test.info().project.use.baseURL}/${QUERY}`, { timeout: 120_000 });
  await waitReady(page);
});

test.afterAll(async () => {
  await page?.close();
});

/** FNV-1a of the timeline thumbnail's RGB pixels, in the `WxH:hash` form recordingSteps uses. */
function thumbHash(): Promise<string> {
  return page.getByTestId('timeline-thumb').evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let h = 0x811c9dc5;
    for (let i = 0; i < data.length; i++) {
      if (i % 4 === 3) continue;
      h ^= data[i]!;
      h = Math.imul(h, 0x01000193);
    }
    return `${c.width}x${c.height}:${(h >>> 0).toString(16).padStart(8, '0')}`;
  });
}

const row = (id: string) => page.locator(`[data-testid="recording-row"][data-id="${id}"]`);

let episode: { id: string; status: string; steps: number; tokens: number[][] };

test('policy steps are written to IndexedDB as they run', async () => {
  const r = await page.evaluate(() =>
    window.vla!.runEpisode({ seed: 3, task: 'pick:red-block', maxSteps: 4 }),
  );
  expect(r.steps).toBeGreaterThan(1);
  expect(r.tokens.length).toBe(r.steps);
  await page.evaluate(() => window.vla!.flushRecordings());
  const list = await page.evaluate(() => window.vla!.listRecordings());
  expect(list).toHaveLength(1);
  const meta = list[0]!;
  expect(meta).toMatchObject({ seed: 3, task: 'pick:red-block', steps: r.steps, origin: 'live' });
  expect(meta.status).toBe(r.success ? 'success' : 'failure');
  await expect(row(meta.id)).toHaveAttribute('data-steps', String(r.steps));
  await expect(row(meta.id)).toHaveAttribute('data-status', meta.status);
  // The live timeline holds the episode's steps and follows the latest one.
  await expect(page.getByTestId('timeline-live')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('timeline-step')).toHaveAttribute('data-index', String(r.steps - 1));
  await expect(page.getByTestId('timeline-tokens')).toHaveText(r.tokens.at(-1)!.join(' '));
  episode = { id: meta.id, status: meta.status, steps: r.steps, tokens: r.tokens };
});

test('the recording survives a reload with the same steps and tokens', async () => {
  await page.reload({ timeout: 120_000 });
  await waitReady(page);
  const list = await page.evaluate(() => window.vla!.listRecordings());
  expect(list.map((m) => m.id)).toEqual([episode.id]);
  expect(list[0]).toMatchObject({ steps: episode.steps, status: episode.status });
  const stored = await page.evaluate((id) => window.vla!.recordingSteps(id), episode.id);
  expect(stored.tokens).toEqual(episode.tokens);
  await expect(row(episode.id)).toHaveAttribute('data-status', episode.status);
  await expect(row(episode.id)).toHaveAttribute('data-steps', String(episode.steps));
});

test('export from the panel and import back: identical tokens and frames; the timeline shows the selected step', async () => {
  const original = await page.evaluate((id) => window.vla!.recordingSteps(id), episode.id);
  const downloading = page.waitForEvent('download');
  await row(episode.id).getByTestId('recording-export').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^vla-recording_pick_red-block_seed3_.*\.zip$/);
  await page.getByTestId('recordings-import-input').setInputFiles(await download.path());
  // The import opens in the timeline.
  const banner = page.getByTestId('timeline-recording');
  await expect(banner).toBeVisible();
  const importedId = (await banner.getAttribute('data-id'))!;
  expect(importedId).not.toBe(episode.id);
  await expect(row(importedId)).toHaveAttribute('data-steps', String(episode.steps));
  const imported = await page.evaluate((id) => window.vla!.recordingSteps(id), importedId);
  expect(imported.meta.origin).toBe('import');
  expect(imported.tokens).toEqual(original.tokens);
  expect(imported.frames).toEqual(original.frames);
  // Frames of different steps differ (the arm moved), so the thumbnail checks below mean something.
  expect(new Set(imported.frames).size).toBeGreaterThan(1);

  // Keyboard, buttons and window.vla move the selection; index, tokens and thumbnail follow it.
  const n = episode.steps;
  const label = page.getByTestId('timeline-step');
  const shows = async (i: number) => {
    await expect(label).toHaveAttribute('data-index', String(i));
    // The episode's own step number (0-based, as the other panels show it) and the position in it.
    await expect(label).toHaveText(`step ${i} · ${i + 1} of ${n}`);
    await expect(page.getByTestId('timeline-tokens')).toHaveText(imported.tokens[i]!.join(' '));
    await expect.poll(thumbHash).toBe(imported.frames[i]);
  };
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await shows(0);
  await page.keyboard.press('End');
  await shows(n - 1);
  await page.keyboard.press('ArrowLeft');
  await shows(n - 2);
  await page.keyboard.press('Home');
  await shows(0);
  await page.getByTestId('timeline-next').click();
  await shows(1);
  expect(await page.evaluate(() => window.vla!.selectStep(0))).toMatchObject({
    index: 0,
    tokens: imported.tokens[0],
  });
  await shows(0);
  // Typing in a field does not move the timeline.
  await page.getByTestId('policy-instruction').press('End');
  await shows(0);

  // Back to live.
  await page.getByTestId('timeline-back-live').click();
  await expect(banner).toBeHidden();
  await expect(page.getByTestId('timeline-live')).toHaveAttribute('aria-pressed', 'true');

  // The same round trip through window.vla.
  const exported = await page.evaluate((id) => window.vla!.exportRecording(id), episode.id);
  const again = await page.evaluate((b64) => window.vla!.importRecording(b64), exported.base64);
  const againSteps = await page.evaluate((id) => window.vla!.recordingSteps(id), again.id);
  expect(againSteps.tokens).toEqual(original.tokens);
  expect(againSteps.frames).toEqual(original.frames);
  await page.evaluate((id) => window.vla!.deleteRecording(id), again.id);
  await expect(row(again.id)).toHaveCount(0);
});

test('a file that is not a recording is refused with a clear message', async () => {
  const before = (await page.evaluate(() => window.vla!.listRecordings())).length;
  await page.getByTestId('recordings-import-input').setInputFiles({
    name: 'holiday.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from('these are not the bytes of a zip'),
  });
  await expect(page.getByTestId('recordings-error')).toContainText('Import failed: not a recording file');
  expect(await page.evaluate(() => window.vla!.listRecordings())).toHaveLength(before);
});

test('an episode cut off by a reload keeps its steps and is marked interrupted', async () => {
  await page.evaluate(() => window.vla!.reset({ seed: 5, task: 'pick:blue-block' }));
  // Two single steps: the episode is paused, still open.
  await page.getByTestId('policy-step').click();
  await page.waitForFunction(() => window.vla!.timeline().length === 1, null, { timeout: 120_000 });
  await page.getByTestId('policy-step').click();
  await page.waitForFunction(() => window.vla!.timeline().length === 2, null, { timeout: 120_000 });
  await page.evaluate(() => window.vla!.flushRecordings());
  const [open] = await page.evaluate(() => window.vla!.listRecordings());
  expect(open).toMatchObject({ seed: 5, task: 'pick:blue-block', status: 'recording', steps: 2 });
  await page.reload({ timeout: 120_000 });
  await waitReady(page);
  await page.evaluate(() => window.vla!.flushRecordings());
  const [meta] = await page.evaluate(() => window.vla!.listRecordings());
  expect(meta).toMatchObject({ id: open!.id, status: 'interrupted', steps: 2 });
  await expect(row(open!.id)).toHaveAttribute('data-status', 'interrupted');
  expect(errors).toEqual([]);
});

test('an episode whose inference worker dies is stored as interrupted at once, with its model', async () => {
  const before = new Set((await page.evaluate(() => window.vla!.listRecordings())).map((m) => m.id));
  const r = await page.evaluate(async () => {
    const vla = window.vla!;
    const run = vla.runEpisode({ seed: 6, task: 'pick:red-block', maxSteps: 100_000 });
    // Kill the worker once a few steps are in (as a crash would).
    while (vla.timeline().length < 3) await new Promise((res) => setTimeout(res, 50));
    await vla.debug.terminateWorker();
    return run;
  });
  expect(r.reason).toMatch(/^interrupted at step \d+: the inference worker stopped/);
  await page.evaluate(() => window.vla!.flushRecordings());
  const [meta] = await page.evaluate(() => window.vla!.listRecordings());
  expect(before.has(meta!.id)).toBe(false);
  // Closed with the runner's status and reason right away: no reset has happened.
  expect(meta).toMatchObject({ status: 'interrupted', reason: r.reason, steps: r.steps });
  await expect(row(meta!.id)).toHaveAttribute('data-status', 'interrupted');
  // The model it was recorded with, from its manifest.
  expect(meta!.model).toMatchObject({ id: 'vla-tabletop-s', control_hz: 10 });
  expect(meta!.model!.action.names).toEqual(['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper']);
  expect(meta!.model!.action.units).toEqual(['m', 'm', 'm', 'rad', 'rad', 'rad', '1']);
  // A reset (the next episode) leaves it as it ended; opened, it is labelled with its model.
  await page.evaluate(() => window.vla!.reset({ seed: 7, task: 'pick:red-block' }));
  await page.evaluate(() => window.vla!.flushRecordings());
  const after = await page.evaluate(() => window.vla!.listRecordings());
  expect(after.find((m) => m.id === meta!.id)).toMatchObject({ status: 'interrupted', reason: r.reason });
  await page.evaluate((id) => window.vla!.openRecording(id), meta!.id);
  await expect(page.getByTestId('timeline-recording-model')).toHaveText(meta!.model!.name);
  await expect(page.getByTestId('timeline-action')).toContainText('dx');
  await page.getByTestId('timeline-back-live').click();
  // The app restarts the worker and reloads the model.
  await expect(page.getByTestId('model-status')).toHaveText('ready', { timeout: 240_000 });
  expect(errors).toEqual([]);
});

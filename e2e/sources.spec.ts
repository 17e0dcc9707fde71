/**
 * e2e for the policy's input sources (issue 6, Sources), with Chromium's fake camera
 * (--use-fake-device-for-media-stream): webcam frames reach the policy (its input frame is the fake
 * camera's moving green test pattern, not the sim render) while the sim arm executes the actions; an
 * uploaded image reaches the policy centre-cropped; an uploaded video plays while an episode runs; an
 * unreadable file and a denied or busy camera show a clear message and the policy stays on the sim.
 */
import { type Browser, expect, type Page, test } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { decodeFrame, differingPixels, type Frame, openPlayground } from './helpers';

declare global {
  interface Window {
    __openedStreams?: MediaStream[];
  }
}

const QUERY = '?task=pick:red-block&seed=3';

async function openReady(page: Page, query = QUERY) {
  const opened = await openPlayground(page, query);
  await page.waitForFunction(() => typeof window.vla?.ready === 'function', null, { timeout: 60_000 });
  await page.evaluate(() => window.vla!.ready());
  return opened;
}

/** Fraction of pixels where `test(r, g, b)` holds. */
function share(f: Frame, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < f.width * f.height; i++)
    if (test(f.rgb[3 * i]!, f.rgb[3 * i + 1]!, f.rgb[3 * i + 2]!)) n++;
  return n / (f.width * f.height);
}

/** Chromium's fake camera: a green field (a yellow-green pacman and counters on it). */
const fakeCamGreen = (r: number, g: number, b: number) => g > 90 && g > r + 40 && g > b + 40;

async function policyFrame(page: Page): Promise<Frame & { step: number }> {
  const f = await page.evaluate(() => window.vla!.policyFrame());
  if (!f) throw new Error('no policy step yet');
  return { ...decodeFrame(f), step: f.step };
}

/** A PNG made in the page: three vertical bands red | magenta | blue, `w × h` pixels. */
async function bandsPng(page: Page, w: number, h: number): Promise<Buffer> {
  const b64 = await page.evaluate(
    async ([w, h]) => {
      const c = new OffscreenCanvas(w, h);
      const ctx = c.getContext('2d')!;
      const colors = ['#ff0000', '#ff00ff', '#0000ff'];
      colors.forEach((col, i) => {
        ctx.fillStyle = col;
        ctx.fillRect((i * w) / 3, 0, w / 3, h);
      });
      const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let s = '';
      for (const x of bytes) s += String.fromCharCode(x);
      return btoa(s);
    },
    [w, h] as const,
  );
  return Buffer.from(b64, 'base64');
}

test('webcam frames reach the policy, the sim arm executes the actions, and switching back stops the camera', async ({
  page,
}) => {
  // Keep a handle on every stream the app opens, to see its tracks stop.
  await page.addInitScript(() => {
    const md = navigator.mediaDevices;
    const open = md.getUserMedia.bind(md);
    window.__openedStreams = [];
    md.getUserMedia = async (c) => {
      const s = await open(c);
      window.__openedStreams!.push(s);
      return s;
    };
  });
  const { errors } = await openReady(page);
  const panel = page.getByTestId('source-panel');
  await expect(panel).toHaveAttribute('data-kind', 'sim');
  const sim = decodeFrame(await page.evaluate(() => window.vla!.cameraFrame()));

  // On the sim the policy gets the model camera's frame.
  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const simInput = await policyFrame(page);
  expect(differingPixels(simInput, sim)).toBe(0);

  // Choose the webcam in the panel: the fake device is listed and the preview shows its picture.
  await panel.getByTestId('source-webcam').click();
  await expect(panel).toHaveAttribute('data-kind', 'webcam');
  await expect(panel.getByTestId('source-camera')).toContainText('fake_device_0');
  await expect(panel.getByTestId('source-error')).toHaveCount(0);
  await expect
    .poll(() =>
      page.getByTestId('source-preview').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let green = 0;
        for (let i = 0; i < d.length; i += 4)
          if (d[i + 1]! > d[i]! + 40 && d[i + 1]! > d[i + 2]! + 40) green++;
        return green / (d.length / 4);
      }),
    )
    .toBeGreaterThan(0.6);
  const status = await page.evaluate(() => window.vla!.sourceStatus());
  expect(status.kind).toBe('webcam');
  expect(status.label).toBe('fake_device_0');
  expect(status.input).toEqual({ width: 640, height: 480 });

  // predict: the model's input is the camera's square crop at the model camera size, not the sim render.
  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const a = await policyFrame(page);
  expect([a.width, a.height]).toEqual([sim.width, sim.height]);
  expect(differingPixels(a, sim)).toBeGreaterThan(0.9);
  expect(share(a, fakeCamGreen)).toBeGreaterThan(0.6);
  expect(share(sim, fakeCamGreen)).toBeLessThan(0.05);
  // The fake camera animates: a later frame differs.
  await page.waitForTimeout(700);
  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const b = await policyFrame(page);
  expect(differingPixels(a, b)).toBeGreaterThan(0.005);

  // A closed-loop episode on the webcam: every step's input is the camera; the arm moves in the sim.
  const joints0 = await page.evaluate(() => window.vla!.state().joints);
  const r = await page.evaluate(() =>
    window.vla!.runEpisode({ seed: 3, task: 'pick:red-block', maxSteps: 4 }),
  );
  expect(r.steps).toBe(4);
  for (const act of r.actions) for (const v of act) expect(Number.isFinite(v)).toBe(true);
  const last = await policyFrame(page);
  expect(last.step).toBe(3);
  expect(share(last, fakeCamGreen)).toBeGreaterThan(0.6);
  const joints1 = await page.evaluate(() => window.vla!.state().joints);
  expect(Math.max(...joints1.map((q, i) => Math.abs(q - joints0[i]!)))).toBeGreaterThan(1e-3);

  // Back to the sim: the camera's tracks are stopped and the policy reads the model camera again.
  expect(
    await page.evaluate(() => window.__openedStreams!.flatMap((m) => m.getTracks()).map((t) => t.readyState)),
  ).toEqual(['live']);
  await panel.getByTestId('source-sim').click();
  await expect(panel).toHaveAttribute('data-kind', 'sim');
  expect(
    await page.evaluate(() => window.__openedStreams!.flatMap((m) => m.getTracks()).map((t) => t.readyState)),
  ).toEqual(['ended']);
  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const back = await policyFrame(page);
  const simNow = decodeFrame(await page.evaluate(() => window.vla!.cameraFrame()));
  expect(differingPixels(back, simNow)).toBe(0);
  expect(errors).toEqual([]);
});

test('an uploaded image reaches the policy centre-cropped; an unreadable file falls back to the sim', async ({
  page,
}) => {
  const { errors } = await openReady(page);
  const panel = page.getByTestId('source-panel');
  const png = await bandsPng(page, 300, 100);
  await panel
    .getByTestId('source-image-file')
    .setInputFiles({ name: 'bands.png', mimeType: 'image/png', buffer: png });
  await expect(panel).toHaveAttribute('data-kind', 'image');
  await expect(panel.getByTestId('source-label')).toHaveText('bands.png');
  await expect(panel.getByTestId('source-note')).toContainText('300×100');

  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const f = await policyFrame(page);
  const size = await page.evaluate(() => window.vla!.sourceStatus().frameSize);
  expect([f.width, f.height]).toEqual([size, size]);
  // The centre square of red | magenta | blue is the magenta band.
  expect(share(f, (r, g, b) => r > 200 && g < 60 && b > 200)).toBeGreaterThan(0.9);
  expect(share(f, (r, g, b) => r > 200 && g < 60 && b < 60)).toBe(0);
  // A portrait image is cropped top to bottom: of green / yellow / cyan rows, the policy gets yellow.
  const tall = await page.evaluate(async () => {
    const c = new OffscreenCanvas(90, 270);
    const ctx = c.getContext('2d')!;
    ['#00ff00', '#ffff00', '#00ffff'].forEach((col, i) => {
      ctx.fillStyle = col;
      ctx.fillRect(0, i * 90, 90, 90);
    });
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  });
  const st = await page.evaluate(
    (b64) => window.vla!.setSource('image', { base64: b64, type: 'image/png', name: 'tall.png' }),
    tall,
  );
  expect(st).toMatchObject({ kind: 'image', label: 'tall.png', input: { width: 90, height: 270 } });
  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const t = await policyFrame(page);
  expect(share(t, (r, g, b) => r > 200 && g > 200 && b < 60)).toBeGreaterThan(0.9); // yellow, the middle band

  // Not an image: a clear message naming the file, and the policy is back on the sim camera.
  await panel.getByTestId('source-image-file').setInputFiles({
    name: 'broken.png',
    mimeType: 'image/png',
    buffer: Buffer.from('this is not a PNG'),
  });
  const error = panel.getByTestId('source-error');
  await expect(error).toContainText('“broken.png” could not be read as an image');
  await expect(error).toContainText('The policy is using the sim camera');
  await expect(panel).toHaveAttribute('data-kind', 'sim');
  await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
  const sim = decodeFrame(await page.evaluate(() => window.vla!.cameraFrame()));
  expect(differingPixels(await policyFrame(page), sim)).toBe(0);
  expect(errors).toEqual([]);
});

test('an uploaded video plays while an episode runs and is still otherwise', async ({ page }) => {
  const { errors } = await openReady(page);
  // A WebM recorded in the page: a white bar sweeping left to right across a dark blue field, 40 frames
  // pushed one by one (requestFrame) ~50 ms apart, so a slow machine still records every frame.
  const webm = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 160;
    c.height = 120;
    const ctx = c.getContext('2d')!;
    const stream = c.captureStream(0);
    const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
    const rec = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    const stopped = new Promise((r) => {
      rec.onstop = r;
    });
    rec.start();
    const frames = 40;
    for (let i = 0; i <= frames; i++) {
      ctx.fillStyle = '#102040';
      ctx.fillRect(0, 0, 160, 120);
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(30 + (i / frames) * 100, 0, 20, 120);
      track.requestFrame();
      await new Promise((r) => setTimeout(r, 50));
    }
    rec.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
    let s = '';
    for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  });
  expect(webm.length).toBeGreaterThan(1000);
  const panel = page.getByTestId('source-panel');
  await panel
    .getByTestId('source-video-file')
    .setInputFiles({ name: 'sweep.webm', mimeType: 'video/webm', buffer: Buffer.from(webm, 'base64') });
  await expect(panel).toHaveAttribute('data-kind', 'video');
  await expect(panel.getByTestId('source-label')).toHaveText('sweep.webm');
  expect(await page.evaluate(() => window.vla!.sourceStatus().input)).toEqual({ width: 160, height: 120 });

  // Idle: paused on one frame.
  const still0 = decodeFrame(await page.evaluate(() => window.vla!.sourceFrame()));
  await page.waitForTimeout(600);
  const still1 = decodeFrame(await page.evaluate(() => window.vla!.sourceFrame()));
  expect(differingPixels(still0, still1)).toBe(0);
  // The bar is in the frame (white columns) and the rest is the blue field.
  expect(share(still0, (r, g, b) => r > 200 && g > 200 && b > 200)).toBeGreaterThan(0.05);

  // Running: the video plays, and the policy's input frames move with it.
  await page.getByTestId('policy-max-steps').fill('300');
  await page.getByTestId('policy-instruction').fill('pick up the red block');
  await page.getByTestId('policy-instruction').press('Enter');
  const status = page.getByTestId('episode-status');
  await expect(status).toHaveAttribute('data-status', 'running');
  const movedFrom = async (frame: Promise<{ width: number; height: number; rgbBase64: string } | null>) => {
    const f = await frame;
    return f ? differingPixels(decodeFrame(f), still0) : 0;
  };
  await expect
    .poll(() => movedFrom(page.evaluate(() => window.vla!.sourceFrame())), { timeout: 30_000 })
    .toBeGreaterThan(0.05);
  await expect
    .poll(() => movedFrom(page.evaluate(() => window.vla!.policyFrame())), { timeout: 30_000 })
    .toBeGreaterThan(0.05);
  await page.evaluate(() => window.vla!.stop());
  await expect(status).toHaveAttribute('data-status', /stopped|success|failure/);
  // Paused again once the episode is over.
  const after0 = decodeFrame(await page.evaluate(() => window.vla!.sourceFrame()));
  await page.waitForTimeout(600);
  const after1 = decodeFrame(await page.evaluate(() => window.vla!.sourceFrame()));
  expect(differingPixels(after0, after1)).toBe(0);
  expect(errors).toEqual([]);
});

test('a camera the browser refuses shows the message; the sim stays usable', async ({ playwright }) => {
  // A real refusal: this browser has no fake-UI auto-accept, so headless Chromium denies the prompt.
  const args = chromiumArgs
    .filter((a) => a !== '--use-fake-ui-for-media-stream')
    .concat('--deny-permission-prompts');
  const browser: Browser = await playwright.chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args,
  });
  try {
    const page = await browser.newPage({ baseURL: test.info().project.use.baseURL ?? '' });
    const { errors } = await openReady(page);
    const panel = page.getByTestId('source-panel');
    await panel.getByTestId('source-webcam').click();
    const error = panel.getByTestId('source-error');
    await expect(error).toContainText('Camera permission was denied');
    await expect(error).toContainText('The policy is using the sim camera');
    await expect(error).toHaveAttribute('data-error', 'NotAllowedError');
    await expect(panel).toHaveAttribute('data-kind', 'sim');
    expect(await page.evaluate(() => window.vla!.sourceStatus().error?.name)).toBe('NotAllowedError');
    // The sim stays usable: the policy predicts on the model camera, and an episode runs.
    await page.evaluate(() => window.vla!.predict({ instruction: 'pick up the red block' }));
    const sim = decodeFrame(await page.evaluate(() => window.vla!.cameraFrame()));
    expect(differingPixels(await policyFrame(page), sim)).toBe(0);
    const r = await page.evaluate(() =>
      window.vla!.runEpisode({ seed: 3, task: 'pick:red-block', maxSteps: 3 }),
    );
    expect(r.steps).toBe(3);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('?source=webcam opens the camera at start; one in use elsewhere (NotReadableError) says so', async ({
  page,
}) => {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Could not start video source', 'NotReadableError'));
  });
  const { errors } = await openPlayground(page, `${QUERY}&policy=0&source=webcam`);
  const panel = page.getByTestId('source-panel');
  const error = panel.getByTestId('source-error');
  await expect(error).toContainText('The camera could not be started');
  await expect(error).toHaveAttribute('data-error', 'NotReadableError');
  await expect(panel).toHaveAttribute('data-kind', 'sim');
  // The sim and its scene still work.
  const r = await page.evaluate(() =>
    window.vla!.runExpert({ seed: 3, task: 'pick:red-block', maxSteps: 20 }),
  );
  expect(r.steps).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

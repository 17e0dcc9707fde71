/**
 * Small helpers for the Playwright specs: open the playground and collect console errors, decode
 * `window.vla.cameraFrame()` payloads, and pixel statistics. Node side only; no app imports.
 */
import type { Page } from '@playwright/test';

/**
 * How long the page may take to come up (MuJoCo and the world loaded, window.vla installed), ms: a machine
 * shared with a training job can need minutes. `E2E_PAGE_TIMEOUT_MS` overrides it.
 */
export const PAGE_TIMEOUT_MS = Number(process.env.E2E_PAGE_TIMEOUT_MS) || 120_000;

/**
 * Open the app at `query` (e.g. `?task=…&seed=…`) and wait until bootstrap has installed window.vla (it
 * defines window.vla only with its world calls, so `reset` is there; policy calls come later: `ready()`).
 */
export async function openPlayground(page: Page, query = ''): Promise<{ errors: string[] }> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`/${query}`, { timeout: PAGE_TIMEOUT_MS });
  await page.waitForFunction(() => typeof window.vla?.reset === 'function', null, {
    timeout: PAGE_TIMEOUT_MS,
  });
  return { errors };
}

export interface Frame {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export function decodeFrame(f: { width: number; height: number; rgbBase64: string }): Frame {
  return { width: f.width, height: f.height, rgb: new Uint8Array(Buffer.from(f.rgbBase64, 'base64')) };
}

/** Luma variance over pixels and the number of distinct RGB colours. */
export function frameStats(f: Frame): { variance: number; distinctColors: number } {
  const n = f.width * f.height;
  let sum = 0;
  let sum2 = 0;
  const colors = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = f.rgb[3 * i] ?? 0;
    const g = f.rgb[3 * i + 1] ?? 0;
    const b = f.rgb[3 * i + 2] ?? 0;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += y;
    sum2 += y * y;
    colors.add((r << 16) | (g << 8) | b);
  }
  const mean = sum / n;
  return { variance: sum2 / n - mean * mean, distinctColors: colors.size };
}

/** Fraction of pixels whose RGB differs between two same-size frames. */
export function differingPixels(a: Frame, b: Frame): number {
  const n = a.width * a.height;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const k = 3 * i;
    if (a.rgb[k] !== b.rgb[k] || a.rgb[k + 1] !== b.rgb[k + 1] || a.rgb[k + 2] !== b.rgb[k + 2]) d++;
  }
  return d / n;
}

/**
 * The small closed-loop eval of issue 5 in `npm test`: the trained bundled policy `models/vla-tabletop-s`
 * and the random-action baseline (`window.vla.runRandom`, uniform in the model's q01..q99) run on the same
 * held-out seeds (6 per family, 'seen' split of src/core/splits.ts); the policy must beat the baseline by
 * a clear margin: a one-sided Fisher exact test of the two success counts at p < 0.05 (with the baseline
 * at 0 of 18, that is ≥ 5 of 18). Fails, by design, when the model folder is missing. `VLA_EVAL_MODEL=<id>` points
 * it at another models/ folder (plumbing checks; the random fixture must fail the margin).
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { evalEpisodes } from '../src/core/splits';
import { fisherExactGreater } from '../src/core/stats';
import { TASK_FAMILIES } from '../src/core/task';
import { openPlayground } from './helpers';

const MODEL_ID = process.env.VLA_EVAL_MODEL ?? 'vla-tabletop-s';
/**
 * 18 episodes each: enough that a policy solving about a third of them passes reliably (p < 0.05 needs
 * 5 of 18 against 0), where 12 put it at the threshold (4 of 12, p = 0.047).
 */
const EPISODES_PER_FAMILY = 6;
/**
 * The expert needs ≤ 55 steps on these seeds; 100 leaves a policy room and bounds a failing episode's time.
 * `VLA_EVAL_MAX_STEPS` shortens it for plumbing checks.
 */
const MAX_STEPS = Number(process.env.VLA_EVAL_MAX_STEPS ?? 100);
/** Significance the policy's lead must reach (one-sided Fisher exact test). */
const ALPHA = 0.05;

test('the bundled policy beats the random-action baseline on held-out seeds', async ({ page }) => {
  test.setTimeout(480_000); // ~3 min on an idle 2-core machine; slack for a loaded one
  const folder = `models/${MODEL_ID}`;
  if (!existsSync(`${folder}/manifest.json`)) {
    throw new Error(
      `${folder}/manifest.json is missing: the trained policy has not been exported into ${folder} yet ` +
        '(training/ → npm run export). This eval compares that model with the random baseline.',
    );
  }
  const manifest = JSON.parse(readFileSync(`${folder}/manifest.json`, 'utf8')) as {
    action: { unnorm_key: string; norm_stats: Record<string, { q01: number[]; q99: number[] }> };
  };
  const stats = manifest.action.norm_stats[manifest.action.unnorm_key]!;

  const { errors } = await openPlayground(page, `?model=${folder}&ep=wasm&view=0`);
  await page.waitForFunction(() => typeof window.vla?.runRandom === 'function', null, { timeout: 60_000 });
  const ready = await page.evaluate(() => window.vla!.ready());
  expect(ready.modelId).toBe(MODEL_ID);

  const episodes = TASK_FAMILIES.flatMap((f) => evalEpisodes('seen', f, EPISODES_PER_FAMILY));
  let policyWins = 0;
  let randomWins = 0;
  const lines: string[] = [];
  for (const e of episodes) {
    const p = await page.evaluate((a) => window.vla!.runEpisode(a), {
      seed: e.seed,
      task: e.task,
      instruction: e.instruction,
      maxSteps: MAX_STEPS,
    });
    const r = await page.evaluate((a) => window.vla!.runRandom(a), {
      seed: e.seed,
      task: e.task,
      maxSteps: MAX_STEPS,
    });
    // The baseline really ran: it stepped, and every action lies in the model's q01..q99 box.
    expect(r.steps).toBeGreaterThan(0);
    expect(r.actions).toHaveLength(r.steps);
    for (const a of r.actions)
      a.forEach((v, d) => {
        expect(v).toBeGreaterThanOrEqual(stats.q01[d]!);
        expect(v).toBeLessThanOrEqual(stats.q99[d]!);
      });
    if (p.success) policyWins++;
    if (r.success) randomWins++;
    const verdict = p.success ? `ok in ${p.steps} steps` : p.reason;
    lines.push(
      `${e.task} seed ${e.seed} "${e.instruction}": policy ${verdict}; random ${r.success ? 'ok' : 'fail'}`,
    );
    console.log(lines[lines.length - 1]);
  }
  const n = episodes.length;
  const p = fisherExactGreater(policyWins, n, randomWins, n);
  const summary = `policy ${policyWins}/${n}, random ${randomWins}/${n}, one-sided Fisher p = ${p.toFixed(4)}`;
  test.info().annotations.push({ type: 'eval', description: summary });
  console.log(summary);
  expect(p, `${summary} (need p < ${ALPHA})\n${lines.join('\n')}`).toBeLessThan(ALPHA);
  expect(errors).toEqual([]);
});

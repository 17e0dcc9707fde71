/**
 * The eval CLI's pure parts: argument parsing, model resolution (bundled id, outside folder → mounted,
 * missing → a clear error) and aggregation of episode records into family × split cells with Wilson
 * intervals (golden: 0/2 → [0, z²/(2 + z²)] = [0, 0.6576], 1/2 → [0.0945, 0.9055], by hand from the Wilson formula).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregate, parseArgs, resolveModel } from '../../scripts/eval';

describe('eval CLI', () => {
  it('parses arguments with defaults and rejects bad ones', () => {
    const a = parseArgs([
      '--model',
      'fixture-random',
      '--episodes',
      '3',
      '--split',
      'combo',
      '--family',
      'push',
    ]);
    expect(a).toMatchObject({ model: 'fixture-random', episodes: 3, splits: ['combo'], families: ['push'] });
    expect(a).toMatchObject({ ep: 'wasm', workers: 1, expert: 'node', baseline: false, json: null });
    expect(a.decoding).toBeNull();
    expect(parseArgs(['--model', 'x', '--decoding', 'median']).decoding).toBe('median');
    expect(() => parseArgs(['--model', 'x', '--decoding', 'beam'])).toThrow(/--decoding/);
    expect(parseArgs(['--model', 'x']).splits).toEqual(['seen', 'paraphrase', 'combo']);
    expect(() => parseArgs(['--episodes', '2'])).toThrow(/--model is required/);
    expect(() => parseArgs(['--model', 'x', '--split', 'test'])).toThrow(/--split must be one of/);
    expect(() => parseArgs(['--model', 'x', '--episodes', '0'])).toThrow(/integer/);
  });

  it('resolves a bundled id, an outside folder and a missing one', () => {
    const bundled = resolveModel('fixture-random');
    expect(bundled.pageRef).toBe('models/fixture-random');
    expect(bundled.mounts).toEqual({});
    expect(bundled.manifest?.id).toBe('fixture-random');
    const dir = mkdtempSync(join(tmpdir(), 'vla-eval-'));
    try {
      cpSync('models/fixture-random', join(dir, 'm'), { recursive: true });
      const outside = resolveModel(join(dir, 'm'));
      expect(outside.pageRef).toBe('eval-model');
      expect(outside.mounts).toEqual({ 'eval-model': join(dir, 'm') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => resolveModel('no-such-model')).toThrow(/no manifest\.json.*bundled: .*fixture-random/);
  });

  it('aggregates records into cells with Wilson intervals and ceilings', () => {
    const rec = (family: 'pick' | 'push', success: boolean, expert: boolean) => ({
      family,
      split: 'seen' as const,
      seed: 0,
      task: '',
      instruction: '',
      success,
      steps: 1,
      reason: '',
      wall_ms: 0,
      step_ms_median: 0,
      expert_success: expert,
    });
    const cells = aggregate(
      [
        rec('pick', true, true),
        rec('pick', false, true),
        rec('push', false, false),
        rec('push', false, true),
      ],
      ['pick', 'push'],
      ['seen'],
    );
    expect(cells.map((c) => c.family)).toEqual(['pick', 'push', 'all']);
    const [pick, push, all] = cells;
    expect(pick).toMatchObject({ episodes: 2, successes: 1, success: 0.5, expert_success: 1 });
    expect(pick!.ci95[0]).toBeCloseTo(0.094531, 5);
    expect(pick!.ci95[1]).toBeCloseTo(0.905469, 5);
    expect(push).toMatchObject({ successes: 0, success: 0, expert_successes: 1, expert_success: 0.5 });
    expect(push!.ci95[0]).toBe(0);
    expect(push!.ci95[1]).toBeCloseTo(0.65762, 5);
    expect(all).toMatchObject({ episodes: 4, successes: 1, expert_successes: 3 });
    expect(pick!.random_success).toBeUndefined();
  });
});

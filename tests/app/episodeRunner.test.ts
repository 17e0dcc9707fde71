import { describe, expect, it } from 'vitest';
import { type ActionSource, EpisodeRunner, type RunnerEvent } from '../../src/app/EpisodeRunner';
import { bindRunner } from '../../src/app/store/episodeSlice';
import { Sim } from '../../src/sim/Sim';

const HOLD: ActionSource = { kind: 'policy', act: () => [0, 0, 0, 0, 0, 0, 1] };

describe('EpisodeRunner (real sim in Node)', () => {
  it('runs the expert to success and emits reset → start → step… → end', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    const events: RunnerEvent['type'][] = [];
    runner.subscribe((e) => events.push(e.type));
    const { instruction } = await runner.reset(1, 'pick:red-block');
    expect(instruction).toContain('red block');
    const r = await runner.run(runner.expertSource());
    expect(r.success).toBe(true);
    expect(r.status).toBe('success');
    expect(r.actions).toHaveLength(r.steps);
    expect(events[0]).toBe('reset');
    expect(events[1]).toBe('start');
    expect(events.at(-1)).toBe('end');
    expect(events.filter((t) => t === 'step')).toHaveLength(r.steps);
  });

  it('fails at maxSteps, ends when the source returns null, and stops on reset', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(2, 'pick:blue-block');
    const r = await runner.run(HOLD, { maxSteps: 3 });
    expect([r.status, r.steps]).toEqual(['failure', 3]);
    expect(r.reason).toMatch(/max steps \(3\)/);

    // `step` is the episode's step index: a second run continues the same episode (3 steps so far).
    const ending: ActionSource = {
      kind: 'policy',
      act: (_s, step) => (step < 5 ? [0, 0, 0, 0, 0, 0, 1] : null),
    };
    const r2 = await runner.run(ending);
    expect([r2.status, r2.steps]).toEqual(['failure', 5]);
    expect(r2.reason).toMatch(/^policy ended/);

    const pending = runner.run(HOLD, { pace: 'realtime', maxSteps: 1000 });
    await new Promise((res) => setTimeout(res, 150));
    await runner.reset(2, 'pick:blue-block');
    const r3 = await pending;
    expect(r3.status).toBe('stopped');
    expect(runner.status).toBe('idle');
    expect(runner.steps).toBe(0);
  });

  it('checks success for the task checkTask names, only before the first step, until the next reset', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    const { scene } = await runner.reset(1, 'pick:red-block');
    const other = scene.objects.find((o) => o.kind === 'block' && o.color !== 'red');
    expect(other).toBeDefined();
    const starts: (string | null)[] = [];
    runner.subscribe((e) => e.type === 'start' && starts.push(e.task));
    runner.checkTask(`pick:${other!.color}-block`);
    expect(runner.checkedTask).toBe(`pick:${other!.color}-block`);
    // The expert lifts the red block: a success for the scene's task, not for the one now checked.
    const r = await runner.run(runner.expertSource(), { maxSteps: 120 });
    expect([r.status, r.steps]).toEqual(['failure', 120]);
    expect(starts).toEqual([`pick:${other!.color}-block`]);
    expect(() => runner.checkTask('pick:red-block')).toThrow(/already started/);

    await runner.reset(1, 'pick:red-block');
    expect(runner.checkedTask).toBe('pick:red-block');
    expect((await runner.run(runner.expertSource(), { maxSteps: 120 })).success).toBe(true);
  });
});

describe('EpisodeRunner fast pace yields', () => {
  it('starts the next act before work a step scheduled for later, when the source yields on its own', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(1, 'pick:red-block');
    const log: string[] = [];
    // A worker-like source: each action arrives in a later task, after more than the 40 ms fast slice.
    const slow: ActionSource = {
      kind: 'policy',
      act: async (_s, step) => {
        log.push(`act${step}`);
        await new Promise((r) => setTimeout(r, 45));
        return [0, 0, 0, 0, 0, 0, 1];
      },
    };
    runner.subscribe((e) => {
      if (e.type === 'step') setTimeout(() => log.push(`later${e.steps - 1}`), 0);
    });
    await runner.run(slow, { maxSteps: 3 });
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['act0', 'act1', 'later0', 'act2', 'later1', 'later2']);
  });

  it('still yields to the event loop during a long run of a synchronous source', async () => {
    const runner = new EpisodeRunner(await Sim.create());
    await runner.reset(1, 'pick:red-block');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const busy: ActionSource = {
      kind: 'policy',
      act: () => {
        const until = performance.now() + 5;
        while (performance.now() < until) {
          /* a synchronous source that takes 5 ms per action */
        }
        return [0, 0, 0, 0, 0, 0, 1];
      },
    };
    const r = await runner.run(busy, { maxSteps: 40 });
    clearInterval(timer);
    expect(r.steps).toBe(40);
    expect(ticks).toBeGreaterThanOrEqual(3); // ≥ 200 ms of stepping: a turn at least every 40 ms
  });
});

describe('bindRunner', () => {
  it('passes non-step events through and coalesces step bursts', async () => {
    let listener: (e: RunnerEvent) => void = () => {};
    const fake = {
      subscribe: (l: (e: RunnerEvent) => void) => {
        listener = l;
        return () => {};
      },
    };
    const seen: string[] = [];
    bindRunner(fake, (e) => seen.push(e.type === 'step' ? `step${e.steps}` : e.type), 50);
    const step = (n: number) => ({ type: 'step', steps: n }) as unknown as RunnerEvent;
    listener({ type: 'start', source: 'expert', maxSteps: 10, task: 'pick:red-block' });
    for (let i = 1; i <= 5; i++) listener(step(i));
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toEqual(['start', 'step1', 'step5']);
  });
});

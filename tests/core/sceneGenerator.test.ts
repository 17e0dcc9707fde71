import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/prng';
import {
  BLOCK_HALF,
  BOWL_RADIUS,
  generateScene,
  PLATE_RADIUS,
  randomTaskId,
  sampleTask,
  WORKSPACE,
} from '../../src/core/sceneGenerator';
import { allTaskIds, parseTask, TASK_FAMILIES } from '../../src/core/task';
import type { SceneObject, SceneSpec } from '../../src/core/types';
import { pushDirectionVector } from '../../src/core/viewFrame';

// Footprint radii worked out from the sizes: a cube's half-diagonal, the container radii.
const R = { block: 0.02 * Math.SQRT2, bowl: 0.065, plate: 0.07 } as const;
const CLEARANCE = 0.035;

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);

function checkScene(scene: SceneSpec) {
  const task = parseTask(scene.task);
  const names = scene.objects.map((o) => o.name);
  expect(new Set(names).size).toBe(names.length);
  for (const o of scene.objects) expect(o.name).toBe(`${o.color}_${o.kind}`);
  const block = scene.objects[0]!;
  expect(block.name).toBe(`${task.color}_block`);
  const nRef = task.family === 'put' ? 2 : 1;
  if (task.family === 'put') {
    expect(scene.objects[1]!.name).toBe(`${task.target.color}_${task.target.kind}`);
    expect(dist(block.xy, scene.objects[1]!.xy)).toBeGreaterThanOrEqual(0.15);
  }
  const distractors = scene.objects.length - nRef;
  expect(distractors).toBeGreaterThanOrEqual(1);
  expect(distractors).toBeLessThanOrEqual(4);
  for (const o of scene.objects) {
    const r = R[o.kind];
    expect(o.xy[0] - r).toBeGreaterThanOrEqual(0.3 - 1e-9);
    expect(o.xy[0] + r).toBeLessThanOrEqual(0.65 + 1e-9);
    expect(o.xy[1] - r).toBeGreaterThanOrEqual(-0.28 - 1e-9);
    expect(o.xy[1] + r).toBeLessThanOrEqual(0.28 + 1e-9);
    if (o.kind === 'block') expect(Math.abs(o.yaw)).toBeLessThanOrEqual(Math.PI / 4);
    else expect(Math.abs(o.yaw)).toBeLessThanOrEqual(Math.PI);
  }
  for (let i = 0; i < scene.objects.length; i++) {
    for (let j = i + 1; j < scene.objects.length; j++) {
      const a = scene.objects[i] as SceneObject;
      const b = scene.objects[j] as SceneObject;
      expect(dist(a.xy, b.xy)).toBeGreaterThanOrEqual(R[a.kind] + R[b.kind] + CLEARANCE - 1e-9);
    }
  }
  if (task.family === 'push') {
    const d = pushDirectionVector(scene.camera, task.direction);
    // The block's end point after 15 cm of travel stays inside the workspace…
    const end = [block.xy[0] + 0.15 * d[0], block.xy[1] + 0.15 * d[1]];
    expect(end[0]! - R.block).toBeGreaterThanOrEqual(0.3 - 1e-9);
    expect(end[0]! + R.block).toBeLessThanOrEqual(0.65 + 1e-9);
    expect(end[1]! - R.block).toBeGreaterThanOrEqual(-0.28 - 1e-9);
    expect(end[1]! + R.block).toBeLessThanOrEqual(0.28 + 1e-9);
    // …and every other object keeps clear of the swept path (sampled every 5 mm).
    for (const o of scene.objects.slice(1)) {
      for (let s = 0; s <= 0.15; s += 0.005) {
        const p = [block.xy[0] + s * d[0], block.xy[1] + s * d[1]];
        expect(dist(p, o.xy)).toBeGreaterThanOrEqual(R.block + R[o.kind] + CLEARANCE - 1e-9);
      }
    }
  }
  // Lighting, table and camera jitter ranges.
  expect(scene.light.intensity).toBeGreaterThanOrEqual(0.8);
  expect(scene.light.intensity).toBeLessThanOrEqual(1.2);
  expect(scene.light.dir[2]).toBeLessThan(0);
  expect(scene.light.ambient).toBeGreaterThan(0);
  expect(scene.light.ambient).toBeLessThan(1);
  for (const c of scene.tableRgb) {
    expect(c).toBeGreaterThan(0.5);
    expect(c).toBeLessThan(0.7);
  }
  const nominal = { pos: [1.05, 0, 0.55], target: [0.45, 0, 0] };
  for (let k = 0; k < 3; k++) {
    expect(Math.abs(scene.camera.pos[k]! - nominal.pos[k]!)).toBeLessThanOrEqual(0.004);
    expect(Math.abs(scene.camera.target[k]! - nominal.target[k]!)).toBeLessThanOrEqual(0.002);
  }
  expect(Math.abs(scene.camera.fovy - 45)).toBeLessThanOrEqual(0.4);
  return distractors;
}

describe('generateScene', () => {
  it('exports the agreed dimensions', () => {
    expect(BLOCK_HALF).toBe(0.02);
    expect(BOWL_RADIUS).toBe(0.065);
    expect(PLATE_RADIUS).toBe(0.07);
    expect(WORKSPACE).toEqual({ xMin: 0.3, xMax: 0.65, yMin: -0.28, yMax: 0.28 });
  });

  it('is deterministic: same (seed, task) → deep-equal spec', () => {
    for (const task of ['pick:red-block', 'put:blue-block:green-bowl', 'push:orange-block:back']) {
      expect(generateScene(17, task)).toEqual(generateScene(17, task));
    }
    expect(generateScene(17, 'pick:red-block')).not.toEqual(generateScene(18, 'pick:red-block'));
  });

  it('records the seed and canonical task', () => {
    const s = generateScene(5, ' pick:red-block');
    expect(s.seed).toBe(5);
    expect(s.task).toBe('pick:red-block');
  });

  it('satisfies the placement rules for every task id', () => {
    for (const id of allTaskIds()) for (const seed of [0, 1, 2]) checkScene(generateScene(seed, id));
  });

  it('satisfies the placement rules over many seeds, with 1 to 4 distractors all occurring', () => {
    const counts = new Set<number>();
    for (let seed = 0; seed < 400; seed++) {
      const family = TASK_FAMILIES[seed % 3]!;
      counts.add(checkScene(generateScene(seed, sampleTask(seed, family))));
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
  });

  it('rejects a bad task id', () => {
    expect(() => generateScene(0, 'pick:pink-block')).toThrow(/unknown color/);
  });
});

describe('task sampling', () => {
  it('sampleTask is deterministic and respects the family', () => {
    expect(sampleTask(3)).toBe(sampleTask(3));
    for (let s = 0; s < 50; s++) {
      for (const f of TASK_FAMILIES) expect(parseTask(sampleTask(s, f)).family).toBe(f);
    }
  });

  it('randomTaskId covers every family', () => {
    const rng = new Rng(1);
    const fams = new Set<string>();
    for (let i = 0; i < 100; i++) fams.add(parseTask(randomTaskId(rng)).family);
    expect([...fams].sort()).toEqual(['pick', 'push', 'put']);
  });
});

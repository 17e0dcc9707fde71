import { describe, expect, it } from 'vitest';
import { taskForInstruction } from '../../src/core/instructionTask';
import { generateScene } from '../../src/core/sceneGenerator';
import { fillTemplate, PARAPHRASE_TEMPLATES, TRAINING_TEMPLATES } from '../../src/core/splits';
import { allTaskIds, parseTask } from '../../src/core/task';
import type { SceneSpec } from '../../src/core/types';

/** A scene with exactly the given objects (name `${color}_${kind}`); the rest of the spec from a real scene. */
function sceneWith(names: string[]): SceneSpec {
  const base = generateScene(1, 'pick:red-block');
  return {
    ...base,
    objects: names.map((name, i) => {
      const [color, kind] = name.split('_') as [
        SceneSpec['objects'][number]['color'],
        'block' | 'bowl' | 'plate',
      ];
      return { name, kind, color, xy: [0.4 + 0.05 * i, 0], yaw: 0 };
    }),
  };
}

describe('taskForInstruction', () => {
  it('reads back the task from every training and held-out template, in the scene made for that task', () => {
    const misses: string[] = [];
    for (const task of allTaskIds()) {
      const family = parseTask(task).family;
      const scene = generateScene(7, task);
      for (const t of [...TRAINING_TEMPLATES[family], ...PARAPHRASE_TEMPLATES[family]]) {
        const text = fillTemplate(t, task);
        const got = taskForInstruction(text, scene);
        if (got !== task) misses.push(`${task}: "${text}" → ${got}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('retargets to another block of the scene', () => {
    const scene = sceneWith(['red_block', 'purple_block', 'blue_bowl']);
    expect(taskForInstruction('pick up the purple block', scene)).toBe('pick:purple-block');
    expect(taskForInstruction('Put the PURPLE block into the blue bowl!', scene)).toBe(
      'put:purple-block:blue-bowl',
    );
    expect(taskForInstruction('slide the purple cube toward the left', scene)).toBe('push:purple-block:left');
    expect(taskForInstruction('shove the purple block towards the camera', scene)).toBe(
      'push:purple-block:back',
    );
    expect(taskForInstruction('drop the red block in the blue one', scene)).toBe('put:red-block:blue-bowl');
  });

  it('gives null when the instruction does not resolve to objects of the scene', () => {
    const scene = sceneWith(['red_block', 'green_plate', 'green_bowl']);
    expect(taskForInstruction('pick up the block', scene)).toBeNull(); // no colour
    expect(taskForInstruction('pick up the yellow block', scene)).toBeNull(); // not in the scene
    expect(taskForInstruction('put the red block in the blue bowl', scene)).toBeNull(); // no blue bowl
    expect(taskForInstruction('put the red block in the green one', scene)).toBeNull(); // bowl or plate?
    expect(taskForInstruction('push the red block', scene)).toBeNull(); // push without a direction
    expect(taskForInstruction('🤖 ✨', scene)).toBeNull();
    expect(taskForInstruction('', scene)).toBeNull();
  });

  it('takes the first block colour as the block and a later colour as the container', () => {
    const scene = sceneWith(['red_block', 'blue_block', 'red_plate', 'blue_bowl']);
    expect(taskForInstruction('put the red block on the red plate', scene)).toBe('put:red-block:red-plate');
    expect(taskForInstruction('set the blue block down on the red plate', scene)).toBe(
      'put:blue-block:red-plate',
    );
  });
});

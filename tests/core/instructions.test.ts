import { describe, expect, it } from 'vitest';
import {
  defaultInstruction,
  INSTRUCTION_TEMPLATES,
  instructionTemplates,
  renderInstruction,
} from '../../src/core/instructions';
import { allTaskIds, TASK_FAMILIES } from '../../src/core/task';

describe('instructions', () => {
  it('default instructions per family', () => {
    expect(defaultInstruction('pick:red-block')).toBe('pick up the red block');
    expect(defaultInstruction('put:red-block:blue-bowl')).toBe('put the red block in the blue bowl');
    expect(defaultInstruction('put:red-block:green-plate')).toBe('put the red block on the green plate');
    expect(defaultInstruction('push:red-block:left')).toBe('push the red block to the left');
    expect(defaultInstruction('push:red-block:forward')).toBe('push the red block forward');
  });

  it('has at least four distinct phrasings per family', () => {
    for (const f of TASK_FAMILIES) {
      const t = instructionTemplates(f);
      expect(t.length).toBeGreaterThanOrEqual(4);
      expect(new Set(t).size).toBe(t.length);
      expect(t).toBe(INSTRUCTION_TEMPLATES[f]);
    }
  });

  it('renders specific phrasings', () => {
    expect(renderInstruction('pick:blue-block', 1)).toBe('lift the blue block');
    expect(renderInstruction('put:yellow-block:purple-plate', 2)).toBe(
      'move the yellow block onto the purple plate',
    );
    expect(renderInstruction('put:yellow-block:purple-bowl', 3)).toBe(
      'drop the yellow block into the purple bowl',
    );
    expect(renderInstruction('push:green-block:right', 1)).toBe('slide the green block right');
    expect(renderInstruction('push:green-block:forward', 2)).toBe(
      'shove the green block away from the camera',
    );
    expect(renderInstruction('push:green-block:back', 2)).toBe('shove the green block toward the camera');
  });

  it('fills every placeholder of every template for every task', () => {
    for (const id of allTaskIds()) {
      const family = id.split(':')[0] as (typeof TASK_FAMILIES)[number];
      for (let i = 0; i < INSTRUCTION_TEMPLATES[family].length; i++) {
        const s = renderInstruction(id, i);
        expect(s).not.toMatch(/[{}]/);
        expect(s).toContain(id.split(':')[1]!.split('-')[0]!);
      }
    }
  });

  it('rejects a bad template index or task id', () => {
    expect(() => renderInstruction('pick:red-block', 99)).toThrow(/out of range/);
    expect(() => renderInstruction('pick:red-block', -1)).toThrow(/out of range/);
    expect(() => renderInstruction('pick:red-block', 0.5)).toThrow(/out of range/);
    expect(() => defaultInstruction('pick:pink-block')).toThrow(/unknown color/);
  });
});

import { describe, expect, it } from 'vitest';
import { allTaskIds, formatTask, parseTask, TaskParseError, taskReferents } from '../../src/core/task';

describe('task ids', () => {
  it('parses each family', () => {
    expect(parseTask('pick:red-block')).toEqual({ family: 'pick', color: 'red' });
    expect(parseTask('put:green-block:blue-bowl')).toEqual({
      family: 'put',
      color: 'green',
      target: { color: 'blue', kind: 'bowl' },
    });
    expect(parseTask('push:yellow-block:forward')).toEqual({
      family: 'push',
      color: 'yellow',
      direction: 'forward',
    });
  });

  it('round-trips every task id', () => {
    const ids = allTaskIds();
    // 6 colors: 6 pick + 6*6*2 put + 6*4 push.
    expect(ids.length).toBe(6 + 72 + 24);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(formatTask(parseTask(id))).toBe(id);
  });

  it.each([
    ['pick:pink-block', /unknown color "pink"/],
    ['pick:red-bowl', /must be a block/],
    ['pick:red', /missing object kind/],
    ['put:red-block:blue-block', /bowl or plate, got "block"/],
    ['put:red-block:teal-bowl', /unknown color "teal"/],
    ['push:red-block:up', /push direction must be one of left, right, forward, back/],
    ['lift:red-block', /expected pick:/],
    ['pick:red-block:extra', /expected pick:/],
    ['', /unknown color/],
  ])('rejects %s with a message naming the problem', (id, message) => {
    expect(() => parseTask(id)).toThrow(TaskParseError);
    expect(() => parseTask(id)).toThrow(message);
  });

  it('names the referents: block first, then the container', () => {
    expect(taskReferents(parseTask('pick:red-block'))).toEqual(['red_block']);
    expect(taskReferents(parseTask('put:red-block:blue-plate'))).toEqual(['red_block', 'blue_plate']);
    expect(taskReferents(parseTask('push:orange-block:left'))).toEqual(['orange_block']);
  });
});

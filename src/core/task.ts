/**
 * Task ids and their parsing. Families:
 *   pick:<color>-block
 *   put:<color>-block:<color>-<bowl|plate>
 *   push:<color>-block:<left|right|forward|back>
 * Pure; no DOM.
 */
import {
  COLORS,
  CONTAINER_KINDS,
  type Color,
  type ContainerKind,
  isColor,
  isContainerKind,
} from './vocabulary';

export const TASK_FAMILIES = ['pick', 'put', 'push'] as const;
export type TaskFamily = (typeof TASK_FAMILIES)[number];
export const PUSH_DIRECTIONS = ['left', 'right', 'forward', 'back'] as const;
export type PushDirection = (typeof PUSH_DIRECTIONS)[number];

export type Task =
  | { family: 'pick'; color: Color }
  | { family: 'put'; color: Color; target: { color: Color; kind: ContainerKind } }
  | { family: 'push'; color: Color; direction: PushDirection };

export class TaskParseError extends Error {
  override name = 'TaskParseError';
}

/** Parse a task id; throws TaskParseError naming the bad part. */
export function parseTask(id: string): Task {
  const parts = id.trim().split(':');
  const family = parts[0];
  const block = parseColored(parts[1], id);
  if (block.kind !== 'block') throw new TaskParseError(`task "${id}": the object must be a block`);
  if (family === 'pick' && parts.length === 2) return { family, color: block.color };
  if (family === 'put' && parts.length === 3) {
    const target = parseColored(parts[2], id);
    if (!isContainerKind(target.kind)) {
      throw new TaskParseError(`task "${id}": the target must be a bowl or plate, got "${target.kind}"`);
    }
    return { family, color: block.color, target: { color: target.color, kind: target.kind } };
  }
  if (family === 'push' && parts.length === 3) {
    const direction = parts[2] as PushDirection;
    if (!PUSH_DIRECTIONS.includes(direction)) {
      throw new TaskParseError(`task "${id}": push direction must be one of ${PUSH_DIRECTIONS.join(', ')}`);
    }
    return { family, color: block.color, direction };
  }
  throw new TaskParseError(
    `task "${id}": expected pick:<color>-block, put:<color>-block:<color>-<bowl|plate> or push:<color>-block:<direction>`,
  );
}

function parseColored(part: string | undefined, id: string): { color: Color; kind: string } {
  const [color, kind] = (part ?? '').split('-');
  if (!color || !isColor(color)) throw new TaskParseError(`task "${id}": unknown color "${color ?? ''}"`);
  if (!kind) throw new TaskParseError(`task "${id}": missing object kind after "${color}"`);
  return { color, kind };
}

export function formatTask(task: Task): string {
  switch (task.family) {
    case 'pick':
      return `pick:${task.color}-block`;
    case 'put':
      return `put:${task.color}-block:${task.target.color}-${task.target.kind}`;
    case 'push':
      return `push:${task.color}-block:${task.direction}`;
  }
}

/** Every task id of every family, in a stable order. */
export function allTaskIds(): string[] {
  const ids: string[] = [];
  for (const c of COLORS) ids.push(`pick:${c}-block`);
  for (const c of COLORS)
    for (const t of COLORS) for (const k of CONTAINER_KINDS) ids.push(`put:${c}-block:${t}-${k}`);
  for (const c of COLORS) for (const d of PUSH_DIRECTIONS) ids.push(`push:${c}-block:${d}`);
  return ids;
}

/** Scene object names a task refers to: the block first, then the container if any. */
export function taskReferents(task: Task): string[] {
  const names = [`${task.color}_block`];
  if (task.family === 'put') names.push(`${task.target.color}_${task.target.kind}`);
  return names;
}

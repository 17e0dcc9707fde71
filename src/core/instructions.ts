/**
 * Natural-language instructions for task ids: one table of phrasings per family (the first is the
 * default) and a renderer that fills colors, containers and push directions as the model camera's
 * viewer sees them. Pure data and string code; must not import DOM, three.js, ORT, React or mujoco.
 */
import { type PushDirection, parseTask, type TaskFamily } from './task';
import type { ContainerKind } from './vocabulary';

/**
 * Instruction templates per family; index 0 is the default. Placeholders:
 * `{color}` block color; `{tcolor}` container color; `{container}` bowl|plate;
 * `{in}` in|on and `{into}` into|onto (bowl|plate); `{dir}` left|right|forward|back;
 * `{to_dir}` "to the left"|"to the right"|"forward"|"back"; `{cam_dir}` "to the left"|"to the right"|
 * "away from the camera"|"toward the camera". A later split may mark some as held-out paraphrases.
 */
export const INSTRUCTION_TEMPLATES: Readonly<Record<TaskFamily, readonly string[]>> = {
  pick: [
    'pick up the {color} block',
    'lift the {color} block',
    'grab the {color} block and raise it',
    'raise the {color} block off the table',
    'take the {color} block and hold it up',
  ],
  put: [
    'put the {color} block {in} the {tcolor} {container}',
    'place the {color} block {in} the {tcolor} {container}',
    'move the {color} block {into} the {tcolor} {container}',
    'drop the {color} block {into} the {tcolor} {container}',
    'set the {color} block down {in} the {tcolor} {container}',
  ],
  push: [
    'push the {color} block {to_dir}',
    'slide the {color} block {dir}',
    'shove the {color} block {cam_dir}',
    'nudge the {color} block {to_dir} along the table',
    'push the {color} block {cam_dir} without lifting it',
  ],
};

/** Direction phrasings from the model camera's view, per placeholder. */
export const DIRECTION_PHRASES: Readonly<
  Record<'dir' | 'to_dir' | 'cam_dir', Record<PushDirection, string>>
> = {
  dir: { left: 'left', right: 'right', forward: 'forward', back: 'back' },
  to_dir: { left: 'to the left', right: 'to the right', forward: 'forward', back: 'back' },
  cam_dir: {
    left: 'to the left',
    right: 'to the right',
    forward: 'away from the camera',
    back: 'toward the camera',
  },
};

const CONTAINER_PREP: Record<ContainerKind, { in: string; into: string }> = {
  bowl: { in: 'in', into: 'into' },
  plate: { in: 'on', into: 'onto' },
};

/** The templates of one family (index 0 is the default). */
export function instructionTemplates(family: TaskFamily): readonly string[] {
  return INSTRUCTION_TEMPLATES[family];
}

/** Fill template `templateIndex` of the task's family; throws on a bad task id or index. */
export function renderInstruction(taskId: string, templateIndex: number): string {
  const task = parseTask(taskId);
  const templates = INSTRUCTION_TEMPLATES[task.family];
  const template = templates[templateIndex];
  if (template === undefined || !Number.isInteger(templateIndex)) {
    throw new RangeError(
      `renderInstruction: template index ${templateIndex} out of range 0..${templates.length - 1} for ${task.family}`,
    );
  }
  const values: Record<string, string> = { color: task.color };
  if (task.family === 'put') {
    values.tcolor = task.target.color;
    values.container = task.target.kind;
    values.in = CONTAINER_PREP[task.target.kind].in;
    values.into = CONTAINER_PREP[task.target.kind].into;
  } else if (task.family === 'push') {
    values.dir = DIRECTION_PHRASES.dir[task.direction];
    values.to_dir = DIRECTION_PHRASES.to_dir[task.direction];
    values.cam_dir = DIRECTION_PHRASES.cam_dir[task.direction];
  }
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined)
      throw new Error(`renderInstruction: template "${template}" has unknown placeholder ${whole}`);
    return v;
  });
}

/** The default instruction of a task (its family's first template). */
export function defaultInstruction(taskId: string): string {
  return renderInstruction(taskId, 0);
}

/**
 * Dataset and evaluation splits, all in this one file: training instruction templates vs held-out
 * paraphrases (words no training instruction uses), training vs held-out colour–object combinations,
 * and training vs evaluation seed ranges. Pure and deterministic; must not import DOM, three.js, ORT,
 * React or mujoco.
 */
import { DIRECTION_PHRASES, INSTRUCTION_TEMPLATES } from './instructions';
import { mix32, Rng } from './prng';
import {
  allTaskIds,
  formatTask,
  type PushDirection,
  parseTask,
  TASK_FAMILIES,
  type TaskFamily,
} from './task';
import type { ContainerKind } from './vocabulary';

export type EvalSplit = 'seen' | 'paraphrase' | 'combo';
export const EVAL_SPLITS: readonly EvalSplit[] = ['seen', 'paraphrase', 'combo'];

/**
 * Seeds: training episodes use seeds in [train.start, train.end); evaluation episode i of (split, family)
 * uses `eval[split] + familyIndex × familyStride + i` (familyIndex in TASK_FAMILIES order), so no
 * evaluation scene is ever a training scene and the splits never share a scene.
 */
export const SPLIT_SEEDS = {
  train: { start: 0, end: 1_000_000 },
  eval: { seen: 1_000_000, paraphrase: 2_000_000, combo: 3_000_000 },
  familyStride: 100_000,
} as const;

/**
 * Extra training phrasings beyond INSTRUCTION_TEMPLATES (structural variety, same words). The training
 * templates of a family are INSTRUCTION_TEMPLATES[family] followed by these; `templateIndex` indexes
 * that concatenation.
 */
const EXTRA_TRAINING_TEMPLATES: Readonly<Record<TaskFamily, readonly string[]>> = {
  pick: ['pick the {color} block up', 'lift up the {color} block'],
  put: [
    'put the {color} block {into} the {tcolor} {container}',
    'take the {color} block and put it {in} the {tcolor} {container}',
  ],
  push: ['push the {color} block {dir}', 'slide the {color} block {cam_dir} along the table'],
};

/** Training instruction templates per family (placeholders as in INSTRUCTION_TEMPLATES). */
export const TRAINING_TEMPLATES: Readonly<Record<TaskFamily, readonly string[]>> = {
  pick: [...INSTRUCTION_TEMPLATES.pick, ...EXTRA_TRAINING_TEMPLATES.pick],
  put: [...INSTRUCTION_TEMPLATES.put, ...EXTRA_TRAINING_TEMPLATES.put],
  push: [...INSTRUCTION_TEMPLATES.push, ...EXTRA_TRAINING_TEMPLATES.push],
};

/**
 * Held-out paraphrases per family: each uses at least one word from HELD_OUT_WORDS (verbs, nouns,
 * structure), never seen in a training instruction. Colours stay literal. Extra placeholders:
 * `{csyn}` container synonym (bowl → cup, plate → platter); `{far_dir}` "to the left" | "to the right" |
 * "farther from the camera" | "closer to the camera".
 */
export const PARAPHRASE_TEMPLATES: Readonly<Record<TaskFamily, readonly string[]>> = {
  pick: [
    'hoist the {color} block',
    'seize the {color} brick and lift it up',
    'snatch the {color} cube off the table',
    'grasp the {color} block and elevate it',
    'please raise the {color} brick high',
  ],
  put: [
    'transfer the {color} block {into} the {tcolor} {container}',
    'position the {color} brick {in} the {tcolor} {container}',
    'carry the {color} cube over to the {tcolor} {container} and release it',
    'lay the {color} block {in} the {tcolor} {csyn}',
    'the {color} block goes {in} the {tcolor} {container}',
  ],
  push: [
    'shift the {color} block {to_dir}',
    'drive the {color} brick {to_dir} across the table',
    'press the {color} cube {cam_dir}',
    'slide the {color} block {far_dir} keeping it low',
    'gently shove the {color} brick {dir}',
  ],
};

/** Every word that occurs in a paraphrase but in no training instruction (all in the GloVe vocabulary). */
export const HELD_OUT_WORDS: readonly string[] = [
  'hoist',
  'seize',
  'brick',
  'snatch',
  'cube',
  'grasp',
  'elevate',
  'please',
  'high',
  'transfer',
  'position',
  'carry',
  'over',
  'release',
  'lay',
  'cup',
  'platter',
  'goes',
  'shift',
  'drive',
  'across',
  'press',
  'farther',
  'closer',
  'keeping',
  'low',
  'gently',
];

const CONTAINER_SYNONYM: Record<ContainerKind, string> = { bowl: 'cup', plate: 'platter' };
const CONTAINER_PREP: Record<ContainerKind, { in: string; into: string }> = {
  bowl: { in: 'in', into: 'into' },
  plate: { in: 'on', into: 'onto' },
};
const FAR_DIR: Record<PushDirection, string> = {
  left: 'to the left',
  right: 'to the right',
  forward: 'farther from the camera',
  back: 'closer to the camera',
};

/**
 * Held-out colour–object combinations (task ids never in training data). Every colour still appears in
 * training as a block in every family and as every container kind; every push direction stays in training.
 *  - put: block colour i with (colour i+1, bowl) and (colour i+3, plate), COLORS order → 12 of 72 tasks;
 *  - pick: the (green, pick) and (purple, pick) pairs → 2 of 6 tasks;
 *  - push: one direction per block colour → 6 of 24 tasks.
 */
export const HELD_OUT_COMBOS: readonly string[] = [
  'put:red-block:green-bowl',
  'put:red-block:yellow-plate',
  'put:green-block:blue-bowl',
  'put:green-block:purple-plate',
  'put:blue-block:yellow-bowl',
  'put:blue-block:orange-plate',
  'put:yellow-block:purple-bowl',
  'put:yellow-block:red-plate',
  'put:purple-block:orange-bowl',
  'put:purple-block:green-plate',
  'put:orange-block:red-bowl',
  'put:orange-block:blue-plate',
  'pick:green-block',
  'pick:purple-block',
  'push:red-block:left',
  'push:green-block:right',
  'push:blue-block:forward',
  'push:yellow-block:back',
  'push:purple-block:left',
  'push:orange-block:right',
];

const HELD_OUT_SET: ReadonlySet<string> = new Set(HELD_OUT_COMBOS);

/** A chosen instruction: its text and the index of its template in the split's template list. */
export interface ChosenInstruction {
  instruction: string;
  templateIndex: number;
}

/** One episode of a split: the scene seed, the task id and the instruction to give. */
export interface SplitEpisode extends ChosenInstruction {
  seed: number;
  task: string;
  family: TaskFamily;
}

/** True when the task id is a held-out colour–object combination (never in training data). */
export function isHeldOutCombo(taskId: string): boolean {
  return HELD_OUT_SET.has(formatTask(parseTask(taskId)));
}

/** Training task ids (all families, or one), held-out combinations excluded; stable order. */
export function trainingTasks(family?: TaskFamily): string[] {
  return tasksOf(family).filter((id) => !HELD_OUT_SET.has(id));
}

/** Held-out combination task ids (all families, or one); stable order. */
export function heldOutTasks(family?: TaskFamily): string[] {
  return tasksOf(family).filter((id) => HELD_OUT_SET.has(id));
}

/** Fill a template's placeholders for a task (the placeholders of INSTRUCTION_TEMPLATES plus `{csyn}`, `{far_dir}`). */
export function fillTemplate(template: string, taskId: string): string {
  const task = parseTask(taskId);
  const values: Record<string, string> = { color: task.color };
  if (task.family === 'put') {
    const kind = task.target.kind;
    values.tcolor = task.target.color;
    values.container = kind;
    values.csyn = CONTAINER_SYNONYM[kind];
    values.in = CONTAINER_PREP[kind].in;
    values.into = CONTAINER_PREP[kind].into;
  } else if (task.family === 'push') {
    values.dir = DIRECTION_PHRASES.dir[task.direction];
    values.to_dir = DIRECTION_PHRASES.to_dir[task.direction];
    values.cam_dir = DIRECTION_PHRASES.cam_dir[task.direction];
    values.far_dir = FAR_DIR[task.direction];
  }
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`fillTemplate: "${template}" has no value for ${whole} (${taskId})`);
    return v;
  });
}

/** A training instruction for the task: a uniformly chosen TRAINING_TEMPLATES entry. */
export function trainingInstruction(taskId: string, rng: Rng): ChosenInstruction {
  return choose(TRAINING_TEMPLATES[parseTask(taskId).family], taskId, rng);
}

/** A held-out paraphrase for the task: a uniformly chosen PARAPHRASE_TEMPLATES entry. */
export function paraphraseInstruction(taskId: string, rng: Rng): ChosenInstruction {
  return choose(PARAPHRASE_TEMPLATES[parseTask(taskId).family], taskId, rng);
}

/**
 * The training episode for a seed in the training range: a uniformly chosen training task of `family`
 * and a training instruction, both derived from the seed alone (so data generation is resumable).
 */
export function trainingEpisode(seed: number, family: TaskFamily): SplitEpisode {
  const { start, end } = SPLIT_SEEDS.train;
  if (!Number.isInteger(seed) || seed < start || seed >= end) {
    throw new RangeError(`trainingEpisode: seed ${seed} is outside the training range [${start}, ${end})`);
  }
  const rng = episodeRng(seed, family);
  const task = rng.pick(trainingTasks(family));
  return { seed, task, family, ...trainingInstruction(task, rng) };
}

/**
 * The first `n` evaluation episodes of (split, family), deterministic: 'seen' = training tasks with
 * training templates, 'paraphrase' = training tasks with held-out paraphrases, 'combo' = held-out
 * combinations with training templates; all on evaluation seeds (SPLIT_SEEDS.eval).
 */
export function evalEpisodes(split: EvalSplit, family: TaskFamily, n: number): SplitEpisode[] {
  const base = SPLIT_SEEDS.eval[split] + TASK_FAMILIES.indexOf(family) * SPLIT_SEEDS.familyStride;
  const tasks = split === 'combo' ? heldOutTasks(family) : trainingTasks(family);
  const out: SplitEpisode[] = [];
  for (let i = 0; i < n; i++) {
    const seed = base + i;
    const rng = episodeRng(seed, family);
    const task = rng.pick(tasks);
    const chosen = split === 'paraphrase' ? paraphraseInstruction(task, rng) : trainingInstruction(task, rng);
    out.push({ seed, task, family, ...chosen });
  }
  return out;
}

function choose(templates: readonly string[], taskId: string, rng: Rng): ChosenInstruction {
  const templateIndex = Math.floor(rng.next() * templates.length);
  return { instruction: fillTemplate(templates[templateIndex]!, taskId), templateIndex };
}

function episodeRng(seed: number, family: TaskFamily): Rng {
  return new Rng(mix32((seed | 0) ^ mix32(0x5b1175 + TASK_FAMILIES.indexOf(family))));
}

function tasksOf(family?: TaskFamily): string[] {
  const all = allTaskIds();
  return family === undefined ? all : all.filter((id) => id.startsWith(`${family}:`));
}

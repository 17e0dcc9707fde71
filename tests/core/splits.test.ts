import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INSTRUCTION_TEMPLATES, renderInstruction } from '../../src/core/instructions';
import { Rng } from '../../src/core/prng';
import {
  EVAL_SPLITS,
  evalEpisodes,
  fillTemplate,
  HELD_OUT_COMBOS,
  HELD_OUT_WORDS,
  heldOutTasks,
  isHeldOutCombo,
  PARAPHRASE_TEMPLATES,
  paraphraseInstruction,
  SPLIT_SEEDS,
  TRAINING_TEMPLATES,
  trainingEpisode,
  trainingInstruction,
  trainingTasks,
} from '../../src/core/splits';
import { allTaskIds, PUSH_DIRECTIONS, parseTask, TASK_FAMILIES } from '../../src/core/task';
import { COLORS, CONTAINER_KINDS } from '../../src/core/vocabulary';

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z'-]+/)
    .filter(Boolean);
const ALL = allTaskIds();

/** Every instruction the training data can contain: each training template for each task (training or not). */
function everyTrainingInstruction(): string[] {
  const out: string[] = [];
  for (const id of ALL) {
    for (const t of TRAINING_TEMPLATES[parseTask(id).family]) out.push(fillTemplate(t, id));
  }
  return out;
}

function everyParaphrase(): string[] {
  const out: string[] = [];
  for (const id of ALL) {
    for (const t of PARAPHRASE_TEMPLATES[parseTask(id).family]) out.push(fillTemplate(t, id));
  }
  return out;
}

describe('instruction splits', () => {
  const trainWords = new Set(everyTrainingInstruction().flatMap(words));

  it('no held-out word appears in any training instruction', () => {
    for (const w of HELD_OUT_WORDS) expect(trainWords.has(w), w).toBe(false);
  });

  it('every paraphrase uses a held-out word, and HELD_OUT_WORDS lists exactly the unseen words', () => {
    const heldOut = new Set(HELD_OUT_WORDS);
    const unseen = new Set<string>();
    for (const p of everyParaphrase()) {
      const ws = words(p);
      expect(
        ws.some((w) => heldOut.has(w)),
        p,
      ).toBe(true);
      for (const w of ws) if (!trainWords.has(w)) unseen.add(w);
    }
    expect([...unseen].sort()).toEqual([...HELD_OUT_WORDS].sort());
  });

  it('all paraphrase and training words are in the model vocabulary (glove_vocab.txt)', () => {
    const vocab = new Set(
      readFileSync(new URL('../../training/assets/glove_vocab.txt', import.meta.url), 'utf8').split('\n'),
    );
    const used = new Set([...everyParaphrase(), ...everyTrainingInstruction()].flatMap(words));
    for (const w of used) expect(vocab.has(w), w).toBe(true);
  });

  it('training templates start with the app instruction table; paraphrases differ from every training instruction', () => {
    for (const f of TASK_FAMILIES) {
      expect(TRAINING_TEMPLATES[f].slice(0, INSTRUCTION_TEMPLATES[f].length)).toEqual(
        INSTRUCTION_TEMPLATES[f],
      );
    }
    // fillTemplate agrees with the app's renderer on the shared table
    expect(fillTemplate(INSTRUCTION_TEMPLATES.put[0]!, 'put:red-block:blue-bowl')).toBe(
      renderInstruction('put:red-block:blue-bowl', 0),
    );
    for (const id of ALL.filter((_, i) => i % 7 === 0)) {
      const f = parseTask(id).family;
      INSTRUCTION_TEMPLATES[f].forEach((t, i) => {
        expect(fillTemplate(t, id)).toBe(renderInstruction(id, i));
      });
    }
    const train = new Set(everyTrainingInstruction());
    for (const p of everyParaphrase()) expect(train.has(p), p).toBe(false);
  });

  it('fills the extra placeholders by hand-checked examples', () => {
    expect(fillTemplate(PARAPHRASE_TEMPLATES.put[3]!, 'put:red-block:blue-bowl')).toBe(
      'lay the red block in the blue cup',
    );
    expect(fillTemplate(PARAPHRASE_TEMPLATES.put[3]!, 'put:red-block:blue-plate')).toBe(
      'lay the red block on the blue platter',
    );
    expect(fillTemplate(PARAPHRASE_TEMPLATES.push[3]!, 'push:green-block:back')).toBe(
      'slide the green block closer to the camera keeping it low',
    );
    expect(fillTemplate(PARAPHRASE_TEMPLATES.pick[0]!, 'pick:orange-block')).toBe('hoist the orange block');
    expect(() => fillTemplate('{nope} the {color} block', 'pick:red-block')).toThrow(/nope/);
  });
});

describe('combination splits', () => {
  it('training and held-out tasks partition all task ids', () => {
    const train = trainingTasks();
    const held = heldOutTasks();
    expect(train.length + held.length).toBe(ALL.length);
    expect(held.length).toBe(HELD_OUT_COMBOS.length);
    // 72 put, 6 pick, 24 push in all; 12 + 2 + 6 held out
    expect(heldOutTasks('put').length).toBe(12);
    expect(heldOutTasks('pick').length).toBe(2);
    expect(heldOutTasks('push').length).toBe(6);
    expect(trainingTasks('put').length).toBe(60);
    for (const id of train) expect(isHeldOutCombo(id)).toBe(false);
    for (const id of held) expect(isHeldOutCombo(id)).toBe(true);
    expect(isHeldOutCombo(' put:red-block:green-bowl ')).toBe(true);
    expect(isHeldOutCombo('put:red-block:green-plate')).toBe(false);
  });

  it('every colour, container and direction still appears in training', () => {
    expect(trainingTasks('pick')).toEqual([
      'pick:red-block',
      'pick:blue-block',
      'pick:yellow-block',
      'pick:orange-block',
    ]);
    const train = trainingTasks().map(parseTask);
    for (const c of COLORS) {
      // as a block in put and push (pick holds out two whole colour–family pairs)
      for (const f of ['put', 'push'] as const) {
        expect(
          train.some((t) => t.family === f && t.color === c),
          `${f} ${c}`,
        ).toBe(true);
      }
      for (const k of CONTAINER_KINDS) {
        expect(
          train.some((t) => t.family === 'put' && t.target.color === c && t.target.kind === k),
          `${c} ${k}`,
        ).toBe(true);
      }
    }
    for (const d of PUSH_DIRECTIONS) {
      expect(train.some((t) => t.family === 'push' && t.direction === d)).toBe(true);
    }
  });
});

describe('episodes and seeds', () => {
  it('training episodes come from training tasks and templates, deterministically', () => {
    for (let seed = 0; seed < 300; seed++) {
      const f = TASK_FAMILIES[seed % 3]!;
      const e = trainingEpisode(seed, f);
      expect(e).toEqual(trainingEpisode(seed, f));
      expect(e.family).toBe(f);
      expect(isHeldOutCombo(e.task)).toBe(false);
      expect(e.instruction).toBe(fillTemplate(TRAINING_TEMPLATES[f][e.templateIndex]!, e.task));
    }
    expect(() => trainingEpisode(SPLIT_SEEDS.train.end, 'pick')).toThrow(RangeError);
    expect(() => trainingEpisode(-1, 'pick')).toThrow(RangeError);
  });

  it('training episodes cover every training template and many tasks', () => {
    const tasks = new Set<string>();
    const templates = new Set<string>();
    for (let seed = 0; seed < 900; seed++) {
      const e = trainingEpisode(seed, TASK_FAMILIES[seed % 3]!);
      tasks.add(e.task);
      templates.add(`${e.family}:${e.templateIndex}`);
    }
    const nTemplates = TASK_FAMILIES.reduce((n, f) => n + TRAINING_TEMPLATES[f].length, 0);
    expect(templates.size).toBe(nTemplates);
    expect(tasks.size).toBeGreaterThan(60);
  });

  it('eval episodes: deterministic, on eval seeds, right tasks and phrasings per split', () => {
    for (const split of EVAL_SPLITS) {
      for (const [fi, f] of TASK_FAMILIES.entries()) {
        const eps = evalEpisodes(split, f, 20);
        expect(eps).toEqual(evalEpisodes(split, f, 20));
        expect(evalEpisodes(split, f, 5)).toEqual(eps.slice(0, 5));
        eps.forEach((e, i) => {
          expect(e.seed).toBe(SPLIT_SEEDS.eval[split] + fi * SPLIT_SEEDS.familyStride + i);
          expect(e.seed).toBeGreaterThanOrEqual(SPLIT_SEEDS.train.end);
          expect(parseTask(e.task).family).toBe(f);
          expect(isHeldOutCombo(e.task)).toBe(split === 'combo');
          const table = split === 'paraphrase' ? PARAPHRASE_TEMPLATES : TRAINING_TEMPLATES;
          expect(e.instruction).toBe(fillTemplate(table[f][e.templateIndex]!, e.task));
        });
      }
    }
  });

  it('instruction choice is a function of the rng stream', () => {
    const a = trainingInstruction('pick:red-block', new Rng(7));
    expect(trainingInstruction('pick:red-block', new Rng(7))).toEqual(a);
    const b = paraphraseInstruction('push:blue-block:left', new Rng(7));
    expect(paraphraseInstruction('push:blue-block:left', new Rng(7))).toEqual(b);
    expect(words(b.instruction).some((w) => HELD_OUT_WORDS.includes(w))).toBe(true);
  });
});

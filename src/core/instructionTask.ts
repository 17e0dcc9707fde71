/**
 * Which task a typed instruction asks for in a given scene, so that the playground checks success for
 * what the user asked ("pick up the purple block" in a scene made for `pick:red-block`), not only for
 * the task the scene was generated with. Deliberately literal: colours are read as words, the target
 * container from a second colour (with its kind, a synonym, or alone when the scene has one such
 * container), a push from a direction phrase; anything it cannot resolve to objects of the scene gives
 * null, and the scene's own task stays. Pure; no DOM.
 */
import { formatTask, type PushDirection } from './task';
import type { SceneSpec } from './types';
import { type ContainerKind, isColor } from './vocabulary';

/** Words that name a container kind (the kinds and the synonyms the paraphrases use). */
const CONTAINER_WORDS: Readonly<Record<string, ContainerKind>> = {
  bowl: 'bowl',
  bowls: 'bowl',
  cup: 'bowl',
  plate: 'plate',
  plates: 'plate',
  platter: 'plate',
  dish: 'plate',
};

/** Direction words, from the model camera's view (`forward` = away from the camera). */
const DIRECTION_WORDS: ReadonlyArray<readonly [PushDirection, readonly string[]]> = [
  ['left', ['left', 'leftward', 'leftwards']],
  ['right', ['right', 'rightward', 'rightwards']],
  ['forward', ['forward', 'forwards', 'away', 'farther', 'further', 'ahead']],
  ['back', ['back', 'backward', 'backwards', 'toward', 'towards', 'closer', 'nearer']],
];

/** Verbs that ask for a push: without a direction such an instruction is not resolved. */
const PUSH_VERBS = new Set(['push', 'shove', 'slide', 'nudge', 'shift', 'drive', 'press', 'move', 'roll']);

/**
 * The task id `instruction` asks for among the objects of `scene`, or null when it names no block of
 * the scene, or names it ambiguously (a container colour the scene has twice, a push without direction).
 */
export function taskForInstruction(instruction: string, scene: SceneSpec): string | null {
  const words: string[] = instruction.toLowerCase().match(/[a-z]+/g) ?? [];
  const colours = words.filter(isColor);
  const blockAt = colours.findIndex((c) => scene.objects.some((o) => o.kind === 'block' && o.color === c));
  if (blockAt < 0) return null;
  const color = colours[blockAt]!;

  const kindsNamed = new Set(words.flatMap((w) => (CONTAINER_WORDS[w] ? [CONTAINER_WORDS[w]] : [])));
  const others = colours.filter((_, i) => i !== blockAt);
  const containers = scene.objects.filter((o) => o.kind !== 'block' && others.includes(o.color));
  // A container named by its kind, or by a colour alone ("the red block in the green one").
  if (kindsNamed.size > 0 || containers.length > 0) {
    const matches =
      kindsNamed.size > 0 ? containers.filter((o) => kindsNamed.has(o.kind as ContainerKind)) : containers;
    if (matches.length !== 1) return null; // scene objects are unique by colour and kind
    const target = matches[0]!;
    return formatTask({
      family: 'put',
      color,
      target: { color: target.color, kind: target.kind as ContainerKind },
    });
  }

  const found = DIRECTION_WORDS.filter(([, ws]) => words.some((w) => ws.includes(w))).map(([d]) => d);
  // "toward the left": a left/right word wins over the camera words.
  const direction = found.find((d) => d === 'left' || d === 'right') ?? found[0];
  if (direction) return formatTask({ family: 'push', color, direction });
  if (words.some((w) => PUSH_VERBS.has(w))) return null;
  return formatTask({ family: 'pick', color });
}

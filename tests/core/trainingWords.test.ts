/**
 * training/vla/words.py (the training-time word swap) mirrors word lists of src/core: the held-out
 * paraphrase words, which must never be drawn as replacements, and the words that carry a task's
 * arguments, which must never be swapped. Python cannot import the TypeScript, so this reads the Python.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTION_PHRASES } from '../../src/core/instructions';
import { HELD_OUT_WORDS } from '../../src/core/splits';
import { COLORS, CONTAINER_KINDS } from '../../src/core/vocabulary';

const words = readFileSync('training/vla/words.py', 'utf8');
const glove = readFileSync('training/vla/glove.py', 'utf8');

/** The quoted strings of the first `NAME = ...` statement in `src` (up to the `)` or `))` that ends a line). */
function pyStrings(src: string, name: string): string[] {
  const m = new RegExp(`^${name} = [^\\n]*?\\(([\\s\\S]*?)\\)\\)?[ \\t]*(?:#[^\\n]*)?$`, 'm').exec(src);
  if (!m) throw new Error(`${name} not found`);
  const body = m[1]!.replace(/#[^\n]*/g, '');
  return [...body.matchAll(/"([^"]+)"/g)].map((s) => s[1]!);
}

describe('training/vla/words.py', () => {
  const heldOut = pyStrings(words, 'HELD_OUT_WORDS');
  const kept = new Set([...pyStrings(words, 'KEPT_WORDS'), ...pyStrings(glove, 'COLOURS')]);

  it('holds out exactly the paraphrase words of src/core/splits.ts', () => {
    expect([...heldOut].sort()).toEqual([...HELD_OUT_WORDS].sort());
  });

  it('keeps every colour, container, container preposition and push-direction word', () => {
    expect(pyStrings(glove, 'COLOURS')).toEqual([...COLORS]);
    const args = [
      ...COLORS,
      ...CONTAINER_KINDS,
      'in',
      'on',
      'into',
      'onto',
      ...Object.values(DIRECTION_PHRASES).flatMap((d) => Object.values(d).flatMap((p) => p.split(' '))),
    ];
    expect(args.filter((w) => !kept.has(w))).toEqual([]);
  });

  it('keeps no held-out word (a paraphrase word is never an argument)', () => {
    expect(heldOut.filter((w) => kept.has(w))).toEqual([]);
  });
});

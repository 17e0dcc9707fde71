/**
 * Input faults (issue 7): empty, 10,000-character, emoji and right-to-left instructions, checked by the pure
 * core helpers the policy panel shows notices from.
 */
import { describe, expect, it } from 'vitest';
import {
  buildPrompt,
  checkInstruction,
  instructionNotice,
  OPENVLA_PROMPT_TEMPLATE,
} from '../../src/core/prompt';

describe('checkInstruction / instructionNotice', () => {
  it('calls empty and whitespace/control-only instructions empty', () => {
    for (const raw of ['', '   ', '\t\n', '\u200b\u200f \u0007']) {
      const c = checkInstruction(raw, 512);
      expect(c.empty).toBe(true);
      expect(c.text).toBe('');
      expect(instructionNotice(c)).toMatch(/empty/);
    }
  });

  it('says a 10,000-character instruction is cut to max_chars, and keeps its start', () => {
    const raw = 'pick up the red block '.repeat(455).slice(0, 10_000);
    expect(raw).toHaveLength(10_000);
    const c = checkInstruction(raw, 512);
    expect(c.empty).toBe(false);
    expect(c.tooLong).toBe(true);
    expect(c.chars).toBe(9_999); // the trailing space is trimmed
    expect(Array.from(c.text).length).toBeLessThanOrEqual(512);
    expect(c.text.startsWith('pick up the red block pick up')).toBe(true);
    const notice = instructionNotice(c) ?? '';
    expect(notice).toContain('9,999 characters');
    expect(notice).toContain('first 512');
  });

  it('counts code points, not UTF-16 units: 300 emoji fit in 512, 600 do not', () => {
    const fits = checkInstruction('🤖'.repeat(300), 512);
    expect(fits.chars).toBe(300);
    expect(fits.tooLong).toBe(false);
    expect(instructionNotice(fits)).toBeNull();
    const long = checkInstruction('🤖'.repeat(600), 512);
    expect(long.tooLong).toBe(true);
    expect(Array.from(long.text)).toHaveLength(512);
    // never cut inside a surrogate pair
    expect(long.text).toBe('🤖'.repeat(512));
  });

  it('passes right-to-left and mixed text through (direction marks become spaces)', () => {
    const c = checkInstruction('\u200fהרם את הקובייה האדומה\u200f', 512);
    expect(c.empty).toBe(false);
    expect(c.text).toBe('הרם את הקובייה האדומה');
    expect(instructionNotice(c)).toBeNull();
    expect(buildPrompt(OPENVLA_PROMPT_TEMPLATE, 'ضع المكعب الأحمر 🟥 in the bowl')).toBe(
      'In: What action should the robot take to ضع المكعب الأحمر 🟥 in the bowl?\nOut:',
    );
  });

  it('a fine instruction gives no notice', () => {
    expect(instructionNotice(checkInstruction('put the red block in the blue bowl'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { buildPrompt, fitPrompt, OPENVLA_PROMPT_TEMPLATE, sanitizeInstruction } from '../../src/core/prompt';

describe('prompt', () => {
  it('fills the OpenVLA template with the lower-cased instruction', () => {
    expect(buildPrompt(OPENVLA_PROMPT_TEMPLATE, 'Pick up the RED block')).toBe(
      'In: What action should the robot take to pick up the red block?\nOut:',
    );
    expect(buildPrompt(OPENVLA_PROMPT_TEMPLATE, 'Pick up the RED block', { lowercase: false })).toBe(
      'In: What action should the robot take to Pick up the RED block?\nOut:',
    );
  });

  it('cleans whitespace and control characters', () => {
    expect(sanitizeInstruction('  push\tthe\n\n blue   block\u0000 left  ')).toBe('push the blue block left');
    expect(buildPrompt('{instruction}', '')).toBe('');
  });

  it('keeps emoji and right-to-left text intact', () => {
    expect(sanitizeInstruction('pick 🙂 up')).toBe('pick 🙂 up');
    expect(sanitizeInstruction('\u202Eהרם את הקובייה')).toBe('הרם את הקובייה');
  });

  it('caps a 10,000-character instruction at a word boundary', () => {
    const long = 'pick up the red block '.repeat(455); // 10,010 chars
    const s = sanitizeInstruction(long, 512);
    expect(s.length).toBeLessThanOrEqual(512);
    expect(s.length).toBeGreaterThan(400);
    expect(s.endsWith(' ')).toBe(false);
    expect(long.startsWith(s)).toBe(true);
    // never splits a surrogate pair
    const emoji = sanitizeInstruction('🙂'.repeat(1000), 10);
    expect(Array.from(emoji)).toEqual(Array(10).fill('🙂'));
  });

  it('drops trailing words until the prompt fits', () => {
    const fits = (p: string) => p.split(' ').length <= 10;
    const r = fitPrompt(OPENVLA_PROMPT_TEMPLATE, 'pick up the red block now please', {}, fits);
    // template has 8 space-separated words plus the instruction's words joined to "to" and "?"
    expect(r.truncated).toBe(true);
    expect(r.prompt).toBe('In: What action should the robot take to pick up?\nOut:');
    expect(() => fitPrompt(OPENVLA_PROMPT_TEMPLATE, 'x', {}, () => false)).toThrow(/too long/);
  });
});

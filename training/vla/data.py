"""Dataset loading for training: reads a datagen folder (`episodes/<6-digit>.json` + `.rgb`,
`meta.json`, `stats.json`; see training/DATASET.md), keeps successful episodes, holds out a
validation set of episodes, and holds every frame in RAM as uint8 (resized to the model's input
size with the runtime's own filter, src/inference/preprocess.ts). Batches are built in torch with
the augmentation (±shift px, colour jitter, state noise). Targets: OpenVLA action-token slots
(0…bins-1, id = vocab_size - bins + slot) of the BOUNDS_Q99-normalised expert action.
"""
from __future__ import annotations

import glob
import json
import os
import zlib
from dataclasses import dataclass

import numpy as np
import torch

from . import actions as act
from .export import PROMPT_TEMPLATE
from .glove import COLOURS
from .tokenizer import _PRE_TOKEN, _WORD, Vocab
from .words import KEPT_WORDS

STATE_NAMES = ["ee_x", "ee_y", "ee_z", "gripper"]
STATE_UNITS = ["m", "m", "m", "1"]
GRIPPER_MASK = [True, True, True, True, True, True, False]


def resize_matrix(in_size: int, out_size: int) -> np.ndarray:
    """[out, in] weights of src/inference/preprocess.ts `taps(…, 'bilinear')`: a triangle filter with
    support max(1, in/out) around half-pixel centres, renormalised per output pixel."""
    scale = in_size / out_size
    support = max(1.0, scale)
    m = np.zeros((out_size, in_size), dtype=np.float64)
    for o in range(out_size):
        c = (o + 0.5) * scale
        lo, hi = max(0, int(np.floor(c - support))), min(in_size - 1, int(np.ceil(c + support)))
        for i in range(lo, hi + 1):
            m[o, i] = max(0.0, 1.0 - abs((i + 0.5 - c) / support))
        m[o] /= m[o].sum()
    return m


def resize_frames(frames: np.ndarray, size: int) -> np.ndarray:
    """uint8 [T, H, W, 3] → uint8 [T, size, size, 3] (identity when already that size)."""
    t, h, w, _ = frames.shape
    if h == size and w == size:
        return frames
    ry, rx = resize_matrix(h, size).astype(np.float32), resize_matrix(w, size).astype(np.float32)
    a = np.tensordot(frames.astype(np.float32), ry, axes=([1], [1]))  # [T, W, 3, size] (2-D BLAS products)
    out = np.tensordot(a, rx, axes=([1], [1])).transpose(0, 2, 3, 1)  # [T, 3, size, size] → [T, size, size, 3]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


DEFAULT_KEY = "vla_sim"


def read_dataset_stats(data_dir: str) -> tuple[str, dict | None]:
    """(dataset key, action stats with q01/q99 or None) from stats.json: OpenVLA's dataset_statistics
    layout `{key: {"action": {...}, "proprio": {...}}}` (scripts/datagen.ts) or a bare `{q01, q99}`."""
    path = os.path.join(data_dir, "stats.json")
    if not os.path.exists(path):
        return DEFAULT_KEY, None
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    if "q01" in s and "q99" in s:
        return DEFAULT_KEY, s
    for key, v in s.items():
        if isinstance(v, dict):
            for cand in (v.get("action"), v.get("actions")):
                if isinstance(cand, dict) and "q01" in cand and "q99" in cand:
                    return key, cand
    return DEFAULT_KEY, None


@dataclass
class Episode:
    index: int
    instruction: str
    task: str
    family: str
    frames: np.ndarray  # uint8 [T, S, S, 3]
    actions: np.ndarray  # float64 [T, 7]
    state: np.ndarray  # float64 [T, 4] raw ee_x, ee_y, ee_z, gripper
    aux: np.ndarray | None = None  # float32 [T, AUX_DIM] privileged targets (aux_targets), or None
    obj_uv: np.ndarray | None = None  # float32 [T, M, 2] objects' projected centres (u right, v down, 0…1)
    obj_cls: np.ndarray | None = None  # int64 [M] their class (OBJECT_CLASSES index) — label = class + 1
    ee_uv: np.ndarray | None = None  # float32 [T, 2] the grasp site projected the same way



# Auxiliary targets (training only; training/aux_targets.ts writes <dir>/aux.json by replaying episodes):
# the task's block (x, y, z), its goal (x, y), block − EE (x, y, z), goal − EE (x, y), scaled to O(1).
AUX_DIM = 10
N_OBJECT_CLASSES = 18  # training/aux_targets.ts OBJECT_CLASSES: 6 colours × block, bowl, plate
MAX_OBJECTS = 8
GRIPPER_OPEN_STATE = 0.9  # state "gripper" (1 open; ~0.44 closed on a block): above this it is open
OBJECT_KINDS = ("block", "bowl", "plate")  # OBJECT_CLASSES is colour-major: class = colour · 3 + kind
_AUX_CENTRE = np.array([0.475, 0.0, 0.02])
_AUX_SCALE = np.array([0.1, 0.15, 0.05])


def task_classes(task: str) -> tuple[int, int]:
    """A task id ("pick:red-block", "put:blue-block:red-bowl", "push:red-block:left") → (its block's class,
    its goal container's class or -1)."""
    parts = task.split(":")

    def cls(ref: str) -> int:
        colour, kind = ref.split("-")
        return COLOURS.index(colour) * len(OBJECT_KINDS) + OBJECT_KINDS.index(kind)

    if len(parts) < 2 or "-" not in parts[1]:
        return -1, -1
    goal = parts[2] if len(parts) > 2 and parts[0] == "put" else ""
    return cls(parts[1]), (cls(goal) if goal else -1)


def aux_targets(block: np.ndarray, goal: np.ndarray, ee: np.ndarray) -> np.ndarray:
    """block [T, 3], goal [2], ee [T, 3] (world m) → [T, AUX_DIM] float32."""
    t = len(block)
    g = np.broadcast_to(np.asarray(goal, dtype=np.float64), (t, 2))
    cols = [
        (block - _AUX_CENTRE) / _AUX_SCALE,
        (g - _AUX_CENTRE[:2]) / _AUX_SCALE[:2],
        (block - ee) / 0.1,
        (g - ee[:, :2]) / 0.1,
    ]
    return np.concatenate(cols, axis=1).astype(np.float32)


def stale_grasp_labels(phases, gripper: np.ndarray, command: np.ndarray) -> np.ndarray:
    """Frames [T] whose label is an artefact of the expert's history: it is still in `approach`/`descend`
    (it never made the grasp itself: a policy drove there, DAgger) while the gripper is closed on a block
    (state 0.3-0.8; 1 is open, ~0.44 on a block), and so says "open and hover again" where its own
    demonstrations lift. Datasets generated before src/core/expert.ts re-plans from a held block hold
    these labels (dagger4: 9% of its frames); training skips them."""
    ph = np.asarray(phases)
    return np.isin(ph, ("approach", "descend")) & (gripper > 0.3) & (gripper < 0.8) & (command > 0.5)


def load_episodes(data_dir: str, image_size: int, limit: int | None = None, log=print) -> tuple[list[Episode], dict]:
    """Training episodes (successful, or DAgger) of `data_dir` (frames resized to image_size) and meta.json (or {})."""
    meta_path = os.path.join(data_dir, "meta.json")
    meta = json.load(open(meta_path, encoding="utf-8")) if os.path.exists(meta_path) else {}
    stale = 0
    files = sorted(glob.glob(os.path.join(data_dir, "episodes", "*.json")))
    aux_path = os.path.join(data_dir, "aux.json")
    aux_all = json.load(open(aux_path, encoding="utf-8")) if os.path.exists(aux_path) else {}
    eps: list[Episode] = []
    skipped = 0
    for n, path in enumerate(files):
        with open(path, encoding="utf-8") as f:
            e = json.load(f)
        # DAgger episodes (policy_mix > 0) count whether or not they succeeded: every label is the expert's
        # action for the state reached; expert-only episodes count only when they succeeded.
        if not e.get("success") and not e.get("policy_mix"):
            skipped += 1
            continue
        rgb_path = path[: -len(".json")] + ".rgb"
        if not os.path.exists(rgb_path):
            skipped += 1
            continue
        a = np.asarray(e["actions"], dtype=np.float64)
        t = a.shape[0]
        raw = np.fromfile(rgb_path, dtype=np.uint8)
        side = int(round((raw.size // (t * 3)) ** 0.5))
        h, w = int(e.get("height", side)), int(e.get("width", side))
        if h * w * 3 * t != raw.size or h != w:
            raise ValueError(f"{rgb_path}: {raw.size} bytes is not {t} square {w}×{h} RGB frames")
        frames = resize_frames(raw.reshape(t, h, w, 3), image_size)
        state = np.concatenate(
            [np.asarray(e["ee_pos"], dtype=np.float64).reshape(t, 3), np.asarray(e["gripper"], dtype=np.float64).reshape(t, 1)],
            axis=1,
        )
        idx = int(os.path.basename(path)[: -len(".json")])
        keep = None
        if e.get("policy_mix") and "phases" in e:
            keep = ~stale_grasp_labels(e["phases"], state[:, 3], a[:, 6])
            stale += int((~keep).sum())
            frames, a, state = frames[keep], a[keep], state[keep]
            t = a.shape[0]
            if t == 0:
                skipped += 1
                continue
        ax = aux_all.get(str(idx))
        if ax is not None and keep is not None:
            ax = {k: (np.asarray(v)[keep].tolist() if k in ("ee_uv", "block", "uv") and len(v) == len(keep) else v)
                  for k, v in ax.items()}
        aux = uv = cls = ee_uv = None
        if ax is not None and "ee_uv" in ax and len(ax["ee_uv"]) == t:
            ee_uv = np.asarray(ax["ee_uv"], dtype=np.float32)
        if ax is not None and "block" in ax and len(ax["block"]) == t:  # no block: the replay drifted
            aux = aux_targets(np.asarray(ax["block"], dtype=np.float64), np.asarray(ax["goal"]), state[:, :3])
            if "uv" in ax:
                uv, cls = np.asarray(ax["uv"], dtype=np.float32), np.asarray(ax["classes"], dtype=np.int64)
        eps.append(Episode(idx, e["instruction"], e.get("task", ""), e.get("family", ""), frames, a, state, aux, uv, cls, ee_uv))
        if log and (n + 1) % 200 == 0:
            log(f"  loaded {n + 1}/{len(files)} episode files")
        if limit and len(eps) >= limit:
            break
    if log:
        if stale:
            log(f"dropped {stale} DAgger frames whose label opens a gripper closed on the block (stale_grasp_labels)")
        log(f"aux targets for {sum(e.aux is not None for e in eps)}/{len(eps)} episodes ({aux_path})")
        log(f"loaded {len(eps)} successful episodes ({sum(len(e.actions) for e in eps)} frames) from {data_dir}; "
            f"skipped {skipped} unsuccessful/incomplete")
    if not eps:
        raise ValueError(f"{data_dir}: no successful episodes")
    return eps, meta


def split_episodes(eps: list[Episode], val_fraction: float, seed: int = 0) -> tuple[list[Episode], list[Episode]]:
    """Validation = episodes whose hash(index, seed) falls below val_fraction (at least one)."""
    def h(i: int) -> float:
        return (zlib.crc32(f"{seed}:{i}".encode()) & 0xFFFFFFFF) / 2**32

    val = [e for e in eps if h(e.index) < val_fraction]
    if not val and len(eps) > 1:
        val = [eps[-1]]
    vset = {e.index for e in val}
    return [e for e in eps if e.index not in vset], val


def action_norm_stats(train: list[Episode], data_dir: str) -> dict:
    """norm_stats entry: stats.json's q01/q99 when present, else computed from the training episodes."""
    all_a = np.concatenate([e.actions for e in train])
    st = act.quantile_stats(all_a, GRIPPER_MASK)
    _, given = read_dataset_stats(data_dir)
    if given is not None:
        st["q01"] = [float(v) for v in given["q01"]]
        st["q99"] = [float(v) for v in given["q99"]]
    return st


def state_stats(train: list[Episode]) -> dict:
    s = np.concatenate([e.state for e in train])
    return {"names": STATE_NAMES, "units": STATE_UNITS, "mean": s.mean(0).tolist(),
            "std": np.maximum(s.std(0), 1e-3).tolist()}


class FrameSet:
    """All frames of some episodes as flat arrays, and batch assembly (optionally augmented)."""

    def __init__(self, eps: list[Episode], vocab: Vocab, norm: dict, state_st: dict, image_mean, image_std,
                 n_bins: int = 256):
        self.frames = np.concatenate([e.frames for e in eps])  # uint8 [N, S, S, 3]
        self.episode = np.concatenate([np.full(len(e.actions), k) for k, e in enumerate(eps)])
        self.step = np.concatenate([np.arange(len(e.actions)) for e in eps])
        self.raw_state = np.concatenate([e.state for e in eps])
        aux = [e.aux if e.aux is not None else np.full((len(e.actions), AUX_DIM), np.nan, np.float32) for e in eps]
        self.aux = torch.tensor(np.concatenate(aux), dtype=torch.float32)  # NaN rows: no target
        uv = np.zeros((len(self.raw_state), MAX_OBJECTS, 2), np.float32)
        cls = np.full((len(self.raw_state), MAX_OBJECTS), -1, np.int64)  # -1: no object in this slot
        row = 0
        for e in eps:
            t = len(e.actions)
            if e.obj_uv is not None:
                m = min(MAX_OBJECTS, e.obj_uv.shape[1])
                uv[row:row + t, :m] = e.obj_uv[:, :m]
                cls[row:row + t, :m] = e.obj_cls[:m]
            row += t
        self.obj_uv, self.obj_cls = uv, cls
        ee = [e.ee_uv if e.ee_uv is not None else np.full((len(e.actions), 2), np.nan, np.float32) for e in eps]
        self.ee_uv = np.concatenate(ee)  # [N, 2], NaN: unknown
        self.has_patch_labels = bool((cls >= 0).any())
        # Per episode and per frame [N, 2]: the task's block and goal container classes (-1: none), for the
        # pointer loss (train.py)
        self.episode_task = [task_classes(e.task) for e in eps]
        self.target_cls = torch.tensor(np.asarray(self.episode_task, dtype=np.int64).reshape(-1, 2)[self.episode])
        # Counterfactual instructions (train.py --counterfactual): episodes by their block's class, and the
        # frames whose scene holds two or more blocks.
        self.episodes_by_block: dict[int, list[int]] = {}
        for k, (blk, _) in enumerate(self.episode_task):
            self.episodes_by_block.setdefault(blk, []).append(k)
        n_blocks = ((cls >= 0) & (cls % len(OBJECT_KINDS) == 0)).sum(1)
        self.multi_block_frames = np.flatnonzero(n_blocks >= 2)
        st = (self.raw_state - np.asarray(state_st["mean"])) / np.asarray(state_st["std"])
        self.state = torch.tensor(st, dtype=torch.float32)
        a = np.concatenate([e.actions for e in eps])
        # Frames whose gripper command differs from the gripper's state: the first step of a close and the
        # release. Put has one or two releases in ~50 frames, and each decides the episode
        # (train.py --gripper-change-oversample draws these frames more often).
        self.gripper_change = np.flatnonzero((a[:, 6] > 0.5) != (self.raw_state[:, 3] > GRIPPER_OPEN_STATE))
        na = act.normalize(a, norm["q01"], norm["q99"], norm["mask"])
        ids = act.tokenize(na, vocab.size, n_bins)
        self.slots = torch.tensor(ids - (vocab.size - n_bins), dtype=torch.long)  # [N, 7]
        self.instructions = [e.instruction for e in eps]
        self.prompt_ids = [vocab.encode(PROMPT_TEMPLATE.format(instruction=e.instruction.lower())) for e in eps]
        self.pad_id = vocab.pad_id
        self.action_start = vocab.size - n_bins
        # Word swap (train.py --word-swap, vla/words.py): per episode the prompt positions of instruction
        # words that carry no argument; `swap_ids` (set by set_word_swap) are the replacements' ids.
        head = len(vocab.encode(PROMPT_TEMPLATE.split("{instruction}")[0]))
        self.instr_start = head  # every prompt's instruction starts here; `instr_end` per episode
        self.swappable, self.instr_end = [], []
        for e in eps:
            pieces = _PRE_TOKEN.findall(e.instruction.lower())
            self.instr_end.append(head + len(pieces))
            self.swappable.append(np.asarray([head + k for k, w in enumerate(pieces)
                                              if _WORD.match(w) and w not in KEPT_WORDS], np.int64))
        self.swap_ids = torch.zeros(0, dtype=torch.long)
        self.mean = torch.tensor(image_mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(image_std, dtype=torch.float32).view(1, 3, 1, 1)

    def __len__(self) -> int:
        return len(self.frames)

    def set_word_swap(self, vocab: Vocab, words: list[str]) -> None:
        """Replacement words for `batch(word_swap=...)` (vla/words.py swap_pool)."""
        self.swap_ids = torch.tensor([vocab.ids[w] for w in words if w in vocab.ids], dtype=torch.long)

    def swapped_prompt(self, k: int, gen: torch.Generator | None, p_word: float = 0.5) -> list[int]:
        """Episode k's prompt with each swappable word replaced, with probability `p_word`, by a random
        replacement word (at least one when the instruction has any)."""
        ids = list(self.prompt_ids[k])
        pos = self.swappable[k]
        if len(pos) == 0 or len(self.swap_ids) == 0:
            return ids
        hit = torch.rand(len(pos), generator=gen) < p_word
        if not bool(hit.any()):
            hit[int(torch.randint(0, len(pos), (1,), generator=gen))] = True
        new = self.swap_ids[torch.randint(0, len(self.swap_ids), (len(pos),), generator=gen)]
        for j in np.flatnonzero(hit.numpy()):
            ids[int(pos[j])] = int(new[j])
        return ids

    def edited_prompt(self, k: int, ids: list[int], gen: torch.Generator | None) -> list[int]:
        """Episode k's prompt `ids` (its own or `swapped_prompt`'s: same positions) with the instruction's
        structure changed, each independently: a random replacement word before it (p 0.4), one to three
        after it (p 0.4), its first word dropped when that carries no argument (p 0.3; a verb: "the red
        block in the blue bowl"); at least one of the two insertions when nothing else was drawn."""
        if len(self.swap_ids) == 0:
            return ids
        u = torch.rand(4, generator=gen).tolist()
        pre, post, drop = u[0] < 0.4, u[1] < 0.4, u[2] < 0.3
        if not (pre or post or drop):
            pre, post = u[3] < 0.5, u[3] >= 0.5
        pos = self.swappable[k]
        start, end = self.instr_start, self.instr_end[k]
        draw = lambda n: [int(i) for i in self.swap_ids[torch.randint(0, len(self.swap_ids), (n,), generator=gen)]]  # noqa: E731
        tail = draw(1 + int(torch.randint(0, 3, (1,), generator=gen))) if post else []
        body = ids[start:end]
        if drop and len(pos) and pos[0] == start and len(body) > 1:
            body = body[1:]
        return ids[:start] + (draw(1) if pre else []) + body + tail + ids[end:]

    def patch_labels(self, idx: np.ndarray, offsets: np.ndarray | None, size: int, grid: int, shift: int) -> torch.Tensor:
        """[B, grid²] per-patch labels (row-major): 0 background, 1 + class of the object whose projected
        centre lies in the patch (blocks over containers); containers also claim their 4-neighbours.
        `offsets` [B, 2] (oy, ox) of the augmentation crop, or None."""
        b = len(idx)
        lab = np.zeros((b, grid, grid), np.int64)
        uv = self.obj_uv[idx] * size  # [B, M, 2] pixels
        if offsets is not None:
            uv = uv + (shift - offsets[:, None, ::-1]).astype(np.float32)  # (ox, oy) order of u, v
        cell = np.floor(uv / (size / grid)).astype(np.int64)  # [B, M, 2] (col, row)
        cls = self.obj_cls[idx]
        is_block = (cls >= 0) & (cls % 3 == 0)
        for pass_blocks in (False, True):  # containers first, blocks overwrite
            sel = (cls >= 0) & (is_block == pass_blocks)
            for bi, mi in zip(*np.nonzero(sel)):
                c, r = cell[bi, mi]
                nb = [(0, 0)] if pass_blocks else [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
                for dr, dc in nb:
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < grid and 0 <= cc < grid and (pass_blocks or (dr, dc) == (0, 0) or lab[bi, rr, cc] == 0):
                        lab[bi, rr, cc] = cls[bi, mi] + 1
        return torch.from_numpy(lab.reshape(b, grid * grid))

    def keypoint_targets(self, idx: np.ndarray, offsets: np.ndarray | None, size: int, shift: int,
                         n_keypoints: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Targets of the vision encoder's keypoints: keypoint k < N_OBJECT_CLASSES is the projected centre of
        the scene's object of class k, keypoint N_OBJECT_CLASSES the grasp site. → xy [B, K, 2] in the
        keypoints' [-1, 1] image coordinates (after the batch's shift augmentation), mask [B, K] (target known)."""
        b = len(idx)
        xy = np.zeros((b, n_keypoints, 2), np.float32)
        have = np.zeros((b, n_keypoints), bool)
        pts = np.concatenate([self.obj_uv[idx], self.ee_uv[idx][:, None]], axis=1) * size  # [B, M + 1, 2] px
        if offsets is not None:
            pts = pts + (shift - offsets[:, None, ::-1]).astype(np.float32)
        cls = np.concatenate([self.obj_cls[idx], np.full((b, 1), N_OBJECT_CLASSES)], axis=1)  # [B, M + 1]
        ok = (cls >= 0) & (cls < n_keypoints) & np.isfinite(pts).all(axis=2)
        for bi, mi in zip(*np.nonzero(ok)):
            k = cls[bi, mi]
            if not have[bi, k]:  # a class twice in one scene: the first one
                xy[bi, k] = pts[bi, mi] / size * 2 - 1
                have[bi, k] = True
        return torch.from_numpy(xy), torch.from_numpy(have)

    def aux_rows(self, idx: np.ndarray) -> torch.Tensor:
        """[B, AUX_DIM] privileged targets (NaN where the episode has none)."""
        return self.aux[idx]

    def counterfactual(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[int], torch.Tensor] | None:
        """`n` frames of multi-block scenes, each with the instruction of another training episode whose block
        is one of this scene's *other* blocks (training instructions only, so no held-out word or combination
        leaks in): (frame indices, instruction episodes, pointer targets [n, 2]: that block's class and its
        goal container's class when this scene holds that container, else -1). None: no such frames."""
        if len(self.multi_block_frames) == 0:
            return None
        frames, prompts, targets = [], [], []
        for i in rng.choice(self.multi_block_frames, size=n):
            own = int(self.target_cls[i, 0])
            present = set(self.obj_cls[i][self.obj_cls[i] >= 0].tolist())
            others = [k for k in present if k % len(OBJECT_KINDS) == 0 and k != own and k in self.episodes_by_block]
            if not others:
                continue
            k = others[rng.integers(len(others))]
            j = self.episodes_by_block[k][rng.integers(len(self.episodes_by_block[k]))]
            goal = self.episode_task[j][1]
            frames.append(i)
            prompts.append(j)
            targets.append((k, goal if goal in present else -1))
        if not frames:
            return None
        return np.asarray(frames), prompts, torch.tensor(targets, dtype=torch.long)

    def batch(self, idx: np.ndarray, gen: torch.Generator | None = None, augment: bool = False,
              shift: int = 2, jitter: float = 0.08, state_noise: float = 0.05, prompt_episodes: list[int] | None = None,
              word_swap: float = 0.0, word_edit: float = 0.0):
        """→ pixel_values [B, 3, S, S], input_ids [B, L] (left-padded prompt + 6 action tokens),
        attention_mask [B, L], state [B, 4], target slots [B, 7]. `aux_rows(idx)` gives the aux targets.
        `prompt_episodes`: take each frame's instruction from these episodes instead (counterfactual).
        `word_swap` (with `augment`): the fraction of frames whose instruction gets `swapped_prompt`;
        `word_edit`: the fraction, drawn independently, that gets `edited_prompt`."""
        x = torch.from_numpy(self.frames[idx]).permute(0, 3, 1, 2).float().div_(255.0)  # [B, 3, S, S]
        self.last_offsets = None  # the crop offsets of this batch's shift augmentation (patch_labels)
        b, _, s, _ = x.shape
        state = self.state[idx]
        if augment:
            if shift > 0:
                padded = torch.nn.functional.pad(x, (shift, shift, shift, shift), mode="replicate")
                off = torch.randint(0, 2 * shift + 1, (b, 2), generator=gen)
                self.last_offsets = off.numpy()
                x = torch.stack([padded[i, :, oy:oy + s, ox:ox + s] for i, (oy, ox) in enumerate(off.tolist())])
            if jitter > 0:
                u = lambda *shape: (torch.rand(*shape, generator=gen) * 2 - 1) * jitter  # noqa: E731
                mean = x.mean(dim=(1, 2, 3), keepdim=True)
                x = (x - mean) * (1 + u(b, 1, 1, 1)) + mean * (1 + u(b, 1, 1, 1))  # contrast, brightness
                x = (x * (1 + 0.5 * u(b, 3, 1, 1))).clamp_(0, 1)  # per-channel gain
            if state_noise > 0:
                state = state + torch.randn(state.shape, generator=gen) * state_noise
        x = (x - self.mean) / self.std
        slots = self.slots[idx]
        prompts = [self.prompt_ids[k] for k in (self.episode[idx] if prompt_episodes is None else prompt_episodes)]
        if augment and word_swap > 0 and prompt_episodes is None:
            swap = (torch.rand(b, generator=gen) < word_swap).numpy()
            prompts = [self.swapped_prompt(int(k), gen) if swap[i] else p
                       for i, (k, p) in enumerate(zip(self.episode[idx], prompts))]
        if augment and word_edit > 0 and prompt_episodes is None:
            edit = (torch.rand(b, generator=gen) < word_edit).numpy()
            prompts = [self.edited_prompt(int(k), p, gen) if edit[i] else p
                       for i, (k, p) in enumerate(zip(self.episode[idx], prompts))]
        width = max(len(p) for p in prompts) + slots.shape[1] - 1
        ids = torch.full((b, width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((b, width), dtype=torch.long)
        act_in = slots[:, :-1] + self.action_start
        for i, p in enumerate(prompts):
            seq = torch.cat([torch.tensor(p, dtype=torch.long), act_in[i]])
            ids[i, width - len(seq):] = seq
            mask[i, width - len(seq):] = 1
        return x, ids, mask, state, slots

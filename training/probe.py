"""Open-loop probe of a run's greedy decoding on held-out frames, grouped by the expert's phase: how often
the policy does what the closed loop fails at, in a minute instead of an eval's ten.

For every validation frame of `--data` (the run's split: same hash, same fraction) the run's PyTorch model
decodes all 7 tokens greedily (each token conditioned on the ones it chose, as the runtime does). Reported:
- early descent: in the expert's `approach` phase (at or near hover height, still moving sideways) where the
  label moves ≥ 1.5 cm sideways and does not go down, the share of frames where the policy goes down
  (dz < −5 mm). This is what `eval --trace` calls an early descent, seen one frame at a time;
- close: in the `close` phase (label: gripper closed), the share where the policy closes the gripper;
- release: in `release` (label: open), the share where it opens;
- token accuracy of the greedy decode against the label, all frames, per dimension.
Each share comes with its 95% Wilson interval. Usage:
  /usr/bin/python3 training/probe.py --run training/out/<run> --data <dataset> [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from train import image_action_logits, model_config, torch_load  # noqa: E402
from vla import actions as act  # noqa: E402
from vla.data import FrameSet, load_episodes, split_episodes  # noqa: E402
from vla.glove import glove_vocab  # noqa: E402
from vla.model import VLA  # noqa: E402

SIDEWAYS_M = 0.015  # the label still moves this far sideways (the expert has not arrived)
DOWN_M = -0.005  # a step that goes down at least this much


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of k successes in n trials (Wilson 1927)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def load_run(run: str, vocab, vectors, is_word) -> tuple[VLA, dict]:
    ck = torch_load(os.path.join(run, "ckpt.pt"))
    cfg = model_config(argparse.Namespace(**ck["args"]), vocab.size, vectors.shape[1], int((~is_word).sum()))
    model = VLA(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    return model, ck


@torch.no_grad()
def greedy_slots(model: VLA, fs: FrameSet, idx: np.ndarray, batch: int = 256) -> np.ndarray:
    """Greedy action slots [N, 7]: token d is decoded with tokens 0..d-1 the model's own choices."""
    out = []
    c = model.cfg
    for k in range(0, len(idx), batch):
        px, ids, mask, state, _ = fs.batch(idx[k:k + batch])
        ids = ids.clone()
        chosen = torch.zeros(len(ids), c.action_dims, dtype=torch.long)
        img = model.vision(px, state)  # the frames do not change between tokens
        # The last 6 input ids are the action tokens fed back; position d predicts slot d.
        for d in range(c.action_dims):
            logits, _ = image_action_logits(model, img, ids, mask)
            chosen[:, d] = logits[:, d].argmax(-1)
            if d < c.action_dims - 1:
                ids[:, ids.shape[1] - (c.action_dims - 1) + d] = chosen[:, d] + fs.action_start
        out.append(chosen.numpy())
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="training run folder with ckpt.pt")
    ap.add_argument("--data", required=True, help="dataset whose validation split to probe")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    vocab, vectors, is_word = glove_vocab()
    model, ck = load_run(args.run, vocab, vectors, is_word)
    a = ck["args"]
    eps, _ = load_episodes(args.data, model.cfg.image_size, None, log=lambda *_: None)
    _, val_eps = split_episodes(eps, a.get("val_fraction", 0.05), a.get("seed", 0))
    fs = FrameSet(val_eps, vocab, ck["norm_stats"], ck["state_stats"], ck["image_mean"], ck["image_std"])
    phases = []
    for e in val_eps:
        with open(os.path.join(args.data, "episodes", f"{e.index:06d}.json"), encoding="utf-8") as f:
            phases.extend(json.load(f)["phases"])
    phases = np.asarray(phases)
    assert len(phases) == len(fs), "phases and frames disagree"

    idx = np.arange(len(fs))
    slots = greedy_slots(model, fs, idx)
    norm = ck["norm_stats"]
    q01, q99 = np.asarray(norm["q01"]), np.asarray(norm["q99"])
    ids = slots + fs.action_start
    n_act = act.detokenize(ids, vocab.size)
    pred = np.where(np.asarray(norm["mask"], bool), (n_act + 1) / 2 * (q99 - q01) + q01, n_act)
    label = np.concatenate([e.actions for e in val_eps])

    sideways = np.hypot(label[:, 0], label[:, 1]) >= SIDEWAYS_M
    groups = {
        "early_descent": (phases == "approach") & sideways & (label[:, 2] > DOWN_M),
        "close": (phases == "close") & (label[:, 6] < 0.5),
        "release": (phases == "release") & (label[:, 6] > 0.5),
    }
    hits = {
        "early_descent": pred[:, 2] < DOWN_M,
        "close": pred[:, 6] < 0.5,
        "release": pred[:, 6] > 0.5,
    }
    out = {"run": args.run, "data": args.data, "frames": int(len(fs)), "episodes": len(val_eps)}
    print(f"{args.run} on {len(val_eps)} validation episodes of {args.data} ({len(fs)} frames), greedy")
    for name, sel in groups.items():
        n, k = int(sel.sum()), int((sel & hits[name]).sum())
        lo, hi = wilson(k, n)
        out[name] = {"frames": n, "count": k, "share": k / n if n else None, "ci95": [lo, hi]}
        what = {"early_descent": "goes down", "close": "closes", "release": "opens"}[name]
        print(f"  {name:<14} {what:<10} {k:>4}/{n:<4} = {100 * k / max(n, 1):5.1f}%  (95% CI {100 * lo:.1f}–{100 * hi:.1f}%)")
    acc = (slots == fs.slots.numpy()).mean(0)
    out["token_accuracy"] = acc.tolist()
    print("  greedy token accuracy per dim: " + " ".join(f"{v:.2f}" for v in acc) + f"  (mean {acc.mean():.3f})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()

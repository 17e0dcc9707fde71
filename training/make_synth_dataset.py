"""Writes a tiny SYNTHETIC dataset in the datagen format (training/DATASET.md) for testing the
training pipeline without the browser: a coloured square on a grey table, an "end effector" dot
that moves toward it, and actions = the clipped step toward the target (so a model can learn them
from the image, the instruction's colour and the state). Not a robot dataset.
Usage: /usr/bin/python3 training/make_synth_dataset.py --out /tmp/synth --episodes 40
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

COLORS = {"red": (220, 30, 25), "green": (35, 180, 50), "blue": (30, 75, 230), "yellow": (240, 215, 25)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--episodes", type=int, default=40)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "episodes"), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    names = list(COLORS)
    all_actions = []
    for ep in range(args.episodes):
        s = args.size
        # two blocks of different colours; the instruction names one
        cols = rng.choice(len(names), 2, replace=False)
        pos = rng.uniform(0.15, 0.85, (2, 2))
        target = 0
        color = names[cols[target]]
        ee = np.array([0.5, 0.5, 0.2])
        grip = 1.0
        frames, acts, ee_pos, grips = [], [], [], []
        for t in range(args.steps):
            img = np.full((s, s, 3), 128, np.uint8)
            for k in range(2):
                cy, cx = (pos[k] * s).astype(int)
                img[max(0, cy - 5):cy + 5, max(0, cx - 5):cx + 5] = COLORS[names[cols[k]]]
            ey, ex = (np.clip(ee[:2], 0, 0.99) * s).astype(int)
            img[max(0, ey - 2):ey + 2, max(0, ex - 2):ex + 2] = 20
            d = np.clip(pos[target] - ee[:2], -0.05, 0.05)
            dz = -0.02 if np.abs(pos[target] - ee[:2]).max() < 0.05 else 0.0
            g = 0.0 if t > args.steps * 0.7 else 1.0
            a = [float(d[0]), float(d[1]), dz, 0.0, 0.0, float(rng.normal(0, 0.01)), g]
            frames.append(img)
            acts.append(a)
            ee_pos.append(ee.tolist())
            grips.append(grip)
            ee = ee + np.array([d[0], d[1], dz])
            grip = g
        all_actions += acts
        name = os.path.join(args.out, "episodes", f"{ep:06d}")
        np.stack(frames).tofile(name + ".rgb")
        with open(name + ".json", "w", encoding="utf-8") as f:
            json.dump({
                "seed": args.seed * 100000 + ep, "task": f"pick:{color}-block", "family": "pick",
                "instruction": f"pick up the {color} block", "templateIndex": 0, "success": ep % 10 != 9,
                "steps": args.steps, "width": s, "height": s, "noise": 0.0, "actions": acts, "ee_pos": ee_pos,
                "ee_quat": [[1, 0, 0, 0]] * args.steps, "gripper": grips, "joints": [[0.0] * 6] * args.steps,
            }, f)
    a = np.asarray(all_actions)
    with open(os.path.join(args.out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump({"synthetic": True, "width": args.size, "height": args.size, "episodes": args.episodes}, f)
    with open(os.path.join(args.out, "stats.json"), "w", encoding="utf-8") as f:
        json.dump({"vla_sim": {"action": {"q01": np.quantile(a, 0.01, 0).tolist(), "q99": np.quantile(a, 0.99, 0).tolist(),
                                          "mask": [True] * 6 + [False]}}}, f)
    print(f"wrote {args.episodes} synthetic episodes to {args.out}")


if __name__ == "__main__":
    main()

"""Open-loop probe of a run's greedy decoding on held-out frames, grouped by the expert's phase: how often
the policy does what the closed loop fails at, in a minute instead of an eval's ten.

For every validation frame of `--data` (the run's split: same hash, same fraction) the run's PyTorch model
decodes all 7 tokens greedily (each token conditioned on the ones it chose, as the runtime does). Reported:
- early descent: in the expert's `approach` phase (at or near hover height, still moving sideways) where the
  label moves ≥ 1.5 cm sideways and does not go down, the share of frames where the policy goes down
  (dz < −5 mm). This is what `eval --trace` calls an early descent, seen one frame at a time;
- close: in the `close` phase (label: gripper closed), the share where the policy closes the gripper;
- release: in `release` (label: open), the share where it opens;
- hold: carrying the block to the container and lowering it (`carry`, `lower`; label: closed), the share
  where it keeps the gripper closed (an open one drops the block);
- lower: in `lower` where the label goes down, the share where the policy goes down;
- grounding (needs the dataset's aux.json): on each pick/put episode's first frame with two or more blocks in
  the scene, the share whose greedy sideways step heads for the task's block rather than another block
  (the block whose direction from the gripper is nearest the step's); and, asking "pick up the <colour>
  block" of every block in those first frames in turn (a counterfactual instruction), the share that heads
  for the block asked for. Chance is about one in the number of blocks. The same for put's goal
  (goal_grounding): carrying, heads for the task's container, and for each container asked for;
- token accuracy of the greedy decode against the label, all frames, per dimension.
Each share comes with its 95% Wilson interval. Usage:
  /usr/bin/python3 training/probe.py --run training/out/<run> --data <dataset> [--all-episodes] [--max-episodes N] [--grounding-only]
      [--json out.json]
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from train import image_action_logits, model_config, torch_load  # noqa: E402
from vla import actions as act  # noqa: E402
from vla.data import OBJECT_KINDS, FrameSet, load_episodes, split_episodes  # noqa: E402
from vla.glove import COLOURS  # noqa: E402
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


def one_frame(e, t: int = 0, instruction: str | None = None):
    """A copy of episode `e` cut to its frame `t` (the first by default), with another instruction if given."""
    f = copy.copy(e)
    for name in ("frames", "actions", "state", "aux", "obj_uv", "ee_uv"):
        v = getattr(e, name, None)
        if v is not None:
            setattr(f, name, v[t:t + 1])
    if instruction is not None:
        f.instruction = instruction
    return f


def decode_actions(model: VLA, fs: FrameSet, ck: dict, vocab) -> tuple[np.ndarray, np.ndarray]:
    """Greedy slots [N, 7] and the un-normalised actions [N, 7] they stand for, every frame of `fs`."""
    slots = greedy_slots(model, fs, np.arange(len(fs)))
    norm = ck["norm_stats"]
    q01, q99 = np.asarray(norm["q01"]), np.asarray(norm["q99"])
    n_act = act.detokenize(slots + fs.action_start, vocab.size)
    return slots, np.where(np.asarray(norm["mask"], bool), (n_act + 1) / 2 * (q99 - q01) + q01, n_act)


def decode_xy(model: VLA, fs: FrameSet, ck: dict, vocab) -> np.ndarray:
    """Greedy sideways step (dx, dy) in metres for every frame of `fs`."""
    return decode_actions(model, fs, ck, vocab)[1][:, :2]


@torch.no_grad()
def grounding(model: VLA, ck: dict, vocab, val_eps) -> dict | None:
    """The grounding shares of the module docstring, or None without aux.json object positions."""
    eps = [e for e in val_eps if e.obj_uv is not None and e.obj_cls is not None]
    if not eps or model.vision.kp_rel_proj is None:
        return None
    kinds = len(OBJECT_KINDS)  # OBJECT_CLASSES is colour-major (COLOURS)
    base = [one_frame(e) for e in eps]
    fs0 = FrameSet(base, vocab, ck["norm_stats"], ck["state_stats"], ck["image_mean"], ck["image_std"])
    _, _, _, state, _ = fs0.batch(np.arange(len(fs0)))
    scenes = []  # per episode: [(colour, world xy)] of its blocks, the gripper xy
    for i, e in enumerate(base):
        blocks = [(k, m) for m, k in enumerate(e.obj_cls.tolist()) if k >= 0 and k % kinds == 0]
        uv = torch.tensor(e.obj_uv[0][[m for _, m in blocks]] * 2 - 1, dtype=torch.float32)[None]
        off = model.vision.plane_offsets(uv, state[i:i + 1])[0].numpy()  # hits on the block-top and table planes
        ee = e.state[0, :2]
        xy = (off[:, 0:2] + off[:, 2:4]) / 2 * 0.1 + ee  # the ray at the block centre's height, midway
        scenes.append(([(COLOURS[k // kinds], xy[j]) for j, (k, _) in enumerate(blocks)], ee))

    def heads_for(step: np.ndarray, blocks, ee) -> str:
        cos = [float(step @ (xy - ee)) / (np.linalg.norm(step) * np.linalg.norm(xy - ee) + 1e-12) for _, xy in blocks]
        return blocks[int(np.argmax(cos))][0]

    own = [i for i, e in enumerate(base) if e.family in ("pick", "put") and len(scenes[i][0]) >= 2]
    out = {}
    if own:
        xy0 = decode_xy(model, FrameSet([base[i] for i in own], vocab, ck["norm_stats"], ck["state_stats"],
                                        ck["image_mean"], ck["image_std"]), ck, vocab)
        k = sum(heads_for(xy0[j], *scenes[i]) == base[i].task.split(":")[1].split("-")[0] for j, i in enumerate(own))
        out["task_block_first_frame"] = {"frames": len(own), "count": int(k), "share": k / len(own), "ci95": list(wilson(k, len(own))),
                                         "chance": float(np.mean([1 / len(scenes[i][0]) for i in own]))}
    asks = [(i, c) for i, (blocks, _) in enumerate(scenes) if len(blocks) >= 2 for c, _ in blocks]
    if asks:
        cf = [one_frame(eps[i], instruction=f"pick up the {c} block") for i, c in asks]
        xy = decode_xy(model, FrameSet(cf, vocab, ck["norm_stats"], ck["state_stats"], ck["image_mean"], ck["image_std"]), ck, vocab)
        k = sum(heads_for(xy[j], *scenes[i]) == c for j, (i, c) in enumerate(asks))
        out["counterfactual_pick"] = {"frames": len(asks), "count": int(k), "share": k / len(asks), "ci95": list(wilson(k, len(asks))),
                                      "chance": float(np.mean([1 / len(scenes[i][0]) for i, _ in asks]))}
    return out


def episode_phases(data: str, e) -> list[str]:
    """The expert's phase at each step of episode `e` (its recorded episode file)."""
    with open(os.path.join(data, "episodes", f"{e.index:06d}.json"), encoding="utf-8") as f:
        return json.load(f)["phases"]


@torch.no_grad()
def goal_grounding(model: VLA, ck: dict, vocab, val_eps, data: str) -> dict | None:
    """Put's second half: on each put episode's first `carry` frame where the expert still moves >= 1.5 cm
    sideways and the scene holds two or more containers, the share whose greedy sideways step heads for the
    task's container rather than another (nearest direction, as for blocks); and, asking "put the <block>
    block in/on the <colour> <container>" of every container in those frames, the share that heads for the
    container asked for. Container centres are ray-cast onto the table from their image positions."""
    kinds = len(OBJECT_KINDS)
    picked = []  # (episode, frame index)
    for e in val_eps:
        if e.family != "put" or e.obj_uv is None or e.obj_cls is None:
            continue
        n_containers = sum(1 for k in e.obj_cls.tolist() if k >= 0 and k % kinds != 0)
        if n_containers < 2:
            continue
        ph = episode_phases(data, e)
        t = next((t for t, p in enumerate(ph) if p == "carry" and np.hypot(*e.actions[t, :2]) >= SIDEWAYS_M), None)
        if t is not None:
            picked.append((e, t))
    if not picked or model.vision.kp_rel_proj is None:
        return None
    base = [one_frame(e, t) for e, t in picked]
    fs0 = FrameSet(base, vocab, ck["norm_stats"], ck["state_stats"], ck["image_mean"], ck["image_std"])
    _, _, _, state, _ = fs0.batch(np.arange(len(fs0)))
    scenes = []  # per frame: [(colour, kind, world xy)] of its containers, the gripper xy
    for i, f in enumerate(base):
        conts = [(k, m) for m, k in enumerate(f.obj_cls.tolist()) if k >= 0 and k % kinds != 0]
        uv = torch.tensor(f.obj_uv[0][[m for _, m in conts]] * 2 - 1, dtype=torch.float32)[None]
        off = model.vision.plane_offsets(uv, state[i:i + 1])[0].numpy()
        ee = f.state[0, :2]
        xy = off[:, 2:4] * 0.1 + ee  # the ray where it meets the table
        scenes.append(([(COLOURS[k // kinds], OBJECT_KINDS[k % kinds], xy[j]) for j, (k, _) in enumerate(conts)], ee))

    def heads_for(step: np.ndarray, conts, ee) -> tuple[str, str]:
        cos = [float(step @ (xy - ee)) / (np.linalg.norm(step) * np.linalg.norm(xy - ee) + 1e-12) for *_, xy in conts]
        return conts[int(np.argmax(cos))][:2]

    def share(k: int, n: int, chance: float) -> dict:
        return {"frames": n, "count": int(k), "share": k / n, "ci95": list(wilson(k, n)), "chance": chance}

    out = {}
    xy0 = decode_xy(model, fs0, ck, vocab)
    own = [tuple(f.task.split(":")[2].split("-")) for f in base]
    k = sum(heads_for(xy0[i], *scenes[i]) == own[i] for i in range(len(base)))
    out["task_container_carry"] = share(k, len(base), float(np.mean([1 / len(c) for c, _ in scenes])))
    asks = [(i, c, kind) for i, (conts, _) in enumerate(scenes) for c, kind, _ in conts]
    prep = {"bowl": "in", "plate": "on"}
    block = [f.task.split(":")[1].split("-")[0] for f in base]
    cf = [one_frame(picked[i][0], picked[i][1], f"put the {block[i]} block {prep[kind]} the {c} {kind}") for i, c, kind in asks]
    xy = decode_xy(model, FrameSet(cf, vocab, ck["norm_stats"], ck["state_stats"], ck["image_mean"], ck["image_std"]), ck, vocab)
    k = sum(heads_for(xy[j], *scenes[i]) == (c, kind) for j, (i, c, kind) in enumerate(asks))
    out["counterfactual_put"] = share(k, len(asks), float(np.mean([1 / len(scenes[i][0]) for i, *_ in asks])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="training run folder with ckpt.pt")
    ap.add_argument("--data", required=True, help="dataset whose validation split to probe")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--all-episodes", action="store_true",
                    help="probe every episode of --data (a dataset the run never trained on), not its validation split")
    ap.add_argument("--grounding-only", action="store_true", help="only the grounding figures (first frames: seconds, not minutes)")
    ap.add_argument("--max-episodes", type=int, default=0, help="read only the first N episodes of --data (0: all)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    vocab, vectors, is_word = glove_vocab()
    model, ck = load_run(args.run, vocab, vectors, is_word)
    a = ck["args"]
    eps, _ = load_episodes(args.data, model.cfg.image_size, args.max_episodes or None, log=lambda *_: None)
    _, val_eps = split_episodes(eps, a.get("val_fraction", 0.05), a.get("seed", 0))
    if args.all_episodes:
        val_eps = eps
    which = "all" if args.all_episodes else "validation"
    out = {"run": args.run, "data": args.data, "episodes": len(val_eps)}
    print(f"{args.run} on {len(val_eps)} {which} episodes of {args.data}, greedy")
    g = grounding(model, ck, vocab, val_eps)
    gg = goal_grounding(model, ck, vocab, val_eps, args.data) if g is not None else None
    if gg is not None:
        g.update(gg)
    if g is not None:
        out["grounding"] = g
        for name, r in g.items():
            what = {"task_block_first_frame": "first frame heads for the task's block",
                    "counterfactual_pick": '"pick up the <colour> block": heads for that block',
                    "task_container_carry": "put, carrying: heads for the task's container",
                    "counterfactual_put": '"put the <block> in/on the <colour> <container>"'}[name]
            print(f"  grounding: {what:<52} {r['count']:>4}/{r['frames']:<4} = {100 * r['share']:5.1f}%  "
                  f"(95% CI {100 * r['ci95'][0]:.1f}–{100 * r['ci95'][1]:.1f}%; chance {100 * r['chance']:.0f}%)")
    elif args.grounding_only:
        raise SystemExit(f"no object positions for grounding: run npm run train:aux -- --data {args.data}")
    if not args.grounding_only:
        frame_figures(args, model, ck, vocab, val_eps, out)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


def frame_figures(args, model: VLA, ck: dict, vocab, val_eps, out: dict) -> None:
    """Every validation frame decoded greedily: early descent, close, release, token accuracy (into `out`)."""
    fs = FrameSet(val_eps, vocab, ck["norm_stats"], ck["state_stats"], ck["image_mean"], ck["image_std"])
    out["frames"] = int(len(fs))
    print(f"  {len(fs)} frames")
    phases = []
    for e in val_eps:
        phases.extend(episode_phases(args.data, e))
    phases = np.asarray(phases)
    assert len(phases) == len(fs), "phases and frames disagree"

    slots, pred = decode_actions(model, fs, ck, vocab)
    label = np.concatenate([e.actions for e in val_eps])

    sideways = np.hypot(label[:, 0], label[:, 1]) >= SIDEWAYS_M
    groups = {
        "early_descent": (phases == "approach") & sideways & (label[:, 2] > DOWN_M),
        "close": (phases == "close") & (label[:, 6] < 0.5),
        "release": (phases == "release") & (label[:, 6] > 0.5),
        "hold": np.isin(phases, ("carry", "lower")) & (label[:, 6] < 0.5),
        "lower": (phases == "lower") & (label[:, 2] < DOWN_M),
    }
    hits = {
        "early_descent": pred[:, 2] < DOWN_M,
        "close": pred[:, 6] < 0.5,
        "release": pred[:, 6] > 0.5,
        "hold": pred[:, 6] < 0.5,
        "lower": pred[:, 2] < DOWN_M,
    }
    for name, sel in groups.items():
        n, k = int(sel.sum()), int((sel & hits[name]).sum())
        lo, hi = wilson(k, n)
        out[name] = {"frames": n, "count": k, "share": k / n if n else None, "ci95": [lo, hi]}
        what = {"early_descent": "goes down", "close": "closes", "release": "opens", "hold": "holds",
                "lower": "goes down"}[name]
        print(f"  {name:<14} {what:<10} {k:>4}/{n:<4} = {100 * k / max(n, 1):5.1f}%  (95% CI {100 * lo:.1f}–{100 * hi:.1f}%)")
    acc = (slots == fs.slots.numpy()).mean(0)
    out["token_accuracy"] = acc.tolist()
    print("  greedy token accuracy per dim: " + " ".join(f"{v:.2f}" for v in acc) + f"  (mean {acc.mean():.3f})")


if __name__ == "__main__":
    main()

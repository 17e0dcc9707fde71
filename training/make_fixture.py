"""Builds the committed TEST FIXTURE models/fixture-random/: a small, RANDOMLY INITIALIZED
VLA (training/vla/model.py) exported to the vla-onnx folder format. It has not been
trained and its actions are meaningless; it exists so runtime tests exercise real
graphs. Usage: /usr/bin/python3 training/make_fixture.py [--out models/fixture-random]
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vla.export import PROMPT_TEMPLATE, export_model  # noqa: E402
from vla.model import VLA, VLAConfig  # noqa: E402
from vla.tokenizer import build_vocab  # noqa: E402

WORDS = """
in what action should the robot take to out
pick up put push place move lift grab the a an block cube on into onto of
red green blue yellow purple orange bowl plate left right forward back
""".split()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "models", "fixture-random"))
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    vocab = build_vocab(WORDS)
    cfg = VLAConfig(vocab_size=vocab.size, d_model=64, n_layers=2, n_heads=4, ffn_dim=128,
                    image_size=64, patch_grid=8, stem_channels=16, max_positions=128, state_dim=4)
    model = VLA(cfg).eval()
    sharpen(model)
    key = "fixture_sim"
    manifest = export_model(
        model,
        vocab,
        args.out,
        {
            "Intended use": "TEST FIXTURE ONLY. Randomly initialized weights (seed "
            f"{args.seed}); never trained. Used by tests/inference/*.test.ts to check the runtime's "
            "decoding, KV cache, probabilities and attention outputs on real ONNX graphs.",
            "Data": "None. The normalization statistics are plausible made-up values for a tabletop arm "
            "(EE deltas of a few centimetres and a few hundredths of a radian per step).",
            "Training": "None.",
            "Evaluation": "None; success rate is expected to be that of random actions.",
            "Reproduce": "`/usr/bin/python3 training/make_fixture.py`",
        },
        model_id="fixture-random",
        name="Random-weights test fixture (not a policy)",
        license="Apache-2.0",
        description="A randomly initialized VLA with the bundled architecture, for runtime tests.",
        norm_stats={
            key: {
                "q01": [-0.02, -0.02, -0.02, -0.05, -0.05, -0.05, 0.0],
                "q99": [0.02, 0.02, 0.02, 0.05, 0.05, 0.05, 1.0],
                "mask": [True, True, True, True, True, True, False],
            }
        },
        unnorm_key=key,
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
        control_hz=10,
        state={
            "names": ["ee_x", "ee_y", "ee_z", "gripper"],
            "units": ["m", "m", "m", "1"],
            "mean": [0.45, 0.0, 0.2, 0.5],
            "std": [0.1, 0.15, 0.08, 0.5],
        },
    )
    golden = os.path.join(root, "tests", "inference", "golden", "fixture-random.json")
    write_golden(model, vocab, manifest, golden)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(args.out) for f in fs)
    print(f"wrote {args.out}: vocab {manifest['action']['vocab_size']}, {size / 1024:.0f} KiB")


def sharpen(model: VLA) -> None:
    """Scale the random weights up so the fixture's tokens depend on the image, the state, the
    prompt and the previous tokens (with the small default init every step picks the same token,
    which would make the runtime tests vacuous)."""
    with torch.no_grad():
        model.embed_tokens.weight.normal_(0, 1.0)
        model.decoder.pos.weight.normal_(0, 0.5)
        model.vision.pos.normal_(0, 1.0)
        for p in model.vision.stem.parameters():
            p.mul_(2.0)
        for b in model.decoder.blocks:
            b.attn.qkv.weight.mul_(3.0)


def golden_frame(size: int) -> np.ndarray:
    """The test frame, [H, W, 3] uint8: r = 4x, g = 4y, b = 2(x + y) (mod 256)."""
    y, x = np.mgrid[0:size, 0:size]
    return np.stack([(4 * x) & 255, (4 * y) & 255, (2 * (x + y)) & 255], axis=-1).astype(np.uint8)


def write_golden(model: VLA, vocab, manifest: dict, path: str) -> None:
    """PyTorch's greedy decode of a fixed input, for the ONNX runtime parity test."""
    cfg = model.cfg
    img = manifest["image"]
    px = golden_frame(cfg.image_size).astype(np.float64) / 255.0
    px = (px - np.array(img["mean"])) / np.array(img["std"])
    pixel_values = torch.tensor(px.transpose(2, 0, 1)[None], dtype=torch.float32)
    raw_state = [0.5, 0.1, 0.25, 1.0]
    st = manifest["state"]
    state = torch.tensor([[(v - m) / s for v, m, s in zip(raw_state, st["mean"], st["std"])]], dtype=torch.float32)
    instruction = "Pick up the RED block"
    prompt = PROMPT_TEMPLATE.format(instruction=instruction.lower())
    ids = vocab.encode(prompt)
    tokens = model.predict_actions(pixel_values, torch.tensor([ids]), state)
    # Probability of each chosen token (full-sequence recompute, softmax over the action slice).
    start = cfg.vocab_size - cfg.action_bins
    chosen_probs, margins = [], []
    with torch.no_grad():
        for d in range(cfg.action_dims):
            seq = torch.tensor([ids + tokens[:d]])
            logits = model(pixel_values, seq, state=state)[0, -1, start:]
            chosen_probs.append(float(torch.softmax(logits, -1)[tokens[d] - start]))
            top2 = torch.topk(logits, 2).values
            margins.append(float(top2[0] - top2[1]))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(
            {
                "note": "Written by training/make_fixture.py from PyTorch; frame r=4x, g=4y, b=2(x+y) mod 256.",
                "instruction": instruction,
                "state": raw_state,
                "prompt": prompt,
                "prompt_ids": ids,
                "tokens": tokens,
                "chosen_probs": chosen_probs,
                "top2_logit_margins": margins,
            },
            f,
            indent=2,
        )
    if shutil.which("npx"):  # keep the repo's formatter (biome) happy; best effort
        subprocess.run(["npx", "biome", "format", "--write", path], cwd=os.path.dirname(os.path.dirname(path)), check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()

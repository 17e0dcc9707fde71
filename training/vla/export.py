"""Exports a VLA (training/vla/model.py) to a `vla-onnx` model folder: three ONNX graphs in
the transformers.js layout (vision_encoder, embed_tokens, decoder with past_key_values.* /
present.* and an `attentions` output), manifest.json, tokenizer.json (+ tokenizer_config.json)
and a model card README.md. Opset 17; works with torch 1.13 and current torch (TorchScript exporter).
"""
from __future__ import annotations

import inspect
import json
import os
from typing import Any

import torch
from torch import nn

from .model import VLA
from .tokenizer import Vocab, write_tokenizer

OPSET = 17
PROMPT_TEMPLATE = "In: What action should the robot take to {instruction}?\nOut:"
ACTION_NAMES = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"]
ACTION_UNITS = ["m", "m", "m", "rad", "rad", "rad", "1"]


class _VisionGraph(nn.Module):
    def __init__(self, model: VLA):
        super().__init__()
        self.m = model

    def forward(self, pixel_values, state=None):
        return self.m.vision(pixel_values, state)


class _EmbedGraph(nn.Module):
    """input_ids → inputs_embeds as one Gather over the model's folded [V, D] embedding table
    (for word-vector embeddings: proj(frozen vector) for words, learned rows for the rest)."""

    def __init__(self, model: VLA):
        super().__init__()
        self.register_buffer("table", model.embedding_table().detach().clone())

    def forward(self, input_ids):
        return nn.functional.embedding(input_ids, self.table)


class _DecoderGraph(nn.Module):
    def __init__(self, model: VLA):
        super().__init__()
        self.m = model

    def forward(self, inputs_embeds, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents, attentions = self.m.decoder(inputs_embeds, attention_mask, position_ids, past, last_only=True)
        flat = [t for kv in presents for t in kv]
        return (logits, *flat, attentions)


def _export(module: nn.Module, args: tuple, path: str, inputs: list[str], outputs: list[str], axes: dict) -> None:
    kwargs: dict[str, Any] = dict(
        input_names=inputs,
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=OPSET,
        do_constant_folding=True,
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # newer torch defaults to the dynamo exporter; keep one code path
    torch.onnx.export(module, args, path, **kwargs)


def export_graphs(model: VLA, onnx_dir: str, suffix: str = "") -> dict[str, str]:
    """Writes vision_encoder / embed_tokens / decoder .onnx files; returns graph name → file name."""
    cfg = model.cfg
    model.eval()
    os.makedirs(onnx_dir, exist_ok=True)
    names = {g: f"{g}{suffix}.onnx" for g in ("vision_encoder", "embed_tokens", "decoder")}
    with torch.no_grad():
        px = torch.zeros(1, 3, cfg.image_size, cfg.image_size)
        if cfg.state_dim > 0:
            _export(
                _VisionGraph(model), (px, torch.zeros(1, cfg.state_dim)), os.path.join(onnx_dir, names["vision_encoder"]),
                ["pixel_values", "state"], ["image_embeds"],
                {"pixel_values": {0: "batch"}, "state": {0: "batch"}, "image_embeds": {0: "batch"}},
            )
        else:
            _export(
                _VisionGraph(model), (px,), os.path.join(onnx_dir, names["vision_encoder"]),
                ["pixel_values"], ["image_embeds"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
            )
        ids = torch.tensor([[2, 3, 4]], dtype=torch.long)
        _export(
            _EmbedGraph(model), (ids,), os.path.join(onnx_dir, names["embed_tokens"]),
            ["input_ids"], ["inputs_embeds"],
            {"input_ids": {0: "batch", 1: "sequence"}, "inputs_embeds": {0: "batch", 1: "sequence"}},
        )
        s, p = 3, 2  # trace with a non-empty past; all lengths are dynamic
        emb = torch.randn(1, s, cfg.d_model)
        mask = torch.ones(1, p + s, dtype=torch.long)
        pos = torch.arange(p, p + s).unsqueeze(0)
        past = []
        inputs = ["inputs_embeds", "attention_mask", "position_ids"]
        outputs = ["logits"]
        axes: dict[str, dict[int, str]] = {
            "inputs_embeds": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "total_sequence"},
            "position_ids": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"},  # [batch, 1, vocab]: the last position's (Decoder.forward last_only)
            "attentions": {0: "batch", 4: "total_sequence"},  # [batch, layers, heads, 1, total_sequence]
        }
        for i in range(cfg.n_layers):
            for kv in ("key", "value"):
                past.append(torch.randn(1, cfg.n_heads, p, cfg.head_dim))
                inputs.append(f"past_key_values.{i}.{kv}")
                outputs.append(f"present.{i}.{kv}")
                axes[f"past_key_values.{i}.{kv}"] = {0: "batch", 2: "past_sequence"}
                axes[f"present.{i}.{kv}"] = {0: "batch", 2: "total_sequence"}
        outputs.append("attentions")
        _export(_DecoderGraph(model), (emb, mask, pos, *past), os.path.join(onnx_dir, names["decoder"]), inputs, outputs, axes)
    _check(onnx_dir, names)
    return names


def _check(onnx_dir: str, names: dict[str, str]) -> None:
    import onnx

    for f in names.values():
        onnx.checker.check_model(onnx.load(os.path.join(onnx_dir, f)))


def build_manifest(
    model: VLA,
    vocab: Vocab,
    graphs: dict[str, str],
    *,
    model_id: str,
    name: str,
    license: str,
    norm_stats: dict[str, dict],
    unnorm_key: str,
    image_mean: list[float],
    image_std: list[float],
    control_hz: float = 10,
    state: dict | None = None,
    dtype: str = "fp32",
    description: str = "",
) -> dict:
    """The manifest.json dict. `state` (when cfg.state_dim > 0): {"names", "units", "mean", "std"}."""
    cfg = model.cfg
    if vocab.size != cfg.vocab_size:
        raise ValueError(f"vocab has {vocab.size} tokens but the model has vocab_size {cfg.vocab_size}")
    m: dict[str, Any] = {
        "format": "vla-onnx",
        "format_version": 1,
        "id": model_id,
        "name": name,
        "description": description,
        "license": license,
        "graphs": {g: f"onnx/{f}" for g, f in graphs.items()},
        "quantization": {g: dtype for g in graphs},
        "image": {
            "width": cfg.image_size,
            "height": cfg.image_size,
            "resize": "bilinear",
            "mean": image_mean,
            "std": image_std,
            "layout": "NCHW",
            "patch_grid": [cfg.patch_grid, cfg.patch_grid],
            **({"keypoint_tokens": cfg.keypoints} if getattr(cfg, "keypoints", 0) else {}),
            "num_tokens": cfg.num_image_tokens,
        },
        "prompt": {"template": PROMPT_TEMPLATE, "lowercase": True, "max_chars": 512},
        "tokenizer": "tokenizer.json",
        "tokenizer_config": "tokenizer_config.json",
        "sequence": ["image", "text", "action"],
        "decoder": {
            "num_layers": cfg.n_layers,
            "num_kv_heads": cfg.n_heads,
            "head_dim": cfg.head_dim,
            "hidden_size": cfg.d_model,
            "max_positions": cfg.max_positions,
            "kv_dtype": "float32",
            "attentions": "attentions",
        },
        "action": {
            "dims": cfg.action_dims,
            "names": ACTION_NAMES[: cfg.action_dims],
            "units": ACTION_UNITS[: cfg.action_dims],
            "bins": cfg.action_bins,
            "vocab_size": cfg.vocab_size,
            "norm_stats": norm_stats,
            "unnorm_key": unnorm_key,
        },
        "control_hz": control_hz,
    }
    if cfg.state_dim > 0:
        if state is None:
            raise ValueError("the model takes a state input: pass state={'names','units','mean','std'}")
        m["state"] = {"dims": cfg.state_dim, **state}
    return m


def write_model_card(folder: str, manifest: dict, sections: dict[str, str], plane_features: bool = False) -> None:
    """README.md: header from the manifest, then the given sections (e.g. Data, Training, Evaluation)."""
    a, d = manifest["action"], manifest["decoder"]
    lines = [
        f"# {manifest['name']}",
        "",
        f"`{manifest['id']}` — a `vla-onnx` model folder (format version {manifest['format_version']}).",
        "",
        manifest.get("description", ""),
        "",
        "## Architecture",
        "",
        f"- Vision encoder: conv stem on {manifest['image']['width']}×{manifest['image']['height']} RGB → "
        f"{manifest['image']['patch_grid'][0]}×{manifest['image']['patch_grid'][1]} patch tokens"
        + (f" + {manifest['image']['keypoint_tokens']} keypoint tokens (spatial-softmax image positions from the "
           "stem's half-resolution features: one per object class and one for the gripper, each trained towards "
           "its projected centre)" if manifest["image"].get("keypoint_tokens") else "")
        + ("; each keypoint token also carries where its camera ray meets a block's top face and the table, "
           "minus the proprio end-effector xy (fixed geometry of the nominal camera inside the graph)"
           if plane_features else "")
        + (f" + 1 proprio state token ({', '.join(manifest['state']['names'])})" if "state" in manifest else "")
        + f", projected to d_model {d['hidden_size']}.",
        f"- Causal decoder: {d['num_layers']} layers, {d['num_kv_heads']} heads × {d['head_dim']}, "
        f"max {d['max_positions']} positions, vocabulary {a['vocab_size']} (last {a['bins']} ids are action tokens).",
        f"- Output: {a['dims']} action tokens ({', '.join(a['names'])}), OpenVLA de-tokenization and BOUNDS_Q99 "
        f"un-normalization with key `{a['unnorm_key']}`; control rate {manifest['control_hz']} Hz.",
        f"- Graphs: {', '.join(f'{k} ({v})' for k, v in manifest['quantization'].items())}; ONNX opset {OPSET}.",
        "",
    ]
    for title, body in sections.items():
        lines += [f"## {title}", "", body.strip(), ""]
    lines += ["## License", "", manifest["license"], ""]
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def export_model(model: VLA, vocab: Vocab, folder: str, card_sections: dict[str, str], **manifest_args) -> dict:
    """Writes the whole model folder; returns the manifest."""
    os.makedirs(folder, exist_ok=True)
    graphs = export_graphs(model, os.path.join(folder, "onnx"))
    manifest = build_manifest(model, vocab, graphs, **manifest_args)
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    write_tokenizer(vocab, folder)
    write_model_card(folder, manifest, card_sections, plane_features=model.cfg.plane_features)
    return manifest

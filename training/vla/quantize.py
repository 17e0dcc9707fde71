"""Weight-only int8 quantization of an ONNX graph with the `onnx` package (no onnxruntime):
symmetric per-output-channel int8 for the weights of MatMul / Gemm / Conv, each replaced by a
DequantizeLinear node (ORT folds nothing away, so the file holds int8); embedding tables read by a
Gather are stored int8 with one scale per row and dequantized after the Gather (Gather → Cast → Mul),
so only the looked-up rows are touched. Activations stay float32.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


# Names of the quantized tensors (import_model.py reads them back): a MatMul/Conv weight `name` becomes
# `name + Q8_SUFFIX` (int8) behind a DequantizeLinear whose output is `name + DQ_SUFFIX`; a gathered table
# becomes `name + Q8_SUFFIX` with per-row scales `name + ROWSCALE_SUFFIX`.
Q8_SUFFIX = "_q8"
DQ_SUFFIX = "_dq"
ROWSCALE_SUFFIX = "_rowscale"


def _quant(w: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 along `axis` (one scale per index of that axis): (q int8, scale float32)."""
    red = tuple(i for i in range(w.ndim) if i != axis)
    amax = np.abs(w).max(axis=red) if red else np.abs(w)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def quantize_model(src: str, dst: str, min_elements: int = 1024) -> dict:
    """Quantizes `src` into `dst`; returns {"quantized": [initializer names], "bytes_before", "bytes_after"}."""
    model = onnx.load(src)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def weight_axis(node: onnx.NodeProto, name: str, w: np.ndarray) -> int | None:
        if node.op_type == "Conv" and node.input[1] == name:
            return 0
        if node.op_type == "MatMul" and node.input[1] == name and w.ndim == 2:
            return 1  # [K, N]: per output column
        if node.op_type == "Gemm" and node.input[1] == name:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            return 0 if trans_b else 1
        return None

    new_inits: list[onnx.TensorProto] = []
    new_nodes: list[tuple[int, onnx.NodeProto]] = []  # (insert before index, node)
    done: list[str] = []
    before = sum(t.ByteSize() for t in g.initializer)
    drop: set[str] = set()
    order = {id(n): k for k, n in enumerate(g.node)}
    for name, t in inits.items():
        if t.data_type != TensorProto.FLOAT:
            continue
        w = numpy_helper.to_array(t)
        if w.size < min_elements:
            continue
        users = consumers.get(name, [])
        if not users:
            continue
        axes = {weight_axis(n, name, w) for n in users}
        first = min(order[id(n)] for n in users)
        if len(axes) == 1 and None not in axes:
            axis = axes.pop()
            q, scale = _quant(w, axis)
            qn, sn, zn, out = f"{name}{Q8_SUFFIX}", f"{name}_scale", f"{name}_zero", f"{name}{DQ_SUFFIX}"
            new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                          numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), zn)]
            new_nodes.append((first, helper.make_node("DequantizeLinear", [qn, sn, zn], [out], name=f"{name}_DequantizeLinear", axis=axis)))
            for n in users:
                for k, i in enumerate(n.input):
                    if i == name:
                        n.input[k] = out
        elif all(n.op_type == "Gather" and n.input[0] == name and
                 next((a.i for a in n.attribute if a.name == "axis"), 0) == 0 for n in users) and w.ndim == 2:
            q, scale = _quant(w, 0)
            qn, sn = f"{name}{Q8_SUFFIX}", f"{name}{ROWSCALE_SUFFIX}"
            new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale.reshape(-1, 1), sn)]
            for k, n in enumerate(users):
                out = n.output[0]
                gq, gf, gs = f"{out}_q8", f"{out}_f32", f"{out}_scale"
                n.input[0] = qn
                n.output[0] = gq
                idx = n.input[1]
                pos = order[id(n)] + 1
                new_nodes += [
                    (pos, helper.make_node("Cast", [gq], [gf], name=f"{out}_Cast", to=TensorProto.FLOAT)),
                    (pos, helper.make_node("Gather", [sn, idx], [gs], name=f"{out}_GatherScale", axis=0)),
                    (pos, helper.make_node("Mul", [gf, gs], [out], name=f"{out}_Dequantize")),
                ]
        else:
            continue
        drop.add(name)
        done.append(name)
    kept = [t for t in g.initializer if t.name not in drop]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    before_node: dict[int, list[onnx.NodeProto]] = {}
    for pos, node in new_nodes:  # each new node goes right before its first consumer
        before_node.setdefault(pos, []).append(node)
    nodes: list[onnx.NodeProto] = []
    for k, node in enumerate(list(g.node)):
        nodes += before_node.pop(k, [])
        nodes.append(node)
    for k in sorted(before_node):
        nodes += before_node[k]
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]  # stale shape info of renamed values
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    after = sum(t.ByteSize() for t in g.initializer)
    return {"quantized": done, "bytes_before": before, "bytes_after": after}

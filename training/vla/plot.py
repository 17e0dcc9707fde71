"""PNG plot of a training log (log.jsonl from training/train.py): loss and mean action-token
accuracy for train and validation over steps, plus validation accuracy per action dimension.
Uses matplotlib (Debian python3-matplotlib) with the Agg backend; without it, skips the plot.
"""
from __future__ import annotations

import json

DIM_NAMES = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"]


def plot_log(log_path: str, png_path: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing (apt-get install python3-matplotlib): no plot", flush=True)
        return False
    rows = [json.loads(line) for line in open(log_path, encoding="utf-8") if line.strip()]
    tr = [r for r in rows if r["kind"] == "train"]
    va = [r for r in rows if r["kind"] == "val"]
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.6), dpi=80)
    ax[0].plot([r["step"] for r in tr], [r["loss"] for r in tr], label="train", lw=1)
    ax[0].plot([r["step"] for r in va], [r["loss"] for r in va], "o-", label="val", ms=3)
    ax[0].set_title("cross-entropy (7 action tokens)")
    ax[0].set_yscale("log")
    ax[1].plot([r["step"] for r in tr], [r["acc_mean"] for r in tr], label="train", lw=1)
    ax[1].plot([r["step"] for r in va], [r["acc_mean"] for r in va], "o-", label="val exact", ms=3)
    ax[1].plot([r["step"] for r in va], [r.get("acc_pm2_mean", float("nan")) for r in va], "s--", label="val ±2 bins", ms=3)
    ax[1].set_title("action-token accuracy (mean of 7)")
    ax[1].set_ylim(0, 1)
    for d, name in enumerate(DIM_NAMES):
        ax[2].plot([r["step"] for r in va], [r["acc"][d] for r in va], label=name, lw=1)
    ax[2].set_title("val accuracy per dimension")
    ax[2].set_ylim(0, 1)
    for a in ax:
        a.set_xlabel("step")
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png_path)
    plt.close(fig)
    return True

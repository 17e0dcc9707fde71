"""Trains the bundled VLA (training/vla/model.py) on a datagen dataset: teacher-forced
cross-entropy over the 7 action tokens (logits restricted to the 256 action ids), AdamW, warm-up +
cosine LR over a wall-clock budget (--minutes) or a step count, gradient clipping, resumable
checkpoints, a JSONL log + PNG plot of loss/token accuracy, and export-ready weights (model.pt).
Runs on Debian's torch 1.13 CPU and on a current (CUDA) torch unchanged.
Usage: npm run train -- --data <dir> --out training/out/<run> [--minutes 45] [--resume]
       [--extra-data <dir>]… [--init training/out/<earlier run>]
--extra-data adds episodes (e.g. DAgger rollouts) to the training split only: validation, action statistics
and the dataset key stay those of --data, so validation figures compare across runs. --init starts from an
earlier run's weights and normalisation (its architecture too), with a fresh optimiser and schedule.
"""
from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Idle OpenMP threads sleep instead of spinning: on a 2-core machine shared with other work, spinning
# threads made 2-thread training 2-3x slower than 1 thread (measured); set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vla.data import AUX_DIM, N_OBJECT_CLASSES, FrameSet, action_norm_stats, load_episodes, read_dataset_stats, split_episodes, state_stats  # noqa: E402
from vla.glove import TUNED_WORDS, glove_vocab  # noqa: E402
from vla.words import swap_pool  # noqa: E402
from vla.model import NOMINAL_CAMERA, VLA, VLAConfig  # noqa: E402
from vla.plot import plot_log  # noqa: E402

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="datagen output folder")
    ap.add_argument("--out", required=True, help="run folder (checkpoints, log, plot, model.pt)")
    ap.add_argument("--minutes", type=float, default=45.0, help="wall-clock budget incl. resumed time")
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: budget only)")
    ap.add_argument("--resume", action="store_true", help="continue from <out>/ckpt.pt")
    ap.add_argument("--extra-data", action="append", default=[], help="more datagen folders, training split only (repeatable)")
    ap.add_argument("--init", default="", help="run folder whose ckpt.pt gives the starting weights, architecture and normalisation")
    ap.add_argument("--init-action-stats", choices=("init", "data"), default="init",
                    help="with --init: action q01/q99 from the earlier run (default) or from --data (when the "
                         "demonstrations changed; image and state normalisation stay the earlier run's)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=200, help="warm-up steps")
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--patch-grid", type=int, default=8)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--stem-channels", type=int, default=32)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--val-fraction", type=float, default=0.05)
    ap.add_argument("--val-frames", type=int, default=2048, help="validation frames per evaluation")
    ap.add_argument("--limit-episodes", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=25, help="steps")
    ap.add_argument("--eval-every", type=float, default=3.0, help="minutes")
    ap.add_argument("--ckpt-every", type=float, default=5.0, help="minutes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--activation", default="gelu_tanh", help="gelu_tanh | gelu (see VLAConfig.activation)")
    ap.add_argument("--coord-channels", type=int, default=1, help="1: CoordConv x/y channels in the stem")
    ap.add_argument("--aux-weight", type=float, default=1.0, help="weight of the privileged aux regression (0: off)")
    ap.add_argument("--patch-weight", type=float, default=0.5, help="weight of the per-patch object-class loss (0: off)")
    ap.add_argument("--keypoints", type=int, default=N_OBJECT_CLASSES + 1,
                    help="keypoint tokens (VLAConfig.keypoints): one per object class + the grasp site; 0: none")
    ap.add_argument("--keypoint-weight", type=float, default=1.0,
                    help="weight of the L1 loss pulling keypoint k to the projected centre of class k (0: off)")
    ap.add_argument("--gripper-keypoint-weight", type=float, default=1.0,
                    help="extra factor on the grasp-site keypoint's term of that loss (the block-minus-gripper "
                         "offset that decides 'arrived' is only as good as the gripper's position)")
    ap.add_argument("--plane-features", type=int, default=0,
                    help="1: keypoint rays meet the table planes, minus the EE xy, join the keypoint tokens "
                         "(VLAConfig.plane_features); with --init from a run without them, they start at zero")
    ap.add_argument("--shift", type=int, default=2,
                    help="random image shift augmentation, ± pixels (0: off; a shift moves every object against "
                         "the proprio state, so it blurs where the block is relative to the gripper)")
    ap.add_argument("--state-noise", type=float, default=0.05,
                    help="Gaussian noise on the normalised proprio state (std, in units of the state's std)")
    ap.add_argument("--max-positions", type=int, default=160)
    ap.add_argument("--identity-lr-mult", type=float, default=1.0,
                    help="learning-rate factor (and no weight decay) for the keypoint tokens' class embeddings and the "
                         "tuned words' corrections")
    ap.add_argument("--counterfactual", type=int, default=0,
                    help="with --pointer-weight: per step, this many more frames of multi-block scenes given another "
                         "training episode's instruction for one of the scene's other blocks, pointer loss only "
                         "(the scene alone cannot then tell which block is meant)")
    ap.add_argument("--pointer-weight", type=float, default=0.0,
                    help="weight of the pointer loss: two heads of the last layer attend to the task's block and goal "
                         "keypoint tokens (train.py pointer_loss; 0: off)")
    ap.add_argument("--tuned-words", default=",".join(TUNED_WORDS),
                    help="comma-separated words whose embedding gets a learned correction on top of proj(vector) "
                         "(vla/glove.py TUNED_WORDS; 'none': no correction). With --init, a run that has them keeps them")
    ap.add_argument("--gripper-change-oversample", type=float, default=1.0,
                    help="draw frames whose gripper command differs from the gripper's state (a close's first step, "
                         "a release: ~2%% of frames) this many times as often as the others (1: uniform)")
    ap.add_argument("--word-swap", type=float, default=0.0,
                    help="fraction of frames whose instruction has its verbs/nouns/fillers (not colours, containers, "
                         "prepositions or directions) swapped for random vocabulary words, never held-out ones "
                         "(vla/words.py; 0: off)")
    ap.add_argument("--word-edit", type=float, default=0.0,
                    help="fraction of frames whose instruction gets random words before/after it or loses its verb "
                         "(the same replacement words as --word-swap; vla/data.py edited_prompt; 0: off)")
    ap.add_argument("--label-sigma", type=float, default=1.5,
                    help="Gaussian soft targets over neighbouring bins for dims 0-5 (bins; 0: one-hot)")
    return ap.parse_args(argv)


def torch_load(path: str):
    kw = {"map_location": "cpu"}
    if "weights_only" in inspect.signature(torch.load).parameters:
        kw["weights_only"] = False  # our own files; they hold dicts and numpy RNG state
    return torch.load(path, **kw)


def save_atomic(obj, path: str) -> None:
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def action_logits(model: VLA, px, ids, mask, state, with_hidden: bool = False, attn_layer: int | None = None):
    """Teacher-forced logits over the action tokens at the 7 predicting positions, [B, 7, bins]
    (and, with with_hidden, their hidden states [B, 7, D] and the image patch tokens [B, g², D]; with
    attn_layer too, that layer's attention of the 7 positions [B, H, 7, keys])."""
    c = model.cfg
    img = model.vision(px, state)
    out = image_action_logits(model, img, ids, mask, attn_layer)
    if not with_hidden:
        return out[0]
    return (*out[:2], img[:, : c.patch_grid**2], *out[2:])


def image_action_logits(model: VLA, img, ids, mask, attn_layer: int | None = None):
    """action_logits from the vision tokens `img` [B, N, D] already computed: (logits, hidden[, attention]).
    Lets a caller that decodes token by token on the same frames (training/probe.py) run the vision encoder once."""
    c = model.cfg
    emb = torch.cat([img, model.embed_tokens(ids)], dim=1)
    b = emb.shape[0]
    full = torch.cat([torch.ones(b, c.num_image_tokens, dtype=torch.long, device=emb.device), mask], dim=1)
    pos = (torch.cumsum(full, dim=1) - 1).clamp(min=0)
    out = model.decoder.hidden(emb, full, pos, model.decoder.empty_past(b, emb.device), attn_layer)
    if attn_layer is None:
        h = out[:, -c.action_dims:]
        return model.decoder.action_logits(h), h
    h, w = out[0][:, -c.action_dims:], out[1][:, :, -c.action_dims:]
    return model.decoder.action_logits(h), h, w


def pointer_loss(model: VLA, attn: torch.Tensor, target_cls: torch.Tensor, positions: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """The pointer loss (--pointer-weight): in the attention `attn` [B, H, 7, keys] of the last layer, head 1 of
    the positions that predict dx and dy should look at the keypoint token of the task's block and head 0 at
    that of its goal container (put only): −log of that attention weight, averaged. (Head 1 is the one the
    bundle had already turned towards the blocks' tokens on its own, 0.72 of its weight on the task's block.)
    The keypoint tokens follow the patch tokens in class order, and each carries its object's image position and its offset from the
    gripper, so a head that reads the right one has what the sideways step needs. `positions`: 1 for a
    counterfactual batch, whose fed-back action tokens belong to another instruction. Returns (loss, mean weight)."""
    first = model.cfg.patch_grid ** 2
    losses, weights = [], []
    for which, head in ((0, 1), (1, 0)):  # (target_cls column, head): block → head 1, goal → head 0
        have = target_cls[:, which] >= 0
        if not bool(have.any()):
            continue
        a = attn[have, head, 0:positions]  # [n, positions, keys]
        key = (first + target_cls[have, which]).view(-1, 1, 1).expand(-1, a.shape[1], 1)
        p = a.gather(-1, key).squeeze(-1)  # [n, positions]
        losses.append(-torch.log(p + 1e-6).mean())
        weights.append(p.mean())
    if not losses:
        return torch.zeros(()), torch.zeros(())
    return torch.stack(losses).mean(), torch.stack(weights).mean()


def soft_targets(slots: torch.Tensor, bins: int, sigma: float) -> torch.Tensor:
    """[B, 7] slots → [B, 7, bins] targets: a Gaussian over neighbouring bins (σ in bins) for the six
    motion dims, one-hot for the gripper, so near misses cost less than far ones (the bins are ordered)."""
    k = torch.arange(bins, device=slots.device, dtype=torch.float32)
    q = torch.exp(-0.5 * ((k - slots.unsqueeze(-1).float()) / max(sigma, 1e-6)) ** 2)
    q = q / q.sum(-1, keepdim=True)
    onehot = torch.nn.functional.one_hot(slots, bins).float()
    q[:, -1] = onehot[:, -1]
    return q if sigma > 0 else onehot


def gradient_self_check(model: VLA, fs: FrameSet, device, n: int = 16) -> None:
    """Float32 gradients of the action loss must match float64 ones on a batch: this torch build once got
    the exact GELU's backward wrong by 1e24 (VLAConfig.activation), which silently stopped learning."""
    import copy
    idx = np.arange(min(n, len(fs)))
    px, ids, mask, state, slots = (t.to(device) for t in fs.batch(idx))
    grads = []
    for dt in (torch.float32, torch.float64):
        m = copy.deepcopy(model).to(dt)
        logits = action_logits(m, px.to(dt), ids, mask, state.to(dt))
        torch.nn.functional.cross_entropy(logits.flatten(0, 1), slots.flatten()).backward()
        grads.append({k: p.grad.double() for k, p in m.named_parameters() if p.grad is not None})
    # Relative to the largest gradient of the whole model: a parameter whose gradient is ~0 at
    # initialisation (the keypoint scores, before training sharpens their softmax) only shows float32 noise.
    scale = max(float(g.abs().max()) for g in grads[1].values()) + 1e-12
    errs = {k: float((grads[0][k] - g).abs().max()) / max(float(g.abs().max()), 1e-3 * scale) for k, g in grads[1].items()}
    name, worst = max(errs.items(), key=lambda kv: kv[1])
    print(f"gradient self-check: worst float32 vs float64 relative error {worst:.1e} ({name})", flush=True)
    if worst > 1e-2:
        raise SystemExit(f"float32 gradients disagree with float64 by {worst:.1e}: this torch build computes some op's "
                         f"backward wrongly; try --activation gelu_tanh")


def lr_at(args, step: int, elapsed: float) -> float:
    warm = min(1.0, (step + 1) / max(1, args.warmup))
    prog = elapsed / (args.minutes * 60.0)
    if args.steps:
        prog = max(prog, step / args.steps)
    prog = min(1.0, prog)
    cos = args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * prog))
    return args.lr * warm * cos


@torch.no_grad()
def evaluate(model: VLA, fs: FrameSet, idx: np.ndarray, device, batch: int = 128) -> dict:
    model.eval()
    loss_sum, n = 0.0, 0
    correct = np.zeros(model.cfg.action_dims)
    near = np.zeros(model.cfg.action_dims)
    kp_err, kp_n = 0.0, 0
    grip_err, grip_n = 0.0, 0
    c = model.cfg
    for k in range(0, len(idx), batch):
        px, ids, mask, state, slots = fs.batch(idx[k:k + batch])
        px, ids, mask, state, slots = (t.to(device) for t in (px, ids, mask, state, slots))
        logits = action_logits(model, px, ids, mask, state)
        if c.keypoints > 0:
            xy, have = fs.keypoint_targets(idx[k:k + batch], None, c.image_size, 0, c.keypoints)
            dist = (model.vision.last_keypoints.cpu() - xy).norm(dim=-1) * c.image_size / 2  # [B, K] px
            d = dist[have]
            kp_err, kp_n = kp_err + float(d.sum()), kp_n + int(d.numel())
            g = dist[:, -1][have[:, -1]]  # the grasp site (keypoint_targets: the last keypoint)
            grip_err, grip_n = grip_err + float(g.sum()), grip_n + int(g.numel())
        loss_sum += float(torch.nn.functional.cross_entropy(logits.flatten(0, 1), slots.flatten(), reduction="sum"))
        pred = logits.argmax(-1)
        correct += (pred == slots).sum(0).cpu().numpy()
        near += ((pred - slots).abs() <= 2).sum(0).cpu().numpy()
        n += len(slots)
    model.train()
    return {"loss": loss_sum / (n * model.cfg.action_dims), "acc": (correct / n).tolist(),
            "acc_mean": float(correct.sum() / (n * model.cfg.action_dims)), "acc_pm2_mean": float(near.sum() / (n * model.cfg.action_dims)),
            **({"keypoint_px": kp_err / kp_n} if kp_n else {}),
            **({"gripper_keypoint_px": grip_err / grip_n} if grip_n else {})}


def tuned_words(args) -> list[str]:
    """The run's --tuned-words as a list ([] for 'none', '' or a run from before the option)."""
    raw = getattr(args, "tuned_words", "") or ""
    return [] if raw.strip() in ("", "none") else [w.strip() for w in raw.split(",") if w.strip()]


def tuned_word_ids(args, vocab) -> list[int]:
    missing = [w for w in tuned_words(args) if w not in vocab.ids]
    if missing:
        raise SystemExit(f"--tuned-words: not in the vocabulary: {', '.join(missing)}")
    return [vocab.ids[w] for w in tuned_words(args)]


def model_config(args, vocab_size: int, word_dim: int, n_learned_tokens: int) -> VLAConfig:
    """The architecture a run's args describe (also what import_model.py rebuilds a bundle into)."""
    return VLAConfig(vocab_size=vocab_size, d_model=args.d_model, n_layers=args.layers, n_heads=args.heads,
                     ffn_dim=args.ffn, image_size=args.image_size, patch_grid=args.patch_grid,
                     stem_channels=args.stem_channels, stem_widen=True, stem_refine=True,
                     max_positions=getattr(args, "max_positions", 128), keypoints=getattr(args, "keypoints", 0),
                     state_dim=4, dropout=args.dropout, word_dim=word_dim,
                     n_learned_tokens=n_learned_tokens, n_tuned_words=len(tuned_words(args)), action_head_only=True,
                     coord_channels=bool(getattr(args, "coord_channels", 0)),
                     aux_dim=AUX_DIM if getattr(args, "aux_weight", 0) > 0 else 0,
                     patch_classes=N_OBJECT_CLASSES + 1 if getattr(args, "patch_weight", 0) > 0 else 0,
                     activation=getattr(args, "activation", "gelu"),
                     plane_features=bool(getattr(args, "plane_features", 0)))


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "ckpt.pt")
    log_path = os.path.join(args.out, "log.jsonl")
    resume = torch_load(ckpt_path) if args.resume and os.path.exists(ckpt_path) else None
    if args.resume and resume is None:
        print(f"--resume: no {ckpt_path} yet; starting fresh", flush=True)
    if resume is not None:  # the run's architecture and schedule come from the checkpoint
        keep = {k: v for k, v in vars(args).items() if k in ("data", "out", "resume", "minutes", "steps", "threads", "device")}
        args = argparse.Namespace(**{"extra_data": [], "init": "", **resume["args"], **keep})
    init = None
    if resume is None and args.init:
        init = torch_load(os.path.join(args.init, "ckpt.pt"))
        # The architecture (and which loss heads exist) must be the earlier run's; the rest is this run's.
        arch = ("image_size", "patch_grid", "d_model", "layers", "heads", "ffn", "stem_channels", "activation",
                "coord_channels", "keypoints", "max_positions")
        args = argparse.Namespace(**{**vars(args), **{k: v for k, v in init["args"].items() if k in arch}})
        if tuned_words(argparse.Namespace(**init["args"])):  # its corrections are weights: keep them
            args.tuned_words = init["args"]["tuned_words"]
        if init["args"].get("plane_features", 0) and not args.plane_features:
            raise SystemExit(f"--init: {args.init} has plane features; keep --plane-features 1")
        for k in ("aux_weight", "patch_weight"):  # a head the earlier run trained stays (and is trained)
            if (init["args"].get(k, 0) > 0) != (getattr(args, k) > 0):
                raise SystemExit(f"--init: --{k.replace('_', '-')} must be > 0 exactly when {args.init}'s was")
        print(f"--init: starting from {args.init} (step {init['step']}, {init['elapsed'] / 60:.1f} min)", flush=True)

    t_load = time.time()
    vocab, vectors, is_word = glove_vocab()
    eps, meta = load_episodes(args.data, args.image_size, args.limit_episodes or None)
    train_eps, val_eps = split_episodes(eps, args.val_fraction, args.seed)
    norm = action_norm_stats(train_eps, args.data)
    sst = state_stats(train_eps)
    extra_info = []
    for extra in args.extra_data:
        more, more_meta = load_episodes(extra, args.image_size, None)
        frames = sum(len(e.actions) for e in more)
        print(f"--extra-data {extra}: {len(more)} episodes ({frames} frames) for training", flush=True)
        extra_info.append({"dir": extra, "episodes": len(more), "frames": frames, "meta": more_meta})
        train_eps = train_eps + more
    carried = resume if resume is not None else init
    if carried is not None:
        if resume is not None or args.init_action_stats == "init":
            norm = carried["norm_stats"]
        sst = carried["state_stats"]
        image_mean, image_std = carried["image_mean"], carried["image_std"]
    else:
        sample = np.concatenate([e.frames[::5] for e in train_eps]).reshape(-1, 3) / 255.0
        image_mean, image_std = sample.mean(0).tolist(), np.maximum(sample.std(0), 1e-2).tolist()
    train = FrameSet(train_eps, vocab, norm, sst, image_mean, image_std)
    val = FrameSet(val_eps, vocab, norm, sst, image_mean, image_std)
    word_swap, word_edit = getattr(args, "word_swap", 0.0), getattr(args, "word_edit", 0.0)
    if word_swap > 0 or word_edit > 0:
        pool = swap_pool([t for t, w in zip(vocab.tokens, is_word) if w], train.instructions + val.instructions)
        train.set_word_swap(vocab, pool)
        print(f"word swap: {100 * word_swap:.0f}% of frames, edits: {100 * word_edit:.0f}%, "
              f"{len(pool)} replacement words", flush=True)
    print(f"train {len(train_eps)} episodes / {len(train)} frames, val {len(val_eps)} episodes / {len(val)} frames, "
          f"vocab {vocab.size}, loaded in {time.time() - t_load:.0f}s", flush=True)

    cfg = model_config(args, vocab.size, vectors.shape[1], int((~is_word).sum()))
    torch.manual_seed(args.seed)
    model = VLA(cfg)
    model.set_word_vectors(torch.tensor(vectors), torch.tensor(is_word))
    model.set_tuned_words(tuned_word_ids(args, vocab))
    model.to(device).train()
    n_params = sum(p.numel() for p in model.parameters())
    # The identity vectors (each keypoint token's class embedding, the colour words' corrections) are what
    # binds "red" to the red block's token; --identity-lr-mult lets them grow faster than the rest.
    mult = getattr(args, "identity_lr_mult", 1.0)
    identity = {"vision.kp_embed", "embed_tokens.tuned.weight"} if mult != 1.0 else set()
    named = [(n, p) for n, p in model.named_parameters() if n not in identity]
    decay = [p for n, p in named if p.ndim >= 2 and "pos" not in n]
    no_decay = [p for n, p in named if not (p.ndim >= 2 and "pos" not in n)]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    ident = [p for n, p in model.named_parameters() if n in identity]
    if ident:
        groups.append({"params": ident, "weight_decay": 0.0, "lr_mult": mult})
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.98))
    rng = np.random.default_rng(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    step, elapsed = 0, 0.0
    if resume is not None:
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["opt"])
        rng.bit_generator.state = resume["rng"]
        gen.set_state(resume["gen"])
        step, elapsed = resume["step"], resume["elapsed"]
        print(f"resumed from {ckpt_path} at step {step}, {elapsed / 60:.1f} min", flush=True)
    elif init is not None:
        missing, unexpected = model.load_state_dict(init["model"], strict=False)
        new = [k for k in missing if not k.startswith(("vision.kp_rel_proj.", "vision.plane_", "embed_tokens.tuned"))]
        if new or unexpected:
            raise SystemExit(f"--init: weights that do not fit: missing {new}, unexpected {unexpected}")
        if missing:
            print(f"--init: new weights start at zero ({', '.join(missing)})", flush=True)
    if cfg.plane_features and resume is None:  # a resumed run's buffers come from its checkpoint
        camera = (meta.get("camera") or {}).get("nominal") or NOMINAL_CAMERA
        model.vision.set_plane_constants(camera, sst["mean"], sst["std"])
    print(f"model: {n_params / 1e6:.2f}M trained params + frozen word vectors ({cfg.num_image_tokens} image tokens), "
          f"device {device}, threads {torch.get_num_threads()}", flush=True)
    with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"args": vars(args), "model": cfg.to_dict(), "norm_stats": norm, "state_stats": sst,
                   "image_mean": image_mean, "image_std": image_std, "train_episodes": len(train_eps),
                   "train_frames": len(train), "val_episodes": [e.index for e in val_eps], "meta": meta}, f, indent=1)
    with open(os.path.join(args.out, "split.json"), "w", encoding="utf-8") as f:
        json.dump({"val_episodes": [e.index for e in val_eps], "train_episodes": [e.index for e in train_eps]}, f)

    if resume is None and init is None:
        gradient_self_check(model, train, device)
    val_idx = np.random.default_rng(123).permutation(len(val))[: args.val_frames]
    stop = {"sig": None}

    def on_signal(sig, _frame):
        stop["sig"] = sig

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def checkpoint() -> None:
        save_atomic({"args": vars(args), "model": model.state_dict(), "opt": opt.state_dict(), "rng": rng.bit_generator.state,
                     "gen": gen.get_state(), "step": step, "elapsed": elapsed, "norm_stats": norm, "state_stats": sst,
                     "image_mean": image_mean, "image_std": image_std}, ckpt_path)

    def log(row: dict) -> None:
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")

    def run_eval() -> dict:
        r = evaluate(model, val, val_idx, device)
        log({"kind": "val", "step": step, "elapsed_s": round(elapsed, 1), **r})
        print(f"[val] step {step} loss {r['loss']:.3f} acc {r['acc_mean']:.3f} (±2 bins {r['acc_pm2_mean']:.3f}) "
              f"per dim {' '.join(f'{a:.2f}' for a in r['acc'])}"
              + (f" | keypoints {r['keypoint_px']:.2f} px" if "keypoint_px" in r else "")
              + (f" (grasp site {r['gripper_keypoint_px']:.2f} px)" if "gripper_keypoint_px" in r else ""), flush=True)
        plot_log(log_path, os.path.join(args.out, "training_curves.png"))
        return r

    budget = args.minutes * 60.0
    t0 = time.time() - elapsed
    last_ckpt = last_eval = elapsed
    acc_w = np.zeros(cfg.action_dims)
    loss_w, n_w, t_w = 0.0, 0, time.time()
    aux_w = patch_w = kp_w = ptr_w = cf_w = 0.0
    skipped = 0
    kp_weight = getattr(args, "keypoint_weight", 0.0) if cfg.keypoints > 0 else 0.0
    pointer_w = getattr(args, "pointer_weight", 0.0) if cfg.keypoints > 0 else 0.0
    n_counterfactual = getattr(args, "counterfactual", 0) if pointer_w > 0 else 0
    kp_gripper_w = getattr(args, "gripper_keypoint_weight", 1.0)
    shift = getattr(args, "shift", 2)  # augmentation settings (runs before these flags: ±2 px, 0.05)
    state_noise = getattr(args, "state_noise", 0.05)
    kp_weights = None  # per-keypoint factors of the keypoint loss [K]; the last keypoint is the grasp site
    if kp_weight > 0 and kp_gripper_w != 1.0:
        kp_weights = torch.ones(cfg.keypoints, device=device)
        kp_weights[-1] = kp_gripper_w
    draw_cdf = None  # --gripper-change-oversample: the cumulative sampling weights of the training frames
    oversample = getattr(args, "gripper_change_oversample", 1.0)
    if oversample != 1.0 and len(train.gripper_change) > 0:
        w = np.ones(len(train))
        w[train.gripper_change] = oversample
        draw_cdf = np.cumsum(w) / w.sum()
        print(f"--gripper-change-oversample {oversample:g}: {len(train.gripper_change)} of {len(train)} frames, "
              f"{100 * w[train.gripper_change].sum() / w.sum():.1f}% of draws", flush=True)
    if step == 0:
        run_eval()
        t_w = time.time()
    while elapsed < budget and (not args.steps or step < args.steps) and stop["sig"] is None:
        if draw_cdf is None:
            idx = rng.integers(0, len(train), args.batch)
        else:
            idx = np.minimum(np.searchsorted(draw_cdf, rng.random(args.batch), side="right"), len(train) - 1)
        px, ids, mask, state, slots = (t.to(device) for t in train.batch(
            idx, gen, augment=True, shift=shift, state_noise=state_noise, word_swap=word_swap, word_edit=word_edit))
        lr = lr_at(args, step, elapsed)
        for g in opt.param_groups:
            g["lr"] = lr * g.get("lr_mult", 1.0)
        offsets = train.last_offsets
        if pointer_w > 0:
            logits, hid, patches, attn = action_logits(model, px, ids, mask, state, with_hidden=True, attn_layer=-1)
        else:
            logits, hid, patches = action_logits(model, px, ids, mask, state, with_hidden=True)
        sigma = getattr(args, "label_sigma", 0.0)
        if sigma > 0:
            q = soft_targets(slots, cfg.action_bins, sigma)
            loss = -(q * torch.log_softmax(logits, -1)).sum(-1).mean()
        else:
            loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), slots.flatten())
        aux_loss = torch.zeros(())
        if model.aux_head is not None:
            target = train.aux_rows(idx).to(device)
            have = ~torch.isnan(target)
            if bool(have.any()):
                pred = model.aux_head(hid[:, 0])  # the position that predicts action token 0
                aux_loss = ((pred - torch.nan_to_num(target)) ** 2)[have].mean()
                loss = loss + args.aux_weight * aux_loss
        patch_loss = torch.zeros(())
        if model.patch_head is not None and train.has_patch_labels:
            labels = train.patch_labels(idx, offsets, cfg.image_size, cfg.patch_grid, shift).to(device)
            pl = model.patch_head(patches)  # [B, g², classes]
            w = torch.ones(cfg.patch_classes, device=device)
            w[0] = 0.1  # background is most patches
            patch_loss = torch.nn.functional.cross_entropy(pl.flatten(0, 1), labels.flatten(), weight=w)
            loss = loss + args.patch_weight * patch_loss
        kp_loss = torch.zeros(())
        if kp_weight > 0:
            kp_xy, kp_have = train.keypoint_targets(idx, offsets, cfg.image_size, shift, cfg.keypoints)
            if bool(kp_have.any()):
                err = (model.vision.last_keypoints - kp_xy.to(device)).abs().sum(-1)  # [B, K]
                if kp_weights is not None:
                    err = err * kp_weights
                kp_loss = err[kp_have.to(device)].mean()
                loss = loss + kp_weight * kp_loss
        ptr_loss = ptr_p = torch.zeros(())
        if pointer_w > 0:
            ptr_loss, ptr_p = pointer_loss(model, attn, train.target_cls[idx].to(device))
            loss = loss + pointer_w * ptr_loss
            cf = train.counterfactual(n_counterfactual, rng) if n_counterfactual > 0 else None
            if cf is not None:
                cf_idx, cf_prompts, cf_tgt = cf
                cpx, cids, cmask, cstate, _ = (t.to(device) for t in train.batch(
                    cf_idx, gen, augment=True, shift=shift, state_noise=state_noise, prompt_episodes=cf_prompts))
                _, _, _, cattn = action_logits(model, cpx, cids, cmask, cstate, with_hidden=True, attn_layer=-1)
                cf_loss, cf_p = pointer_loss(model, cattn, cf_tgt.to(device), positions=1)
                loss = loss + pointer_w * cf_loss
                cf_w += float(cf_p)
        opt.zero_grad(set_to_none=True)
        if not bool(torch.isfinite(loss)):  # a non-finite batch must not poison the weights or Adam's moments
            skipped += 1
            print(f"step {step}: non-finite loss (action/aux/patch {float(loss):.3g}/{float(aux_loss):.3g}/"
                  f"{float(patch_loss):.3g}); batch skipped ({skipped} so far)", flush=True)
            np.save(os.path.join(args.out, f"bad_batch_{step}.npy"), idx)
            continue
        loss.backward()
        gnorm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip))
        if not math.isfinite(gnorm):
            skipped += 1
            print(f"step {step}: non-finite gradient norm; update skipped ({skipped} so far)", flush=True)
            if skipped == 1:
                bad = [n for n, p in model.named_parameters() if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
                print(f"  non-finite gradients in: {', '.join(bad[:12])}{' …' if len(bad) > 12 else ''}", flush=True)
                if os.environ.get("VLA_DEBUG_NONFINITE"):
                    torch.save({"model": model.state_dict(), "idx": idx, "offsets": offsets}, os.path.join(args.out, "nonfinite.pt"))
                    raise SystemExit("saved nonfinite.pt")
            np.save(os.path.join(args.out, f"bad_grad_{step}.npy"), idx)
            opt.zero_grad(set_to_none=True)
            continue
        opt.step()
        step += 1
        elapsed = time.time() - t0
        loss_w += float(loss)
        aux_w += float(aux_loss)
        patch_w += float(patch_loss)
        kp_w += float(kp_loss)
        ptr_w += float(ptr_p)
        acc_w += (logits.argmax(-1) == slots).float().mean(0).cpu().numpy()
        n_w += 1
        if step % args.log_every == 0:
            sps = n_w * args.batch / (time.time() - t_w)
            row = {"kind": "train", "step": step, "elapsed_s": round(elapsed, 1), "lr": lr, "loss": loss_w / n_w,
                   "acc": (acc_w / n_w).tolist(), "acc_mean": float(acc_w.mean() / n_w), "grad_norm": gnorm,
                   "samples_per_s": round(sps, 1), "aux_loss": aux_w / n_w, "patch_loss": patch_w / n_w,
                   "keypoint_px": kp_w / n_w * cfg.image_size / 2,
                   **({"pointer_attention": ptr_w / n_w} if pointer_w > 0 else {}),
                   **({"counterfactual_attention": cf_w / n_w} if n_counterfactual > 0 else {})}
            log(row)
            eta = budget - elapsed if not args.steps else min(budget - elapsed, (args.steps - step) * args.batch / sps)
            print(f"step {step} | {elapsed / 60:.1f}/{args.minutes:.0f} min | loss {row['loss']:.3f} | acc {row['acc_mean']:.3f} | aux {row['aux_loss']:.3f} patch {row['patch_loss']:.3f} kp {row['keypoint_px']:.2f}px"
                  + (f" ptr {row['pointer_attention']:.2f}" if pointer_w > 0 else "")
                  + (f" cf {row['counterfactual_attention']:.2f}" if "counterfactual_attention" in row else "") + " | "
                  f"lr {lr:.2e} | {sps:.0f} samples/s | ~{max(0, eta) / 60:.0f} min left", flush=True)
            acc_w[:] = 0
            loss_w, n_w, t_w, aux_w, patch_w, kp_w, ptr_w, cf_w = 0.0, 0, time.time(), 0.0, 0.0, 0.0, 0.0, 0.0
        if elapsed - last_eval >= args.eval_every * 60:
            run_eval()
            last_eval = elapsed = time.time() - t0
            loss_w, n_w, t_w, aux_w, patch_w, kp_w, ptr_w, cf_w = 0.0, 0, time.time(), 0.0, 0.0, 0.0, 0.0, 0.0
            acc_w[:] = 0
        if elapsed - last_ckpt >= args.ckpt_every * 60:
            checkpoint()
            last_ckpt = elapsed
            print(f"checkpoint {ckpt_path} (step {step})", flush=True)

    if stop["sig"] is not None:
        print(f"signal {stop['sig']}: saving a checkpoint and stopping (resume with --resume)", flush=True)
    final = run_eval()
    checkpoint()
    key, _ = read_dataset_stats(args.data)
    save_atomic({"config": cfg.to_dict(), "model": model.state_dict(), "norm_stats": {key: norm},
                 "unnorm_key": key, "state_stats": sst, "image_mean": image_mean, "image_std": image_std,
                 "summary": {"steps": step, "minutes": round(elapsed / 60, 1), "batch": args.batch,
                             "train_episodes": len(train_eps), "train_frames": len(train),
                             "val_episodes": len(val_eps), "val_frames": len(val), "val": final,
                             "params": n_params, "args": vars(args), "meta": meta, "extra_data": extra_info,
                             **({"init": {"run": args.init, "steps": init["step"], "minutes": round(init["elapsed"] / 60, 1),
                                         **({"imported_from": init["imported_from"]} if "imported_from" in init else {})}}
                                if init is not None else {})}},
                os.path.join(args.out, "model.pt"))
    print(f"done: step {step}, {elapsed / 60:.1f} min; wrote {os.path.join(args.out, 'model.pt')} "
          f"(export with: npm run export -- --run {args.out})", flush=True)


if __name__ == "__main__":
    main()

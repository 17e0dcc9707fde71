"""An OpenVLA-shaped small VLA in PyTorch (runs on torch 1.13 CPU and current torch):
a conv/patch vision encoder → grid of patch tokens projected to d_model (plus one
token for the optional proprio state), token embeddings, and a causal pre-LN
transformer decoder with a KV cache whose attention weights are returned so the
export can emit them. Sequence layout: [image tokens][BOS + prompt tokens][action tokens].
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn


# The model camera's nominal pose (src/core/sceneGenerator.ts CAMERA_NOMINAL; datasets' meta.json
# camera.nominal), the default of VisionEncoder.set_plane_constants.
NOMINAL_CAMERA = {"pos": [1.05, 0.0, 0.55], "target": [0.45, 0.0, 0.0], "fovy": 45.0}
# Heights (m) of the planes keypoint rays are intersected with: a block's top face (the block keypoints'
# target, aux_targets.ts) and the table (containers).
PLANE_HEIGHTS = (0.04, 0.0)


@dataclass
class VLAConfig:
    vocab_size: int
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    ffn_dim: int = 128
    image_size: int = 64
    patch_grid: int = 8  # the vision encoder emits patch_grid × patch_grid tokens
    stem_channels: int = 32
    stem_widen: bool = False  # True: stem widths stem_channels · 2^i per stage (else all stem_channels)
    stem_refine: bool = False  # True: one extra stride-1 3×3 conv after each middle stage
    max_positions: int = 128
    state_dim: int = 0  # 0: no proprio input; else observation.state length (e.g. EE xyz + gripper = 4)
    action_dims: int = 7
    action_bins: int = 256
    dropout: float = 0.0
    # 0: a plain learned embedding table. > 0: word ids look up a FROZEN pretrained table of this width
    # (GloVe, set with VLA.set_word_vectors) followed by a learned projection to d_model; other ids
    # (specials, punctuation, action tokens) get learned embeddings.
    word_dim: int = 0
    n_learned_tokens: int = 0  # with word_dim > 0: how many ids are not words (specials, punctuation, actions)
    # with word_dim > 0: how many word ids also get a learned correction added to proj(vector) (zero at the
    # start, so a run without it loads unchanged); which ids, VLA.set_tuned_words. See vla/glove.py TUNED_WORDS.
    n_tuned_words: int = 0
    # True: lm_head only has rows for the action tokens; the exported logits put -1e4 on all other ids
    # (the policy never emits text), which keeps the [B, S, vocab_size] contract at a fraction of the size.
    action_head_only: bool = False
    # True: two constant coordinate channels (x, y in [-1, 1]) join the RGB input inside the vision graph
    # (CoordConv), so patch features carry where they are; the graph's pixel_values input is unchanged.
    coord_channels: bool = False
    # > 0: a training-only linear head on the hidden state that predicts the first action token regresses
    # this many privileged scene quantities (object / goal positions); it is never exported.
    aux_dim: int = 0
    # > 0: a training-only linear head classifies each image patch token into this many classes
    # (background + the scene's object classes), dense supervision for the vision encoder; never exported.
    patch_classes: int = 0
    # "gelu" (exact, erf) or "gelu_tanh". Debian's torch 1.13 CPU build computes the exact GELU's float32
    # backward wrongly on some inputs (gradients ~1e24 into the conv stem, measured against float64;
    # grad-norm clipping then scaled every update to ~0, so earlier runs barely learned from pixels).
    # The tanh approximation's backward matches float64 to 1e-5; it exports as plain ONNX ops.
    activation: str = "gelu"
    # > 0: this many keypoint tokens follow the patch tokens (before the state token). A small branch on the
    # stem's first (half-resolution) feature map scores every location per keypoint; a spatial softmax turns
    # each score map into its expected image position (x, y in [-1, 1]), which a linear map plus a learned
    # per-keypoint embedding makes a token. Sub-patch precise positions (a block is ~3 px at 64²) that the
    # 8×8 patch grid blurs; training can supervise them with the objects' projected centres (keypoint_loss).
    keypoints: int = 0
    # True (needs keypoints > 0 and state_dim ≥ 2): each keypoint's image position is cast as a ray from the
    # nominal model camera onto two horizontal planes (a block's top face, z 0.04 m, and the table, z 0 m), and
    # the hit points minus the proprio end-effector xy (world metres / 0.1) join its token through a
    # zero-initialised linear map. That is "where is this object relative to the gripper" in closed form,
    # the quantity that decides "arrived over the block", which the network otherwise has to learn from
    # image coordinates and a normalised state. The camera and state statistics are buffers
    # (set_plane_constants), so the exported vision graph needs no new input.
    plane_features: bool = False

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @property
    def num_image_tokens(self) -> int:
        return self.patch_grid * self.patch_grid + self.keypoints + (1 if self.state_dim > 0 else 0)

    def to_dict(self) -> dict:
        return asdict(self)


def make_activation(cfg: VLAConfig) -> nn.Module:
    if cfg.activation == "gelu":
        return nn.GELU()
    if cfg.activation == "gelu_tanh":
        return nn.GELU(approximate="tanh")
    raise ValueError(f"unknown activation {cfg.activation!r}")


class VisionEncoder(nn.Module):
    """pixel_values [B, 3, H, W] (already normalized), state [B, S] (optional, normalized) → [B, N, D]."""

    def __init__(self, cfg: VLAConfig):
        super().__init__()
        stride = cfg.image_size // cfg.patch_grid
        if cfg.image_size % cfg.patch_grid:
            raise ValueError("image_size must be a multiple of patch_grid")
        strides = []  # stride-2 convs (3×3, pad 1), then at most one stride-3 conv (3×3, no pad)
        while stride % 2 == 0:
            strides.append(2)
            stride //= 2
        if stride == 3:
            strides.append(3)
            stride = 1
        if stride != 1 or not strides:
            raise ValueError("image_size / patch_grid must be 2^k or 3·2^k (k ≥ 0)")
        n_down = len(strides)
        layers: list[nn.Module] = []
        c_in = 5 if cfg.coord_channels else 3
        if cfg.coord_channels:
            lin = torch.linspace(-1.0, 1.0, cfg.image_size)
            yy, xx = torch.meshgrid(lin, lin, indexing="ij")
            self.register_buffer("coords", torch.stack([xx, yy]).unsqueeze(0))  # [1, 2, H, W]
        else:
            self.coords = None
        for i, st in enumerate(strides):
            if i == n_down - 1:
                c_out = cfg.d_model
            elif cfg.stem_widen:
                c_out = cfg.stem_channels * 2**i
            else:
                c_out = cfg.stem_channels
            layers += [nn.Conv2d(c_in, c_out, 3, stride=st, padding=1 if st == 2 else 0), make_activation(cfg)]
            if cfg.stem_refine and 0 < i < n_down - 1:  # an extra stride-1 conv at mid resolution
                layers += [nn.Conv2d(c_out, c_out, 3, padding=1), make_activation(cfg)]
            c_in = c_out
        self.stem = nn.Sequential(*layers)
        self.keypoint_net = None
        if cfg.keypoints > 0:
            c1 = cfg.d_model if n_down == 1 else cfg.stem_channels  # channels after the first stem stage
            self.keypoint_net = nn.Sequential(
                nn.Conv2d(c1, cfg.stem_channels, 3, padding=1), make_activation(cfg),
                nn.Conv2d(cfg.stem_channels, cfg.keypoints, 1),
            )
            side = (cfg.image_size + strides[0] - 1) // strides[0] if strides[0] == 2 else (cfg.image_size - 3) // 3 + 1
            lin = (torch.arange(side, dtype=torch.float32) + 0.5) / side * 2 - 1  # cell centres in [-1, 1]
            yy, xx = torch.meshgrid(lin, lin, indexing="ij")
            self.register_buffer("kp_grid", torch.stack([xx.flatten(), yy.flatten()], dim=1))  # [side², 2]
            self.kp_proj = nn.Linear(2, cfg.d_model)
            self.kp_embed = nn.Parameter(torch.randn(1, cfg.keypoints, cfg.d_model) * 0.02)
        self.kp_rel_proj = None
        if cfg.plane_features:
            if cfg.keypoints <= 0 or cfg.state_dim < 2:
                raise ValueError("plane_features needs keypoints > 0 and a proprio state with the EE xy")
            self.kp_rel_proj = nn.Linear(2 * len(PLANE_HEIGHTS), cfg.d_model)
            nn.init.zeros_(self.kp_rel_proj.weight)
            nn.init.zeros_(self.kp_rel_proj.bias)
            self.register_buffer("plane_cam", torch.zeros(4, 3))  # pos, forward f, t·right, −t·up
            self.register_buffer("plane_state_mean", torch.zeros(cfg.state_dim))
            self.register_buffer("plane_state_std", torch.ones(cfg.state_dim))
            self.set_plane_constants(NOMINAL_CAMERA, [0.0] * cfg.state_dim, [1.0] * cfg.state_dim)
        self.last_keypoints: torch.Tensor | None = None  # [B, K, 2] of the last forward (training loss)
        self.pos = nn.Parameter(torch.zeros(1, cfg.patch_grid * cfg.patch_grid, cfg.d_model))
        self.norm = nn.LayerNorm(cfg.d_model)
        # Prismatic/OpenVLA: an MLP projector maps vision features into the LM's embedding space.
        self.proj = nn.Sequential(nn.Linear(cfg.d_model, cfg.d_model), make_activation(cfg), nn.Linear(cfg.d_model, cfg.d_model))
        self.state_proj = nn.Linear(cfg.state_dim, cfg.d_model) if cfg.state_dim > 0 else None
        nn.init.normal_(self.pos, std=0.02)

    def set_plane_constants(self, camera: dict, state_mean, state_std) -> None:
        """The camera (`{"pos", "target", "fovy"}`, the datasets' meta.json camera.nominal) the keypoint rays
        start from, and the state normalisation that turns the state input back into metres."""
        pos = torch.tensor(camera["pos"], dtype=torch.float64)
        f = torch.tensor(camera["target"], dtype=torch.float64) - pos
        f = f / f.norm()
        r = torch.linalg.cross(f, torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64))
        r = r / r.norm()
        u = torch.linalg.cross(r, f)
        t = math.tan(math.radians(float(camera["fovy"])) / 2)
        # Image x right, y down in [-1, 1] (the keypoint grid's convention; aux_targets.ts project()):
        # ray direction = f + x·t·r − y·t·u.
        self.plane_cam.copy_(torch.stack([pos, f, t * r, -t * u]).float())
        self.plane_state_mean.copy_(torch.tensor(state_mean, dtype=torch.float32))
        self.plane_state_std.copy_(torch.tensor(state_std, dtype=torch.float32))

    def plane_offsets(self, kp: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """kp [B, K, 2] (x, y in [-1, 1]), normalised state [B, S] → [B, K, 2·planes]: where each keypoint's
        ray meets each plane, minus the EE xy, in units of 0.1 m."""
        c = self.plane_cam
        d = c[1] + kp[..., 0:1] * c[2] + kp[..., 1:2] * c[3]  # [B, K, 3] ray directions
        dz = torch.clamp(d[..., 2:3], max=-1e-3)  # every ray in view points down; never divide by ~0
        ee = (state * self.plane_state_std + self.plane_state_mean)[:, None, 0:2]  # [B, 1, 2] metres
        out = []
        for h in PLANE_HEIGHTS:
            s = (h - c[0, 2]) / dz  # [B, K, 1]
            out.append((c[0, 0:2] + s * d[..., 0:2] - ee) / 0.1)
        return torch.cat(out, dim=-1)

    def forward(self, pixel_values: torch.Tensor, state: torch.Tensor | None = None) -> torch.Tensor:
        if self.coords is not None:
            b = pixel_values.shape[0]
            pixel_values = torch.cat([pixel_values, self.coords.expand(b, -1, -1, -1)], dim=1)
        if self.keypoint_net is not None:
            f1 = self.stem[1](self.stem[0](pixel_values))  # the first stage (conv + activation)
            x = self.stem[2:](f1)
            scores = self.keypoint_net(f1).flatten(2)  # [B, K, side²]
            kp = torch.matmul(torch.softmax(scores, dim=-1), self.kp_grid)  # [B, K, 2] expected (x, y)
            self.last_keypoints = kp
        else:
            x = self.stem(pixel_values)  # [B, D, g, g]
        x = x.flatten(2).transpose(1, 2) + self.pos  # [B, g*g, D], row-major patches
        x = self.proj(self.norm(x))
        if self.keypoint_net is not None:
            kp_tok = self.kp_proj(kp) + self.kp_embed  # 3-D Linear: MatMul+Add
            if self.kp_rel_proj is not None:
                if state is None:
                    raise ValueError("plane_features needs the state input")
                kp_tok = kp_tok + self.kp_rel_proj(self.plane_offsets(kp, state))
            x = torch.cat([x, kp_tok], dim=1)
        if self.state_proj is not None:
            if state is None:
                raise ValueError("this model was built with state_dim > 0 and needs a state input")
            x = torch.cat([x, self.state_proj(state.unsqueeze(1))], dim=1)  # 3-D Linear: MatMul+Add, not Gemm (JSEP)
        return x


class Attention(nn.Module):
    def __init__(self, cfg: VLAConfig):
        super().__init__()
        self.h, self.hd = cfg.n_heads, cfg.head_dim
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(self, x, allowed, past_k, past_v):
        b, s, _ = x.shape
        q, k, v = self.qkv(x).view(b, s, 3, self.h, self.hd).permute(2, 0, 3, 1, 4).unbind(0)  # each [B, H, S, hd]
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd))  # [B, H, S, K]
        scores = scores.masked_fill(~allowed, -1e9)
        attn = torch.softmax(scores, dim=-1)
        y = torch.matmul(attn, v).transpose(1, 2).reshape(b, s, self.h * self.hd)
        return self.out(y), k, v, attn


class Block(nn.Module):
    def __init__(self, cfg: VLAConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, cfg.ffn_dim), make_activation(cfg), nn.Linear(cfg.ffn_dim, cfg.d_model))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, allowed, past_k, past_v):
        a, k, v, w = self.attn(self.ln1(x), allowed, past_k, past_v)
        x = x + self.drop(a)
        x = x + self.drop(self.mlp(self.ln2(x)))
        return x, k, v, w


class Decoder(nn.Module):
    """Causal decoder over inputs_embeds with a KV cache (transformers.js layout).

    inputs_embeds [B, S, D]; attention_mask [B, P+S] (1 = real token); position_ids [B, S];
    past: list of (key, value) [B, H, P, hd] per layer.
    Returns logits [B, S, V], presents (key, value) [B, H, P+S, hd] per layer,
    attentions [B, L, H, S, P+S] (softmax weights of each current token over the sequence).
    """

    def __init__(self, cfg: VLAConfig):
        super().__init__()
        self.cfg = cfg
        self.pos = nn.Embedding(cfg.max_positions, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.lm_head = nn.Linear(cfg.d_model, cfg.action_bins if cfg.action_head_only else cfg.vocab_size, bias=False)
        nn.init.normal_(self.pos.weight, std=0.02)

    def action_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Final hidden states [..., D] (after ln_f) → logits over the action tokens [..., bins]."""
        out = self.lm_head(hidden)
        return out if self.cfg.action_head_only else out[..., self.cfg.vocab_size - self.cfg.action_bins :]

    def full_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """[..., D] → [..., vocab_size]; with action_head_only, non-action ids get -1e4."""
        out = self.lm_head(hidden)
        if not self.cfg.action_head_only:
            return out
        return nn.functional.pad(out, (self.cfg.vocab_size - self.cfg.action_bins, 0), value=-1e4)

    def hidden(self, inputs_embeds, attention_mask, position_ids, past, attn_layer: int | None = None):
        """Like forward, but returns the final normalized hidden states [B, S, D] instead of logits; with
        attn_layer, also that layer's attention weights [B, H, S, P+S] (training's pointer loss)."""
        valid = attention_mask > 0
        key_pos = torch.cumsum(attention_mask, dim=-1) - 1
        allowed = (key_pos[:, None, None, :] <= position_ids[:, None, :, None]) & valid[:, None, None, :]
        x = inputs_embeds + self.pos(position_ids)
        kept = None
        for i, (blk, (pk, pv)) in enumerate(zip(self.blocks, past)):
            x, _, _, w = blk(x, allowed, pk, pv)
            if attn_layer is not None and i == attn_layer % len(self.blocks):
                kept = w
        return self.ln_f(x) if attn_layer is None else (self.ln_f(x), kept)

    def forward(self, inputs_embeds, attention_mask, position_ids, past, last_only: bool = False):
        """last_only: logits and attentions of the last position only ([B, 1, V], [B, L, H, 1, P+S]) — all a
        greedy decoder reads. The exported graph uses it: a prefill over ~100 positions otherwise pads and
        returns ~100 × vocab logits (4 MB) that the runtime copies out of the WASM heap and never reads."""
        # Key positions come from the mask (cumsum), so the graph needs no shape arithmetic:
        # query i may see key j iff key_pos[j] <= position_ids[i] and the key is not padding.
        valid = attention_mask > 0
        key_pos = torch.cumsum(attention_mask, dim=-1) - 1  # [B, K]
        allowed = (key_pos[:, None, None, :] <= position_ids[:, None, :, None]) & valid[:, None, None, :]
        x = inputs_embeds + self.pos(position_ids)
        presents, attns = [], []
        for blk, (pk, pv) in zip(self.blocks, past):
            x, k, v, w = blk(x, allowed, pk, pv)
            presents.append((k, v))
            attns.append(w[:, :, -1:] if last_only else w)
        logits = self.full_logits(self.ln_f(x[:, -1:] if last_only else x))
        return logits, presents, torch.stack(attns, dim=1)

    def empty_past(self, batch: int = 1, device=None):
        c = self.cfg
        z = torch.zeros(batch, c.n_heads, 0, c.head_dim, device=device)
        return [(z, z) for _ in range(c.n_layers)]


class WordVectorEmbedding(nn.Module):
    """ids [B, T] → [B, T, D]: word rows = proj(frozen word vector), other rows = a learned vector.
    `table()` folds both into one [V, D] matrix (what the embed_tokens graph exports)."""

    def __init__(self, cfg: VLAConfig):
        super().__init__()
        v = cfg.vocab_size
        self.register_buffer("vectors", torch.zeros(v, cfg.word_dim))  # frozen; zeros for non-word ids
        self.register_buffer("is_word", torch.zeros(v, 1))
        # id → row of `learned` (0 for word ids); set by VLA.set_word_vectors
        self.register_buffer("learned_index", torch.zeros(v, dtype=torch.long))
        self.proj = nn.Linear(cfg.word_dim, cfg.d_model)
        self.learned = nn.Embedding(cfg.n_learned_tokens + 1, cfg.d_model)
        nn.init.normal_(self.learned.weight, std=0.02)
        self.tuned = None
        if cfg.n_tuned_words > 0:
            # id → row of `tuned` (0: none; row 0 stays zero); set by VLA.set_tuned_words
            self.register_buffer("tuned_index", torch.zeros(v, dtype=torch.long))
            self.tuned = nn.Embedding(cfg.n_tuned_words + 1, cfg.d_model, padding_idx=0)
            nn.init.zeros_(self.tuned.weight)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        w = self.is_word[ids]
        out = w * self.proj(self.vectors[ids]) + (1.0 - w) * self.learned(self.learned_index[ids])
        return out if self.tuned is None else out + self.tuned(self.tuned_index[ids])

    def table(self) -> torch.Tensor:
        w = self.is_word
        out = w * self.proj(self.vectors) + (1.0 - w) * self.learned(self.learned_index)
        return out if self.tuned is None else out + self.tuned(self.tuned_index)


class VLA(nn.Module):
    def __init__(self, cfg: VLAConfig):
        super().__init__()
        self.cfg = cfg
        self.vision = VisionEncoder(cfg)
        if cfg.word_dim > 0:
            self.embed_tokens: nn.Module = WordVectorEmbedding(cfg)
        else:
            self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.decoder = Decoder(cfg)
        self.aux_head = nn.Linear(cfg.d_model, cfg.aux_dim) if cfg.aux_dim > 0 else None
        self.patch_head = nn.Linear(cfg.d_model, cfg.patch_classes) if cfg.patch_classes > 0 else None
        if cfg.word_dim == 0:  # after the decoder: keeps the RNG order (and the fixture) of earlier versions
            nn.init.normal_(self.embed_tokens.weight, std=0.02)

    def set_word_vectors(self, vectors: torch.Tensor, is_word: torch.Tensor) -> None:
        """vectors [V, word_dim] (rows of non-word ids ignored), is_word [V] bool."""
        if not isinstance(self.embed_tokens, WordVectorEmbedding):
            raise ValueError("set_word_vectors needs cfg.word_dim > 0")
        with torch.no_grad():
            m = is_word.float().view(-1, 1)
            if int((~is_word).sum()) != self.cfg.n_learned_tokens:
                raise ValueError(f"{int((~is_word).sum())} non-word ids, but cfg.n_learned_tokens = {self.cfg.n_learned_tokens}")
            index = torch.zeros(self.cfg.vocab_size, dtype=torch.long)
            index[~is_word] = torch.arange(1, self.cfg.n_learned_tokens + 1)
            self.embed_tokens.vectors.copy_(vectors * m)
            self.embed_tokens.is_word.copy_(m)
            self.embed_tokens.learned_index.copy_(index)

    def set_tuned_words(self, ids: list[int]) -> None:
        """The word ids (cfg.n_tuned_words of them) whose embedding is proj(vector) + a learned correction."""
        e = self.embed_tokens
        if len(ids) != self.cfg.n_tuned_words:
            raise ValueError(f"{len(ids)} tuned words, but cfg.n_tuned_words = {self.cfg.n_tuned_words}")
        if len(ids) == 0:
            return
        if not isinstance(e, WordVectorEmbedding) or not bool(e.is_word[ids].all()):
            raise ValueError("a tuned word must be a word with a vector")
        with torch.no_grad():
            e.tuned_index.zero_()
            e.tuned_index[torch.tensor(ids)] = torch.arange(1, len(ids) + 1)

    def embedding_table(self) -> torch.Tensor:
        """The [V, D] table the embed_tokens graph is a lookup into."""
        e = self.embed_tokens
        return e.table() if isinstance(e, WordVectorEmbedding) else e.weight

    def sequence_embeds(self, pixel_values, input_ids, state=None):
        """[image tokens][input_ids] embeddings, [B, N + T, D]."""
        return torch.cat([self.vision(pixel_values, state), self.embed_tokens(input_ids)], dim=1)

    def forward(self, pixel_values, input_ids, attention_mask=None, state=None):
        """Full-sequence (no cache) forward for training. input_ids [B, T] are prompt + action ids;
        attention_mask [B, T] marks real text tokens (right padding allowed). Returns logits [B, N + T, V]."""
        emb = self.sequence_embeds(pixel_values, input_ids, state)
        b, n = emb.shape[0], self.cfg.num_image_tokens
        img_mask = torch.ones(b, n, dtype=torch.long, device=emb.device)
        txt_mask = attention_mask.long() if attention_mask is not None else torch.ones_like(input_ids)
        mask = torch.cat([img_mask, txt_mask], dim=1)
        position_ids = (torch.cumsum(mask, dim=1) - 1).clamp(min=0)
        logits, _, _ = self.decoder(emb, mask, position_ids, self.decoder.empty_past(b, emb.device))
        return logits

    @torch.no_grad()
    def predict_actions(self, pixel_values, prompt_ids, state=None):
        """Greedy KV-cache decoding of `action_dims` tokens restricted to the last `action_bins` ids.
        prompt_ids [1, T]. Returns action token ids [action_dims]."""
        c = self.cfg
        emb = self.sequence_embeds(pixel_values, prompt_ids, state)
        total = emb.shape[1]
        mask = torch.ones(1, total, dtype=torch.long)
        pos = torch.arange(total).unsqueeze(0)
        logits, past, _ = self.decoder(emb, mask, pos, self.decoder.empty_past(1))
        start = c.vocab_size - c.action_bins
        out = []
        for d in range(c.action_dims):
            tok = int(logits[0, -1, start:].argmax()) + start
            out.append(tok)
            if d == c.action_dims - 1:
                break
            mask = torch.ones(1, total + d + 1, dtype=torch.long)
            pos = torch.tensor([[total + d]])
            logits, past, _ = self.decoder(self.embed_tokens(torch.tensor([[tok]])), mask, pos, past)
        return out

"""Module summaries of transformer, ConvNeXt, SqueezeNet and GoogLeNet shapes, small enough to
write here: every figure against torch (parameter counts, what forward returns), against
torchinfo (its parameters and Mult-Adds), and MACs derived by hand in each test."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

import cnncalc  # noqa: E402
from cnncalc.calc.costs import row_mult_adds, total_costs  # noqa: E402


class EncoderBlock(nn.Module):
    """torchvision's ViT encoder block: pre-norm attention and MLP, each with a residual."""

    def __init__(self, d: int, heads: int, mlp: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.self_attention = nn.MultiheadAttention(d, heads, batch_first=True)
        self.dropout = nn.Dropout(0.1)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, mlp), nn.GELU(), nn.Dropout(0.1),
                                 nn.Linear(mlp, d), nn.Dropout(0.1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.ln_1(x)
        y, _ = self.self_attention(y, y, y, need_weights=False)
        x = x + self.dropout(y)
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    def __init__(self, seq: int, d: int, heads: int, mlp: int, depth: int) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, seq, d))
        self.layers = nn.Sequential(*(EncoderBlock(d, heads, mlp) for _ in range(depth)))
        self.ln = nn.LayerNorm(d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(self.layers(x + self.pos_embedding))


class TinyViT(nn.Module):
    """torchvision's VisionTransformer in small: 32x32 images in 8x8 patches (16 tokens and
    the class token), width 24, 3 heads of 8, MLP 48, two blocks, 10 classes."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_proj = nn.Conv2d(3, 24, 8, stride=8)
        self.class_token = nn.Parameter(torch.zeros(1, 1, 24))
        self.encoder = Encoder(17, 24, 3, 48, 2)
        self.heads = nn.Sequential(nn.Linear(24, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_proj(x).reshape(x.shape[0], 24, -1).permute(0, 2, 1)  # (N, 16, 24)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        return self.heads(self.encoder(x)[:, 0])


# Per sample, by hand:
#   conv_proj: 24 channels · 4·4 positions · (3·8·8) = 73,728
#   attention, per block: in_proj 17·24·72 = 29,376; q·kᵀ 3 heads·17·17·8 = 6,936;
#     weights·v 6,936; out_proj 17·24·24 = 9,792: 53,040
#   MLP, per block: 17·24·48 + 17·48·24 = 39,168
#   head: 24·10 = 240
VIT_MACS = 73_728 + 2 * (53_040 + 39_168) + 240
# conv 3·64·24 + 24 = 4,632; class token 24; pos_embedding 17·24 = 408; per block: two
# LayerNorms 2·48, in_proj 72·24 + 72 = 1,800, out_proj 24·24 + 24 = 600, MLP
# 24·48 + 48 + 48·24 + 24 = 2,376: 4,872; final LayerNorm 48; head 24·10 + 10 = 250
VIT_PARAMS = 4_632 + 24 + 408 + 2 * 4_872 + 48 + 250


def test_vit_macs_params_and_attention() -> None:
    model = TinyViT()
    assert sum(p.numel() for p in model.parameters()) == VIT_PARAMS  # the derivation holds
    s = cnncalc.summary(model, input_size=(2, 3, 32, 32))
    assert s.total_macs == VIT_MACS and s.macs_exact
    assert s.to_dict()["total_macs"] == 2 * VIT_MACS
    assert s.total_params == VIT_PARAMS
    assert s.output_shape == (10,) and s.mode == "eval"
    by_name = {r.spec.split(":")[0]: r for r in s.layers}
    attention = by_name["encoder.layers.0.self_attention"]
    assert attention.macs == 53_040
    # out_proj's weights are read through the functional path: used, and counted here
    assert attention.params == 1_800 + 600
    assert not any(r.kind == "unused" for r in s.layers)
    # the class token and the position embedding belong to the modules that own them
    assert by_name["TinyViT"].params == 24 and by_name["encoder"].params == 408
    mlp = by_name["encoder.layers.0.mlp.0"]
    assert mlp.kind == "fc" and mlp.macs == 17 * 24 * 48 and mlp.formula == "17 × (24 → 48)"


def test_vit_against_torchinfo() -> None:
    torchinfo = pytest.importorskip("torchinfo")
    model = TinyViT()
    theirs = torchinfo.summary(model, input_size=(2, 3, 32, 32), device="meta", verbose=0)
    ours = cnncalc.summary(model, input_size=(2, 3, 32, 32))
    assert ours.total_params == theirs.total_params == VIT_PARAMS
    # torchinfo counts no attention: its Mult-Adds are the parameters of every module
    # without children once a sample, the conv's times its 4·4 outputs. cnncalc's
    # torchinfo figure is the same number.
    assert total_costs(ours).mult_adds == theirs.total_mult_adds == 2 * (
        (3 * 64 * 24 + 24) * 16 + 2 * (2 * 48 + 1_200 + 1_176) + 48 + 250)


class LayerScaleBlock(nn.Module):
    """torchvision's ConvNeXt CNBlock: a depthwise 7x7 conv, then LayerNorm and an MLP over
    the channels-last map, scaled by a parameter of the block itself."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pw1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pw2 = nn.Linear(4 * dim, dim)
        self.layer_scale = nn.Parameter(torch.full((dim, 1, 1), 1e-6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.dwconv(x).permute(0, 2, 3, 1)  # (N, H, W, C)
        y = self.pw2(self.act(self.pw1(self.norm(y)))).permute(0, 3, 1, 2)
        return x + self.layer_scale * y


def convnext() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 16, 4, stride=4), LayerScaleBlock(16))


def test_convnext_block_linear_on_channels_last_maps() -> None:
    s = cnncalc.summary(convnext(), input_size=(1, 3, 32, 32))
    # stem 16·8·8·(3·4·4) = 49,152; depthwise 16·8·8·(1·7·7) = 50,176; the two Linears at
    # each of the 8·8 positions: 64·16·64 + 64·64·16 = 131,072
    assert s.total_macs == 49_152 + 50_176 + 131_072 and s.macs_exact
    rows = {r.spec.split(":")[0]: r for r in s.layers}
    assert rows["1.pw1"].macs == 65_536 and rows["1.pw1"].output_shape == (8, 8, 64)
    # layer_scale (16) is the block's own parameter, on the block's row
    assert rows["1"].params == 16 and rows["1"].kind == "LayerScaleBlock"
    assert s.total_params == sum(p.numel() for p in convnext().parameters())
    assert s.output_shape == (16, 8, 8)


def test_convnext_against_torchinfo() -> None:
    torchinfo = pytest.importorskip("torchinfo")
    model = convnext()
    theirs = torchinfo.summary(model, input_size=(1, 3, 32, 32), device="meta", verbose=0)
    ours = cnncalc.summary(model, input_size=(1, 3, 32, 32))
    assert ours.total_params == theirs.total_params
    # stem (784 params) and depthwise conv (800) × 8·8 outputs, LayerNorm 32, Linears
    # 1,088 + 1,040 once; the block's layer_scale is not a leaf's: torchinfo leaves it out.
    assert total_costs(ours).mult_adds == theirs.total_mult_adds == \
        (784 + 800) * 64 + 32 + 1_088 + 1_040


class SqueezeHead(nn.Module):
    """SqueezeNet's ending: a 1x1 conv classifier, global pooling, then torch.flatten in
    forward, so the model returns (N, classes) while its last module gives (N, classes, 1, 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(3, 2, ceil_mode=True))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(8, 10, 1), nn.ReLU(),
                                        nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.classifier(self.features(x)), 1)


def test_output_is_what_forward_returns() -> None:
    model = SqueezeHead()
    s = cnncalc.summary(model, input_size=(1, 3, 17, 17))
    assert s.layers[-1].output_shape == (10, 1, 1)  # the last module's
    assert s.output_shape == (10,) == tuple(model(torch.zeros(1, 3, 17, 17)).shape[1:])
    assert s.to_dict()["output_shape"] == [10] and "outputs" not in s.to_dict()
    # (17 - 3)/2 + 1 = 8; 8·8·8·27 = 13,824; the 1x1 conv on ⌈(8 - 3)/2⌉ + 1 = 4: 10·16·8
    assert s.total_macs == 13_824 + 1_280


class WithAux(nn.Module):
    """GoogLeNet's shape: an auxiliary head that runs only in training, and in training a
    tuple of both outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.aux = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        x = self.conv(x)
        if self.training:
            return self.head(x), self.aux(x)
        return self.head(x)


def test_eval_mode_leaves_out_training_branches_and_restores_modes() -> None:
    model = WithAux()
    model.head.eval()  # a mixed state, restored as it was
    s = cnncalc.summary(model, input_size=(1, 3, 10, 10))
    # conv 8·8·8·27 = 13,824 and the head's 8·10 = 80; the aux head (8·5) does not run
    assert s.total_macs == 13_824 + 80
    assert s.layers[-1].kind == "unused" and s.layers[-1].params == 8 * 5 + 5
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert model.training and model.conv.training and not model.head.training
    assert not model.head[2].training and model.aux.training
    assert s.to_dict()["mode"] == "eval"


class TwoHeads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Linear(4, 6)
        self.a = nn.Linear(6, 3)
        self.b = nn.Linear(6, 2)

    def forward(self, x: torch.Tensor) -> dict[str, object]:
        h = self.body(x)
        return {"logits": self.a(h), "extra": (self.b(h), h)}


def test_several_outputs_are_listed_by_name() -> None:
    s = cnncalc.summary(TwoHeads(), input_size=(1, 4))
    assert s.outputs == (("logits", (3,)), ("extra.0", (2,)), ("extra.1", (6,)))
    record = s.to_dict()
    assert record["outputs"] == [{"name": "logits", "shape": [3]},
                                 {"name": "extra.0", "shape": [2]},
                                 {"name": "extra.1", "shape": [6]}]
    assert "outputs: logits: 3, extra.0: 2, extra.1: 6" in s.to_markdown().replace("*", "")


class Spectral(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.fft.rfft(x).abs()


class Functional(nn.Module):
    """Matrix products in forward itself, on weights of a module it never calls."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.proj.weight, self.proj.bias) @ torch.ones(4, 3)


def test_underived_macs_make_the_total_a_lower_bound() -> None:
    s = cnncalc.summary(nn.Sequential(nn.Conv2d(1, 2, 3), Spectral()), (1, 1, 8, 8))
    assert not s.macs_exact and not s.layers[1].macs_exact
    assert any("_fft_r2c not derived" in n for n in s.layers[1].notes)
    assert s.total_macs == 2 * 6 * 6 * 9  # what is derived: the conv's
    assert s.to_dict()["macs_exact"] is False
    assert s.to_dict()["layers"][1]["macs_exact"] is False
    assert "≥" in repr(s) and "≥" in repr(s.layers[1])
    assert "**MACs**: ≥ 648" in s.to_markdown()
    exact = cnncalc.summary(nn.Conv2d(1, 2, 3), (1, 1, 8, 8))
    assert exact.to_dict()["macs_exact"] is True and "macs_exact" not in \
        exact.to_dict()["layers"][0]


def test_functional_code_is_counted_and_its_weights_used() -> None:
    s = cnncalc.summary(Functional(), (2, 5, 8))
    (row,) = s.layers
    # 5 tokens · 8 · 4 for F.linear, then 5 · 4 · 3 for the matmul, per sample
    assert row.kind == "functional" and row.macs == 5 * 8 * 4 + 5 * 4 * 3
    assert row.params == 8 * 4 + 4 and s.total_params == 36
    assert json.loads(s.to_json())["total_macs"] == 2 * row.macs


def test_mult_adds_of_a_repeated_module_count_each_call() -> None:
    """torchinfo counts a module called twice twice (its Mult-Adds are per call)."""
    torchinfo = pytest.importorskip("torchinfo")
    lin = nn.Linear(6, 6)

    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = lin

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.lin(self.lin(x))

    ours = cnncalc.summary(Twice(), (3, 6))
    theirs = torchinfo.summary(Twice(), input_size=(3, 6), device="meta", verbose=0)
    assert [row_mult_adds(r) for r in ours.layers] == [42, 42]
    assert total_costs(ours).mult_adds == theirs.total_mult_adds == 3 * 84
    assert ours.total_macs == 2 * 36
    # one Linear(6, 6): 6·6 + 6 = 42 parameters, counted at its first call only
    assert [(r.params, r.shares) for r in ours.layers] == [(42, ""), (0, ours.layers[0].path)]
    assert sum(p.numel() for p in Twice().parameters()) == ours.total_params == 42

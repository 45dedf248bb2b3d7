#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nn.Softmax2d, ChannelShuffle, LocalResponseNorm, AlphaDropout,
MultiMarginLoss and F.gumbel_softmax (test/api3-nn.test.ts).

Run from the repository root:

    /usr/bin/python3 scripts/make_api3_nn_fixtures.py

Writes test/fixtures/api3_nn.json: layer cases (make_layer_fixtures.run_case: state dict,
inputs, outputs, gradients). The random ones (AlphaDropout in training, gumbel_softmax) seed
torch's generator with 5 just before the call, so nabla's PyTorch-compatible generator seeded
the same draws the same numbers. Float32 and float64. Seeded; encoding as in fixture_json.py.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_json import randn, write_json
from make_layer_fixtures import run_case

F64 = torch.float64


def seeded(fn):
    def call(m, *xs):
        torch.manual_seed(5)
        return fn(m, *xs)
    return call


def cases():
    torch.manual_seed(31)
    out = {}
    out["softmax2d"] = run_case(nn.Softmax2d(), [randn(2, 3, 4, 2)])
    out["softmax2d_unbatched_f64"] = run_case(nn.Softmax2d(), [randn(3, 2, 5).to(F64)])
    # 1.13's channel_shuffle has no derivative: the gradient is the same permutation's, written with
    # view and transpose (checked equal to channel_shuffle's output)
    def shuffle(m, x):
        y = x.view(2, 3, 2, 3, 2).transpose(1, 2).reshape(x.shape)
        assert torch.equal(y, m(x.detach()))
        return y
    out["channel_shuffle"] = run_case(nn.ChannelShuffle(3), [randn(2, 6, 3, 2)], call=shuffle)
    out["lrn_4d"] = run_case(nn.LocalResponseNorm(3), [randn(2, 5, 4, 3) * 3])
    out["lrn_3d_options"] = run_case(nn.LocalResponseNorm(4, alpha=0.1, beta=0.5, k=2.0), [randn(2, 6, 7)])
    out["lrn_5d_f64"] = run_case(nn.LocalResponseNorm(2, 0.3, 0.9, 1.5), [randn(2, 3, 2, 3, 2).to(F64)])
    target = torch.tensor([2, 0, 4, 4])
    out["mm_default"] = run_case(nn.MultiMarginLoss(), [randn(4, 5), target])
    w = torch.rand(5) + 0.5
    out["mm_p2_weight_sum"] = run_case(nn.MultiMarginLoss(p=2, margin=0.5, weight=w, reduction="sum"), [randn(4, 5), target])
    out["mm_none_f64"] = run_case(nn.MultiMarginLoss(margin=2.0, reduction="none").to(F64), [randn(4, 5).to(F64), target])
    out["mm_unbatched"] = run_case(nn.MultiMarginLoss(), [randn(5), torch.tensor(3)])
    out["alpha_dropout_train"] = run_case(nn.AlphaDropout(0.3), [randn(4, 6)], call=seeded(lambda m, x: m(x)))
    out["alpha_dropout_train_f64"] = run_case(nn.AlphaDropout(0.5), [randn(3, 5).to(F64)], call=seeded(lambda m, x: m(x)))
    out["alpha_dropout_eval"] = run_case(nn.AlphaDropout(0.3).eval(), [randn(4, 6)])
    logits = randn(3, 5)
    out["gumbel_soft"] = run_case(nn.Identity(), [logits], call=seeded(lambda m, x: F.gumbel_softmax(x)))
    out["gumbel_hard_tau_dim0"] = run_case(nn.Identity(), [logits], call=seeded(lambda m, x: F.gumbel_softmax(x, tau=0.5, hard=True, dim=0)))
    out["gumbel_soft_f64"] = run_case(nn.Identity(), [logits.to(F64)], call=seeded(lambda m, x: F.gumbel_softmax(x, tau=2.0)))
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)
    write_json("api3_nn.json", {"torch_version": torch.__version__, "cases": cases()})

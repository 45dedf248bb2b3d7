#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for InstanceNorm1d/2d/3d and BatchNorm3d (test/instance-norm.test.ts).

Run from the repository root:

    /usr/bin/python3 scripts/make_instancenorm_fixtures.py

Writes test/fixtures/instancenorm.json: cases in the layer-case format of make_layer_fixtures.py
(run_case: state dict, inputs, outputs, gradients of the input and the parameters, buffers
after). Each module runs a training step ("_train") and then eval ("_eval"): with running
statistics eval normalises with them, without them with each instance's own (PyTorch 1.13's
`self.training or not self.track_running_stats`). Unbatched inputs ([C, L] for InstanceNorm1d),
affine parameters away from 1 and 0, running statistics away from 0 and 1, float32 and float64.
Seeded: reruns are byte-identical.
"""

import torch
import torch.nn as nn

from fixture_json import randn, write_json
from make_layer_fixtures import run_case

F32 = torch.float32
F64 = torch.float64


def cases():
    torch.manual_seed(1234)
    out = {}
    specs = [
        ("in2d", lambda: nn.InstanceNorm2d(3), (2, 3, 4, 5), F32),
        ("in2d_f64", lambda: nn.InstanceNorm2d(3), (2, 3, 4, 5), F64),
        ("in2d_affine_stats", lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), (3, 4, 5, 3), F32),
        ("in2d_affine_stats_f64", lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), (3, 4, 5, 3), F64),
        ("in2d_unbatched", lambda: nn.InstanceNorm2d(3, affine=True), (3, 4, 4), F32),
        ("in1d", lambda: nn.InstanceNorm1d(5, eps=1e-3), (4, 5, 7), F32),
        ("in1d_stats_momentum", lambda: nn.InstanceNorm1d(3, momentum=0.3, track_running_stats=True), (2, 3, 6), F32),
        ("in1d_unbatched_stats", lambda: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (3, 8), F64),
        ("in3d_affine", lambda: nn.InstanceNorm3d(2, affine=True), (2, 2, 3, 4, 3), F32),
        ("in3d_stats_f64", lambda: nn.InstanceNorm3d(2, track_running_stats=True), (2, 2, 3, 3, 2), F64),
        ("bn3d", lambda: nn.BatchNorm3d(3), (2, 3, 3, 4, 2), F32),
        ("bn3d_f64", lambda: nn.BatchNorm3d(2, momentum=0.2), (3, 2, 2, 3, 3), F64),
    ]
    for name, make, shape, dtype in specs:
        m = make().to(dtype)
        with torch.no_grad():
            if m.affine:
                m.weight.copy_(torch.rand(m.num_features, dtype=dtype) + 0.5)
                m.bias.copy_(randn(m.num_features).to(dtype))
        m.train()
        if m.track_running_stats:
            with torch.no_grad():  # running statistics away from their initial 0 and 1
                m(randn(*shape).to(dtype) * 2 + 1)
        out[name + "_train"] = run_case(m, [(randn(*shape) * 3 - 1).to(dtype)])
        m.eval()
        m.zero_grad(set_to_none=True)
        out[name + "_eval"] = run_case(m, [(randn(*shape) * 2 + 0.5).to(dtype)])
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)
    write_json("instancenorm.json", {"torch_version": torch.__version__, "cases": cases()})

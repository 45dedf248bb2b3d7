#!/usr/bin/env -S /usr/bin/python3
"""Reference fixtures for nn.ParameterList and nn.ParameterDict (test/parameter-containers.test.ts).

Run from the repository root:

    /usr/bin/python3 scripts/make_parameter_container_fixtures.py

Writes test/fixtures/parameter_containers.json: a model holding a ParameterList (a Parameter and
a plain tensor, which 1.13 makes a Parameter) and a ParameterDict built from a plain dict (keys
taken sorted), run as a layer case (make_layer_fixtures.run_case: state-dict keys in PyTorch's
order, output, input and parameter gradients), and the repr of the model.
Seeded; encoding as in scripts/fixture_json.py.
"""

import torch
import torch.nn as nn

from fixture_json import write_json
from make_layer_fixtures import run_case


class Mixer(nn.Module):
    """y = tanh(x @ ps[0] + ps[1]) * pd["scale"] + pd["shift"]."""

    def __init__(self):
        super().__init__()
        self.ps = nn.ParameterList([nn.Parameter(torch.randn(4, 3)), torch.randn(3)])
        self.pd = nn.ParameterDict({"shift": nn.Parameter(torch.randn(3)), "scale": torch.rand(3) + 0.5})

    def forward(self, x):
        return torch.tanh(x @ self.ps[0] + self.ps[1]) * self.pd["scale"] + self.pd["shift"]


if __name__ == "__main__":
    torch.manual_seed(3)
    torch.set_num_threads(1)
    m = Mixer()
    case = run_case(m, [torch.randn(5, 4)])
    case["repr"] = repr(m)
    write_json("parameter_containers.json", {"torch_version": torch.__version__, "cases": {"mixer": case}})

#!/usr/bin/env -S /usr/bin/python3
"""ONNX models exported by real PyTorch (torch.onnx.export, opset 17) for nabla's ONNX tests.

Run from the repository root:

    /usr/bin/python3 scripts/make_onnx_fixtures.py

For each model (an MLP with GELU and LayerNorm, a small CNN with BatchNorm and max pooling, a
two-layer LSTM with a Linear on its last step),
seeded, writes:
    test/fixtures/onnx_torch_<name>.onnx   the model exported by torch.onnx.export (dynamic batch)
    test/fixtures/onnx_torch_<name>.pt     its state dict, written by torch.save
and test/fixtures/onnx_torch.json with the cases, an input and PyTorch's output.

test/io-onnx.test.ts loads the weights into the same nabla model (io.loadTorch), runs the
PyTorch-exported file in ONNX Runtime and checks it against nabla's forward, and checks nabla's
own export of the same weights too.
"""

import os

import torch
import torch.nn as nn

from fixture_json import FIXTURES, enc, write_json


def mlp():
    return nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.LayerNorm(16), nn.Linear(16, 4), nn.LogSoftmax(dim=1))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 10))


class LstmHead(nn.Module):
    """An LSTM over a batch-first sequence, a Linear on its last step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, num_layers=2, batch_first=True)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y.select(1, -1))


def main():
    cases = []
    for name, make, shape in (("mlp", mlp, (3, 8)), ("cnn", cnn, (3, 1, 8, 8)), ("lstm", LstmHead, (3, 5, 4))):
        torch.manual_seed(0)
        model = make()
        if name == "cnn":
            # a few training-mode passes so the running statistics are not the initial ones
            with torch.no_grad():
                for i in range(3):
                    model(torch.randn(6, 1, 8, 8) * (1 + i) + 0.5)
        model.eval()
        x = torch.randn(*shape)
        onnx_file = f"onnx_torch_{name}.onnx"
        pt_file = f"onnx_torch_{name}.pt"
        torch.onnx.export(
            model,
            x,
            os.path.join(FIXTURES, onnx_file),
            opset_version=17,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        )
        torch.save(model.state_dict(), os.path.join(FIXTURES, pt_file))
        with torch.no_grad():
            y = model(x)
        print(f"wrote {onnx_file} and {pt_file}")
        cases.append({"name": name, "file": onnx_file, "weights": pt_file, "input": enc(x), "output": enc(y)})
    write_json("onnx_torch.json", {"cases": cases})


if __name__ == "__main__":
    main()

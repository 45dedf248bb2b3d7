#!/usr/bin/env -S /usr/bin/python3
"""PyTorch's positional constructor arguments, in its order, for nabla's argument-slot test (issue 11).

Run from the repository root:

    /usr/bin/python3 scripts/make_signature_fixtures.py

Writes test/fixtures/constructor_signatures.json: for every nn Module class, optimizer and
learning-rate scheduler of this PyTorch (and DataLoader), the names of the arguments a call may
give positionally (inspect's POSITIONAL_OR_KEYWORD parameters up to the first *args, `*` or
**kwargs), without self. nn.RNN/LSTM/GRU take `*args` and pass them to RNNBase after `mode`, so
theirs are RNNBase's without mode. test/argument-slots.test.ts checks that nabla's positional
slots are these names, in this order, camelCased, as far as nabla goes.
"""

import inspect
import json

import torch
import torch.nn as nn
import torch.optim as optim
import torch.optim.lr_scheduler as lr_scheduler
import torch.utils.data as data


def positional(fn, drop=()):
    names = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind != inspect.Parameter.POSITIONAL_OR_KEYWORD:
            break
        if p.name != "self" and p.name not in drop:
            names.append(p.name)
    return names


def classes(module, base):
    return {
        name: c
        for name, c in vars(module).items()
        if isinstance(c, type) and issubclass(c, base) and c is not base and not name.startswith("_")
    }


out = {}
for name, c in classes(nn, nn.Module).items():
    if name in ("RNN", "LSTM", "GRU"):
        out[f"nn.{name}"] = positional(nn.RNNBase.__init__, drop=("mode",))
    else:
        out[f"nn.{name}"] = positional(c.__init__)
for name, c in classes(optim, optim.Optimizer).items():
    out[f"optim.{name}"] = positional(c.__init__)
for name, c in vars(lr_scheduler).items():
    if isinstance(c, type) and c.__module__ == lr_scheduler.__name__ and name[0].isupper() and not name.startswith("_"):
        out[f"optim.lrScheduler.{name}"] = positional(c.__init__)
out["data.DataLoader"] = positional(data.DataLoader.__init__)

with open("test/fixtures/constructor_signatures.json", "w") as f:
    json.dump({"torch": torch.__version__, "signatures": dict(sorted(out.items()))}, f, indent=1)
    f.write("\n")
print(f"wrote {len(out)} signatures from torch {torch.__version__}")

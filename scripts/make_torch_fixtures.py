#!/usr/bin/env -S /usr/bin/python3
"""`.pt` fixtures for nabla's `io.loadTorch` / `io.saveTorch` tests, written by real PyTorch (1.13).

Run from the repository root:

    /usr/bin/python3 scripts/make_torch_fixtures.py            # writes the fixtures
    /usr/bin/python3 scripts/make_torch_fixtures.py check PATH # loads a nabla-written file

Writes (PyTorch -> nabla), all small:
    test/fixtures/torch_state_dict.pt   state_dict() of a seeded Sequential(Linear, BatchNorm1d, ReLU, Linear)
                                        after two training steps (num_batches_tracked is int64)
    test/fixtures/torch_checkpoint.pt   {"model": that state dict, "optimizer": Adam's state dict,
                                         "epoch": 2, "loss": a float, "note": a str}
    test/fixtures/torch_dtypes.pt       every storage type nabla reads (f16, bf16, f64, i64, i32, i16,
                                        i8, u8, bool), a transposed view, two slices sharing one
                                        storage at an offset, a 0-d tensor and an empty one
    test/fixtures/torch_legacy.pt       the state dict in the pre-1.6 format (_use_new_zipfile_serialization=False)
    test/fixtures/torch_int64_big.pt    an int64 value outside int32 (nabla must refuse it)
    test/fixtures/torch_hostile_system.pt   a zip .pt whose pickle calls os.system (must be refused unrun)
    test/fixtures/torch_hostile_legacy.pt   the same in the legacy format
    test/fixtures/torch_hostile_eval.pt     a pickle calling builtins.eval, inside a state dict
    test/fixtures/torch_fixtures.json   the expected values (float16/bfloat16 widened to float32),
                                        the model's input and output

`check PATH` loads PATH with torch.load(weights_only=True) and prints it as JSON (tensors
encoded as in fixture_json): test/io-torch.test.ts uses it to check that nabla's files load in
PyTorch. `check-unsafe PATH` loads with weights_only=False: torch 1.13's weights-only reader has
no BINFLOAT opcode, so it cannot read any float that is not in a tensor (an optimizer's lr), in
nabla's files and in PyTorch's own alike; torch >= 2.0 reads them.
"""

import io
import json
import os
import sys

import torch
import torch.nn as nn

from fixture_json import FIXTURES, enc, write_json

# The hostile files' payload: it would create this file if anything ran it.
PWNED = "/tmp/nabla-pwned-by-pt-fixture"


class System:
    """Pickles as a call of os.system (what a malicious checkpoint does)."""

    def __reduce__(self):
        return (os.system, (f"touch {PWNED}",))


class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch " + PWNED + "')",))


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))


def encode(value):
    """A saved value as JSON: tensors via enc, dicts with their keys as strings, tuples as lists."""
    if isinstance(value, torch.Tensor):
        return enc(value, halves=True)
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def path(name):
    return os.path.join(FIXTURES, name)


def save(obj, name, **kwargs):
    torch.save(obj, path(name), **kwargs)
    print(f"wrote {path(name)} ({os.path.getsize(path(name))} bytes)")


def write():
    m = model()
    opt = torch.optim.Adam(m.parameters(), lr=0.01)
    x = torch.randn(5, 4)
    for _ in range(2):
        opt.zero_grad()
        m(x).pow(2).mean().backward()
        opt.step()
    m.eval()
    with torch.no_grad():
        out = m(x)
    sd = m.state_dict()
    save(sd, "torch_state_dict.pt")
    ckpt = {"model": sd, "optimizer": opt.state_dict(), "epoch": 2, "loss": 0.25, "note": "nabla fixture"}
    save(ckpt, "torch_checkpoint.pt")
    save(sd, "torch_legacy.pt", _use_new_zipfile_serialization=False)

    torch.manual_seed(1)
    base = torch.randn(3, 4)
    shared = torch.arange(10, dtype=torch.float32)
    dtypes = {
        "f32": base,
        "f64": base.double(),
        "f16": base.half(),
        "bf16": base.bfloat16(),
        "i64": torch.tensor([[-(2**31), 2**31 - 1], [0, -5]], dtype=torch.int64),
        "i32": torch.tensor([1, -2, 3], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "transposed": base.t(),
        "slice_a": shared[2:5],
        "slice_b": shared[4:9:2],
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
    }
    save(dtypes, "torch_dtypes.pt")
    save({"big": torch.tensor([1, 2**31], dtype=torch.int64)}, "torch_int64_big.pt")

    if os.path.exists(PWNED):
        os.remove(PWNED)
    save({"weight": torch.ones(2), "payload": System()}, "torch_hostile_system.pt")
    save({"weight": torch.ones(2), "payload": System()}, "torch_hostile_legacy.pt", _use_new_zipfile_serialization=False)
    save({"weight": torch.ones(2), "payload": Eval()}, "torch_hostile_eval.pt")
    # PyTorch's own safe loader refuses them too.
    for name in ("torch_hostile_system.pt", "torch_hostile_legacy.pt", "torch_hostile_eval.pt"):
        try:
            torch.load(path(name), weights_only=True)
            sys.exit(f"{name}: torch.load(weights_only=True) accepted a hostile file")
        except Exception:
            pass
    assert not os.path.exists(PWNED), "a payload ran while writing the fixtures"

    write_json(
        "torch_fixtures.json",
        {
            "state_dict": encode(sd),
            "checkpoint": encode(ckpt),
            "dtypes": encode(dtypes),
            "input": enc(x),
            "output": enc(out),
            "pwned": PWNED,
        },
    )


def check(p, weights_only=True):
    value = torch.load(p, weights_only=weights_only)
    print(json.dumps(encode(value), allow_nan=False))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "check-unsafe":
        check(sys.argv[2], weights_only=False)
    else:
        write()

#!/usr/bin/env -S /usr/bin/python3
"""Safetensors fixtures for nabla's io tests, written and read by real PyTorch (1.13).

Debian has no `safetensors` Python package, so this script writes and reads the format by hand
with struct + json, exactly as the safetensors library lays it out: an 8-byte little-endian
header length, a compact JSON header (`__metadata__` first, then the tensors sorted by dtype
size, largest first, then by name), padded with spaces to a multiple of 8, then the data.

Run from the repository root:

    /usr/bin/python3 scripts/make_io_fixtures.py

Writes (PyTorch -> nabla):
    test/fixtures/io_torch.safetensors        every dtype nabla reads: F32 F64 I32 I64 BOOL F16 BF16
    test/fixtures/io_torch_model.safetensors  the state dict of a seeded nn.Sequential(Linear, ReLU, Linear)
    test/fixtures/io_torch_int64_big.safetensors  an int64 value outside int32 (nabla must refuse it)
    test/fixtures/io_torch.json               the expected values (F16/BF16 as float32), the model's input and output

Checks (nabla -> PyTorch), when test/fixtures/io_nabla.safetensors exists:
    reads the file nabla wrote (test/io.test.ts writes it with NABLA_WRITE_IO_FIXTURES=1 and
    otherwise checks that nabla still writes exactly those bytes), checks its tensors against the
    values the test puts in, loads its model weights into the same PyTorch Sequential and checks
    the forward pass. Exits non-zero on any mismatch.

Order for a full refresh: this script; then `NABLA_WRITE_IO_FIXTURES=1 npx vitest run test/io.test.ts`;
then this script again (it prints "nabla-written file verified by PyTorch").
"""

import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn

import fixture_json
from fixture_json import FIXTURES, write_json

DTYPE_CODES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}
CODE_DTYPES = {v: k for k, v in DTYPE_CODES.items()}


def tensor_bytes(t):
    """Row-major little-endian bytes of a tensor (via a uint8 view of its contiguous storage)."""
    t = t.detach().contiguous()
    if t.numel() == 0:
        return b""
    return t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.dtype != torch.bool else t.to(torch.uint8).numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes a dict of tensors in the safetensors layout, as the safetensors library does."""
    order = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in order:
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def read_safetensors(path):
    """Reads a safetensors file into torch tensors, validating offsets like the library does."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} runs past the file")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    metadata = header.pop("__metadata__", {})
    out = {}
    end_expected = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        if begin != end_expected:
            raise ValueError(f"{path}: tensor {name} does not start where the previous ended")
        end_expected = end
        dtype = CODE_DTYPES[info["dtype"]]
        numel = math.prod(info["shape"])
        chunk = bytearray(data[begin:end])
        if dtype == torch.bool:
            t = torch.frombuffer(chunk, dtype=torch.uint8).to(torch.bool) if numel else torch.zeros(0, dtype=torch.bool)
        else:
            t = torch.frombuffer(chunk, dtype=dtype) if numel else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(info["shape"])
    if end_expected != len(data):
        raise ValueError(f"{path}: trailing data bytes")
    return out, metadata


def enc(t):
    """A tensor as nabla's fixture JSON (fixture_json.enc): F16/BF16/F32 as float32, F64 as float64,
    bool, and, as this script's own copy did, every other dtype as int32."""
    return fixture_json.enc(t, halves=True, other_as_int32=True)


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


def write_fixtures():
    torch.manual_seed(1)
    specials = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.0e-8, float("inf"), float("-inf"), float("nan")])
    tensors = {
        "f32": torch.randn(2, 3),
        "f32_transposed": torch.randn(3, 2).t(),  # non-contiguous: written in row-major order
        "f64": torch.tensor([[1.0 / 3.0, -1e-300], [1e300, math.pi]], dtype=torch.float64),
        "i32": torch.tensor([-2147483648, -1, 0, 2147483647], dtype=torch.int32),
        "i64": torch.tensor([[-5, 0], [7, 2147483647]], dtype=torch.int64),
        "bool": torch.tensor([True, False, True]),
        "f16": specials.to(torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e38, -0.0, float("inf"), float("nan")]).to(torch.bfloat16),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 4),
    }
    write_safetensors(os.path.join(FIXTURES, "io_torch.safetensors"), tensors, {"format": "pt", "note": "written by scripts/make_io_fixtures.py"})

    model = make_model()
    write_safetensors(os.path.join(FIXTURES, "io_torch_model.safetensors"), dict(model.state_dict()), {"format": "pt"})
    torch.manual_seed(2)
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)

    write_safetensors(os.path.join(FIXTURES, "io_torch_int64_big.safetensors"), {"big": torch.tensor([1, 2**31], dtype=torch.int64)})

    # Read our own files back with the hand reader: the bytes decode to the same tensors.
    back, meta = read_safetensors(os.path.join(FIXTURES, "io_torch.safetensors"))
    assert meta["format"] == "pt"
    for k, t in tensors.items():
        assert torch.equal(back[k].float().nan_to_num(0.5), t.float().nan_to_num(0.5)), k

    expected = {
        "tensors": {k: enc(t) for k, t in tensors.items()},
        "metadata": {"format": "pt", "note": "written by scripts/make_io_fixtures.py"},
        "model": {"keys": list(model.state_dict().keys()), "input": enc(x), "output": enc(y)},
    }
    write_json("io_torch.json", expected, print_size=False)


def verify_nabla_file():
    """Reads the file nabla wrote and checks it with PyTorch; see test/io.test.ts ('nablaWritten')."""
    path = os.path.join(FIXTURES, "io_nabla.safetensors")
    if not os.path.exists(path):
        print(f"{path} not there yet: run NABLA_WRITE_IO_FIXTURES=1 npx vitest run test/io.test.ts, then this script again")
        return
    tensors, meta = read_safetensors(path)
    assert meta == {"writer": "nabla", "purpose": "read back by PyTorch"}, meta
    # The same values test/io.test.ts builds.
    expect = {
        "float32": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5,
        "float64": torch.tensor([1.0 / 3.0, -1e-300, 1e300], dtype=torch.float64),
        "int32": torch.tensor([-2147483648, -1, 0, 2147483647], dtype=torch.int32),
        "bool": torch.tensor([[True, False], [False, True]]),
        "scalar": torch.tensor(-7.25),
    }
    for k, t in expect.items():
        got = tensors[f"extra.{k}"]
        assert got.dtype == t.dtype and torch.equal(got, t), (k, got, t)
    model = make_model()
    for p in model.parameters():
        p.data.zero_()
    model.load_state_dict({k[len("model.") :]: v for k, v in tensors.items() if k.startswith("model.")})
    expected = json.load(open(os.path.join(FIXTURES, "io_torch.json")))["model"]
    x = torch.tensor(expected["input"]["data"], dtype=torch.float32).reshape(expected["input"]["shape"])
    y = torch.tensor(expected["output"]["data"], dtype=torch.float32).reshape(expected["output"]["shape"])
    with torch.no_grad():
        assert torch.equal(model(x), y)
    print(f"{path}: nabla-written file verified by PyTorch ({len(tensors)} tensors)")


if __name__ == "__main__":
    os.makedirs(FIXTURES, exist_ok=True)
    write_fixtures()
    verify_nabla_file()
    sys.exit(0)

"""JSON encoding shared by the fixture scripts in scripts/ (make_*fixtures.py).

The scripts are run as `/usr/bin/python3 scripts/<name>.py`, so scripts/ is on sys.path and they
import this module directly: `from fixture_json import enc, write_json`.

Tensor encoding, read by nabla's tests:

    {"dtype": "float32" | "float64" | "int32" | "bool", "shape": [...], "data": [...]}

* `shape` is the tensor's shape ([] for a scalar); `data` is the tensor flattened in row-major
  order (so a non-contiguous tensor is written in its logical order).
* Float values are exact: each float32/float64 element is widened to a Python float (float64,
  exact for float32) and json writes its shortest round-tripping repr, so reading it back and
  rounding to the tensor's dtype gives the very same value.
* Non-finite floats are written as the strings "nan", "inf" and "-inf" (files are written with
  allow_nan=False, so a bare NaN / Infinity can never get into them).
* Integer tensors (uint8, int8, int16, int32 and int64) are all written as "int32": nabla has no
  int64. The values are written as they are; the scripts only record ones that fit in int32.
* bool tensors are written as "bool" with true / false.

Files are compact JSON (separators (",", ":"), keys in insertion order) with one trailing newline,
written under test/fixtures/. Everything the scripts write is seeded, so reruns are byte-identical.
"""

import json
import math
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")

F32 = torch.float32
F64 = torch.float64
HALF_DTYPES = (torch.float16, torch.bfloat16)
INT_DTYPES = (torch.int32, torch.int64, torch.int16, torch.int8, torch.uint8)


# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------

def enc_float(v):
    """A Python float as JSON: itself, or "nan" / "inf" / "-inf"."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t, *, halves=False, other_as_int32=False):
    """Encode a torch tensor as a JSON-able {"dtype", "shape", "data"} dict (see the module docstring).

    halves: also accept float16 / bfloat16 and write them as "float32" (their values are exact
        in float32); make_io_fixtures.py uses this for the safetensors F16 / BF16 tensors.
    other_as_int32: write a tensor of any other dtype (float16, complex, ...) as "int32" with
        int(v) instead of raising ValueError; this is the fall-through that the copies in
        make_activation_fixtures.py, make_layer_fixtures.py and make_io_fixtures.py had.
    """
    t = t.detach()
    shape = list(t.shape)
    if t.dtype in (F32, F64) or (halves and t.dtype in HALF_DTYPES):
        dtype = "float64" if t.dtype == F64 else "float32"
        data = [enc_float(v) for v in t.double().reshape(-1).tolist()]
    elif t.dtype == torch.bool:
        dtype = "bool"
        data = [bool(v) for v in t.reshape(-1).tolist()]
    elif t.dtype in INT_DTYPES or other_as_int32:
        dtype = "int32"
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        raise ValueError(f"unsupported dtype {t.dtype}")
    return {"dtype": dtype, "shape": shape, "data": data}


def enc_opt(t, **kwargs):
    """enc(t, **kwargs), or None (JSON null) when t is None (e.g. a gradient that was never set)."""
    return None if t is None else enc(t, **kwargs)


def write_json(name, obj, *, print_size=True):
    """Writes obj to test/fixtures/<name> as compact JSON plus a newline and says so on stdout.

    print_size: end the message with the file's size in bytes ("wrote PATH (N bytes)"), as all
        scripts do except make_io_fixtures.py, which prints just "wrote PATH".
    """
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name)
    with open(path, "w") as f:
        json.dump(obj, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    if print_size:
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    else:
        print(f"wrote {path}")


# ---------------------------------------------------------------------------
# Data helpers (torch's global generator, so each script's torch.manual_seed applies)
# ---------------------------------------------------------------------------

def randn(*shape):
    """Standard normal float32 values of the given shape."""
    return torch.randn(shape, dtype=F32)


def T(values, dtype=F32):
    """A tensor from (nested lists of) values, float32 unless told otherwise."""
    return torch.tensor(values, dtype=dtype)

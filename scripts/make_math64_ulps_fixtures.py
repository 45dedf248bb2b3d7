#!/usr/bin/env -S /usr/bin/python3
"""Correctly rounded float64 values of exp, expm1, tanh, sigmoid, erf and erfc, for
test/wasm-math-ulps-f64.test.ts (the wasm float64 kernels in ulps).

Run from the repository root:

    /usr/bin/python3 scripts/make_math64_ulps_fixtures.py

Writes test/fixtures/math64_ulps.json: x and each function at x, computed by mpmath at 120 bits
and rounded once to float64 (PyTorch's float64 functions, Sleef's or glibc's, are within an ulp
or two of these; JavaScript has no erf to compare with); and PyTorch 1.13's float64 GELU and its
derivative at x (F.gelu and the gradient of its sum), which compose erf as ATen does. The points: 256 bit patterns spread over
the positive doubles with both signs (subnormals to DBL_MAX), grids over [-100, 100], [-7, 7],
[-1.3, 1.3] and [0.6875, 1] (where erfc's one-minus-erf form would cost ulps), powers of 2 from 2^-1074 up with both signs, and the thresholds where the functions
round to their limits, overflow or underflow, and ±0, ±inf, NaN. Signed zeros are set by hand
(mpmath has one zero): exp's and sigmoid's limits are +0, the odd functions keep x's sign at ±0.
"""

import math
import struct

import mpmath as mp
import torch

from fixture_json import enc_float, write_json

mp.mp.prec = 120


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


xs = []
step = 0x7FF0000000000000 // 256
for k in range(256):
    v = from_bits(k * step)
    xs += [v, -v]
for lo, hi, n in [(-100, 100, 800), (-7, 7, 1000), (-1.3, 1.3, 400), (0.6875, 1, 500)]:
    xs += [lo + (hi - lo) * k / n for k in range(n + 1)]
for e in range(-1074, 8, 9):
    xs += [math.ldexp(1.0, e), -math.ldexp(1.0, e)]
xs += [
    0.0, -0.0, math.inf, -math.inf, math.nan,
    5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    1e-300, -1e-300, 1e-17, -1e-17, 0.25, 0.5, 0.6875, -0.6875, 0.84375, 1.0, -1.0, 1.25, 2.0, 4.0, 5.0, 6.0, -6.0,
    19.0, 19.1, -19.06, 26.5, 27.2, 27.3, 28.0, -28.0, 37.5, -37.5, -40.0, -41.0,
    -708.39, -708.4, -745.13, -745.14, -745.2, 709.78, 709.782712893384, 709.7827128933841, 710.0,
]

FUNCTIONS = {
    "exp": (mp.exp, None),
    "expm1": (mp.expm1, "odd"),
    "tanh": (mp.tanh, "odd"),
    "sigmoid": (lambda x: 1 / (1 + mp.exp(-x)), None),
    "erf": (mp.erf, "odd"),
    "erfc": (mp.erfc, None),
}
LIMITS = {"exp": (0.0, math.inf), "expm1": (-1.0, math.inf), "tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "erf": (-1.0, 1.0), "erfc": (2.0, 0.0)}


def rounded(name, f, odd, x):
    """f(x) rounded once to float64, with IEEE's signed zeros, infinities and NaN."""
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return LIMITS[name][x > 0]
    if x == 0 and odd:
        return x
    if name == "erfc" and x > 30:
        return 0.0  # below 2^-1075 (mpmath's erfc loses itself at huge x)
    v = f(mp.mpf(x))
    if abs(v) > mp.mpf(2) ** 1024 - mp.mpf(2) ** 970:
        return math.copysign(math.inf, v)
    # round to nearest on float64's grid, subnormals included (float() of an mpf may round twice there)
    if v == 0:
        return 0.0
    e = max(mp.frexp(v)[1] - 53, -1074)
    return float(mp.nint(v / mp.mpf(2) ** e) * mp.mpf(2) ** e)


out = {"x": [enc_float(x) for x in xs]}
for name, (f, odd) in FUNCTIONS.items():
    out[name] = [enc_float(rounded(name, f, odd, x)) for x in xs]
xt = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
gelu = torch.nn.functional.gelu(xt)
gelu.sum().backward()
out["torch_version"] = torch.__version__
out["torch_gelu"] = [enc_float(v) for v in gelu.tolist()]
out["torch_gelu_grad"] = [enc_float(v) for v in xt.grad.tolist()]
write_json("math64_ulps.json", out)

"""Coefficients of the float64 erf/erfc polynomials in packages/nabla/assembly/simdmath64.ts.

Chebyshev fits (mpmath.chebyfit, 50 digits) printed as AssemblyScript constants, highest degree
first, with each fit's maximum relative error. Run with the interpreter that has mpmath:
  /usr/bin/python3 scripts/fit_erf64.py

* ERF_Q: erf(x)/x − 1 as a polynomial in z = x² on [0, 1] (|x| < 1: erf = x + x·Q(z)).
* ERFCX_T0 (erfc only, from x = 0.6875 up to 1), ERFCX_T1, ERFCX_T2: x·erfcx(x) = x·e^(x²)·erfc(x) (1/√π at x = ∞) in u = (t − m)·s, t = 1/x, on
  t in [1, 3/2] (m = 5/4, s = 4), [1/2, 1] (m = 3/4, s = 4) and [1/4, 1/2] (m = 3/8, s = 8): t − m is exact there (Sterbenz)
  and s a power of 2.
* ERFCX_T3: x·erfcx(x) in w = t² on [1/28², 1/16] (erfc underflows to 0 past x = 27.3): its constant
  term carries the value, so the roundings of t and w touch only the small rest.
"""
import mpmath as mp

mp.mp.dps = 50


def erfcx(x):
    return mp.exp(x * x) * mp.erfc(x)


def q(z):
    if z == 0:
        return 2 / mp.sqrt(mp.pi) - 1
    return mp.erf(mp.sqrt(z)) / mp.sqrt(z) - 1


def emit(name, f, a, b, n, m=None, s=None):
    """Fit f on [a, b] with degree n − 1, in (t − m)·s when m is given, else in t."""
    if m is None:
        c, err = mp.chebyfit(f, [a, b], n, error=True)
    else:
        c, err = mp.chebyfit(lambda u: f(m + u / s), [(a - m) * s, (b - m) * s], n, error=True)
    lo = min(abs(f(a)), abs(f(b)))
    print(f"// {name}: degree {n - 1}, max relative error 2^{mp.nstr(mp.log(err / lo, 2), 4)}")
    print(f"const {name}: StaticArray<f64> = [" + ", ".join(repr(float(v)) for v in c) + "];")


emit("ERF_Q", q, mp.mpf(0), mp.mpf(1), 13)
g = lambda t: erfcx(1 / t) / t
emit("ERFCX_T0", g, mp.mpf(1), mp.mpf(3) / 2, 18, mp.mpf(5) / 4, 4)
emit("ERFCX_T1", g, mp.mpf(1) / 2, mp.mpf(1), 18, mp.mpf(3) / 4, 4)
emit("ERFCX_T2", g, mp.mpf(1) / 4, mp.mpf(1) / 2, 18, mp.mpf(3) / 8, 8)
emit("ERFCX_T3", lambda w: g(mp.sqrt(w)), mp.mpf(1) / 784, mp.mpf(1) / 16, 18)

"""Coefficients of the float64 erf/erfc polynomials in packages/nabla/assembly/simdmath64.ts.

Chebyshev fits (mpmath.chebyfit, 50 digits) printed as the AssemblyScript constants ERF_Q and
ERFCX (rows T0…T3), highest degree first, with each fit's maximum relative error. Run with the
interpreter that has mpmath:
  /usr/bin/python3 scripts/fit_erf64.py

* ERF_Q: erf(x)/x − 1 as a polynomial in z = x² on [0, 1] (|x| < 1: erf = x + x·Q(z)), written
  with zeros up to degree 17 as the others.
* ERFCX rows T0 (erfc only, x from 0.6875 to 1), T1 and T2: x·erfcx(x) = x·e^(x²)·erfc(x)
  (1/√π at x = ∞) in u = (t − m)·s, t = 1/x, on t in [1, 3/2] (m = 5/4, s = 4), [1/2, 1]
  (m = 3/4, s = 4) and [1/4, 1/2] (m = 3/8, s = 8): t − m is exact there (Sterbenz) and s a
  power of 2.
* ERFCX row T3: x·erfcx(x) in w = t² on [1/28², 1/16] (erfc underflows to 0 past x = 27.3): its
  constant term carries the value, so the roundings of t and w touch only the small rest.
"""
import mpmath as mp

mp.mp.dps = 50


def erfcx(x):
    return mp.exp(x * x) * mp.erfc(x)


def q(z):
    if z == 0:
        return 2 / mp.sqrt(mp.pi) - 1
    return mp.erf(mp.sqrt(z)) / mp.sqrt(z) - 1


def fit(f, a, b, n, m=None, s=None):
    """f fitted on [a, b] with degree n − 1, in (t − m)·s when m is given, else in t: the
    coefficients (highest degree first) as AssemblyScript literals, and log2 of the maximum
    relative error."""
    if m is None:
        c, err = mp.chebyfit(f, [a, b], n, error=True)
    else:
        c, err = mp.chebyfit(lambda u: f(m + u / s), [(a - m) * s, (b - m) * s], n, error=True)
    lo = min(abs(f(a)), abs(f(b)))
    return ", ".join(repr(float(v)) for v in c), mp.nstr(mp.log(err / lo, 2), 4)


q_coefficients, q_error = fit(q, mp.mpf(0), mp.mpf(1), 13)
print(f"// ERF_Q: degree 12, max relative error 2^{q_error}; five zeros first, as estrin64 reads 18")
print(f"const ERF_Q: StaticArray<f64> = [0.0, 0.0, 0.0, 0.0, 0.0, {q_coefficients}];")
g = lambda t: erfcx(1 / t) / t
rows = [
    ("T0", fit(g, mp.mpf(1), mp.mpf(3) / 2, 18, mp.mpf(5) / 4, 4)),
    ("T1", fit(g, mp.mpf(1) / 2, mp.mpf(1), 18, mp.mpf(3) / 4, 4)),
    ("T2", fit(g, mp.mpf(1) / 4, mp.mpf(1) / 2, 18, mp.mpf(3) / 8, 8)),
    ("T3", fit(lambda w: g(mp.sqrt(w)), mp.mpf(1) / 784, mp.mpf(1) / 16, 18)),
]
print("// ERFCX: the polynomials T0…T3 of degree 17 one after another, max relative errors")
print("// " + ", ".join(f"{name} 2^{error}" for name, (_, error) in rows))
print("const ERFCX: StaticArray<f64> = [")
for _, (coefficients, _) in rows:
    print(f"  {coefficients},")
print("];")

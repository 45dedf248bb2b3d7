"""The bench's PyTorch side (bench/programs.mjs): runs a script as `python3 SCRIPT ARGS…` would,
after torch.set_num_threads(N), N from NABLA_BENCH_THREADS (default 2), so that the twins of
scripts/examples/ run at the bench's thread count without a flag of their own.

    /usr/bin/python3 scripts/bench/torch_run.py SCRIPT [ARGS…]
    /usr/bin/python3 scripts/bench/torch_run.py --info    # JSON: version, threads, BLAS in use

`--info` names the BLAS by the shared libraries the process has mapped after a matmul (Debian's
torch links the generic libblas.so.3, which the alternatives system points at OpenBLAS or another).
"""

import json
import os
import runpy
import sys

import torch

torch.set_num_threads(int(os.environ.get("NABLA_BENCH_THREADS", "2")))


def blas_libraries():
    a = torch.ones(64, 64)
    (a @ a).sum().item()  # make sure the BLAS is loaded
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "/" in line}
    return sorted(p for p in paths if any(k in os.path.basename(p) for k in ("blas", "lapack", "mkl", "blis")))


def info():
    config = torch.__config__.show()
    blas_info = next((part.split("=")[1] for part in config.replace(",", "\n").split() if part.startswith("BLAS_INFO=")), "?")
    return dict(version=torch.__version__, threads=torch.get_num_threads(), blas_info=blas_info, blas=blas_libraries(),
                openblas_env={k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")})


if __name__ == "__main__":
    if sys.argv[1:] == ["--info"]:
        print(json.dumps(info()))
    else:
        script = os.path.abspath(sys.argv[1])
        sys.argv = sys.argv[1:]
        sys.path.insert(0, os.path.dirname(script))  # the twins import their neighbours (replay.py, digits.py)
        runpy.run_path(script, run_name="__main__")

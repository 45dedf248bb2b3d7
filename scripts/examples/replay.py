"""Replaying a run number for number: the twin of examples/common/replay.ts.

Dropout masks, sampled actions and noise vectors cannot come from the same random stream in
PyTorch and nabla, so an example run in replay mode takes them from a stream both compute the same
way: a counter hashed to 32 bits (murmur3's finaliser, twice), whose top 24 bits give a
float32-exact uniform k / 2^24. Each purpose (dropout, noise, sample, reset) has its own stream.
"""

import math

import numpy as np
import torch
import torch.nn as nn

U32 = np.uint32


def mix32(x):
    """murmur3's 32-bit finaliser on a uint32 array (products wrap modulo 2^32)."""
    x = x ^ (x >> U32(16))
    x = x * U32(0x7FEB352D)
    x = x ^ (x >> U32(15))
    x = x * U32(0x846CA68B)
    return x ^ (x >> U32(16))


class ReplayStream:
    """Draw i of stream s is (mix32(mix32(s) ^ i) >> 8) / 2^24."""

    def __init__(self, stream):
        self.counter = 0
        self.key = mix32(np.array([stream % 2**32], dtype=U32))[0]

    def uniform(self, n):
        """n uniforms in [0, 1) as float64, each a multiple of 2^-24."""
        i = np.arange(self.counter, self.counter + n, dtype=np.uint64).astype(U32)
        self.counter += n
        return (mix32(i ^ self.key) >> U32(8)).astype(np.float64) * 2.0**-24

    def normal(self, n):
        """n standard normals by Box-Muller in float64 from 2n uniforms, as float32."""
        u = self.uniform(2 * n)
        z = np.sqrt(-2.0 * np.log(1.0 - u[0::2])) * np.cos(2.0 * math.pi * u[1::2])
        return z.astype(np.float32)

    def randn(self, *shape):
        return torch.from_numpy(self.normal(math.prod(shape))).reshape(shape)

    def permutation(self, n):
        """A shuffled 0..n-1 (Fisher-Yates from the last position down: j = floor(u * (i + 1)))."""
        order = list(range(n))
        u = self.uniform(max(0, n - 1))
        for i in range(n - 1, 0, -1):
            j = int(math.floor(u[n - 1 - i] * (i + 1)))
            order[i], order[j] = order[j], order[i]
        return order

    def randint(self, high, n):
        return [int(math.floor(u * high)) for u in self.uniform(n)]


class Replay:
    """The replayed purposes' streams; a purpose left out is None and draws from torch's generator."""

    def __init__(self, seed, purposes=("dropout", "noise", "sample", "reset")):
        self.seed = seed
        stream = lambda purpose, k: ReplayStream(4 * seed + k) if purpose in purposes else None  # noqa: E731
        self.dropout = stream("dropout", 0)
        self.noise = stream("noise", 1)
        self.sample = stream("sample", 2)
        self.reset = stream("reset", 3)


class ReplayDropout(nn.Module):
    """Keeps element i when its uniform is >= p and scales kept ones by float32(1 / (1 - p))."""

    def __init__(self, p, stream):
        super().__init__()
        self.p = p
        self.stream = stream

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        u = self.stream.uniform(x.numel())
        mask = np.where(u >= self.p, np.float32(1.0 / (1.0 - self.p)), np.float32(0)).astype(np.float32)
        return x * torch.from_numpy(mask).reshape(x.shape)


def replay_dropout(model, replay):
    """When the run replays dropout: every nn.Dropout becomes a ReplayDropout; dropout inside RNNs
    and attention is switched off."""
    if replay is None or replay.dropout is None:
        return model
    for m in list(model.modules()):
        for name, child in list(m.named_children()):
            if isinstance(child, nn.Dropout):
                r = ReplayDropout(child.p, replay.dropout)
                r.train(child.training)
                setattr(m, name, r)
        if isinstance(m, (nn.RNNBase, nn.MultiheadAttention)):
            m.dropout = 0.0
    return model


def state_sums(model):
    """Per-tensor sums of the state dict in float64: a cheap fingerprint of the initial weights."""
    return {k: float(v.double().sum()) for k, v in model.state_dict().items()}

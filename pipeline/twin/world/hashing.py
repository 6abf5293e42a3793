"""Counter-based randomness: every random quantity is a hash of (seed, purpose, keys).

Hashing instead of a sequential generator makes any slice of the world (one creator, one day,
one minute) computable on its own and identical to the same slice computed in bulk.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

U64 = np.uint64
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_INV_2_53 = 1.0 / (1 << 53)


def _mix_array(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64 finaliser on an array (uint64 arithmetic wraps silently for arrays)."""
    z = x + U64(_GOLDEN)
    z = (z ^ (z >> U64(30))) * U64(_M1)
    z = (z ^ (z >> U64(27))) * U64(_M2)
    return z ^ (z >> U64(31))


def hash_array(*keys: ArrayLike) -> NDArray[np.uint64]:
    """Hash integer keys (scalars or broadcastable arrays) to uint64, element-wise."""
    h = np.zeros(1, dtype=np.uint64)
    for key in keys:
        k = np.asarray(key)
        k = k.astype(np.int64).view(np.uint64) if k.dtype != np.uint64 else k
        h = _mix_array(h ^ k)
    return h


def uniform_array(*keys: ArrayLike) -> NDArray[np.float64]:
    """Uniform floats in [0, 1) from hashed keys."""
    return (hash_array(*keys) >> U64(11)).astype(np.float64) * _INV_2_53


def normal_array(*keys: ArrayLike) -> NDArray[np.float64]:
    """Standard normal floats from hashed keys (Box-Muller over two derived uniforms)."""
    h = hash_array(*keys)
    u1 = 1.0 - (_mix_array(h ^ U64(1)) >> U64(11)).astype(np.float64) * _INV_2_53
    u2 = (_mix_array(h ^ U64(2)) >> U64(11)).astype(np.float64) * _INV_2_53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _mix_int(x: int) -> int:
    z = (x + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def hash_int(*keys: int) -> int:
    """Scalar twin of :func:`hash_array` (same value for the same keys), for lazy details."""
    h = 0
    for key in keys:
        h = _mix_int(h ^ (key & _MASK))
    return h


def uniform_int(*keys: int) -> float:
    """Scalar twin of :func:`uniform_array`."""
    return (hash_int(*keys) >> 11) * _INV_2_53


def normal_int(*keys: int) -> float:
    """Scalar standard normal from hashed keys (Box-Muller, like :func:`normal_array`)."""
    h = hash_int(*keys)
    u1 = 1.0 - (_mix_int(h ^ 1) >> 11) * _INV_2_53
    u2 = (_mix_int(h ^ 2) >> 11) * _INV_2_53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def pick(options: tuple[str, ...] | list[str], *keys: int) -> str:
    """Deterministically pick one of ``options``."""
    return options[hash_int(*keys) % len(options)]


def hex_id(*keys: int, length: int = 16) -> str:
    """A stable hexadecimal id from keys (64-bit hash, or two chained for longer ids)."""
    h = hash_int(*keys)
    text = f"{h:016x}"
    if length > 16:
        text += f"{hash_int(h, 0x5EED):016x}"
    return text[:length]

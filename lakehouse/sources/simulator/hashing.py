"""Counter-based randomness: every random number is a pure function of (seed, stream, keys...).

A stateful generator would make a meter's readings depend on which meters or days were produced
before it (chunking, per-day Airflow tasks, regenerating one day for a correction). Hashing the
coordinates with splitmix64 instead makes any subset reproducible on its own, vectorised in numpy.
"""

from __future__ import annotations

import zlib

import numpy as np

_U64 = np.uint64
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_M1 = _U64(0xBF58476D1CE4E5B9)
_M2 = _U64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32, _S11 = _U64(30), _U64(27), _U64(31), _U64(32), _U64(11)


def _splitmix(x: np.ndarray) -> np.ndarray:
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def stream_id(name: str) -> int:
    """A stable integer for a named stream of randomness (so streams never overlap)."""
    return zlib.crc32(name.encode())


def mix(seed: int, stream: str, *keys: int | np.ndarray) -> np.ndarray:
    """64-bit hashes of (seed, stream, keys...), broadcasting array keys like numpy does."""
    with np.errstate(over="ignore"):
        h = _splitmix(np.asarray([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
        h = _splitmix(h ^ _U64(stream_id(stream)))
        for key in keys:
            k = np.asarray(key).astype(np.int64).astype(np.uint64)
            h = _splitmix(h ^ k)
    return h


def uniform(h: np.ndarray) -> np.ndarray:
    """Uniform floats in [0, 1) from 64-bit hashes."""
    return (h >> _S11).astype(np.float64) * (1.0 / 9007199254740992.0)


def normal(h: np.ndarray) -> np.ndarray:
    """Standard normal floats from 64-bit hashes (Box-Muller on the two 32-bit halves)."""
    u1 = ((h >> _S32).astype(np.float64) + 0.5) * (1.0 / 4294967296.0)
    u2 = ((h & _U64(0xFFFFFFFF)).astype(np.float64) + 0.5) * (1.0 / 4294967296.0)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def rehash(h: np.ndarray, key: int) -> np.ndarray:
    """A further independent hash derived from existing hashes (cheap second draw)."""
    with np.errstate(over="ignore"):
        return _splitmix(h ^ _U64(key))

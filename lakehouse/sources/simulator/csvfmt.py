"""Fast CSV text from numpy columns (pyarrow compute kernels), with fixed decimals like head-ends.

Lines are built as one Arrow string array, so single lines can be replaced (malformed-line
faults) before the file is assembled, and the file body is the array's data buffer.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def fixed(values: np.ndarray, decimals: int) -> pa.Array:
    """Numbers as text with exactly `decimals` decimals (e.g. 0.250), negatives with a minus sign."""
    values = np.asarray(values, dtype=np.float64)
    scale = 10**decimals
    q = np.rint(np.abs(values) * scale).astype(np.int64)
    whole = pc.cast(pa.array(q // scale), pa.string())
    if decimals:
        frac = pc.utf8_lpad(pc.cast(pa.array(q % scale), pa.string()), decimals, "0")
        text = pc.binary_join_element_wise(whole, frac, ".")
    else:
        text = whole
    negative = (values < 0) & (q > 0)
    if negative.any():
        text = pc.if_else(pa.array(negative), pc.binary_join_element_wise(pa.scalar("-"), text, ""), text)
    return text


def integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def pick(strings: Sequence[str], index: np.ndarray) -> pa.Array:
    """strings[index] as an Arrow string array (timestamps, ids, category names)."""
    return pa.array(list(strings), pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def blank_where(column: pa.Array, mask: np.ndarray) -> pa.Array:
    if not mask.any():
        return column
    return pc.if_else(pa.array(mask), pa.scalar("", pa.string()), column)


def join_lines(columns: Sequence[pa.Array]) -> pa.Array:
    """One string per row: the columns joined by commas (no quoting: values never hold commas)."""
    return pc.binary_join_element_wise(*columns, ",")


def assemble(header: str, lines: pa.Array) -> bytes:
    """Header plus lines, each ending in a newline."""
    if len(lines) == 0:
        return (header + "\n").encode()
    ended = pc.binary_join_element_wise(lines, pa.scalar(""), "\n")
    if ended.null_count:
        raise ValueError("CSV line missing: a column held a null")
    ended = ended.cast(pa.large_string()) if len(ended) > 20_000_000 else ended
    offsets_type = np.int64 if pa.types.is_large_string(ended.type) else np.int32
    bufs = ended.buffers()
    offsets = np.frombuffer(
        bufs[1],
        dtype=offsets_type,
        count=len(ended) + 1,
        offset=ended.offset * np.dtype(offsets_type).itemsize,
    )
    body = memoryview(bufs[2])[int(offsets[0]) : int(offsets[-1])]
    return (header + "\n").encode() + bytes(body)


def maybe_gzip(data: bytes, enabled: bool, level: int = 3) -> bytes:
    """gzip with mtime 0 (same rows, same bytes); level 3 is 3x faster than 6 for 17 % more bytes."""
    return gzip.compress(data, compresslevel=level, mtime=0) if enabled else data

"""The benchmark helpers measure what they claim: the peak RSS of a whole process tree."""

from __future__ import annotations

import sys

from lakehouse.benchmarks import _measure
from lakehouse.benchmarks.__main__ import available

# A parent that starts a child holding ~150 MiB: the parent alone stays small.
_TREE = """
import subprocess, sys
child = "b = bytearray(150 * 1024 * 1024); import time; time.sleep(0.6)"
subprocess.run([sys.executable, "-c", child], check=True)
print('BENCH_RESULT {"answer": 42}')
"""


def test_subprocess_peak_rss_includes_children():
    m = _measure.measure_subprocess("tree", [sys.executable, "-c", _TREE])
    assert m.reported == {"answer": 42}
    assert m.peak_rss_bytes > 150 * 1024 * 1024
    assert m.wall_s >= 0.6


def test_in_process_measure():
    m = _measure.measure("alloc", lambda: len(bytearray(64 * 1024 * 1024)))
    assert m.result == 64 * 1024 * 1024
    assert m.peak_rss_bytes > 64 * 1024 * 1024


def test_table_and_machine_print(capsys):
    _measure.print_machine()
    _measure.print_table("t", [("rate", 1234567.0, "rows/s"), ("start", 1.234, "s")])
    out = capsys.readouterr().out
    assert "cores" in out and "1,234,567  rows/s" in out and "1.23  s" in out


def test_foundation_is_discovered():
    assert "foundation" in available()

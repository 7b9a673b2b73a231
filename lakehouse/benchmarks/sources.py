"""Simulator benchmark: readings/s with gzip on and off, and the 1,000 meters x 7 days wall time.

Self-contained (wall time with perf_counter, peak RSS of this process from getrusage), so it
runs with `python -m lakehouse.benchmarks.sources` as well as from `make bench`. Everything is
written to a temporary landing folder that is removed afterwards.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import date

from lakehouse.settings import get_settings
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import SimulatorConfig, simulate

START = date(2026, 1, 12)


def _run(config: SimulatorConfig, days: int) -> tuple[float, int, int]:
    folder = tempfile.mkdtemp(prefix="bench-sim-")
    try:
        store = LandingStore(folder, settings=get_settings())
        began = time.perf_counter()
        summary = simulate(store, config, START, days)
        return time.perf_counter() - began, summary.readings, summary.bytes
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    base = SimulatorConfig(seed=42, meters=1_000)
    _run(replace(base, meters=50), 1)  # warm-up: imports, kernels, holiday tables

    print("simulator (lakehouse.benchmarks.sources)")
    for faults in (False, True):
        seconds, readings, size = _run(replace(base, faults=faults), 7)
        print(
            f"  1,000 meters x 7 days, gzip, faults {'on ' if faults else 'off'}: {seconds:6.2f} s  "
            f"{readings:,} readings  {size / 1e6:.1f} MB"
        )
    for gzip in (True, False):
        config = replace(base, meters=50_000, gzip=gzip)
        seconds, readings, size = _run(config, 1)
        print(
            f"  50,000 meters x 1 day, gzip {'on ' if gzip else 'off'}      : {seconds:6.2f} s  "
            f"{readings / seconds:,.0f} readings/s  {size / 1e6:.1f} MB"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of the benchmark process      : {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()

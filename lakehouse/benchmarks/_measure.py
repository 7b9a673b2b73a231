"""Measuring helpers shared by the benchmarks: wall time and peak RSS of a whole process tree.

Peak RSS is sampled (every ~50 ms) as the SUM over the process and all its descendants, because the
engines we compare live in different places: Sail inside the Python process, classic Spark in a JVM
child process. Sampling can miss a spike shorter than the interval; the figures are peaks of samples.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psutil

SAMPLE_SECONDS = 0.05
RESULT_PREFIX = "BENCH_RESULT "


@dataclass
class Measurement:
    """Wall time and peak tree RSS of one measured run, plus what the run reported about itself."""

    label: str
    wall_s: float
    peak_rss_bytes: int
    result: Any = None
    reported: dict[str, Any] = field(default_factory=dict)


def tree_rss(root: psutil.Process) -> int:
    """Current RSS of `root` plus every descendant (processes that vanish mid-sample are skipped)."""
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


class PeakRSS:
    """Context manager: a thread samples the process tree of `pid` and keeps the peak of the sums."""

    def __init__(self, pid: int | None = None, interval: float = SAMPLE_SECONDS) -> None:
        self._root = psutil.Process(pid or os.getpid())
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)
        self.peak = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self._root))
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRSS:
        self.peak = tree_rss(self._root)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self._root))


def measure(label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Measurement:
    """Run fn in this process; wall time and peak RSS of this process and its children."""
    with PeakRSS() as rss:
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        wall = time.perf_counter() - started
    return Measurement(label=label, wall_s=wall, peak_rss_bytes=rss.peak, result=result)


def measure_subprocess(
    label: str, command: Sequence[str], env: dict[str, str] | None = None, timeout: float = 1800
) -> Measurement:
    """Run a command; wall time and peak RSS of its whole tree (the JVM of classic Spark included).

    The command may print one line `BENCH_RESULT {json}`: its figures land in Measurement.reported.
    Other output is passed through to stderr so that failures stay visible.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    with PeakRSS(process.pid) as rss:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            raise RuntimeError(f"{label}: timed out after {timeout} s\n{stderr[-4000:]}") from None
    wall = time.perf_counter() - started
    reported: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            reported = json.loads(line[len(RESULT_PREFIX) :])
    if process.returncode != 0:
        raise RuntimeError(f"{label}: exit code {process.returncode}\n{stderr[-4000:]}")
    return Measurement(label=label, wall_s=wall, peak_rss_bytes=rss.peak, reported=reported)


def report(figures: dict[str, Any]) -> None:
    """In a benchmark child process: hand figures to measure_subprocess in the parent."""
    print(RESULT_PREFIX + json.dumps(figures), flush=True)


# --- printing ---------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    """Cores, RAM and CPU model of this machine (figures mean little without them)."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    physical = psutil.cpu_count(logical=False)
    return {
        "cpu": model,
        "cores": f"{psutil.cpu_count(logical=True)} logical" + (f", {physical} physical" if physical else ""),
        "ram": format_bytes(psutil.virtual_memory().total),
        "load (1 min)": f"{os.getloadavg()[0]:.2f}",
        "os / python": f"{platform.system()} {platform.release()} / Python {sys.version.split()[0]}",
    }


def print_machine() -> None:
    print_table("machine", [(k, v, "") for k, v in machine().items()])


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def print_table(title: str, rows: Sequence[tuple[str, Any, str]]) -> None:
    """Aligned `figure  value  unit` rows under a title; floats get thousands separators."""

    def fmt(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    cells = [(name, fmt(value), unit) for name, value, unit in rows]
    width_name = max((len(c[0]) for c in cells), default=0)
    width_value = max((len(c[1]) for c in cells), default=0)
    print(f"\n{title}")
    print("-" * (width_name + width_value + 12))
    for name, value, unit in cells:
        print(f"  {name:<{width_name}}  {value:>{width_value}}  {unit}".rstrip())
    sys.stdout.flush()

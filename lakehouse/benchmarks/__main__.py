"""Run every benchmark module (or those named): `python -m lakehouse.benchmarks [name ...]`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import lakehouse.benchmarks as package
from lakehouse.benchmarks._measure import print_machine


def available() -> list[str]:
    """Benchmark modules of this package: every public module defining main()."""
    names = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if callable(getattr(module, "main", None)):
            names.append(info.name)
    return sorted(names)


def run(names: list[str]) -> int:
    known = available()
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"Unknown benchmark(s) {unknown}; available: {', '.join(known)}", file=sys.stderr)
        return 2
    print_machine()
    for name in names or known:
        print(f"\n== benchmark: {name} ==", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"{package.__name__}.{name}")
        argv, sys.argv = sys.argv, [module.__name__]  # a main() that parses arguments sees none of ours
        try:
            module.main()
        finally:
            sys.argv = argv
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))

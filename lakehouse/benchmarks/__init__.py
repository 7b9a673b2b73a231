"""Benchmarks that print their figures: `python -m lakehouse.benchmarks [name ...]` (= `make bench`).

Each module here with a `main() -> None` is one benchmark; shared measuring helpers live in _measure.
Performance claims in this project come from these figures, never from timed tests.
"""

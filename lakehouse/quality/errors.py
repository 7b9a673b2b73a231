"""Typed errors of the quality gates: what failed, on which table and day, and sample rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class QualityError(Exception):
    """Base of the quality package's errors."""


class SuiteError(QualityError, ValueError):
    """A suite file is missing or malformed; the message names the file and what to fix."""


@dataclass(frozen=True)
class FailedExpectation:
    """One `fail`-policy expectation that did not hold, with a few offending rows or values."""

    name: str
    unexpected_count: int | None
    element_count: int | None
    sample: list[Any] = field(default_factory=list)

    def describe(self) -> str:
        counts = (
            f"{self.unexpected_count} of {self.element_count} rows"
            if self.unexpected_count is not None and self.element_count is not None
            else f"{self.unexpected_count} unexpected"
            if self.unexpected_count is not None
            else "did not hold"
        )
        return f"{self.name} ({counts}); sample: {self.sample[:5]}"


class QualityGateError(QualityError):
    """A `fail` expectation did not hold: the batch of `table` for `day` must not be promoted.

    The message names every failed expectation with sample rows and points at the results table and
    Data Docs; `failures` keeps them for callers (the notifier, the DAG task).
    """

    def __init__(self, table: str, day: str, failures: list[FailedExpectation], run_id: str) -> None:
        self.table = table
        self.day = day
        self.failures = failures
        self.run_id = run_id
        lines = "\n".join(f"  - {f.describe()}" for f in failures)
        super().__init__(
            f"Quality gate failed for {table} on {day} (run {run_id}); the batch is not promoted.\n"
            f"Failed expectations:\n{lines}\n"
            "Details: gold.quality_results (run_id above) and the Data Docs (lakehouse quality docs). "
            "Fix the source or the data, then re-run the day."
        )

    @property
    def expectations(self) -> list[str]:
        return [f.name for f in self.failures]

"""A simulation over several days (the `lakehouse simulate` command): all feeds, day by day."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator.config import SimulatorConfig
from lakehouse.sources.simulator.manifest import FeedDay, LandedFile, fault_totals, run_manifest_path, to_json
from lakehouse.sources.simulator.produce import FEEDS, produce


@dataclass
class DayProgress:
    day: date
    files: int
    readings: int
    bytes: int
    seconds: float


@dataclass
class RunSummary:
    run_id: str
    manifest_path: str
    files: list[LandedFile] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def readings(self) -> int:
        return sum(f.lines for f in self.files if f.kind in ("readings", "late_readings", "corrections"))

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)


def run_id(config: SimulatorConfig, start: date, days: int) -> str:
    """Deterministic, so re-running the same simulation rewrites the same manifest."""
    faults = "-faults" if config.faults else ""
    return f"{start:%Y%m%d}-{days}d-{config.meters}m-seed{config.seed}{faults}"


def simulate(
    store: LandingStore,
    config: SimulatorConfig,
    start: date,
    days: int,
    on_day: Callable[[DayProgress], None] | None = None,
) -> RunSummary:
    """Land every feed for `days` local days from `start`, then the run manifest."""
    if days < 1:
        raise ValueError("days must be at least 1")
    config = replace(config, first_day=config.first_day or start)
    rid = run_id(config, start, days)
    summary = RunSummary(rid, store.uri(run_manifest_path(rid)))
    results: list[FeedDay] = []
    began = time.perf_counter()
    for offset in range(days):
        day = start + timedelta(days=offset)
        t0 = time.perf_counter()
        produced = [produce(feed, day, config, store) for feed in FEEDS]
        results.extend(produced)
        landed = [f for r in produced for f in r.files if f.kind != "registry" or offset == 0]
        summary.files.extend(landed)
        if on_day is not None:
            readings = sum(f.lines for f in landed if f.feed == "meters" and f.kind != "registry")
            on_day(
                DayProgress(
                    day, len(landed), readings, sum(f.bytes for f in landed), time.perf_counter() - t0
                )
            )
    summary.seconds = time.perf_counter() - began
    end = start + timedelta(days=days - 1)
    pending = [w for r in results for w in r.withheld if w["arrival_date"] > end.isoformat()]
    document = {
        "generator": "lakehouse.sources.simulator",
        "run_id": rid,
        "start": start.isoformat(),
        "days": days,
        "config": config.as_dict(),
        "totals": {"files": len(summary.files), "readings_lines": summary.readings, "bytes": summary.bytes},
        "faults": fault_totals(summary.files),
        "files": [f.as_dict() for f in summary.files],
        "not_yet_arrived": pending,
    }
    store.write_bytes(run_manifest_path(rid), to_json(document))
    return summary

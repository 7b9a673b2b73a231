"""Manifests: exactly what the simulator landed and injected, per file, so counts reconcile.

Per day and feed, `_manifests/simulator/days/date=YYYY-MM-DD/<feed>.json` lists the files that
*arrived* that day (a late file of an earlier day, the corrections of the day before) and the
files of that day that were withheld to arrive later. Per CLI run,
`_manifests/simulator/<run-id>.json` gathers every file, the totals per fault class, and the late
files that had not arrived when the run ended. For every readings file:
`lines = clean + malformed + out_of_range + clock_skew + duplicates + corrections` and
`expected = clean + gaps + malformed + out_of_range + clock_skew`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

MANIFEST_ROOT = "_manifests/simulator"
FAULT_CLASSES = ("duplicates", "gaps", "malformed", "out_of_range", "clock_skew", "corrections")


@dataclass
class LandedFile:
    path: str
    feed: str
    kind: str  # registry | readings | late_readings | corrections | weather | prices
    data_date: str | None
    arrival_date: str
    bytes: int
    sha256: str
    lines: int  # data lines (readings, registry), hours (weather) or intervals (prices)
    meters: int | None = None
    late_by_days: int = 0
    extra_column: str | None = None
    readings: dict[str, int] | None = None
    kinds: dict[str, dict[str, int]] | None = None
    status: dict[str, int] | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class FeedDay:
    """One feed's production for one arrival day."""

    feed: str
    day: date
    files: list[LandedFile] = field(default_factory=list)
    withheld: list[dict] = field(default_factory=list)  # {path, data_date, arrival_date}

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]


def day_manifest_path(day: date, feed: str) -> str:
    return f"{MANIFEST_ROOT}/days/date={day.isoformat()}/{feed}.json"


def run_manifest_path(run_id: str) -> str:
    return f"{MANIFEST_ROOT}/{run_id}.json"


def fault_totals(files: list[LandedFile]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for f in files:
        for name in FAULT_CLASSES:
            total[name] += (f.readings or {}).get(name, 0)
        total["late_files"] += 1 if f.late_by_days else 0
        total["extra_column_files"] += 1 if f.extra_column else 0
    return dict(total)


def day_document(result: FeedDay, config: dict) -> dict:
    return {
        "generator": "lakehouse.sources.simulator",
        "feed": result.feed,
        "arrival_date": result.day.isoformat(),
        "config": config,
        "files": [f.as_dict() for f in result.files],
        "withheld": result.withheld,
        "faults": fault_totals(result.files),
    }


def to_json(document: dict) -> bytes:
    return (json.dumps(document, indent=1, sort_keys=False) + "\n").encode()

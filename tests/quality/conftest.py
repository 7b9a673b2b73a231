"""A small real lakehouse for the quality tests: 20 meters x 2 days with every simulator fault class.

`quality_template` is built once per session (simulator -> bronze -> silver -> gold, as the DAG does);
`quality_lake` gives each test its own copy (the gates write quarantine rows, results and Data Docs),
with SAIL_PORT on a free port so the steps use the session's in-process Sail, not someone else's.
"""

from __future__ import annotations

import shutil
import socket
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import FEEDS, FaultRates, SimulatorConfig, produce

DAYS = [date(2026, 3, 10), date(2026, 3, 11)]
RATES = FaultRates(
    duplicates=0.02,
    gaps=0.01,
    malformed=0.01,
    out_of_range=0.01,
    clock_skew=0.05,
    corrections=0.2,
    late_files=0.3,
    extra_column=0.3,
    max_late_days=1,
)


def _point_at(patch: pytest.MonkeyPatch, home: Path) -> Settings:
    patch.setenv("LAKEHOUSE_HOME", str(home))
    for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT", "WEBHOOK_URL", "WEBHOOK_SECRET", "EXPECTATIONS_DIR"):
        patch.delenv(name, raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        patch.setenv("SAIL_PORT", str(sock.getsockname()[1]))
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
def quality_template(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> dict[str, Any]:
    from lakehouse.pipeline import medallion_gold, medallion_ingest

    home = tmp_path_factory.mktemp("quality-template")
    patch = pytest.MonkeyPatch()
    try:
        _point_at(patch, home)
        config = SimulatorConfig(meters=20, meters_per_file=4, first_day=DAYS[0], faults=True, rates=RATES)
        affected: set[str] = set()
        for day in DAYS:
            for feed in FEEDS:
                produce(feed, day, config, LandingStore())
            affected |= set(medallion_ingest.ingest_day(day)["affected_dates"])
        medallion_gold.gold_all(sorted(affected), spark)
    finally:
        patch.undo()
        get_settings.cache_clear()
    return {"home": home, "days": DAYS}


@pytest.fixture
def quality_lake(
    quality_template: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    home = tmp_path / "home"
    shutil.copytree(quality_template["home"], home)
    return _point_at(monkeypatch, home)

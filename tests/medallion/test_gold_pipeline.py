"""Gold on the real chain: simulated feeds (faults on) -> bronze -> silver -> gold, around the spring
DST change. Checks the hourly gold of the 23-hour day, and that re-running a day and running days
out of order give exactly the gold rows of a clean in-order run."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from gold_frames import hours_of

from lakehouse.pipeline import medallion_gold, medallion_ingest
from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import SimulatorConfig, simulate
from lakehouse.storage import tables

START = date(2026, 3, 27)
DAYS = [START + timedelta(days=k) for k in range(4)]  # Fri 27 .. Mon 30; Sun 29 has 23 hours
SPRING = date(2026, 3, 29)


@pytest.fixture
def chain_env(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch, free_port) -> Settings:
    """The lakehouse_env with 20 simulated meters landed for DAYS, faults on.

    SAIL_PORT is a free port, so that the pipeline's session() starts its own in-process Sail
    server rather than using one that `lakehouse up` may have started on this machine.
    """
    monkeypatch.setenv("SAIL_PORT", str(free_port()))
    get_settings.cache_clear()
    settings = get_settings()
    simulate(LandingStore(settings=settings), SimulatorConfig(meters=20, faults=True), START, len(DAYS))
    return settings


def _run_day(day: date) -> dict[str, Any]:
    ingested = medallion_ingest.ingest_day(day)
    return medallion_gold.gold_all(ingested["affected_dates"] or [day])


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every gold table's rows, sorted, doubles rounded to 9 decimals (summation order may differ)."""
    from lakehouse.spark import session

    def norm(value: Any) -> Any:
        return round(value, 9) if isinstance(value, float) else value

    out = {}
    for name in medallion_gold.GOLD_TABLES:
        rows = tables.read(session(), name).collect()
        out[name] = sorted(({k: norm(v) for k, v in r.asDict().items()} for r in rows), key=repr)
    return out


def _point_root_at(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(root))
    get_settings.cache_clear()


def test_gold_is_correct_on_dst_day_idempotent_and_order_independent(
    chain_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in DAYS:
        summaries = _run_day(day)
        print(day, {k: {f: v.get(f) for f in ("dates", "rows")} for k, v in summaries.items()})
    clean = _snapshot()

    # Hourly gold of the 23-hour day: every region has exactly the day's 23 UTC hours.
    hourly = [r for r in clean["gold.region_load_hourly"] if r["date_local"] == SPRING]
    regions = sorted({r["region"] for r in hourly})
    assert len(regions) == 5
    for region in regions:
        assert sorted(r["hour_utc"] for r in hourly if r["region"] == region) == hours_of(SPRING)
    assert all(r["energy_mwh"] > 0 and r["meters_reporting"] >= 1 for r in hourly)
    assert all(r["temperature_c"] is not None and r["price_eur_mwh"] is not None for r in hourly)
    daily = [r for r in clean["gold.meter_daily"] if r["date_local"] == SPRING]
    assert len(daily) == 20
    assert {(r["interval_min"], r["expected_intervals"]) for r in daily} == {(15, 92), (60, 23)}
    assert all(r["intervals"] <= r["expected_intervals"] for r in daily)
    assert all(r["cost_eur"] > 0 and r["unpriced_energy_kwh"] == 0 for r in daily)
    features = [r for r in clean["gold.load_features"] if r["date_local"] == SPRING]
    assert len(features) == 5 * 23 and all(r["is_dst_day"] and r["day_hours"] == 23 for r in features)
    # Features of the 29th look back to the 27th and 28th: the 24 h lag is known for every hour.
    assert all(r["lag_24h_mwh"] is not None for r in features)

    # The same day again (bronze, silver, gold): nothing changes.
    _run_day(SPRING)
    assert _snapshot() == clean

    # Gold rebuilt from the same silver in another order, one day at a time.
    shutil.rmtree(Path(chain_env.lakehouse_uri) / "gold")
    for day in (DAYS[3], DAYS[0], DAYS[2], DAYS[1]):
        medallion_gold.gold_all([day])
    assert _snapshot() == clean

    # The whole chain in another order, into a fresh lakehouse over the same landing zone.
    _point_root_at(monkeypatch, Path(chain_env.home) / "lakehouse-out-of-order")
    for day in (DAYS[3], DAYS[0], DAYS[2], DAYS[1]):
        _run_day(day)
    assert _snapshot() == clean

"""The simulator writes exactly the DESIGN.md landing formats, DST days included, deterministically."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lakehouse.settings import REGIONS, Settings
from lakehouse.sources import entsoe, open_meteo
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import SimulatorConfig, produce

TZ = ZoneInfo("Europe/Belgrade")
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)
HEADER = [
    "meter_id",
    "timestamp",
    "interval_min",
    "energy_kwh",
    "voltage_v",
    "current_a",
    "power_factor",
    "status",
]
NS = {"a": "urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"}


def _rows(store: LandingStore, path: str) -> list[list[str]]:
    data = store.read_bytes(path)
    text = gzip.decompress(data).decode() if path.endswith(".gz") else data.decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def store(lakehouse_env: Settings) -> LandingStore:
    return LandingStore()


CONFIG = SimulatorConfig(seed=7, meters=60)


def test_registry_format(store: LandingStore) -> None:
    produce("meters", SPRING, CONFIG, store)
    rows = _rows(store, "meters/registry/meters.csv")
    assert rows[0] == [
        "meter_id",
        "region",
        "customer_type",
        "feeder_id",
        "latitude",
        "longitude",
        "installed_on",
        "tariff",
    ]
    body = rows[1:]
    assert len(body) == 60 and len({r[0] for r in body}) == 60
    assert {r[1] for r in body} <= set(REGIONS)
    assert {r[2] for r in body} <= {"residential", "commercial", "industrial"}
    assert sum(r[2] == "residential" for r in body) > 40
    for r in body:
        assert 41.8 < float(r[4]) < 43.3 and 19.9 < float(r[5]) < 21.9  # inside Kosovo
        assert date.fromisoformat(r[6]) < date(2026, 1, 1)
        assert r[3].split("-F")[0] in {"PR", "PZ", "PE", "GJ", "MI"}


@pytest.mark.parametrize(
    ("day", "quarters", "hours"), [(SPRING, 92, 23), (date(2026, 3, 30), 96, 24), (AUTUMN, 100, 25)]
)
def test_readings_cover_the_local_day_with_offsets(
    store: LandingStore, day: date, quarters: int, hours: int
) -> None:
    paths = produce("meters", day, CONFIG, store).paths
    readings = [p for p in paths if p.startswith(f"meters/readings/date={day}/")]
    assert readings and all(p.endswith(".csv.gz") for p in readings)
    by_meter: dict[str, list[datetime]] = {}
    intervals: dict[str, int] = {}
    for path in readings:
        rows = _rows(store, path)
        assert rows[0] == HEADER
        for r in rows[1:]:
            stamp = datetime.fromisoformat(r[1])
            assert stamp.utcoffset() is not None and r[1][-6:] in ("+01:00", "+02:00")
            assert r[7] in ("OK", "EST", "ERR")
            by_meter.setdefault(r[0], []).append(stamp)
            intervals[r[0]] = int(r[2])
    assert len(by_meter) == 60
    start = datetime(day.year, day.month, day.day, tzinfo=TZ)
    for meter, stamps in by_meter.items():
        minutes = intervals[meter]
        assert len(stamps) == (quarters if minutes == 15 else hours)
        utc = [s.astimezone(UTC) for s in stamps]
        assert utc[0] == start.astimezone(UTC) + timedelta(minutes=minutes)  # first interval END
        assert all(b - a == timedelta(minutes=minutes) for a, b in itertools.pairwise(utc))
        assert (
            stamps[-1].astimezone(TZ).date() == day + timedelta(days=1)
            and stamps[-1].astimezone(TZ).hour == 0
        )
    if day == SPRING:  # 03:15 local exists with +02:00, 02:15 does not exist
        all_text = {s.isoformat() for v in by_meter.values() for s in v}
        assert "2026-03-29T03:15:00+02:00" in all_text
        assert not any(t.startswith("2026-03-29T02:") for t in all_text)
    if day == AUTUMN:  # the repeated hour appears with both offsets
        all_text = {s.isoformat() for v in by_meter.values() for s in v}
        assert {"2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"} <= all_text


def test_plain_csv_when_gzip_is_off(store: LandingStore) -> None:
    paths = produce("meters", SPRING, replace(CONFIG, gzip=False), store).paths
    readings = [p for p in paths if "/readings/" in p]
    assert readings and all(p.endswith(".csv") for p in readings)
    assert _rows(store, readings[0])[0] == HEADER


@pytest.mark.parametrize(("day", "hours"), [(SPRING, 23), (AUTUMN, 25), (date(2026, 7, 1), 24)])
def test_weather_is_an_open_meteo_response(store: LandingStore, day: date, hours: int) -> None:
    paths = produce("weather", day, CONFIG, store).paths
    assert paths == [f"weather/date={day}/{city}.json" for city in REGIONS]
    for path in paths:
        doc = json.loads(store.read_bytes(path))
        for key in (
            "latitude",
            "longitude",
            "generationtime_ms",
            "utc_offset_seconds",
            "timezone",
            "elevation",
        ):
            assert key in doc
        assert doc["hourly_units"]["temperature_2m"] == "°C"
        hourly = doc["hourly"]
        assert len(hourly["time"]) == hours
        assert all(len(v) == hours for v in hourly.values())
        assert -30 < min(hourly["temperature_2m"]) < max(hourly["temperature_2m"]) < 45
        assert all(0 <= c <= 100 for c in hourly["cloud_cover"])
        assert all(0 <= h <= 100 for h in hourly["relative_humidity_2m"])
        assert min(hourly["shortwave_radiation"]) == 0.0 and max(hourly["shortwave_radiation"]) > 50
        # the real connector's validator accepts it as exactly the local day's hours
        assert open_meteo.day_response(doc, day, TZ) == doc


@pytest.mark.parametrize(
    ("resolution", "day", "points"),
    [("PT60M", SPRING, 23), ("PT60M", AUTUMN, 25), ("PT15M", SPRING, 92), ("PT15M", AUTUMN, 100)],
)
def test_prices_are_an_a44_document(store: LandingStore, resolution: str, day: date, points: int) -> None:
    config = replace(CONFIG, price_resolution=resolution)
    (path,) = produce("prices", day, config, store).paths
    assert path == f"prices/date={day}/10Y1001C--00100H.xml"
    root = ET.fromstring(store.read_bytes(path))
    assert root.tag == f"{{{NS['a']}}}Publication_MarketDocument"
    assert root.findtext("a:type", namespaces=NS) == "A44"
    series = root.find("a:TimeSeries", NS)
    assert series.findtext("a:currency_Unit.name", namespaces=NS) == "EUR"
    assert series.findtext("a:price_Measure_Unit.name", namespaces=NS) == "MWH"
    assert series.findtext("a:curveType", namespaces=NS) == "A03"
    period = series.find("a:Period", NS)
    assert period.findtext("a:resolution", namespaces=NS) == resolution
    start = datetime.strptime(period.findtext("a:timeInterval/a:start", namespaces=NS), "%Y-%m-%dT%H:%MZ")
    end = datetime.strptime(period.findtext("a:timeInterval/a:end", namespaces=NS), "%Y-%m-%dT%H:%MZ")
    step = 60 if resolution == "PT60M" else 15
    assert (end - start) / timedelta(minutes=step) == points
    positions = [int(p.findtext("a:position", namespaces=NS)) for p in period.findall("a:Point", NS)]
    assert positions[0] == 1 and positions == sorted(positions) and positions[-1] <= points
    # the real connector's parser fills A03 gaps forward and finds the whole local day
    rows = entsoe.day_rows(entsoe.parse_prices(store.read_bytes(path)), day, TZ)
    assert len(rows) == points and all(r.resolution_min == step for r in rows)


def test_same_seed_same_bytes_and_any_day_order(lakehouse_env: Settings, tmp_path) -> None:
    config = replace(CONFIG, faults=True)
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(4)]
    forward, backward, other = (LandingStore(str(tmp_path / n)) for n in ("a", "b", "c"))
    for day in days:
        for feed in ("meters", "weather", "prices"):
            produce(feed, day, config, forward)
    for day in reversed(days):
        for feed in ("prices", "weather", "meters"):
            produce(feed, day, config, backward)
    for day in days:
        produce("meters", day, replace(config, seed=8), other)
    files = forward.list()
    assert files == backward.list() and len(files) > 30
    assert all(forward.read_bytes(p) == backward.read_bytes(p) for p in files)
    readings = [p for p in files if "/readings/" in p and "late" not in p]
    assert any(forward.read_bytes(p) != other.read_bytes(p) for p in readings if other.exists(p))

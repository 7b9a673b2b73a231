"""Meters inbox: head-end exports filed into landing by local day, archived, or rejected."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from local_s3 import local_s3

from lakehouse.settings import Settings, get_settings
from lakehouse.sources import inbox
from lakehouse.sources.errors import SourceFormatError, SourceNotReadyError
from lakehouse.sources.landing import LandingStore

TZ = ZoneInfo("Europe/Belgrade")
HEADER = "meter_id,timestamp,interval_min,energy_kwh,voltage_v,current_a,power_factor,status"
REGISTRY = "meter_id,region,customer_type,feeder_id,latitude,longitude,installed_on,tariff"


def readings(meter: str, first_end: datetime, count: int, minutes: int = 15) -> list[str]:
    """Lines as a head-end writes them: interval END in local time with its offset."""
    lines = []
    for i in range(count):
        end = (first_end.astimezone(UTC) + timedelta(minutes=minutes * i)).astimezone(TZ)
        lines.append(f"{meter},{end.isoformat()},{minutes},{0.1 + i / 1000:.3f},231.4,1.2,0.97,OK")
    return lines


def export(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def box(lakehouse_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("METERS_SOURCE", "inbox")
    monkeypatch.setenv("METERS_INBOX", str(folder))
    get_settings.cache_clear()
    return folder


def landing() -> LandingStore:
    return LandingStore(get_settings().landing_uri)


def test_a_one_day_export_is_filed_unchanged_and_archived(box):
    day_start = datetime(2026, 1, 15, 0, 15, tzinfo=TZ)
    data = export(*readings("M000001", day_start, 96))  # 00:15 .. 24:00 local = the whole 15th
    (box / "keds_20260115.csv").write_bytes(data)

    filed = inbox.collect()

    assert filed == ["meters/readings/date=2026-01-15/keds_20260115.csv"]
    assert landing().read_bytes(filed[0]) == data
    assert not (box / "keds_20260115.csv").exists()
    assert (box / "archive" / "keds_20260115.csv").read_bytes() == data


def test_an_export_spanning_two_days_is_split_and_says_so(box):
    # ends from 22:15 on the 28th to 05:00 on the 29th (the spring-forward night): 8 + 16 readings
    lines = readings("M000002", datetime(2026, 3, 28, 22, 15, tzinfo=TZ), 6 * 4)
    lines.insert(5, "M000002,not-a-time,15,0.2,230,1,0.9,OK")  # malformed: stays with the main day
    (box / "kedu_night.csv.gz").write_bytes(gzip.compress(export(*lines)))

    filed = inbox.collect()

    assert filed == [
        "meters/readings/date=2026-03-28/kedu_night.part-2026-03-28.csv.gz",
        "meters/readings/date=2026-03-29/kedu_night.part-2026-03-29.csv.gz",
    ]
    first, second = (gzip.decompress(landing().read_bytes(p)).decode().splitlines() for p in filed)
    assert first[0] == HEADER and second[0] == HEADER
    # the reading ending at local midnight (23:45-00:00) belongs to the 28th
    assert first[-1].startswith("M000002,2026-03-29T00:00:00+01:00,15,")
    assert len(first) - 1 == 8 and len(second) - 1 == 16 + 1
    assert "M000002,not-a-time,15,0.2,230,1,0.9,OK" in second  # the main day: 16 of 24 readings
    assert second[1].startswith("M000002,2026-03-29T00:15:00+01:00")
    assert any(line.startswith("M000002,2026-03-29T03:00:00+02:00") for line in second)  # 02:00 skipped


def test_collecting_again_files_nothing_twice(box):
    data = export(*readings("M000003", datetime(2026, 1, 15, 0, 15, tzinfo=TZ), 8))
    (box / "a.csv").write_bytes(data)
    assert inbox.collect() == ["meters/readings/date=2026-01-15/a.csv"]

    (box / "a.csv").write_bytes(data)  # the utility uploads the same export again
    assert inbox.collect() == []
    assert landing().list("meters/readings/") == ["meters/readings/date=2026-01-15/a.csv"]
    assert sorted(p.name for p in (box / "archive").iterdir()) == ["a.csv"]


def test_a_resent_correction_under_the_same_name_is_kept_beside_the_original(box):
    start = datetime(2026, 1, 15, 0, 15, tzinfo=TZ)
    (box / "a.csv").write_bytes(export(*readings("M000004", start, 8)))
    inbox.collect()
    corrected = export(*readings("M000004", start, 8)).replace(b",OK", b",EST")
    (box / "a.csv").write_bytes(corrected)

    (filed,) = inbox.collect()

    assert (
        filed.startswith("meters/readings/date=2026-01-15/a.")
        and filed != "meters/readings/date=2026-01-15/a.csv"
    )
    assert landing().read_bytes(filed) == corrected
    assert len(landing().list("meters/readings/date=2026-01-15/")) == 2
    assert len(list((box / "archive").iterdir())) == 2


def test_an_unexpected_header_is_rejected_with_a_reason(box, caplog):
    lines = [line + ",extra" for line in readings("M000005", datetime(2026, 1, 15, 0, 15, tzinfo=TZ), 4)]
    data = export(*lines, header=HEADER + ",firmware")
    (box / "odd.csv").write_bytes(data)

    with caplog.at_level(logging.WARNING, logger="lakehouse.sources.inbox"):
        assert inbox.collect() == []

    assert (box / "rejected" / "odd.csv").read_bytes() == data
    reason = (box / "rejected" / "odd.csv.reason.txt").read_text()
    assert "unexpected column(s) firmware" in reason
    assert "rejected odd.csv" in caplog.text and "firmware" in caplog.text
    assert landing().list("meters/") == []
    assert not (box / "odd.csv").exists()


def test_a_broken_gzip_is_rejected_not_lost(box):
    (box / "cut.csv.gz").write_bytes(
        gzip.compress(export("M1,2026-01-15T00:15:00+01:00,15,1,230,1,1,OK"))[:20]
    )
    assert inbox.collect() == []
    assert "not a readable gzip file" in (box / "rejected" / "cut.csv.gz.reason.txt").read_text()


def test_uploads_in_progress_are_left_alone(box):
    (box / "big.csv.part").write_bytes(b"meter_id,times")
    (box / ".big.csv.tmp").write_bytes(b"meter_id,times")
    assert inbox.collect() == []
    assert sorted(p.name for p in box.iterdir()) == [".big.csv.tmp", "big.csv.part"]


def test_collect_for_a_day_returns_that_days_files_or_waits(box):
    with pytest.raises(SourceNotReadyError, match="No head-end export with readings of 2026-01-16"):
        inbox.collect(day=date(2026, 1, 16))

    (box / "d15.csv").write_bytes(export(*readings("M1", datetime(2026, 1, 15, 0, 15, tzinfo=TZ), 4)))
    (box / "d16.csv").write_bytes(export(*readings("M1", datetime(2026, 1, 16, 0, 15, tzinfo=TZ), 4)))
    assert inbox.collect(day=date(2026, 1, 16)) == ["meters/readings/date=2026-01-16/d16.csv"]
    # the late file for the 15th was filed too, and a later run for the 15th finds it
    assert inbox.collect(day=date(2026, 1, 15)) == ["meters/readings/date=2026-01-15/d15.csv"]


def test_the_registry_arrives_through_the_inbox_or_a_path(box, tmp_path):
    registry = f"{REGISTRY}\nM000001,Prishtina,residential,F-PR-01,42.66,21.16,2019-05-02,T1\n".encode()
    (box / "meters.csv").write_bytes(registry)
    assert inbox.collect() == []  # no readings, but the registry is landed
    assert landing().read_bytes(inbox.REGISTRY_RELPATH) == registry
    assert (box / "archive" / "meters.csv").exists()

    newer = registry + b"M000002,Peja,commercial,F-PE-03,42.66,20.29,2021-11-19,T2\n"
    (tmp_path / "registry.csv").write_bytes(newer)
    assert inbox.load_registry(tmp_path / "registry.csv") == "meters/registry/meters.csv"
    assert landing().read_bytes(inbox.REGISTRY_RELPATH) == newer

    (tmp_path / "wrong.csv").write_bytes(export(header="id,name"))
    with pytest.raises(SourceFormatError, match="not the meter registry header"):
        inbox.load_registry(tmp_path / "wrong.csv")


def test_plan_is_pure_and_keeps_original_bytes_for_one_day():
    data = export(*readings("M9", datetime(2026, 10, 25, 0, 15, tzinfo=TZ), 100))  # the 25-hour day
    plan = inbox.plan_file("x.csv", data, TZ)
    assert plan.kind == "readings"
    assert plan.parts == {"meters/readings/date=2026-10-25/x.csv": data}


@pytest.fixture
def s3(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch):
    """A local moto S3 server; the inbox and landing both live in it."""
    env = {
        "METERS_SOURCE": "inbox",
        "METERS_INBOX": "s3://utility-drop/keds/exports",
        "LANDING_ROOT": "s3://lake/landing",
    }
    with local_s3(monkeypatch, "utility-drop", "lake", **env) as (_, client):
        yield client


def test_an_s3_inbox_is_filed_archived_and_rejected_like_a_folder(s3):
    def put(name: str, data: bytes) -> None:
        s3.put_object(Bucket="utility-drop", Key=f"keds/exports/{name}", Body=data)

    def keys(bucket: str, prefix: str) -> list[str]:
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))

    night = export(*readings("M7", datetime(2026, 1, 15, 23, 15, tzinfo=TZ), 8))
    put("night.csv", night)
    put("odd.csv", export("x", header="meter,when,kwh"))
    put("meters.csv", f"{REGISTRY}\nM7,Gjilan,industrial,F-GJ-02,42.46,21.47,2020-01-01,T3\n".encode())

    assert inbox.collect(day=date(2026, 1, 16)) == [
        "meters/readings/date=2026-01-16/night.part-2026-01-16.csv"
    ]

    assert keys("lake", "landing/") == [
        "landing/meters/readings/date=2026-01-15/night.part-2026-01-15.csv",
        "landing/meters/readings/date=2026-01-16/night.part-2026-01-16.csv",
        "landing/meters/registry/meters.csv",
    ]
    assert keys("utility-drop", "keds/") == [
        "keds/exports/archive/meters.csv",
        "keds/exports/archive/night.csv",
        "keds/exports/rejected/odd.csv",
        "keds/exports/rejected/odd.csv.reason.txt",
    ]
    reason = s3.get_object(Bucket="utility-drop", Key="keds/exports/rejected/odd.csv.reason.txt")[
        "Body"
    ].read()
    assert b"missing column(s)" in reason

    put("night.csv", night)  # delivered twice
    assert inbox.collect() == []
    assert len(keys("lake", "landing/meters/readings/")) == 2

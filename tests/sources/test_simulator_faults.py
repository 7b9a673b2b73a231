"""Injected faults are exactly what the manifest says, file by file, so counts can reconcile."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from lakehouse.settings import Settings
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import FaultRates, SimulatorConfig, simulate

HIGH = FaultRates(
    duplicates=0.02, gaps=0.02, malformed=0.01, out_of_range=0.01, clock_skew=0.03,
    corrections=0.05, late_files=0.3, extra_column=0.3, max_late_days=2,
)  # fmt: skip
START, DAYS = date(2026, 3, 27), 5


def _lines(store: LandingStore, path: str) -> list[str]:
    return gzip.decompress(store.read_bytes(path)).decode().splitlines()


def _classify(line: str, width: int) -> str:
    fields = next(csv.reader(io.StringIO(line)))
    if len(fields) != width:
        return "malformed"
    try:
        stamp = datetime.fromisoformat(fields[1])
        interval = int(fields[2])
        energy = float(fields[3]) if fields[3] else None
        voltage = float(fields[4]) if fields[4] else None
        pf = float(fields[6]) if fields[6] else None
    except ValueError:
        return "malformed"
    if stamp.tzinfo is None:
        return "malformed"
    if (energy is not None and not 0 <= energy < 10_000) or (
        voltage is not None and not 150 <= voltage <= 300
    ):
        return "out_of_range"
    if pf is not None and not 0 <= pf <= 1:
        return "out_of_range"
    if stamp.minute % interval or stamp.second:
        return "clock_skew"
    return "ok"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    store = LandingStore(str(tmp_path_factory.mktemp("landing")))
    config = SimulatorConfig(seed=11, meters=400, faults=True, rates=HIGH, meters_per_file=50)
    summary = simulate(store, config, START, DAYS)
    manifest = json.loads(store.read_bytes(f"_manifests/simulator/{summary.run_id}.json"))
    return store, summary, manifest


def test_every_readings_file_matches_its_manifest_entry(run) -> None:
    store, _, manifest = run
    entries = [f for f in manifest["files"] if f["kind"] in ("readings", "late_readings")]
    assert len(entries) > 20
    for entry in entries:
        lines = _lines(store, entry["path"])
        width = 9 if entry.get("extra_column") else 8
        assert lines[0].split(",")[-1] == ("firmware_version" if width == 9 else "status")
        body = lines[1:]
        counts = entry["readings"]
        assert len(body) == entry["lines"]
        assert entry["lines"] == sum(
            counts[k] for k in ("clean", "malformed", "out_of_range", "clock_skew", "duplicates")
        )
        assert counts["expected"] == sum(
            counts[k] for k in ("clean", "gaps", "malformed", "out_of_range", "clock_skew")
        )
        seen = Counter(body)
        assert sum(n - 1 for n in seen.values()) == counts["duplicates"]
        kinds = Counter(_classify(line, width) for line in seen)  # distinct lines
        assert kinds["malformed"] == counts["malformed"]
        assert kinds["out_of_range"] == counts["out_of_range"]
        assert kinds["clock_skew"] == counts["clock_skew"]
        assert kinds["ok"] == counts["clean"]
        meters = {line.split(",")[0] for line in body if not line.startswith("#")}
        assert len(meters) == entry["meters"]


def test_all_fault_classes_were_injected_and_totalled(run) -> None:
    _, _, manifest = run
    faults = manifest["faults"]
    for name in (
        "duplicates",
        "gaps",
        "malformed",
        "out_of_range",
        "clock_skew",
        "corrections",
        "late_files",
        "extra_column_files",
    ):
        assert faults[name] > 0, name
    assert faults["gaps"] == sum(f.get("readings", {}).get("gaps", 0) for f in manifest["files"])


def test_late_files_land_later_in_their_own_days_folder(run) -> None:
    store, _, manifest = run
    late = [f for f in manifest["files"] if f["kind"] == "late_readings"]
    assert late
    for f in late:
        arrival, data_day = date.fromisoformat(f["arrival_date"]), date.fromisoformat(f["data_date"])
        assert 1 <= (arrival - data_day).days == f["late_by_days"] <= 2
        assert f["path"].startswith(f"meters/readings/date={data_day}/")
        assert f".late-{arrival}." in f["path"]
        withheld = json.loads(store.read_bytes(f"_manifests/simulator/days/date={data_day}/meters.json"))[
            "withheld"
        ]
        assert f["path"] in [w["path"] for w in withheld]
        arrived = json.loads(store.read_bytes(f"_manifests/simulator/days/date={arrival}/meters.json"))[
            "files"
        ]
        assert f["path"] in [a["path"] for a in arrived]
    end = START + timedelta(days=DAYS - 1)
    assert all(w["arrival_date"] > end.isoformat() for w in manifest["not_yet_arrived"])


def test_corrections_resend_clean_earlier_readings_with_new_values(run) -> None:
    store, _, manifest = run
    corrections = [f for f in manifest["files"] if f["kind"] == "corrections"]
    assert corrections
    assert all(f["data_date"] >= START.isoformat() for f in corrections)  # none for days never simulated
    originals: dict[tuple[str, str], str] = {}
    for f in manifest["files"]:
        if f["kind"] in ("readings", "late_readings"):
            for line in _lines(store, f["path"])[1:]:
                fields = line.split(",")
                if len(fields) >= 8:
                    originals[(fields[0], fields[1])] = fields[3]
    for f in corrections:
        lines = _lines(store, f["path"])
        assert f["path"].startswith(f"meters/readings/date={f['arrival_date']}/")
        assert len(lines) - 1 == f["lines"] == f["readings"]["corrections"]
        for line in lines[1:]:
            fields = line.split(",")
            assert fields[7] == "OK"
            assert datetime.fromisoformat(fields[1]).date() <= date.fromisoformat(f["arrival_date"])
            assert (fields[0], fields[1]) in originals
            assert originals[(fields[0], fields[1])] != fields[3]


def test_no_faults_means_clean_files(lakehouse_env: Settings) -> None:
    store = LandingStore()
    summary = simulate(store, SimulatorConfig(seed=3, meters=80), date(2026, 2, 16), 2)
    manifest = json.loads(store.read_bytes(f"_manifests/simulator/{summary.run_id}.json"))
    assert manifest["faults"] == {} or not any(manifest["faults"].values())
    for f in manifest["files"]:
        if f["kind"] == "readings":
            lines = _lines(store, f["path"])[1:]
            assert len(set(lines)) == len(lines) == f["readings"]["expected"]
            assert {_classify(line, 8) for line in lines} == {"ok"}

"""Nothing is lost: with faults on, every landed meter record is in silver, in quarantine, or collapsed
into another record of the same key (a duplicate, or an original superseded by its resent correction).

Three days are landed and run one at a time, as Airflow would: late files arrive days later into their
own day's folder and corrections of D arrive in D+1's folder. Per landing folder day the test prints
and checks: landed lines (simulator manifest) = bronze rows = silver rows + quarantined + collapsed,
with quarantined and collapsed equal to what the simulator says it injected.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from pyspark.sql import functions as F

from lakehouse.storage import tables
from lakehouse.storage.ingested_files import folder_date
from tests.medallion.conftest import FAULTY_DAYS as DAYS
from tests.medallion.conftest import manifest_files, use_home


def _by_day(df, column: str) -> dict[date, int]:
    return {r[0]: int(r[1]) for r in df.groupBy(column).count().collect()}


def test_landed_records_reconcile_per_day_with_faults(faulty_days, monkeypatch, spark) -> None:
    use_home(monkeypatch, faulty_days["home"])
    affected = faulty_days["affected"]

    files = manifest_files(DAYS)
    readings = [f for f in files if f["feed"] == "meters" and f["kind"] != "registry"]
    landed: dict[date, int] = defaultdict(int)
    injected_bad: dict[date, int] = defaultdict(int)
    duplicates: dict[date, int] = defaultdict(int)
    superseded: dict[date, int] = defaultdict(int)
    for f in readings:
        folder = folder_date(f["path"])
        landed[folder] += f["lines"]
        counts = f["readings"]
        injected_bad[folder] += counts["malformed"] + counts["out_of_range"] + counts["clock_skew"]
        duplicates[folder] += counts["duplicates"]
        if f["kind"] == "corrections":  # each resent line replaces one clean original of its data day
            superseded[date.fromisoformat(f["data_date"])] += f["lines"]
    kinds = {f["kind"] for f in readings}
    assert {"readings", "late_readings", "corrections"} <= kinds, f"the faults did not produce {kinds}"
    assert any(f.get("extra_column") for f in readings), "no extra-column file was landed"

    bronze = _by_day(tables.read(spark, "bronze.meter_readings"), "_landing_date")
    silver = _by_day(tables.read(spark, "silver.meter_readings"), "_landing_date")
    quarantine = tables.read(spark, "silver.quarantine").where(F.col("source") == "meters")
    quarantined = _by_day(quarantine, "landing_date")

    lines = [f"{'folder day':<12}{'landed':>8}{'bronze':>8}{'silver':>8}{'quarant.':>9}{'collapsed':>10}"
             f"{'(dups':>7}{'+ superseded)':>14}"]  # fmt: skip
    problems = []
    for day in sorted(landed):
        collapsed = landed[day] - silver.get(day, 0) - quarantined.get(day, 0)
        lines.append(
            f"{day.isoformat():<12}{landed[day]:>8}{bronze.get(day, 0):>8}{silver.get(day, 0):>8}"
            f"{quarantined.get(day, 0):>9}{collapsed:>10}{duplicates[day]:>7}{superseded[day]:>14}"
        )
        if bronze.get(day, 0) != landed[day]:
            problems.append(f"{day}: bronze {bronze.get(day, 0)} != landed {landed[day]}")
        if quarantined.get(day, 0) != injected_bad[day]:
            problems.append(f"{day}: quarantined {quarantined.get(day, 0)} != injected {injected_bad[day]}")
        if collapsed != duplicates[day] + superseded[day]:
            problems.append(f"{day}: collapsed {collapsed} != duplicates + superseded")
    report = "\n".join(lines)
    print("\nmeter readings reconciliation (per landing folder day)\n" + report)
    assert not problems, "\n".join(problems) + "\n" + report

    silver_df = tables.read(spark, "silver.meter_readings")
    keys = silver_df.select("meter_id", "interval_start_utc").distinct().count()
    assert keys == silver_df.count(), "silver.meter_readings has duplicate keys"
    reasons = {r[0] for r in quarantine.select("reason").distinct().collect()}
    assert {"MALFORMED_LINE", "CLOCK_SKEW", "OUT_OF_RANGE"} <= reasons, reasons

    # a late file of D arriving on A makes the run of A report D as affected (gold rebuilds D)
    for f in readings:
        if f["kind"] in ("late_readings", "corrections"):
            arrival, data_day = date.fromisoformat(f["arrival_date"]), f["data_date"]
            assert data_day in affected[arrival], (f["path"], affected[arrival])

    # weather and prices: every landed hour/interval is a silver row (none quarantined, none collapsed)
    for feed, table in (
        ("weather", "silver.weather_hourly"),
        ("prices", "silver.day_ahead_prices"),
    ):
        expected: dict[date, int] = defaultdict(int)
        for f in files:
            if f["feed"] == feed:
                expected[date.fromisoformat(f["data_date"])] += f["lines"]
        got = _by_day(tables.read(spark, table), "date_local")
        print(f"{feed}: landed {dict(sorted((d.isoformat(), n) for d, n in expected.items()))} "
              f"silver {dict(sorted((d.isoformat(), n) for d, n in got.items()))}")  # fmt: skip
        assert got == dict(expected), (feed, got, expected)

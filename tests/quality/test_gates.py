"""The gates on a real small lakehouse: each simulator fault class has its outcome, policies act.

Fault classes (lakehouse/sources/simulator/faults.py) and their outcome here:
- malformed: silver quarantines them (MALFORMED_LINE / BAD_TIMESTAMP); bronze suite warns.
- duplicates: collapse in silver; bronze suite warns (no_duplicate_lines_in_file); silver unique holds.
- out_of_range: silver quarantines them (NEGATIVE_ENERGY / OUT_OF_RANGE); nothing reaches the gate's
  range checks, which pass.
- clock_skew, gaps, late_files: whole meter-days or intervals missing on D -> completeness warnings.
- corrections, extra_column: absorbed (newer arrival wins; columns mapped by header) -> pass.
Plus what the simulator cannot produce: a plausible-looking but impossible value (quarantine policy)
and a batch beyond +-20 % voltage (fail policy: blocked, notified, gold untouched).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from webhook_receiver import Receiver

from lakehouse.quality import FAILED_YESTERDAY_SQL, QualityGateError, validate
from lakehouse.quality.results import TABLE as RESULTS
from lakehouse.quality.results import failed_on
from lakehouse.storage import tables
from tests.quality.conftest import DAYS
from tests.quality.test_webhook import SECRET

D = DAYS[1]


def _reasons(spark: Any) -> set[str]:
    return {r[0] for r in tables.read(spark, "silver.quarantine").select("reason").distinct().collect()}


def _results(spark: Any, run_id: str) -> dict[str, dict[str, Any]]:
    rows = tables.read(spark, RESULTS).where(f"run_id = '{run_id}'").collect()
    return {r.expectation: r.asDict() for r in rows}


def test_simulator_faults_get_their_outcome(quality_lake, spark) -> None:
    from lakehouse.pipeline import quality_steps

    assert {"MALFORMED_LINE", "CLOCK_SKEW"} <= _reasons(spark)
    assert _reasons(spark) & {"NEGATIVE_ENERGY", "OUT_OF_RANGE"}

    bronze = validate("bronze.meter_readings", D, spark, build_docs=False)
    assert {"lines_parse", "no_duplicate_lines_in_file"} <= set(bronze["warned"])
    assert not bronze["blocked"]
    bronze_rows = _results(spark, bronze["run_id"])
    assert (
        bronze_rows["lines_parse"]["action"] == "warned"
        and bronze_rows["lines_parse"]["unexpected_count"] > 0
    )

    silver = quality_steps.validate_silver(D)  # no fault class blocks promotion
    assert not silver["blocked"]
    readings = next(r for r in silver["runs"] if r["table"] == "silver.meter_readings")
    assert readings["quarantined_rows"] == 0  # silver already quarantined every broken record
    assert "intervals_complete_per_meter_day" in readings["warned"]  # gaps, skewed and late meter-days
    rows = _results(spark, readings["run_id"])
    for passing in (
        "unique_meter_interval",
        "energy_non_negative",
        "voltage_within_20pct",
        "schema_has_contract_columns",
    ):
        assert rows[passing]["success"] and rows[passing]["action"] == "passed"
    assert rows["intervals_complete_per_meter_day"]["unexpected_count"] > 0
    assert "meter_id" in rows["intervals_complete_per_meter_day"]["sample"]
    assert silver["data_docs"] and quality_lake.home.joinpath("quality/data_docs/index.html").is_file()


def test_quarantine_policy_moves_rows_with_the_expectation_name(quality_lake, spark) -> None:
    from pyspark.sql import functions as F

    from lakehouse.pipeline import quality_steps

    readings = tables.read(spark, "silver.meter_readings").where(F.col("date_local") == F.lit(D))
    victim = (
        readings.where("customer_type = 'residential' AND interval_min = 60")
        .orderBy("meter_id", "interval_start_utc")
        .limit(1)
    )
    spiked = victim.withColumn(
        "energy_kwh", F.lit(55.5)
    )  # passes silver's 10,000 kWh bound; 55 kW at home is not real
    key = victim.select("_landing_file", "_line_number").first()
    tables.merge(
        spiked, "silver.meter_readings", keys=["meter_id", "interval_start_utc"], partition_by=["date_local"]
    )
    before = readings.count()

    summary = quality_steps.validate_silver(D)
    run = next(r for r in summary["runs"] if r["table"] == "silver.meter_readings")
    assert run["quarantined"] == ["energy_below_ceiling_residential_60min"] and run["quarantined_rows"] == 1
    moved = (
        tables.read(spark, "silver.quarantine")
        .where("reason = 'energy_below_ceiling_residential_60min'")
        .collect()
    )
    assert len(moved) == 1
    assert (moved[0].source, moved[0].landing_file, moved[0].line_number) == ("meters", key[0], key[1])
    assert "55.5" in moved[0].raw_record and moved[0].date_local == D
    after = tables.read(spark, "silver.meter_readings").where(F.col("date_local") == F.lit(D))
    assert after.count() == before - 1 and after.where("energy_kwh = 55.5").count() == 0

    again = quality_steps.validate_silver(D)  # idempotent: nothing left to move, nothing duplicated
    assert next(r for r in again["runs"] if r["table"] == "silver.meter_readings")["quarantined_rows"] == 0
    assert (
        tables.read(spark, "silver.quarantine")
        .where("reason = 'energy_below_ceiling_residential_60min'")
        .count()
        == 1
    )


def test_fail_policy_blocks_promotion_notifies_and_leaves_gold_untouched(
    quality_lake, spark, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyspark.sql import functions as F

    from lakehouse.pipeline import medallion_gold, quality_steps
    from lakehouse.settings import get_settings
    from lakehouse.storage import maintenance

    readings = tables.read(spark, "silver.meter_readings").where(F.col("date_local") == F.lit(D))
    sagging = (
        readings.orderBy("meter_id", "interval_start_utc").limit(3).withColumn("voltage_v", F.lit(180.0))
    )
    tables.merge(
        sagging, "silver.meter_readings", keys=["meter_id", "interval_start_utc"], partition_by=["date_local"]
    )
    gold_versions = {t: maintenance.history(t, limit=1)[0]["version"] for t in medallion_gold.GOLD_TABLES}

    with Receiver([503, 200], SECRET) as receiver:
        monkeypatch.setenv("WEBHOOK_URL", receiver.url)
        monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("HTTP_BACKOFF_SECONDS", "0.01")
        get_settings.cache_clear()
        with pytest.raises(QualityGateError) as caught:
            quality_steps.validate_silver(D)  # the DAG: silver -> validate_silver -> gold
            medallion_gold.gold_all([D])  # never reached for a blocked day
    error = caught.value
    assert error.table == "silver.meter_readings" and error.expectations == ["voltage_within_20pct"]
    assert "voltage_within_20pct (3 of" in str(error)
    assert {row.get("voltage_v", 180.0) for row in error.failures[0].sample}
    assert len(error.failures[0].sample) == 3 and all("meter_id" in row for row in error.failures[0].sample)
    assert {
        t: maintenance.history(t, limit=1)[0]["version"] for t in medallion_gold.GOLD_TABLES
    } == gold_versions

    assert [c["verified"] for c in receiver.calls] == [True, True]  # 503 retried, then delivered
    import json

    notice = json.loads(receiver.calls[-1]["body"])
    assert notice["event"] == "quality.gate_failed"
    assert notice["data"]["table"] == "silver.meter_readings" and notice["data"]["day"] == D.isoformat()
    assert notice["data"]["expectations"][0]["name"] == "voltage_within_20pct"

    failed = {(r["table"], r["expectation"]): r for r in failed_on(spark, D)}
    assert failed[("silver.meter_readings", "voltage_within_20pct")]["action"] == "blocked"
    assert failed[("silver.meter_readings", "voltage_within_20pct")]["unexpected_count"] == 3


def test_which_expectations_failed_yesterday_is_one_query(quality_lake, spark) -> None:
    """FAILED_YESTERDAY_SQL through the analysts' SQL engine (Trino SQL on the embedded DuckDB)."""
    engine_module = pytest.importorskip("lakehouse.sql.engine")
    yesterday = date.today() - timedelta(days=1)
    # A real run for yesterday: the test lake has no data for it, so the gate records what is missing.
    summary = validate("silver.weather_hourly", yesterday, spark, build_docs=False)
    assert "row_count_within_band" in summary["failed"] and "fresh_to_end_of_day" in summary["failed"]
    validate("silver.weather_hourly", D, spark, build_docs=False)  # another day: not in the answer

    engine = engine_module.Engine(quality_lake, warehouse=False)
    result = engine.execute(FAILED_YESTERDAY_SQL)
    names = (
        [c if isinstance(c, str) else c[0] for c in result.columns] if hasattr(result, "columns") else None
    )
    rows = result.rows()
    assert rows, "the failures of yesterday's run must be listed"
    expectations = {row[1] for row in rows}
    assert expectations == set(summary["failed"])
    assert {row[0] for row in rows} == {"silver.weather_hourly"}
    row_count = next(row for row in rows if row[1] == "row_count_within_band")
    assert row_count[2] == "warn"
    assert names is None or names[:4] == ["table", "expectation", "policy", "unexpected_count"]

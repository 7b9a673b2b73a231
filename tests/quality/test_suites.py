"""Every suite file loads with Great Expectations; policies and predicates are what the runner needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lakehouse.quality import SuiteError, load_suite, suite_tables
from lakehouse.quality.predicates import unexpected_predicate
from lakehouse.quality.suites import POLICIES

EXPECTED_TABLES = {
    "bronze.meter_readings", "bronze.weather", "bronze.prices", "bronze.meter_registry",
    "silver.meters", "silver.meter_readings", "silver.weather_hourly", "silver.day_ahead_prices",
    "gold.region_load_hourly", "gold.meter_daily", "gold.load_features",
}  # fmt: skip


def test_a_suite_per_table_loads_in_great_expectations() -> None:
    assert set(suite_tables()) >= EXPECTED_TABLES
    for table in suite_tables():
        suite = load_suite(table)
        gx_suite = suite.gx_suite()
        assert len(gx_suite.expectations) == len(suite.expectations) > 0
        assert {e["meta"]["policy"] for e in suite.expectations} <= set(POLICIES)
        assert suite.version.startswith(str(suite.meta["version"]) + "+")


def test_contract_checks_are_present() -> None:
    readings = {e["meta"]["name"]: e for e in load_suite("silver.meter_readings").expectations}
    assert readings["unique_meter_interval"]["kwargs"]["column_list"] == ["meter_id", "interval_start_utc"]
    assert readings["voltage_within_10pct"]["meta"]["policy"] == "warn"
    assert readings["voltage_within_20pct"]["meta"]["policy"] == "fail"
    assert readings["energy_non_negative"]["meta"]["policy"] == "quarantine"
    assert {"energy_below_ceiling_residential_15min", "energy_below_ceiling_industrial_60min"} <= set(
        readings
    )
    prices = {e["meta"]["name"]: e for e in load_suite("silver.day_ahead_prices").expectations}
    assert prices["price_within_harmonised_limits"]["kwargs"]["min_value"] == -500.0
    assert prices["price_within_harmonised_limits"]["kwargs"]["max_value"] == 4000.0
    weather = {e["meta"]["name"]: e for e in load_suite("silver.weather_hourly").expectations}
    assert (
        weather["temperature_plausible"]["kwargs"]["min_value"],
        weather["temperature_plausible"]["kwargs"]["max_value"],
    ) == (-40.0, 50.0)
    assert "day_over_day_load_change" in {
        e["meta"]["name"] for e in load_suite("gold.region_load_hourly").expectations
    }


def test_bad_suites_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lakehouse_env) -> None:
    from lakehouse.settings import get_settings

    good = json.loads(Path(load_suite("silver.meter_readings").path).read_text())
    bad = dict(good, expectations=[dict(good["expectations"][0], meta={"name": "x", "policy": "explode"})])
    (tmp_path / "silver.meter_readings.json").write_text(json.dumps(bad))
    quarantine_table_check = dict(good["expectations"][0], meta={"name": "x", "policy": "quarantine"})
    (tmp_path / "silver.other.json").write_text(
        json.dumps(dict(good, name="silver.other", expectations=[quarantine_table_check]))
    )
    monkeypatch.setenv("EXPECTATIONS_DIR", str(tmp_path))
    get_settings.cache_clear()
    with pytest.raises(SuiteError, match="policy must be one of"):
        load_suite("silver.meter_readings")
    with pytest.raises(SuiteError, match="column-value expectation"):
        load_suite("silver.other")
    with pytest.raises(SuiteError, match=r"No suite for gold\.nothing"):
        load_suite("gold.nothing")


def test_predicates_follow_great_expectations_semantics(spark) -> None:
    df = spark.createDataFrame(
        [
            ("residential", 60, 50.0),
            ("residential", 60, 3.0),
            ("industrial", 60, 50.0),
            ("residential", 60, None),
        ],
        "customer_type string, interval_min int, energy_kwh double",
    )
    ceiling = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {
            "column": "energy_kwh",
            "max_value": 30.0,
            "row_condition": {
                "pass_through_filter": "customer_type = 'residential' AND interval_min = 60",
                "type": "pass_through",
            },
        },
    }
    assert [r.energy_kwh for r in df.where(unexpected_predicate(ceiling)).collect()] == [50.0]
    in_set = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "interval_min", "value_set": [15]},
    }
    assert df.where(unexpected_predicate(in_set)).count() == 4
    not_null = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "energy_kwh"}}
    assert df.where(unexpected_predicate(not_null)).count() == 1

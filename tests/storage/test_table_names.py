"""Table names map to LAKEHOUSE_ROOT/<layer>/<name>; anything else is refused with a clear error."""

from __future__ import annotations

import pytest

from lakehouse.storage import tables


@pytest.mark.parametrize("name", ["silver.meter_readings", "bronze.x", "gold.load_forecast_2"])
def test_valid_names_map_under_lakehouse_root(lakehouse_env, name):
    layer, table = name.split(".")
    assert tables.parse_name(name) == (layer, table)
    assert tables.table_uri(name) == str(lakehouse_env.home / "lakehouse" / layer / table)


@pytest.mark.parametrize(
    "name",
    [
        "meters",
        "platinum.meters",
        "silver.Meters",
        "silver.1meters",
        "silver.",
        "silver.a-b",
        "silver.a.b",
        "",
    ],
)
def test_invalid_names_are_refused(lakehouse_env, name):
    with pytest.raises(tables.TableNameError, match="layer one of bronze, silver, gold"):
        tables.table_uri(name)


def test_s3_root(lakehouse_env, monkeypatch):
    from lakehouse.settings import get_settings

    monkeypatch.setenv("LAKEHOUSE_ROOT", "s3://lake/prod/")
    get_settings.cache_clear()
    assert tables.table_uri("gold.meter_daily") == "s3://lake/prod/gold/meter_daily"


def test_reading_a_missing_table_says_so(tables_env, spark):
    assert not tables.exists("silver.nothing")
    with pytest.raises(tables.TableNotFoundError, match=r"silver\.nothing does not exist"):
        tables.read(spark, "silver.nothing")

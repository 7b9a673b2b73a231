"""lakehouse.forecasting.io.read_days on both kinds of date_local: partition column or plain date column."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from deltalake import write_deltalake

from lakehouse.forecasting.io import read_days
from lakehouse.storage.tables import table_uri

DAYS = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]


def _write(settings, name: str, partitioned: bool) -> None:
    data = pa.table({"date_local": pa.array(DAYS, pa.date32()), "reason": ["a", "b", "c"]})
    write_deltalake(table_uri(name, settings), data, partition_by=["date_local"] if partitioned else None)


def test_read_days_filters_a_partitioned_and_an_unpartitioned_date_column(lakehouse_env):
    # silver.quarantine keeps date_local as a plain date32 column: a string filter used to fail there
    _write(lakehouse_env, "silver.quarantine", partitioned=False)
    _write(lakehouse_env, "gold.meter_anomalies", partitioned=True)
    for name in ("silver.quarantine", "gold.meter_anomalies"):
        frame = read_days(name, [DAYS[1]], ["reason", "date_local"], lakehouse_env)
        assert frame["reason"].tolist() == ["b"], name
    assert read_days("gold.load_forecast", [DAYS[1]], None, lakehouse_env) is None  # no table yet

"""Thin I/O of the forecasting and anomaly steps: delta-rs reads into pandas, gold writes via the API.

The tables these steps read are small per day (gold hourly per region, a day of readings), so
they are read with delta-rs (partition pruning on date_local) instead of through Spark; the gold
tables they produce are written through lakehouse.storage.tables (the one write API), from a
Spark DataFrame made of the pandas result.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakehouse.settings import Settings
    from lakehouse.storage.tables import WriteResult


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def read_days(
    name: str, days: Iterable[date], columns: list[str] | None = None, settings: Settings | None = None
) -> pd.DataFrame | None:
    """Rows of table `name` whose date_local is one of `days`; None when the table does not exist."""
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri
    from lakehouse.storage.uri import delta_storage_options

    uri = table_uri(name, settings)
    options = delta_storage_options(settings)
    if not DeltaTable.is_deltatable(uri, options):
        return None
    delta = DeltaTable(uri, storage_options=options)
    wanted: list[object] = sorted(set(days))
    if "date_local" in delta.metadata().partition_columns:
        wanted = [d.isoformat() for d in wanted]  # partition values are compared as strings
    # elsewhere (silver.quarantine) date_local is a date32 column: a string filter would fail
    table = delta.to_pyarrow_table(columns=columns, filters=[("date_local", "in", wanted)])
    frame = table.to_pandas()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_convert("UTC")
    return frame


def write_days(
    frame: pd.DataFrame,
    name: str,
    days: Iterable[date],
    schema: str,
    *,
    spark: SparkSession | None = None,
) -> WriteResult:
    """Replace the given local days of gold table `name` with `frame` (idempotent re-runs)."""
    from lakehouse.storage import tables

    if spark is None:
        from lakehouse.spark import session

        spark = session()
    columns = [part.strip().split(" ")[0] for part in schema.split(",")]
    df = spark.createDataFrame(frame[columns], schema=schema)
    literals = ", ".join(f"DATE'{d.isoformat()}'" for d in sorted(set(days)))
    return tables.replace_where(df, name, f"date_local IN ({literals})", partition_by=["date_local"])


def summary(result: Any) -> dict[str, Any]:
    return {"table": result.table, "version": result.version, "rows": result.rows_written}


def read_all(name: str, settings: Settings | None = None) -> pd.DataFrame | None:
    """The whole table (small gold tables only); None when it does not exist."""
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri
    from lakehouse.storage.uri import delta_storage_options

    uri = table_uri(name, settings)
    options = delta_storage_options(settings)
    if not DeltaTable.is_deltatable(uri, options):
        return None
    frame = DeltaTable(uri, storage_options=options).to_pyarrow_table().to_pandas()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_convert("UTC")
    return frame

"""Publish gold into PostgreSQL schema `lakehouse_gold`: the dates that changed, in one transaction.

Read side: delta-rs (no Spark), filtered on the `date_local` partition. Write side: for each table,
DELETE the published dates and COPY their rows, all tables in ONE transaction (readers and dbt see
the whole publish or none of it), under an advisory lock (two publishes never interleave). Re-running
with the same dates gives the same rows. Tables that the warehouse sources but that gold does not
hold yet (forecast accuracy before the first forecast) are created empty with their contract columns,
so that dbt builds on any platform state.

    gold.region_load_hourly  -> lakehouse_gold.region_load_hourly   (per date)
    gold.meter_daily         -> lakehouse_gold.meter_daily          (per date)
    gold.load_features       -> lakehouse_gold.load_features        (per date)
    gold.forecast_accuracy   -> lakehouse_gold.forecast_accuracy    (per date; empty until it exists)
    gold.load_forecast       -> lakehouse_gold.load_forecast        (per date and the day after, see below)
    gold.quality_results     -> lakehouse_gold.quality_results      (per date + undated; empty until exists)
    silver.quarantine        -> lakehouse_gold.quarantine_daily     (counts per date/source/reason/region)
    silver.meters            -> lakehouse_gold.meters               (whole registry, for the dbt snapshot)

Forecast dates: the run of local day D writes gold.load_forecast for D+1 (forecast_next_day) and
publishes D (plus the earlier days silver changed). So gold.load_forecast is published for every
publish date d *and* d+1 (its `date_local` is the forecast's target day): D's run (which starts at
D+1 00:00 local) makes D+1's forecast visible in the marts as D+1 begins, with or without actuals,
and a late correction of an earlier day d republishes d+1's forecast as gold holds it. Each target day
is replaced whole (delete + COPY), so it is idempotent per target date, and a target day without a
forecast in gold (forecast skipped: no champion yet) has no rows in lakehouse_gold either.

`publish_quality(day)` publishes gold.quality_results of D alone (same rows and rule as above):
the report of a day that a quality gate blocked runs without publish_gold and the marts, and still
shows which gate stopped the day and why (marts.fct_quality_checks is a view over them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.forecasting.inference import FORECAST_SCHEMA
from lakehouse.quality.results import COLUMNS_DDL as QUALITY_COLUMNS_DDL
from lakehouse.settings import Settings, get_settings
from lakehouse.warehouse import pg_copy, quarantine
from lakehouse.warehouse.errors import PublishError, WarehouseUnavailableError

SCHEMA = "lakehouse_gold"
# Serialises publishes on one warehouse (pg_advisory_xact_lock key; any constant unique to us).
LOCK_KEY = 0x5347_0001
PER_DATE_TABLES: tuple[str, ...] = ("gold.region_load_hourly", "gold.meter_daily", "gold.load_features")
# Contract columns of gold.forecast_accuracy (the forecasting issue writes it; dbt sources it already).
FORECAST_ACCURACY_SCHEMA = pa.schema(
    [
        ("region", pa.string()),
        ("hour_utc", pa.timestamp("us", tz="UTC")),
        ("date_local", pa.date32()),
        ("forecast_mwh", pa.float64()),
        ("actual_mwh", pa.float64()),
        ("abs_error_mwh", pa.float64()),
        ("ape", pa.float64()),
        ("model_version", pa.string()),
    ]
)


# Spark DDL types of the gold contracts -> the Arrow types delta-rs reads them as.
_ARROW_TYPES = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "double": pa.float64(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
}


def arrow_schema(ddl: str) -> pa.Schema:
    """A gold table's DDL contract ("name type, ...") as Arrow: the empty table the warehouse sources
    before the first write, so it cannot drift from what the writer declares."""
    columns = [column.strip().rsplit(" ", 1) for column in ddl.split(",")]
    return pa.schema([(name.strip("`"), _ARROW_TYPES[kind]) for name, kind in columns])


LOAD_FORECAST_SCHEMA = arrow_schema(FORECAST_SCHEMA)
QUALITY_RESULTS_SCHEMA = arrow_schema(QUALITY_COLUMNS_DDL)


@dataclass(frozen=True)
class TableLoad:
    """What one table's publish does: delete these dates (None = everything), then COPY `data`."""

    target: str
    data: pa.Table
    dates: list[date] | None
    with_null_dates: bool = False  # also replace the rows whose date_local is null


def _days(dates: Iterable[date | str] | date | str) -> list[date]:
    items = [dates] if isinstance(dates, date | str) else list(dates)
    return sorted({d if isinstance(d, date) else date.fromisoformat(str(d)) for d in items})


def _delta(name: str, settings: Settings) -> Any | None:
    """The delta-rs table `name`, or None when it does not exist yet."""
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri
    from lakehouse.storage.uri import delta_storage_options

    uri = table_uri(name, settings)
    options = delta_storage_options(settings)
    if not DeltaTable.is_deltatable(uri, options):
        return None
    return DeltaTable(uri, storage_options=options)


def _read_dates(table: Any, days: list[date], columns: list[str] | None = None) -> pa.Table:
    """Rows of the given local days (partition pruning on date_local)."""
    wanted = [d.isoformat() for d in days]
    return table.to_pyarrow_table(columns=columns, filters=[("date_local", "in", wanted)])


def _dates_or_null(days: list[date]) -> Any:
    import pyarrow.dataset as ds

    return ds.field("date_local").isin(pa.array(days, pa.date32())) | ds.field("date_local").is_null()


def _without_internal(data: pa.Table) -> pa.Table:
    """Drop pipeline bookkeeping columns (_batch_id, _ingested_at, ...): not part of any contract."""
    return data.select([c for c in data.column_names if not c.startswith("_")])


def plan(days: list[date], settings: Settings) -> list[TableLoad]:
    """Read from Delta what this publish writes (pure read; no PostgreSQL involved)."""
    loads: list[TableLoad] = []
    for name in PER_DATE_TABLES:
        table = _delta(name, settings)
        if table is not None:
            loads.append(TableLoad(name.split(".", 1)[1], _read_dates(table, days), days))

    accuracy = _delta("gold.forecast_accuracy", settings)
    data = _read_dates(accuracy, days) if accuracy is not None else FORECAST_ACCURACY_SCHEMA.empty_table()
    loads.append(TableLoad("forecast_accuracy", data, days))

    targets = forecast_dates(days)
    forecast = _delta("gold.load_forecast", settings)
    data = _read_dates(forecast, targets) if forecast is not None else LOAD_FORECAST_SCHEMA.empty_table()
    loads.append(TableLoad("load_forecast", data, targets))

    loads.append(quality_load(days, settings))

    meters_table = _delta("silver.meters", settings)
    meters = meters_table.to_pyarrow_table() if meters_table is not None else None
    if meters is not None:
        loads.append(TableLoad("meters", meters, None))

    rejected = _delta("silver.quarantine", settings)
    if rejected is not None:
        iso = pa.array(days, pa.date32())
        rows = rejected.to_pyarrow_table(columns=list(quarantine.COLUMNS))
        day = pc.coalesce(rows["date_local"], rows["landing_date"])
        rows = rows.filter(pc.is_in(day, value_set=iso))
        regions = set(platform_regions(meters))
        loads.append(TableLoad("quarantine_daily", quarantine.daily_counts(rows, meters, regions), days))
    else:
        loads.append(TableLoad("quarantine_daily", quarantine.SCHEMA.empty_table(), days))
    return loads


def forecast_dates(days: list[date]) -> list[date]:
    """Target days of gold.load_forecast a publish of `days` replaces: each day and the day after."""
    return sorted({d + timedelta(days=offset) for d in days for offset in (0, 1)})


def quality_load(days: list[date], settings: Settings) -> TableLoad:
    """gold.quality_results of `days`, with the undated rows (empty contract table before any gate)."""
    quality = _delta("gold.quality_results", settings)
    if quality is None:
        return TableLoad("quality_results", QUALITY_RESULTS_SCHEMA.empty_table(), days)
    # Validations of whole tables (silver.meters) have no date: republished with every publish.
    data = quality.to_pyarrow_table(filters=_dates_or_null(days))
    return TableLoad("quality_results", data, days, with_null_dates=True)


def platform_regions(meters: pa.Table | None) -> list[str]:
    """Regions of the platform: REGIONS plus any the registry names."""
    from lakehouse.settings import REGIONS

    found = set(meters["region"].to_pylist()) if meters is not None and meters.num_rows else set()
    return sorted(set(REGIONS) | {r for r in found if r})


def _apply(cur: Any, load: TableLoad) -> dict[str, Any]:
    data = _without_internal(load.data) if load.target == "meters" else load.data
    data = data.select([c for c in data.column_names if c != pg_copy.PUBLISHED_AT])
    added = pg_copy.ensure_table(cur, SCHEMA, load.target, data.schema)
    from psycopg import sql

    target = sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(load.target))
    if load.dates is None:
        cur.execute(sql.SQL("delete from {}").format(target))
    else:
        null_dates = sql.SQL(" or date_local is null" if load.with_null_dates else "")
        cur.execute(
            sql.SQL("delete from {} where date_local = any(%s){}").format(target, null_dates), (load.dates,)
        )
    deleted = cur.rowcount
    copied = pg_copy.copy_rows(cur, SCHEMA, load.target, data)
    summary: dict[str, Any] = {"rows": copied, "deleted": deleted}
    if added:
        summary["added_columns"] = added
    return summary


def _connect(url: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise WarehouseUnavailableError(
            f"cannot connect to the warehouse PostgreSQL ({error}); start it with `lakehouse up postgres` "
            "or check WAREHOUSE_URL"
        ) from error


def publish_gold(
    dates: Iterable[date | str] | date | str,
    *,
    url: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Publish these local days of gold (plus the registry and quarantine counts) into lakehouse_gold.

    Idempotent per date: the dates' rows are deleted and copied again in one transaction. Returns
    {"dates": [...], "tables": {table: {"rows", "deleted"}}, "seconds"}. Raises
    WarehouseUnavailableError (retry later) or PublishError (nothing was committed).
    """
    return _publish(dates, plan, url=url, settings=settings)


def publish_quality(
    day: date | str,
    *,
    url: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Publish gold.quality_results of local day `day` alone (what a blocked day's report needs).

    Same rows, lock and errors as publish_gold's quality_results; touches no other table.
    """
    return _publish(day, lambda days, s: [quality_load(days, s)], url=url, settings=settings)


def _publish(
    dates: Iterable[date | str] | date | str,
    planner: Callable[[list[date], Settings], list[TableLoad]],
    *,
    url: str | None,
    settings: Settings | None,
) -> dict[str, Any]:
    import psycopg

    settings = settings or get_settings()
    days = _days(dates)
    started = time.perf_counter()
    if url is None:
        from lakehouse.runtime import database_url

        url = database_url("warehouse", settings=settings)
    loads = planner(days, settings) if days else []
    tables: dict[str, Any] = {}
    with _connect(url) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("select pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                cur.execute(f"create schema if not exists {SCHEMA}")
                for load in loads:
                    tables[load.target] = _apply(cur, load)
        except psycopg.Error as error:
            raise PublishError(
                f"publishing {len(days)} day(s) into {SCHEMA} failed, nothing committed: {error}"
            ) from error
    return {
        "schema": SCHEMA,
        "dates": [d.isoformat() for d in days],
        "tables": tables,
        "seconds": round(time.perf_counter() - started, 3),
    }

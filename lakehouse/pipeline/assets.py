"""Airflow Assets of the lakehouse tables, named in one place so that DAGs can produce and consume them.

A task that writes a table declares `outlets=[table_asset("bronze.meter_readings")]`; another DAG
can then be scheduled with `schedule=[table_asset("silver.meter_readings")]`. The URI names the
table, not its storage location, so it stays the same on local disk and on S3.
"""

from __future__ import annotations

from airflow.sdk import Asset

SCHEME = "lakehouse"


def table_asset(name: str) -> Asset:
    """The Asset of table "<layer>.<name>" (e.g. "bronze.meter_readings")."""
    layer, sep, table = name.partition(".")
    if not sep or layer not in {"bronze", "silver", "gold"} or not table:
        raise ValueError(f"table name {name!r} must look like bronze.x, silver.x or gold.x")
    return Asset(name=name, uri=f"{SCHEME}://{layer}/{table}")


BRONZE_METER_READINGS = table_asset("bronze.meter_readings")


# The daily report (REPORTS_ROOT/date=D/...): a DAG that publishes reports elsewhere schedules on it.
DAILY_REPORT = Asset(name="reports.daily", uri=f"{SCHEME}://reports/daily")

"""The warehouse side of the lakehouse: gold published into PostgreSQL, and the dbt project on top.

    gold.* / silver.meters / silver.quarantine (Delta)  --publish (COPY)-->  lakehouse_gold.*  (PostgreSQL)
    lakehouse_gold.*  --dbt (dbt/)-->  staging.* -> intermediate.* -> marts.*

`publish.publish_gold(dates)` is the bulk, per-date idempotent load; `dbt_runner` runs the dbt project
with a profile built from `lakehouse.runtime.database_url("warehouse")`.
"""

from lakehouse.warehouse.errors import DbtRunError, PublishError, WarehouseError

__all__ = ["DbtRunError", "PublishError", "WarehouseError"]

"""gold.quality_results: one row per expectation per validation run, readable through SQL.

"Which expectations failed yesterday, and on how many rows?" is `FAILED_YESTERDAY_SQL` (Trino SQL, as
analysts type it; the embedded DuckDB engine and Trino both take it). Appended through the write API;
partitioned by `date_local`: the local day D the gate ran for (also for the suites validated whole or
by latest batch: silver.meters, bronze.meter_registry).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TABLE = "gold.quality_results"
COLUMNS_DDL = (
    "run_id string, validated_at timestamp, `table` string, date_local date, expectation string, "
    "policy string, success boolean, unexpected_count bigint, element_count bigint, "
    "unexpected_percent double, sample string, suite_version string, expectation_type string, "
    "action string"
)

# Latest run per table and day, failed expectations of the day before today, with their row counts.
FAILED_YESTERDAY_SQL = """
SELECT r."table", r.expectation, r.policy, r.unexpected_count, r.element_count, r.unexpected_percent,
       r.action, r.sample
FROM lakehouse.gold.quality_results r
JOIN (
    SELECT "table", date_local, max(validated_at) AS validated_at
    FROM lakehouse.gold.quality_results
    GROUP BY "table", date_local
) latest
  ON r."table" = latest."table" AND r.date_local = latest.date_local AND r.validated_at = latest.validated_at
WHERE r.date_local = current_date - INTERVAL '1' DAY
  AND NOT r.success
ORDER BY r."table", r.expectation
""".strip()


@dataclass(frozen=True)
class ResultRow:
    run_id: str
    validated_at: datetime
    table: str
    date_local: date | None
    expectation: str
    policy: str
    success: bool
    unexpected_count: int | None
    element_count: int | None
    unexpected_percent: float | None
    sample: str | None
    suite_version: str
    expectation_type: str
    action: str  # what the gate did: passed, warned, quarantined, blocked, error


def sample_text(values: Any, limit: int = 5) -> str | None:
    """A short JSON rendering of sample values/rows for the results table."""
    if values is None or values == []:
        return None
    if isinstance(values, list):
        values = values[:limit]
    return json.dumps(values, default=str)[:2000]


def write_results(spark: SparkSession, rows: list[ResultRow]) -> int:
    """Append the run's rows to gold.quality_results; returns the number written."""
    if not rows:
        return 0
    from lakehouse.storage import tables

    df = spark.createDataFrame([tuple(asdict(r).values()) for r in rows], schema=COLUMNS_DDL)
    tables.append(df, TABLE, partition_by=["date_local"])
    return len(rows)


def failed_on(spark: SparkSession, day: date) -> list[dict[str, Any]]:
    """The failed expectations of the latest run per table for local day `day` (Spark SQL)."""
    from lakehouse.storage import tables

    if not tables.exists(TABLE):
        return []
    df = tables.read(spark, TABLE)
    df.createOrReplaceTempView("quality_results")
    query = f"""
        SELECT r.`table`, r.expectation, r.policy, r.unexpected_count, r.element_count, r.action
        FROM quality_results r
        JOIN (SELECT `table`, date_local, max(validated_at) AS validated_at FROM quality_results
              GROUP BY `table`, date_local) latest
          ON r.`table` = latest.`table` AND r.date_local = latest.date_local
         AND r.validated_at = latest.validated_at
        WHERE r.date_local = DATE '{day.isoformat()}' AND NOT r.success
        ORDER BY r.`table`, r.expectation
    """
    return [row.asDict() for row in spark.sql(query).collect()]

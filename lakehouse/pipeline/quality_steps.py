"""Quality gate steps of the daily pipeline: validate the new partitions between the layers.

The DAG orders them silver -> validate_silver -> gold -> validate_gold (bronze -> validate_bronze is
advisory: bronze suites only warn). A gate validates every table of its layer for day D and for the
other local days the silver steps changed (`dates`, e.g. a late file of D-2), applies the quarantine
policy, and when a `fail` expectation did not hold: sends an HMAC-signed webhook notification
(event `quality.gate_failed`) and raises QualityGateError, so the task fails and gold (or the marts)
of that day is never built from the blocked batch. Each step returns a small summary dict (XCom).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

BRONZE_TABLES = ("bronze.meter_registry", "bronze.meter_readings", "bronze.weather", "bronze.prices")
SILVER_TABLES = ("silver.meters", "silver.meter_readings", "silver.weather_hourly", "silver.day_ahead_prices")
GOLD_TABLES = ("gold.region_load_hourly", "gold.meter_daily", "gold.load_features")
# Tables validated whole (not per day): once per gate run, not once per date.
WHOLE_TABLES = frozenset({"bronze.meter_registry", "silver.meters"})
EVENT = "quality.gate_failed"


def _days(day: date | str, dates: Iterable[date | str] | None) -> list[date]:
    items = [day, *(dates or [])]
    return sorted({d if isinstance(d, date) else date.fromisoformat(d) for d in items})


def notify_failure(error: Any) -> dict[str, Any]:
    """Send the gate failure as a signed webhook; a delivery problem is logged, never hides the gate."""
    from lakehouse.notify import webhook

    data = {
        "table": error.table,
        "day": error.day,
        "run_id": error.run_id,
        "expectations": [
            {
                "name": f.name,
                "unexpected_count": f.unexpected_count,
                "element_count": f.element_count,
                "sample": f.sample[:5],
            }
            for f in error.failures
        ],
        "message": str(error),
    }
    try:
        return webhook.send(EVENT, data)
    except webhook.WebhookError as problem:
        log.error("Could not deliver the quality gate notification: %s", problem)
        return {"sent": False, "error": str(problem)}


def validate_tables(
    tables: Iterable[str],
    day: date | str,
    dates: Iterable[date | str] | None = None,
    spark: SparkSession | None = None,
) -> dict[str, Any]:
    """Validate `tables` for D and `dates`; raise the first QualityGateError after validating them all."""
    from lakehouse.quality import QualityGateError, validate
    from lakehouse.quality.context import build_data_docs

    days = _days(day, dates)
    runs: list[dict[str, Any]] = []
    blocked: list[QualityGateError] = []
    for table in tables:
        for d in days[-1:] if table in WHOLE_TABLES else days:
            try:
                runs.append(validate(table, d, spark, build_docs=False))
            except QualityGateError as error:
                blocked.append(error)
                runs.append({"table": table, "day": d.isoformat(), "blocked": error.expectations})
    try:
        docs = str(build_data_docs())
    except Exception as error:  # rendering must not decide the gate
        log.warning("Building Data Docs failed: %s", error)
        docs = None
    summary = {
        "days": [d.isoformat() for d in days],
        "validated": len(runs),
        "warned": sorted({f"{r['table']}:{w}" for r in runs for w in r.get("warned", [])}),
        "quarantined_rows": sum(r.get("quarantined_rows", 0) for r in runs),
        "blocked": [f"{e.table}:{e.day}:{','.join(e.expectations)}" for e in blocked],
        "data_docs": docs,
        "runs": runs,
    }
    if blocked:
        for error in blocked:
            notify_failure(error)
        if len(blocked) > 1:
            log.error("Further blocked batches: %s", summary["blocked"][1:])
        raise blocked[0]
    return summary


def validate_bronze(day: date | str, dates: Iterable[date | str] | None = None) -> dict[str, Any]:
    """Bronze suites (landing day D): warnings about what landed; silver quarantines the records."""
    return validate_tables(BRONZE_TABLES, day, dates)


def validate_silver(day: date | str, dates: Iterable[date | str] | None = None) -> dict[str, Any]:
    """Gate before gold: silver partitions of D (and `dates`); quarantine applied; fail -> raise."""
    return validate_tables(SILVER_TABLES, day, dates)


def validate_gold(day: date | str, dates: Iterable[date | str] | None = None) -> dict[str, Any]:
    """Gate before the marts: gold partitions of D (and `dates`); fail -> raise."""
    return validate_tables(GOLD_TABLES, day, dates)

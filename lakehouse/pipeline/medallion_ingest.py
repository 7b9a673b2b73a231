"""Bronze and silver steps of the daily pipeline for local day D (the DAG calls these; so can anyone).

Each step returns a small JSON-serialisable summary dict (Airflow keeps it as the task's XCom). The
silver steps report `affected_dates`: every local date whose silver rows changed, which gold must
rebuild (a late file of D arriving on D+3, or the corrections of D in D+1's folder, put D there).

Order: bronze steps (any order, each exactly once per landing file), then `silver_meters` before
`silver_meter_readings` (readings take their region from silver.meters); weather and prices are
independent. Silver steps apply every bronze file they have not applied yet, whatever its day, so a
step that was skipped or killed is caught up by the next run. Run one day at a time per lakehouse
(Airflow: max_active_runs=1 for these tasks): two silver runs at once would apply the same files twice
(harmless, MERGE is idempotent) and may fail on a concurrent-commit conflict (retry).

Tables written (for Airflow Assets, see `ASSETS`):
- bronze_*: bronze.<feed table> and bronze._ingested_files
- silver_meters: silver.meters, silver.quarantine, bronze._ingested_files
- silver_meter_readings: silver.meter_readings, silver.quarantine, bronze._ingested_files
- silver_weather: silver.weather_hourly, silver.quarantine, bronze._ingested_files
- silver_prices: silver.day_ahead_prices, silver.day_ahead_prices_hourly, silver.quarantine, ...
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from lakehouse.pipeline.daily import spark_job

TRACKER = "bronze._ingested_files"
QUARANTINE = "silver.quarantine"
# step name -> tables it writes (the DAG declares them as outlets / Assets)
ASSETS: dict[str, tuple[str, ...]] = {
    "bronze_meter_registry": ("bronze.meter_registry", TRACKER),
    "bronze_meter_readings": ("bronze.meter_readings", TRACKER),
    "bronze_weather": ("bronze.weather", TRACKER),
    "bronze_prices": ("bronze.prices", TRACKER),
    "silver_meters": ("silver.meters", QUARANTINE, TRACKER),
    "silver_meter_readings": ("silver.meter_readings", QUARANTINE, TRACKER),
    "silver_weather": ("silver.weather_hourly", QUARANTINE, TRACKER),
    "silver_prices": ("silver.day_ahead_prices", "silver.day_ahead_prices_hourly", QUARANTINE, TRACKER),
}
BRONZE_STEPS = ("bronze_meter_registry", "bronze_meter_readings", "bronze_weather", "bronze_prices")
SILVER_STEPS = ("silver_meters", "silver_meter_readings", "silver_weather", "silver_prices")


def _spark() -> Any:
    from lakehouse.spark import session

    return session()


def _timed(step: str, day: date, call: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = call()
    return {
        "step": step,
        "day": day.isoformat(),
        **result,
        "seconds": round(time.perf_counter() - started, 3),
    }


# --- bronze --------------------------------------------------------------------------------------
def bronze_meter_registry(day: date) -> dict[str, Any]:
    """Ingest meters/registry/meters.csv into bronze.meter_registry when its content is new."""
    return _timed("bronze_meter_registry", day, lambda: spark_job("bronze_meter_registry").run(_spark(), day))


def bronze_meter_readings(day: date, lookback_days: int | None = None) -> dict[str, Any]:
    """Ingest the new meter files of D's folder and the LATE_FILE_LOOKBACK_DAYS folders before it."""
    job = spark_job("bronze_meter_readings")
    return _timed("bronze_meter_readings", day, lambda: job.run(_spark(), day, lookback_days=lookback_days))


def bronze_weather(day: date, lookback_days: int | None = None) -> dict[str, Any]:
    """Ingest the new weather files of D's folder and the lookback folders."""
    job = spark_job("bronze_weather")
    return _timed("bronze_weather", day, lambda: job.run(_spark(), day, lookback_days=lookback_days))


def bronze_prices(day: date, lookback_days: int | None = None) -> dict[str, Any]:
    """Ingest the new price files of D's folder and the lookback folders."""
    job = spark_job("bronze_prices")
    return _timed("bronze_prices", day, lambda: job.run(_spark(), day, lookback_days=lookback_days))


def bronze_all(day: date, lookback_days: int | None = None) -> dict[str, Any]:
    """Every bronze step for day D; returns their summaries and the files ingested."""
    steps = {
        "bronze_meter_registry": bronze_meter_registry(day),
        "bronze_meter_readings": bronze_meter_readings(day, lookback_days),
        "bronze_weather": bronze_weather(day, lookback_days),
        "bronze_prices": bronze_prices(day, lookback_days),
    }
    return {
        "day": day.isoformat(),
        "files_ingested": sum(len(s["files_ingested"]) for s in steps.values()),
        "rows": sum(s["rows"] for s in steps.values()),
        "steps": steps,
    }


# --- silver --------------------------------------------------------------------------------------
def silver_meters(day: date) -> dict[str, Any]:
    """Replace silver.meters with a registry snapshot that silver has not applied yet."""
    return _timed("silver_meters", day, lambda: spark_job("silver_meters").run(_spark(), day))


def silver_meter_readings(day: date) -> dict[str, Any]:
    """Apply pending bronze meter files to silver.meter_readings; `affected_dates` for gold."""
    return _timed("silver_meter_readings", day, lambda: spark_job("silver_meter_readings").run(_spark(), day))


def silver_weather(day: date) -> dict[str, Any]:
    """Apply pending bronze weather files to silver.weather_hourly; `affected_dates` for gold."""
    return _timed("silver_weather", day, lambda: spark_job("silver_weather").run(_spark(), day))


def silver_prices(day: date) -> dict[str, Any]:
    """Apply pending bronze price files to silver.day_ahead_prices (+ hourly); `affected_dates` for gold."""
    return _timed("silver_prices", day, lambda: spark_job("silver_prices").run(_spark(), day))


def affected_dates(*summaries: dict[str, Any]) -> list[str]:
    """Union of the `affected_dates` of silver step summaries, sorted (ISO dates)."""
    return sorted({d for s in summaries for d in s.get("affected_dates", [])})


def silver_all(day: date) -> dict[str, Any]:
    """Every silver step (registry first); `affected_dates` = the local dates gold must rebuild."""
    steps = {
        "silver_meters": silver_meters(day),
        "silver_meter_readings": silver_meter_readings(day),
        "silver_weather": silver_weather(day),
        "silver_prices": silver_prices(day),
    }
    return {"day": day.isoformat(), "affected_dates": affected_dates(*steps.values()), "steps": steps}


def ingest_day(day: date, lookback_days: int | None = None) -> dict[str, Any]:
    """bronze_all then silver_all for day D (CLI, tests, the benchmark)."""
    bronze = bronze_all(day, lookback_days)
    silver = silver_all(day)
    return {
        "day": day.isoformat(),
        "affected_dates": silver["affected_dates"],
        "bronze": bronze,
        "silver": silver,
    }

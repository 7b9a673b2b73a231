"""Detect meter anomalies of local day D into gold.meter_anomalies (one row per meter and day).

`detect(day, ...)` is pure (pandas in, pandas out); `detect_anomalies(day)` reads silver through
delta-rs (the day, ANOMALY_HISTORY_DAYS before it, the day's quarantine) and replaces day D of
gold.meter_anomalies through the write API, so re-runs are idempotent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from lakehouse.anomalies.features import meter_day_features
from lakehouse.anomalies.score import score

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakehouse.settings import Settings

TABLE = "gold.meter_anomalies"
SCHEMA = (
    "meter_id string, date_local date, score double, reason string, details string, is_anomaly boolean, "
    "region string, zero_streak_hours double, spike_ratio double, energy_ratio double, drop_hours double, "
    "voltage_dev_pct double, pf_shift double, reverse_flow_intervals long, detected_at timestamp"
)
READ_COLUMNS = [
    "meter_id", "interval_start_utc", "interval_min", "energy_kwh", "voltage_v", "power_factor", "region",
    "date_local",
]  # fmt: skip


def detect(
    day: date,
    day_readings: pd.DataFrame,
    history: pd.DataFrame,
    quarantine: pd.DataFrame | None,
    *,
    threshold: float,
    tz: str,
) -> pd.DataFrame:
    """gold.meter_anomalies rows of day `day` (pure)."""
    features = meter_day_features(day_readings, history, quarantine, tz=tz)
    scored = score(features, threshold)
    regions = day_readings.drop_duplicates("meter_id").set_index("meter_id")["region"]
    scored["region"] = scored["meter_id"].map(regions)
    scored["date_local"] = day
    scored["detected_at"] = pd.Timestamp(datetime.now(UTC))
    return scored


def detect_anomalies(
    day: date, *, settings: Settings | None = None, spark: SparkSession | None = None
) -> dict[str, Any]:
    """Score every meter of local day `day`; returns counts by reason."""
    from lakehouse.forecasting.io import days_between, read_days, summary, write_days
    from lakehouse.settings import get_settings

    settings = settings or get_settings()
    readings = read_days("silver.meter_readings", [day], READ_COLUMNS, settings)
    if readings is None or readings.empty:
        return {
            "table": TABLE,
            "date_local": day.isoformat(),
            "rows": 0,
            "skipped": "no readings for the day",
        }
    first = day - timedelta(days=settings.anomaly_history_days)
    history = read_days(
        "silver.meter_readings", days_between(first, day - timedelta(days=1)), READ_COLUMNS, settings
    )
    quarantine = read_days(
        "silver.quarantine", [day], ["source", "reason", "raw_record", "date_local"], settings
    )
    rows = detect(
        day,
        readings,
        history if history is not None else readings.iloc[0:0],
        quarantine,
        threshold=settings.anomaly_score_threshold,
        tz=settings.local_timezone,
    )
    result = write_days(rows, TABLE, [day], SCHEMA, spark=spark)
    flagged = rows[rows["is_anomaly"]]
    return {
        **summary(result),
        "date_local": day.isoformat(),
        "meters": len(rows),
        "anomalies": len(flagged),
        "by_reason": {str(k): int(v) for k, v in flagged["reason"].value_counts().items()},
        "history_days": int(history["date_local"].nunique()) if history is not None and len(history) else 0,
    }

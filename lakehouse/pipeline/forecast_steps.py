"""Forecasting and anomaly steps of the DAGs: plain functions of the local day D, small summaries.

smartgrid_daily (after gold for D): forecast_next_day(D) -> gold.load_forecast of D+1,
score_forecasts(D) -> gold.forecast_accuracy of D, detect_anomalies(D) -> gold.meter_anomalies of D.
smartgrid_training (weekly and on gold.load_features updates): train_forecaster().
Typed errors: lakehouse.forecasting.errors (InsufficientDataError, NoChampionError,
ForecastInputError: retrying later helps once more days exist; fail the task with the message).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def _day(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def forecast_next_day(day: date | str) -> dict[str, Any]:
    """Forecast local day D+1 (23/24/25 hours, every region) with the champion."""
    from lakehouse.forecasting.inference import forecast_day

    return forecast_day(_day(day) + timedelta(days=1))


def score_forecasts(day: date | str) -> dict[str, Any]:
    """Score the forecasts of local day D against its actuals (skipped when either is missing)."""
    from lakehouse.forecasting.inference import score_forecasts as score

    return score(_day(day))


def detect_anomalies(day: date | str) -> dict[str, Any]:
    """Score every meter of local day D into gold.meter_anomalies."""
    from lakehouse.anomalies.detect import detect_anomalies as detect

    return detect(_day(day))


def train_forecaster() -> dict[str, Any]:
    """Train a challenger on gold.load_features; promote it only if it wins (see decision)."""
    from lakehouse.forecasting.steps import train_from_gold

    return train_from_gold()

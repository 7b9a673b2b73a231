"""Batch inference with the champion, and scoring of past forecasts against actuals.

`forecast_day(day)` forecasts every region and hour of local day `day` (24 h; 23/25 on DST days)
from the history before it, with the model version that holds the alias `champion`, and replaces
that day in gold.load_forecast. `score_forecasts(day)` joins the day's forecasts with the actual
load from gold.region_load_hourly into gold.forecast_accuracy. Both are idempotent per day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from lakehouse.forecasting import CHAMPION_ALIAS, MODEL_NAME
from lakehouse.forecasting.errors import ForecastInputError, InsufficientDataError, NoChampionError
from lakehouse.forecasting.features import future_day_inputs, model_input
from lakehouse.forecasting.io import days_between, read_days, summary, write_days

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakehouse.settings import Settings

FORECAST_TABLE = "gold.load_forecast"
ACCURACY_TABLE = "gold.forecast_accuracy"
FORECAST_SCHEMA = (
    "region string, hour_utc timestamp, forecast_mwh double, p10_mwh double, p90_mwh double, "
    "model_version string, created_at timestamp, date_local date, weather_source string, "
    "price_source string"
)
ACCURACY_SCHEMA = (
    "region string, hour_utc timestamp, date_local date, forecast_mwh double, actual_mwh double, "
    "abs_error_mwh double, ape double, p10_mwh double, p90_mwh double, model_version string, "
    "scored_at timestamp"
)
# history the features of a day need: 8 days of lags (+DST) and up to 14 days for the similar day
HISTORY_DAYS = 16


def champion_uri() -> str:
    return f"models:/{MODEL_NAME}@{CHAMPION_ALIAS}"


def load_champion(tracking_uri: str | None = None) -> tuple[Any, str]:
    """(pyfunc model, version) of the champion, or NoChampionError."""
    import mlflow
    from mlflow import MlflowClient

    from lakehouse.forecasting.training import champion_version, configure_mlflow

    configure_mlflow(tracking_uri)
    version = champion_version(MlflowClient())
    if version is None:
        raise NoChampionError(
            f"no version of {MODEL_NAME} has the alias {CHAMPION_ALIAS!r}: "
            "train one first (`lakehouse train`)."
        )
    return mlflow.pyfunc.load_model(champion_uri()), str(version.version)


def day_features(day: date, settings: Settings) -> pd.DataFrame:
    """Feature rows of every region and hour of `day`, from the lakehouse tables before it."""
    history = read_days(
        "gold.region_load_hourly", days_between(day - timedelta(days=HISTORY_DAYS), day - timedelta(days=1)),
        settings=settings,
    )  # fmt: skip
    if history is None:
        raise ForecastInputError("gold.region_load_hourly does not exist yet: run the daily pipeline first.")
    if history.empty:
        raise InsufficientDataError(
            f"gold.region_load_hourly has no day in the {HISTORY_DAYS} days before {day}: run the "
            "daily pipeline for them first."
        )
    around = days_between(day - timedelta(days=3), day)
    weather = read_days("silver.weather_hourly", around, settings=settings)
    prices = read_days("silver.day_ahead_prices_hourly", around, settings=settings)
    regions = sorted(history["region"].unique())
    return future_day_inputs(history, weather, prices, day, regions, tz=settings.local_timezone)


def predict_day(features: pd.DataFrame, model: Any, version: str, created_at: datetime) -> pd.DataFrame:
    """gold.load_forecast rows from feature rows and a pyfunc model (pure but for the model)."""
    predicted = model.predict(model_input(features))
    out = features[["region", "hour_utc", "date_local", "weather_source", "price_source"]].reset_index(
        drop=True
    )
    out[["forecast_mwh", "p10_mwh", "p90_mwh"]] = predicted[["forecast_mwh", "p10_mwh", "p90_mwh"]].to_numpy()
    out["model_version"] = version
    out["created_at"] = pd.Timestamp(created_at)
    return out


def forecast_day(
    day: date,
    *,
    settings: Settings | None = None,
    spark: SparkSession | None = None,
    tracking_uri: str | None = None,
) -> dict[str, Any]:
    """Forecast local day `day` for every region with the champion into gold.load_forecast."""
    from lakehouse.settings import get_settings
    from lakehouse.storage.tables import table_uri

    settings = settings or get_settings()
    features = day_features(day, settings)
    missing = features["lag_24h_mwh"].isna().sum()
    if missing == len(features):
        raise InsufficientDataError(
            f"no load on {day - timedelta(days=1)} in gold.region_load_hourly: the day-ahead forecast "
            f"of {day} needs it (run the daily pipeline for that day first)."
        )
    model, version = load_champion(tracking_uri)
    rows = predict_day(features, model, version, datetime.now(UTC))
    result = write_days(rows, FORECAST_TABLE, [day], FORECAST_SCHEMA, spark=spark)
    return {
        **summary(result),
        "location": table_uri(FORECAST_TABLE, settings),
        "date_local": day.isoformat(),
        "hours": int(rows["hour_utc"].nunique()),
        "regions": int(rows["region"].nunique()),
        "model_version": version,
        "weather_source": str(rows["weather_source"].iloc[0]),
        "price_source": str(rows["price_source"].iloc[0]),
        "rows_without_lag_24h": int(missing),
    }


def accuracy_rows(forecasts: pd.DataFrame, actuals: pd.DataFrame, scored_at: datetime) -> pd.DataFrame:
    """gold.forecast_accuracy rows: forecasts joined with actual load per region and hour (pure)."""
    actual = actuals[["region", "hour_utc", "energy_mwh"]].rename(columns={"energy_mwh": "actual_mwh"})
    rows = forecasts.merge(actual, on=["region", "hour_utc"], how="inner")
    rows["abs_error_mwh"] = (rows["forecast_mwh"] - rows["actual_mwh"]).abs()
    rows["ape"] = rows["abs_error_mwh"] / rows["actual_mwh"].where(rows["actual_mwh"] > 0)
    rows["scored_at"] = pd.Timestamp(scored_at)
    return rows


def score_forecasts(
    day: date, *, settings: Settings | None = None, spark: SparkSession | None = None
) -> dict[str, Any]:
    """Score the forecasts of local day `day` against its actuals into gold.forecast_accuracy."""
    from lakehouse.settings import get_settings
    from lakehouse.storage.tables import table_uri

    settings = settings or get_settings()
    forecasts = read_days(FORECAST_TABLE, [day], settings=settings)
    if forecasts is None or forecasts.empty:
        return {"table": ACCURACY_TABLE, "date_local": day.isoformat(), "rows": 0, "skipped": "no forecast"}
    actuals = read_days("gold.region_load_hourly", [day], settings=settings)
    if actuals is None or actuals.empty:
        return {
            "table": ACCURACY_TABLE,
            "date_local": day.isoformat(),
            "rows": 0,
            "skipped": "no actuals yet",
        }
    rows = accuracy_rows(forecasts, actuals, datetime.now(UTC))
    result = write_days(rows, ACCURACY_TABLE, [day], ACCURACY_SCHEMA, spark=spark)
    return {
        **summary(result),
        "location": table_uri(ACCURACY_TABLE, settings),
        "date_local": day.isoformat(),
        "mape_pct": round(float(rows["ape"].mean() * 100), 3) if len(rows) else None,
        "model_versions": sorted(rows["model_version"].unique().tolist()),
    }

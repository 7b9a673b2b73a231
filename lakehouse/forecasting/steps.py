"""Training entry point on the lakehouse: read gold.load_features, train, decide (used by DAG and CLI)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lakehouse.forecasting.errors import ChallengerWorseError, ForecastInputError
from lakehouse.forecasting.features import add_similar_day
from lakehouse.forecasting.io import read_all
from lakehouse.forecasting.models import ModelConfig
from lakehouse.forecasting.training import train


def train_from_gold(
    *, settings: Any = None, config: ModelConfig | None = None, tracking_uri: str | None = None
) -> dict[str, Any]:
    """Train a challenger on gold.load_features (last FORECAST_TRAIN_DAYS days) and decide.

    A challenger that loses is not an error of the job: the summary says `promoted: False` with the
    numbers (the ChallengerWorseError is logged in MLflow). Too little data raises
    InsufficientDataError; a missing table raises ForecastInputError.
    """
    from lakehouse.settings import get_settings

    settings = settings or get_settings()
    features = read_all("gold.load_features", settings)
    if features is None:
        raise ForecastInputError("gold.load_features does not exist yet: run the daily pipeline first.")
    if len(features):
        last = features["date_local"].max()
        features = features[features["date_local"] > last - timedelta(days=settings.forecast_train_days)]
    features = add_similar_day(features.sort_values(["region", "hour_utc"]).reset_index(drop=True))
    try:
        result = train(
            features,
            config=config,
            weeks=settings.forecast_backtest_weeks,
            retrain_every_days=settings.forecast_retrain_every_days,
            margin=settings.forecast_promotion_margin,
            tracking_uri=tracking_uri,
        )
    except ChallengerWorseError as error:
        return {"promoted": False, "decision": error.decision}
    return result.summary()

"""Fixtures of the forecasting tests: 8 weeks of simulated gold features and a temporary MLflow.

How the data is made: the simulator's own load model (lakehouse.sources.simulator readings,
weather and prices functions) for 3,000 meters over 8 weeks from 2026-01-05, aggregated in pandas
into gold.region_load_hourly's contract (lakehouse.forecasting.synthetic), then turned into
gold.load_features rows by lakehouse.forecasting.features.build_features (the pandas twin of the
gold Spark job). Building 8 weeks through landing and the Spark medallion would take minutes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from forecast_kit import TEST_CONFIG  # noqa: F401

from lakehouse.forecasting import synthetic
from lakehouse.forecasting.features import build_features

FIRST_DAY = date(2026, 1, 5)
DAYS = 56
METERS = 3000
TZ = "Europe/Belgrade"
# small and fast for tests; the default config has more trees


@pytest.fixture(scope="session")
def hourly() -> pd.DataFrame:
    return synthetic.region_load_hourly(FIRST_DAY, DAYS, meters=METERS)


@pytest.fixture(scope="session")
def weather() -> pd.DataFrame:
    return synthetic.weather_hourly(FIRST_DAY, DAYS)


@pytest.fixture(scope="session")
def features(hourly: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    return build_features(hourly, weather, tz=TZ)


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh MLflow tracking + registry database (SQLite) for the session; no server."""
    folder = tmp_path_factory.mktemp("mlflow")
    return f"sqlite:///{folder}/mlflow.db"

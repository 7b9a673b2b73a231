"""How many days of gold a first training needs: what the README and the error messages promise."""

from __future__ import annotations

import pandas as pd
import pytest
from forecast_kit import TEST_CONFIG

from lakehouse.forecasting.backtest import backtest
from lakehouse.forecasting.errors import InsufficientDataError
from lakehouse.forecasting.features import build_features
from lakehouse.forecasting.training import min_gold_days


@pytest.mark.parametrize("weeks", [1, 2])
def test_a_first_training_needs_min_gold_days_and_says_so_one_day_short(
    hourly: pd.DataFrame, weather: pd.DataFrame, weeks: int
) -> None:
    needed = min_gold_days(weeks)
    assert needed == {1: 28, 2: 35}[weeks]
    days = sorted(hourly["date_local"].unique())

    def gold(n: int) -> pd.DataFrame:
        """gold.load_features as the pipeline builds it from the first n days of gold."""
        return build_features(hourly[hourly["date_local"].isin(days[:n])], weather, tz="Europe/Belgrade")

    result = backtest(gold(needed), TEST_CONFIG, weeks=weeks, retrain_every_days=7)
    assert result.first_day == days[needed - 7 * weeks]
    with pytest.raises(InsufficientDataError, match="28 for 1 week, 35 for 2"):
        backtest(gold(needed - 1), TEST_CONFIG, weeks=weeks, retrain_every_days=7)

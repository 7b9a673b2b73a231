"""The MLflow pyfunc wrapper of LoadForecaster: what `models:/region_load_forecaster@champion` loads.

Input: feature rows with the columns INPUT_COLUMNS (gold.load_features plus lag_similar_day_mwh),
as `model_input(features)` shapes them; output: forecast_mwh, p10_mwh, p90_mwh per row. The three
LightGBM models travel as text files in the artifact `forecaster`, so a fresh process (or the
MLflow model server) needs only lightgbm, pandas and this package.
"""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd

# The pyfunc input contract lives with the features, so that code which only shapes inputs or
# scores forecasts (the daily scoring task) does not import MLflow.
from lakehouse.forecasting.features import INPUT_COLUMNS, model_input

__all__ = ["INPUT_COLUMNS", "ForecasterModel", "model_input"]


class ForecasterModel(mlflow.pyfunc.PythonModel):
    """pyfunc flavour of LoadForecaster (artifact `forecaster` = LoadForecaster.save folder)."""

    def load_context(self, context: Any) -> None:
        from lakehouse.forecasting.models import LoadForecaster

        self.forecaster = LoadForecaster.load(context.artifacts["forecaster"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        return self.forecaster.predict(model_input).reset_index(drop=True)

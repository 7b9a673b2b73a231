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

INPUT_COLUMNS: dict[str, str] = {
    "region": "str",
    "date_local": "datetime64[ns]",
    "hour_local": "int64",
    "is_dst_day": "bool",
    "lag_24h_mwh": "float64",
    "lag_168h_mwh": "float64",
    "rolling_mean_24h_mwh": "float64",
    "rolling_std_24h_mwh": "float64",
    "rolling_min_24h_mwh": "float64",
    "rolling_max_24h_mwh": "float64",
    "rolling_mean_168h_mwh": "float64",
    "lag_similar_day_mwh": "float64",
    "temperature_c": "float64",
    "heating_degree_hours": "float64",
    "shortwave_radiation_wm2": "float64",
    "price_eur_mwh": "float64",
}


def model_input(features: pd.DataFrame) -> pd.DataFrame:
    """The pyfunc input columns of feature rows, with the signature's types."""
    out = pd.DataFrame(index=features.index)
    for col, dtype in INPUT_COLUMNS.items():
        values = features[col]
        if dtype == "datetime64[ns]":
            out[col] = pd.to_datetime(values).astype("datetime64[ns]")
        elif dtype == "str":
            out[col] = values.astype(str)
        else:
            out[col] = values.astype(dtype)
    return out.reset_index(drop=True)


class ForecasterModel(mlflow.pyfunc.PythonModel):
    """pyfunc flavour of LoadForecaster (artifact `forecaster` = LoadForecaster.save folder)."""

    def load_context(self, context: Any) -> None:
        from lakehouse.forecasting.models import LoadForecaster

        self.forecaster = LoadForecaster.load(context.artifacts["forecaster"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        return self.forecaster.predict(model_input).reset_index(drop=True)

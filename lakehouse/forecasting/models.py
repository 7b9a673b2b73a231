"""The day-ahead load model: one global LightGBM across regions, plus P10/P90 quantile models.

The target is the hour's load relative to the region's level (mean of its last 168 known hours),
so that one model learns the shapes shared by all regions and `region` (a categorical) only the
differences. Baselines need no fitting: seasonal naive (same hour last week) and previous day.
`LoadForecaster` saves to and loads from a folder (LightGBM text models + a JSON config), which
is what the MLflow pyfunc wrapper (lakehouse.forecasting.pyfunc) packs as artifacts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lakehouse.forecasting.errors import InsufficientDataError
from lakehouse.forecasting.features import FEATURES, LEVEL, TARGET, model_matrix, trainable
from lakehouse.settings import REGIONS

MIN_TRAIN_DAYS = 7


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of the three boosters (point, P10, P90); small and fast by default."""

    n_estimators: int = 200
    learning_rate: float = 0.06
    num_leaves: int = 15
    min_child_samples: int = 10
    feature_fraction: float = 0.9
    lambda_l2: float = 1.0
    quantiles: tuple[float, float] = (0.1, 0.9)
    seed: int = 7
    regions: tuple[str, ...] = field(default=REGIONS)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("quantiles", "regions"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)

    def with_(self, **changes: Any) -> ModelConfig:
        return replace(self, **changes)

    def lgb_params(self, objective: str, alpha: float | None = None) -> dict[str, Any]:
        params = {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,
            "verbose": -1,
        }
        if alpha is not None:
            params["alpha"] = alpha
        return params


class LoadForecaster:
    """Three fitted boosters and their config; predicts forecast_mwh, p10_mwh, p90_mwh."""

    def __init__(self, config: ModelConfig, boosters: dict[str, Any]) -> None:
        self.config = config
        self.boosters = boosters

    @classmethod
    def fit(cls, features: pd.DataFrame, config: ModelConfig | None = None) -> LoadForecaster:
        """Train on gold.load_features rows (rows without target, lags or level are skipped)."""
        import lightgbm as lgb

        config = config or ModelConfig()
        rows = trainable(features)
        days = rows["date_local"].nunique()
        if days < MIN_TRAIN_DAYS:
            raise InsufficientDataError(
                f"only {days} days with trainable hours (load with 24 h and 168 h lags): need at least "
                f"{MIN_TRAIN_DAYS}; build more days of gold (a day's 168 h lag needs the 7 days before it)."
            )
        x = model_matrix(rows, config.regions)
        y = rows[TARGET].to_numpy(float) / rows[LEVEL].to_numpy(float)
        low, high = config.quantiles
        specs = {"point": ("regression", None), "p10": ("quantile", low), "p90": ("quantile", high)}
        boosters = {}
        for name, (objective, alpha) in specs.items():
            data = lgb.Dataset(x, label=y, categorical_feature=["region"], free_raw_data=False)
            boosters[name] = lgb.train(
                config.lgb_params(objective, alpha), data, num_boost_round=config.n_estimators
            )
        return cls(config, boosters)

    def predict(self, features: pd.DataFrame) -> pd.DataFrame:
        """forecast_mwh, p10_mwh, p90_mwh for feature rows (index kept); quantiles never cross."""
        x = model_matrix(features, self.config.regions)
        level = features[LEVEL].to_numpy(float)
        raw = np.column_stack([self.boosters[n].predict(x) * level for n in ("p10", "point", "p90")])
        raw = np.sort(raw, axis=1)
        return pd.DataFrame(raw, columns=["p10_mwh", "forecast_mwh", "p90_mwh"], index=features.index)[
            ["forecast_mwh", "p10_mwh", "p90_mwh"]
        ]

    def feature_importance(self) -> pd.DataFrame:
        booster = self.boosters["point"]
        return (
            pd.DataFrame(
                {
                    "feature": booster.feature_name(),
                    "gain": booster.feature_importance("gain"),
                    "splits": booster.feature_importance("split"),
                }
            )
            .sort_values("gain", ascending=False)
            .reset_index(drop=True)
        )

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, booster in self.boosters.items():
            booster.save_model(str(folder / f"{name}.txt"))
        (folder / "config.json").write_text(json.dumps(self.config.to_dict(), indent=2))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> LoadForecaster:
        import lightgbm as lgb

        folder = Path(folder)
        config = ModelConfig.from_dict(json.loads((folder / "config.json").read_text()))
        boosters = {n: lgb.Booster(model_file=str(folder / f"{n}.txt")) for n in ("point", "p10", "p90")}
        return cls(config, boosters)


def seasonal_naive(features: pd.DataFrame) -> pd.Series:
    """Same hour last week (the 168 h lag)."""
    return features["lag_168h_mwh"].astype(float)


def previous_day(features: pd.DataFrame) -> pd.Series:
    """Same hour yesterday (the 24 h lag)."""
    return features["lag_24h_mwh"].astype(float)


BASELINES = {"seasonal_naive": seasonal_naive, "previous_day": previous_day}
__all__ = ["BASELINES", "FEATURES", "LoadForecaster", "ModelConfig", "previous_day", "seasonal_naive"]

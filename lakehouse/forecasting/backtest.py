"""Rolling-origin backtest of the day-ahead forecast, against the two baselines, per region.

For each target local day T of the window (the last `weeks` weeks that have actuals), the origin
is the end of day T-1: the model is trained on the rows before T (refit every
`retrain_every_days` days; 1 = a fresh model for every origin) and forecasts T's 23/24/25 hours
from features that only look 24 h and more back. Weather and price are the observed ones (a
perfect-weather-forecast backtest; the production forecast uses the best source it has, see
features.future_day_inputs). Both baselines and every candidate see exactly the same hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lakehouse.forecasting import metrics
from lakehouse.forecasting.errors import InsufficientDataError
from lakehouse.forecasting.features import TARGET, trainable
from lakehouse.forecasting.models import BASELINES, LoadForecaster, ModelConfig

MIN_TRAIN_DAYS = 14
MODEL = "model"


@dataclass(frozen=True)
class BacktestResult:
    """Per-hour predictions of the model and baselines, and their metrics per region."""

    predictions: pd.DataFrame  # region, hour_utc, date_local, actual_mwh, model, p10, p90, baselines
    metrics: pd.DataFrame  # candidate, region (or ALL), mape, rmse, pinball_p10, pinball_p90, hours
    first_day: date
    last_day: date

    def mape(self, candidate: str = MODEL, region: str = "ALL") -> float:
        row = self.metrics[(self.metrics["candidate"] == candidate) & (self.metrics["region"] == region)]
        return float(row["mape"].iloc[0])

    def mape_by_region(self, candidate: str = MODEL) -> dict[str, float]:
        rows = self.metrics[(self.metrics["candidate"] == candidate) & (self.metrics["region"] != "ALL")]
        return dict(zip(rows["region"], rows["mape"].astype(float), strict=True))

    def table(self) -> str:
        """MAPE per region: model vs baselines, with the model's gain over seasonal naive."""
        wide = self.metrics.pivot(index="region", columns="candidate", values="mape")
        wide["gain_vs_naive_pct"] = (1 - wide[MODEL] / wide["seasonal_naive"]) * 100
        cols = [MODEL, "seasonal_naive", "previous_day", "gain_vs_naive_pct"]
        return f"MAPE % {self.first_day}..{self.last_day}\n" + wide[cols].round(2).to_string()


def window_days(features: pd.DataFrame, weeks: int) -> list[date]:
    """The last `weeks`*7 local days with actuals for every region, oldest first."""
    known = features[features[TARGET].notna()]
    regions = known["region"].nunique()
    per_day = known.groupby("date_local")["region"].nunique()
    complete = sorted(d for d, n in per_day.items() if n == regions)
    if not complete:
        raise InsufficientDataError("gold.load_features holds no complete day with actual load.")
    days = complete[-weeks * 7 :]
    return days


def _scores(frame: pd.DataFrame, candidate: str, region: str) -> dict[str, object]:
    actual = frame["actual_mwh"].to_numpy(float)
    row: dict[str, object] = {
        "candidate": candidate,
        "region": region,
        "mape": metrics.mape(actual, frame[candidate]),
        "rmse": metrics.rmse(actual, frame[candidate]),
        "hours": int(frame["actual_mwh"].notna().sum()),
    }
    if candidate == MODEL:
        row["pinball_p10"] = metrics.pinball(actual, frame["p10_mwh"], 0.1)
        row["pinball_p90"] = metrics.pinball(actual, frame["p90_mwh"], 0.9)
        inside = (actual >= frame["p10_mwh"]) & (actual <= frame["p90_mwh"])
        row["coverage_p10_p90"] = float(np.mean(inside))
    return row


def score(predictions: pd.DataFrame) -> pd.DataFrame:
    """Metrics of every candidate per region and over all regions (ALL = mean of the regions)."""
    rows = []
    for candidate in (MODEL, *BASELINES):
        per_region = [
            _scores(group, candidate, str(region)) for region, group in predictions.groupby("region")
        ]
        rows.extend(per_region)
        overall = pd.DataFrame(per_region).drop(columns=["candidate", "region"]).mean(numeric_only=True)
        rows.append({"candidate": candidate, "region": "ALL", **overall.to_dict()})
    out = pd.DataFrame(rows)
    out["hours"] = out["hours"].round().astype(int)
    return out


def backtest(
    features: pd.DataFrame,
    config: ModelConfig | None = None,
    *,
    weeks: int = 2,
    retrain_every_days: int = 1,
    days: list[date] | None = None,
) -> BacktestResult:
    """Rolling-origin day-ahead backtest over `days` (default: the last `weeks` weeks)."""
    config = config or ModelConfig()
    days = sorted(days or window_days(features, weeks))
    usable = trainable(features)
    first_train = usable["date_local"].min() if len(usable) else None
    if first_train is None or (days[0] - first_train).days < MIN_TRAIN_DAYS:
        raise InsufficientDataError(
            f"the backtest window starts {days[0]} but trainable history starts {first_train}: need "
            f"{MIN_TRAIN_DAYS} days of trainable history before it (a first training needs "
            f"7 + {MIN_TRAIN_DAYS} + 7 x FORECAST_BACKTEST_WEEKS days of gold: 28 for 1 week, 35 for "
            "2); build more gold days or backtest fewer weeks (FORECAST_BACKTEST_WEEKS)."
        )
    parts = []
    model: LoadForecaster | None = None
    for i, day in enumerate(days):
        if model is None or i % max(retrain_every_days, 1) == 0:
            model = LoadForecaster.fit(features[features["date_local"] < day], config)
        target = features[(features["date_local"] == day) & features[TARGET].notna()]
        if target.empty:
            continue
        predicted = model.predict(target)
        part = target[["region", "hour_utc", "date_local"]].copy()
        part["origin"] = day - timedelta(days=1)
        part["actual_mwh"] = target[TARGET].astype(float)
        part[MODEL] = predicted["forecast_mwh"]
        part["p10_mwh"] = predicted["p10_mwh"]
        part["p90_mwh"] = predicted["p90_mwh"]
        for name, baseline in BASELINES.items():
            part[name] = baseline(target)
        parts.append(part)
    predictions = pd.concat(parts, ignore_index=True)
    return BacktestResult(predictions, score(predictions), days[0], days[-1])


def plot(result: BacktestResult, path: str) -> str:
    """A PNG per backtest: actual vs model (P10-P90 band) vs seasonal naive, one panel per region."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    regions = sorted(result.predictions["region"].unique())
    fig, axes = plt.subplots(len(regions), 1, figsize=(12, 2.4 * len(regions)), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, region in zip(axes, regions, strict=True):
        p = result.predictions[result.predictions["region"] == region].sort_values("hour_utc")
        ax.fill_between(p["hour_utc"], p["p10_mwh"], p["p90_mwh"], alpha=0.25, label="P10-P90")
        ax.plot(p["hour_utc"], p["actual_mwh"], color="black", lw=1, label="actual")
        ax.plot(p["hour_utc"], p[MODEL], lw=1, label="LightGBM")
        ax.plot(p["hour_utc"], p["seasonal_naive"], lw=0.8, ls="--", label="seasonal naive")
        ax.set_ylabel(f"{region}\nMWh")
    axes[0].legend(loc="upper right", ncol=4, fontsize=8)
    axes[0].set_title(f"Day-ahead backtest {result.first_day}..{result.last_day}")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path

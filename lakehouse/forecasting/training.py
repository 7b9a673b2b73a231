"""Train a challenger, compare it with the champion and the seasonal naive, register, maybe promote.

`train(features)` is the whole weekly job on an in-memory gold.load_features frame:

1. rolling-origin backtest of the challenger's config over the last N weeks;
2. the same backtest (same days, same hours) of the current champion's config, if there is one;
3. a final fit on all history, logged to MLflow with parameters, per-region metrics of the model
   and both baselines, the backtest plot (PNG), feature importance, the backtest predictions,
   and the pyfunc model with signature and input example, registered as `region_load_forecaster`;
4. the promotion decision (`decide`, pure): the challenger gets the alias `champion` only when
   its MAPE is at least FORECAST_PROMOTION_MARGIN lower than both the champion's and the seasonal
   naive's; else ChallengerWorseError, after the decision and its numbers were logged.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lakehouse.forecasting import CHAMPION_ALIAS, MODEL_NAME
from lakehouse.forecasting.backtest import MIN_TRAIN_DAYS as BACKTEST_HISTORY_DAYS
from lakehouse.forecasting.backtest import MODEL, BacktestResult, backtest, plot
from lakehouse.forecasting.errors import ChallengerWorseError, InsufficientDataError
from lakehouse.forecasting.features import trainable
from lakehouse.forecasting.models import LoadForecaster, ModelConfig
from lakehouse.forecasting.pyfunc import ForecasterModel, model_input

EXPERIMENT = MODEL_NAME


def min_gold_days(weeks: int) -> int:
    """Days of gold a first training needs: 7 for the 168 h lags, the backtest's 14 days of
    trainable history before its window, and the window of `weeks` weeks."""
    return 7 + BACKTEST_HISTORY_DAYS + 7 * weeks


@dataclass
class TrainingResult:
    """What a training run did: its MLflow run and model version, the backtests and the decision."""

    run_id: str
    model_version: str
    challenger: BacktestResult
    champion: BacktestResult | None
    decision: dict[str, Any]
    promoted: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model_version": self.model_version,
            "promoted": self.promoted,
            "decision": self.decision,
            "window": [self.challenger.first_day.isoformat(), self.challenger.last_day.isoformat()],
            "mape_by_region": {k: round(v, 3) for k, v in self.challenger.mape_by_region().items()},
            "seasonal_naive_mape_by_region": {
                k: round(v, 3) for k, v in self.challenger.mape_by_region("seasonal_naive").items()
            },
        }


def decide(
    challenger_mape: float, champion_mape: float | None, naive_mape: float, margin: float
) -> dict[str, Any]:
    """Promote only when the challenger beats the champion and the seasonal naive by `margin`.

    Returns the decision (with its numbers) when promoted; raises ChallengerWorseError otherwise.
    """
    decision: dict[str, Any] = {
        "challenger_mape": challenger_mape,
        "champion_mape": champion_mape,
        "seasonal_naive_mape": naive_mape,
        "margin": margin,
    }
    bars = {"seasonal naive": naive_mape}
    if champion_mape is not None:
        bars["champion"] = champion_mape
    failed = {name: bar for name, bar in bars.items() if not challenger_mape <= bar * (1.0 - margin)}
    if failed:
        decision["decision"] = "rejected"
        reasons = ", ".join(f"{name} MAPE {bar:.3f} %" for name, bar in failed.items())
        decision["reason"] = (
            f"challenger MAPE {challenger_mape:.3f} % is not {margin:.1%} better than the {reasons}"
        )
        raise ChallengerWorseError(decision["reason"], decision=decision)
    decision["decision"] = "promoted"
    decision["reason"] = "first champion" if champion_mape is None else "beats champion and seasonal naive"
    return decision


def configure_mlflow(tracking_uri: str | None = None) -> str:
    """Point MLflow (tracking and registry) at `tracking_uri`, default lakehouse.runtime's."""
    import mlflow

    if tracking_uri is None:
        from lakehouse.runtime import mlflow_tracking_uri

        tracking_uri = mlflow_tracking_uri()
    _check_reachable(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    return tracking_uri


def _check_reachable(tracking_uri: str) -> None:
    """Fail in seconds, not minutes: MLflow's client retries a refused connection for ~4 minutes."""
    if not tracking_uri.startswith(("http://", "https://")):
        return
    import httpx

    from lakehouse.forecasting.errors import TrackingServerUnavailableError

    try:
        httpx.get(f"{tracking_uri.rstrip('/')}/health", timeout=10.0)
    except httpx.HTTPError as error:
        raise TrackingServerUnavailableError(
            f"MLflow tracking server {tracking_uri} does not answer ({error}): start it with "
            "`lakehouse up mlflow`, or set MLFLOW_TRACKING_URI to a server that runs."
        ) from None


def champion_version(client: Any) -> Any | None:
    """The model version with alias `champion`, or None when there is none yet."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(MODEL_NAME, CHAMPION_ALIAS)
    except MlflowException:
        return None


def _experiment_id(client: Any, tracking_uri: str) -> str:
    """The experiment's id; created with its artifacts beside a SQLite database (not in ./mlruns)."""
    existing = client.get_experiment_by_name(EXPERIMENT)
    if existing is not None:
        return existing.experiment_id
    location = None
    if tracking_uri.startswith("sqlite:///"):
        location = (Path(tracking_uri.removeprefix("sqlite:///")).parent / "artifacts").resolve().as_uri()
    return client.create_experiment(EXPERIMENT, artifact_location=location)


def _champion_config(client: Any, version: Any) -> ModelConfig:
    raw = version.tags.get("config") if version.tags else None
    if raw:
        return ModelConfig.from_dict(json.loads(raw))
    path = client.download_artifacts(version.run_id, "forecaster_config.json")
    return ModelConfig.from_dict(json.loads(Path(path).read_text()))


def _log_backtest(result: BacktestResult, prefix: str, folder: Path) -> None:
    import mlflow

    for row in result.metrics.itertuples(index=False):
        for metric in ("mape", "rmse", "pinball_p10", "pinball_p90", "coverage_p10_p90"):
            value = getattr(row, metric, None)
            if value is not None and pd.notna(value):
                mlflow.log_metric(f"{prefix}{row.candidate}_{metric}_{row.region}", float(value))
    table = folder / f"{prefix}backtest_metrics.csv"
    result.metrics.to_csv(table, index=False)
    mlflow.log_artifact(str(table), "backtest")


def train(
    features: pd.DataFrame,
    *,
    config: ModelConfig | None = None,
    weeks: int = 2,
    retrain_every_days: int = 1,
    margin: float = 0.02,
    tracking_uri: str | None = None,
    tags: dict[str, str] | None = None,
) -> TrainingResult:
    """Backtest, log, register and (maybe) promote a challenger trained on `features`.

    Raises InsufficientDataError (too little history) before anything is logged, and
    ChallengerWorseError after logging and registering a challenger that lost.
    """
    import mlflow
    from mlflow import MlflowClient
    from mlflow.models import infer_signature

    config = config or ModelConfig()
    if trainable(features).empty:
        raise InsufficientDataError(
            "gold.load_features has no row with load and a full week of lags yet: training needs "
            f"{min_gold_days(weeks)} days of gold (7 for the lags, 14 of history, {weeks} backtest "
            "week(s): FORECAST_BACKTEST_WEEKS)."
        )
    uri = configure_mlflow(tracking_uri)
    client = MlflowClient()
    challenger = backtest(features, config, weeks=weeks, retrain_every_days=retrain_every_days)
    window = sorted(set(challenger.predictions["date_local"]))
    current = champion_version(client)
    champion_bt = None
    if current is not None:
        champion_bt = backtest(
            features, _champion_config(client, current), retrain_every_days=retrain_every_days, days=window
        )
    final = LoadForecaster.fit(features, config)

    mlflow.set_experiment(experiment_id=_experiment_id(client, uri))
    with (
        mlflow.start_run(run_name=f"train {window[0]}..{window[-1]}") as run,
        tempfile.TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        mlflow.set_tags({"model_name": MODEL_NAME, **(tags or {})})
        params = {f"model.{k}": v for k, v in config.to_dict().items()}
        params.update(
            {
                "backtest.weeks": weeks,
                "backtest.first_day": str(window[0]),
                "backtest.last_day": str(window[-1]),
                "backtest.retrain_every_days": retrain_every_days,
                "train.rows": len(trainable(features)),
                "train.first_day": str(features["date_local"].min()),
                "train.last_day": str(features["date_local"].max()),
                "promotion.margin": margin,
                "champion.version": current.version if current is not None else "none",
            }
        )
        mlflow.log_params(params)
        _log_backtest(challenger, "", folder)
        if champion_bt is not None:
            _log_backtest(champion_bt, "champion_", folder)
        mlflow.log_artifact(plot(challenger, str(folder / "backtest.png")), "backtest")
        predictions = folder / "backtest_predictions.csv"
        challenger.predictions.to_csv(predictions, index=False)
        mlflow.log_artifact(str(predictions), "backtest")
        importance = final.feature_importance()
        importance.to_csv(folder / "feature_importance.csv", index=False)
        mlflow.log_artifact(str(folder / "feature_importance.csv"), "importance")
        mlflow.log_artifact(_importance_png(importance, folder / "feature_importance.png"), "importance")
        (folder / "forecaster_config.json").write_text(json.dumps(config.to_dict(), indent=2))
        mlflow.log_artifact(str(folder / "forecaster_config.json"))

        model_dir = final.save(folder / "forecaster")
        rows = trainable(features).tail(48)
        example = model_input(rows)
        signature = infer_signature(example, final.predict(rows).reset_index(drop=True))
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=ForecasterModel(),
            artifacts={"forecaster": str(model_dir)},
            signature=signature,
            input_example=example.head(5),
            registered_model_name=MODEL_NAME,
            pip_requirements=_requirements(),
        )
        version = str(info.registered_model_version)
        client.set_model_version_tag(MODEL_NAME, version, "config", json.dumps(config.to_dict()))

        champion_mape = champion_bt.mape(MODEL) if champion_bt is not None else None
        try:
            decision = decide(
                challenger.mape(MODEL), champion_mape, challenger.mape("seasonal_naive"), margin
            )
        except ChallengerWorseError as error:
            _log_decision(client, version, error.decision, folder)
            error.decision["model_version"] = version
            error.decision["run_id"] = run.info.run_id
            raise
        _log_decision(client, version, decision, folder)
        client.set_registered_model_alias(MODEL_NAME, CHAMPION_ALIAS, version)
        decision["model_version"] = version
        return TrainingResult(run.info.run_id, version, challenger, champion_bt, decision, promoted=True)


def _log_decision(client: Any, version: str, decision: dict[str, Any], folder: Path) -> None:
    import mlflow

    mlflow.set_tags({"promotion.decision": decision["decision"], "promotion.reason": decision["reason"]})
    for key in ("challenger_mape", "champion_mape", "seasonal_naive_mape"):
        if decision.get(key) is not None:
            mlflow.log_metric(f"promotion_{key}", float(decision[key]))
    path = folder / "promotion_decision.json"
    path.write_text(json.dumps(decision, indent=2, default=str))
    mlflow.log_artifact(str(path))
    client.set_model_version_tag(MODEL_NAME, version, "promotion", decision["decision"])


def _importance_png(importance: pd.DataFrame, path: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    top = importance.head(20).iloc[::-1]
    ax.barh(top["feature"], top["gain"])
    ax.set_xlabel("total gain")
    ax.set_title("Feature importance (point model)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return str(path)


def _requirements() -> list[str]:
    """Pinned runtime requirements (skips MLflow's slow inference of them in a subprocess)."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in ("mlflow", "lightgbm", "pandas", "numpy", "holidays")]

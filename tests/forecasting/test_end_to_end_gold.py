"""Issue 7 end to end on real gold: train with `lakehouse train`, forecast D+1 and score it through Airflow.

The platform as a user runs it (`lakehouse up`: Sail, PostgreSQL with the Airflow database, MLflow
server, on free ports in a fresh LAKEHOUSE_HOME), and the real medallion chain: 30 simulated days
of 50 meters landed in the real formats, bronze with a 30-day lookback (the late-file scan: one run
ingests every landing folder), silver once over all pending batches, gold once for all dates.

Then, in order:
1. `lakehouse train` (backtest FORECAST_BACKTEST_WEEKS=1, refit weekly) promotes a first champion,
   with the decision logged in MLflow;
2. smartgrid_daily for D = 2026-03-28 through Airflow, every task but the forecasting group marked
   successful: `forecasting.forecast_next_day` (in the `airflow dags test` subprocess: a fresh
   process that loads the champion by alias) writes gold.load_forecast for D+1 = 2026-03-29, the
   23-hour day of spring, with the champion's version and weather "persistence" (no source lands
   tomorrow's weather);
3. `lakehouse forecast --date 2026-03-29` in this process loads the champion by alias too and
   writes exactly the same numbers for the same inputs, and says where it wrote;
4. D+1 lands and is refined to gold; its pandas inference features equal gold.load_features
   (no train/serve skew, also on the DST day); smartgrid_daily for D+1, all but
   `forecasting.score_forecasts` marked successful, scores the forecast into gold.forecast_accuracy.
Stage timings are printed (`pytest -s`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pandas as pd
import pytest

from lakehouse.settings import Settings, get_settings

D = date(2026, 3, 28)  # D+1 = 2026-03-29: 23 hours
DAYS = 30  # 7 days for lags + 14 of training history before a 7-day backtest window, + 2 spare
METERS = 50
REGIONS = 5
# --mark-success-pattern: Airflow fullmatches task ids; these leave out what the test runs
FORECASTING_ONLY = r"(?!forecasting\.).*"
SCORING_ONLY = r"(?!forecasting\.score_forecasts$).*"


class Stages:
    """Wall time per stage, printed at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.began = time.perf_counter()

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - began

    def report(self) -> str:
        lines = [f"  {name:<44} {sec:6.1f} s" for name, sec in self.seconds.items()]
        lines.append(f"  {'total':<44} {time.perf_counter() - self.began:6.1f} s")
        return "stage timings:\n" + "\n".join(lines)


class Background(threading.Thread):
    """Run `call` in a thread; `result()` re-raises its exception in the test."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self._call = call
        self._error: BaseException | None = None
        self._value: object = None
        self.start()

    def run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as error:
            self._error = error

    def result(self) -> object:
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


def _land(first: date, days: int) -> None:
    from lakehouse.sources.landing import LandingStore
    from lakehouse.sources.simulator import FEEDS, SimulatorConfig, produce

    config = SimulatorConfig(meters=METERS, meters_per_file=10, first_day=D - timedelta(days=DAYS - 1))
    store = LandingStore()
    for i in range(days):
        for feed in FEEDS:
            produce(feed, first + timedelta(days=i), config, store)


def _refine(day: date, lookback_days: int) -> list[str]:
    """Bronze (D and `lookback_days` folders before it), silver once, gold for every affected date."""
    from lakehouse.pipeline import medallion_gold, medallion_ingest

    medallion_ingest.bronze_all(day, lookback_days)
    affected = medallion_ingest.silver_all(day)["affected_dates"]
    medallion_gold.gold_all(affected)
    return affected


def _table(name: str, days: list[date]) -> pd.DataFrame:
    from lakehouse.forecasting.io import read_days

    frame = read_days(name, days)
    assert frame is not None, f"{name} does not exist"
    return frame.sort_values(["region", "hour_utc"]).reset_index(drop=True)


def _assert_forecast_day(forecast: pd.DataFrame, day: date, version: str, tz: str) -> None:
    from lakehouse.forecasting.features import local_day_hours_utc

    hours = [h.to_pydatetime() for h in local_day_hours_utc(day, tz)]
    assert forecast["region"].nunique() == REGIONS
    for region, rows in forecast.groupby("region"):
        assert [h.to_pydatetime() for h in rows["hour_utc"]] == hours, region
    assert set(forecast["model_version"]) == {version}
    assert set(forecast["weather_source"]) == {"persistence"}
    assert forecast["forecast_mwh"].gt(0).all()
    assert (forecast["p10_mwh"] <= forecast["forecast_mwh"]).all()
    assert (forecast["forecast_mwh"] <= forecast["p90_mwh"]).all()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_train_forecast_and_score_on_real_gold_through_airflow(
    runtime_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient
    from typer.testing import CliRunner

    from lakehouse import runtime
    from lakehouse.cli import app
    from lakehouse.forecasting import CHAMPION_ALIAS, MODEL_NAME
    from lakehouse.forecasting.features import INPUT_COLUMNS
    from lakehouse.forecasting.inference import ACCURACY_TABLE, FORECAST_TABLE, day_features
    from lakehouse.orchestration.runner import run_day
    from lakehouse.spark import stop as stop_spark
    from lakehouse.warehouse.dbt_project import ensure_manifest

    monkeypatch.setenv("FORECAST_BACKTEST_WEEKS", "1")
    monkeypatch.setenv("FORECAST_RETRAIN_EVERY_DAYS", "7")  # one refit per backtest week
    get_settings.cache_clear()
    settings = get_settings()
    stages = Stages()
    day1 = D + timedelta(days=1)
    threads: list[Background] = []
    try:
        # Sail first (refining needs it), then MLflow (training), then PostgreSQL with the
        # Airflow database, and the dbt manifest (the DAG renders its marts group from it), all
        # while the days are landed, refined and trained on.
        ready = {name: threading.Event() for name in ("sail", "mlflow")}

        def services() -> None:
            for name in ("sail", "mlflow"):
                runtime.up([name])
                ready[name].set()
            runtime.up(["postgres", "airflow-db"])

        started = Background(services)
        manifest = Background(lambda: ensure_manifest(settings, wait=True))
        threads += [started, manifest]

        def wait_for(name: str) -> None:
            while not ready[name].wait(1.0):
                assert started.is_alive(), started.result()

        with stages(f"land {DAYS} days x {METERS} meters"):
            _land(D - timedelta(days=DAYS - 1), DAYS)
        with stages("wait for sail"):
            wait_for("sail")
        with stages("bronze (30-day lookback), silver once, gold once"):
            affected = _refine(D, DAYS)
        assert len(affected) == DAYS
        hourly = _table("gold.region_load_hourly", [D])
        assert len(hourly) == 24 * REGIONS

        with stages("wait for mlflow"):
            wait_for("mlflow")
        with stages("lakehouse train"):
            trained = CliRunner().invoke(app, ["train"], catch_exceptions=False)
        print(trained.output)
        assert trained.exit_code == 0, trained.output
        assert "promoted to champion: first champion" in trained.output
        mape = {m[0]: float(m[1]) for m in re.findall(r"^\s+(\w+)\s+MAPE\s+([\d.]+) %", trained.output, re.M)}
        assert len(mape) == REGIONS

        client = MlflowClient(runtime.mlflow_tracking_uri())
        champion = client.get_model_version_by_alias(MODEL_NAME, CHAMPION_ALIAS)
        version = str(champion.version)
        assert champion.tags["promotion"] == "promoted"
        run = client.get_run(champion.run_id)
        assert run.data.tags["promotion.decision"] == "promoted"
        assert run.data.params["backtest.weeks"] == "1"
        assert run.data.params["backtest.last_day"] == D.isoformat()
        naive = run.data.metrics["promotion_seasonal_naive_mape"]
        challenger = run.data.metrics["promotion_challenger_mape"]
        assert challenger < naive
        logged = {a.path for a in client.list_artifacts(champion.run_id)}
        assert {"promotion_decision.json", "backtest", "importance"} <= logged

        with stages("wait for postgres, airflow-db and the dbt manifest"):
            started.result()
            manifest.result()
        lines: list[str] = []
        with stages(f"airflow smartgrid_daily {D}: forecasting only"):
            result = run_day(D, settings, echo=lines.append, mark_success_pattern=FORECASTING_ONLY)
        print("\n".join(lines))
        states = {t.task: t.state for t in result.tasks}
        assert states["forecasting.forecast_next_day"] == "success"
        assert states["forecasting.score_forecasts"] == "success"  # nothing of D forecast: a no-op
        by_airflow = _table(FORECAST_TABLE, [day1])
        assert len(by_airflow) == 23 * REGIONS
        _assert_forecast_day(by_airflow, day1, version, settings.local_timezone)

        # The Airflow task was a fresh process that loaded the champion by alias; this process
        # loads it by alias too (`lakehouse forecast`) and forecasts the same inputs the same.
        with stages(f"lakehouse forecast --date {day1}"):
            cli = CliRunner().invoke(app, ["forecast", "--date", day1.isoformat()], catch_exceptions=False)
        print(cli.output)
        assert cli.exit_code == 0, cli.output
        assert f"to gold.load_forecast at {settings.lakehouse_uri}/gold/load_forecast" in cli.output
        by_cli = _table(FORECAST_TABLE, [day1])
        values = ["region", "hour_utc", "forecast_mwh", "p10_mwh", "p90_mwh", "model_version"]
        pd.testing.assert_frame_equal(by_cli[values], by_airflow[values])
        assert (by_cli["created_at"] > by_airflow["created_at"]).all()  # rewritten, not left alone

        with stages(f"land and refine {day1}"):
            _land(day1, 1)
            assert _refine(day1, 0) == [day1.isoformat()]
        # The pandas inference features of the DST day equal what the Spark gold job built
        # (weather and price differ only in source: silver now holds the day itself).
        served = day_features(day1, settings).sort_values(["region", "hour_utc"]).reset_index(drop=True)
        built = _table("gold.load_features", [day1])
        assert len(served) == len(built) == 23 * REGIONS
        lags = [c for c in INPUT_COLUMNS if c.endswith("_mwh") and c != "lag_similar_day_mwh"]
        pd.testing.assert_frame_equal(served[lags], built[lags], check_exact=False, rtol=1e-9)
        assert served["hour_local"].tolist() == built["hour_local"].tolist()

        with stages(f"airflow smartgrid_daily {day1}: score_forecasts only"):
            result = run_day(day1, settings, echo=lines.append, mark_success_pattern=SCORING_ONLY)
        assert {t.task: t.state for t in result.tasks}["forecasting.score_forecasts"] == "success"
        accuracy = _table(ACCURACY_TABLE, [day1])
        assert len(accuracy) == 23 * REGIONS
        assert set(accuracy["model_version"]) == {version}
        actual = _table("gold.region_load_hourly", [day1])
        assert accuracy["actual_mwh"].tolist() == pytest.approx(actual["energy_mwh"].tolist())
        assert accuracy["forecast_mwh"].tolist() == pytest.approx(by_cli["forecast_mwh"].tolist())
        assert accuracy["ape"].notna().all()
        scored = (accuracy.groupby("region")["ape"].mean() * 100).round(2)
        print(
            f"backtest MAPE % ({D - timedelta(days=6)}..{D}, model vs seasonal naive over all regions): "
            f"{challenger:.2f} vs {naive:.2f}; per region {mape}"
        )
        print(
            f"forecast of {day1} (23 h, weather persistence) scored, MAPE % per region:\n{scored.to_string()}"
        )
    finally:
        for thread in threads:  # services are stopped by runtime_env after they finished starting
            thread.join(timeout=300)
        stop_spark()
        print(stages.report())

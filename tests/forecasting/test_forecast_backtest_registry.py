"""Acceptance of issue 7 on 8 weeks of simulated data (see conftest.py for how it is made):
the champion beats the seasonal naive by >= 20 % MAPE, a worse challenger is not promoted,
and the champion loaded by alias in a fresh process forecasts the same numbers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from forecast_kit import TEST_CONFIG

from lakehouse.forecasting import CHAMPION_ALIAS, MODEL_NAME
from lakehouse.forecasting.errors import ChallengerWorseError, InsufficientDataError
from lakehouse.forecasting.models import LoadForecaster, ModelConfig
from lakehouse.forecasting.pyfunc import model_input
from lakehouse.forecasting.training import decide, train


@pytest.fixture(scope="module")
def champion(features: pd.DataFrame, tracking_uri: str):
    return train(features, config=TEST_CONFIG, weeks=2, retrain_every_days=7, tracking_uri=tracking_uri)


def test_champion_beats_seasonal_naive_by_20_percent(champion) -> None:
    result = champion.challenger
    print("\n" + result.table())
    gain = 1 - result.mape("model") / result.mape("seasonal_naive")
    assert gain >= 0.20, (
        f"champion MAPE {result.mape('model'):.2f} % vs naive {result.mape('seasonal_naive'):.2f} %"
    )
    for region, mape in result.mape_by_region().items():
        assert mape < result.mape_by_region("seasonal_naive")[region], region
    assert champion.promoted and champion.decision["reason"] == "first champion"


def test_worse_challenger_is_not_promoted_and_the_decision_is_logged(
    champion, features: pd.DataFrame, tracking_uri: str
) -> None:
    from mlflow import MlflowClient

    weak = ModelConfig(n_estimators=2, num_leaves=2, learning_rate=0.05)
    with pytest.raises(ChallengerWorseError) as caught:
        train(features, config=weak, weeks=2, retrain_every_days=7, tracking_uri=tracking_uri)
    decision = caught.value.decision
    assert decision["decision"] == "rejected"
    assert decision["challenger_mape"] > decision["champion_mape"]
    client = MlflowClient(tracking_uri)
    assert (
        str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION_ALIAS).version) == champion.model_version
    )
    run = client.get_run(decision["run_id"])
    assert run.data.tags["promotion.decision"] == "rejected"
    assert run.data.metrics["promotion_challenger_mape"] == pytest.approx(decision["challenger_mape"])
    version = client.get_model_version(MODEL_NAME, decision["model_version"])
    assert version.tags["promotion"] == "rejected"


def test_decide_both_ways() -> None:
    assert decide(8.0, 10.0, 12.0, 0.02)["decision"] == "promoted"
    assert decide(8.0, None, 12.0, 0.02)["reason"] == "first champion"
    with pytest.raises(ChallengerWorseError, match="champion"):
        decide(9.9, 10.0, 12.0, 0.02)  # better, but not by the margin
    with pytest.raises(ChallengerWorseError, match="seasonal naive"):
        decide(8.0, None, 8.1, 0.02)


def test_too_little_history_is_a_typed_error(features: pd.DataFrame) -> None:
    first_days = features[features["date_local"] < sorted(features["date_local"].unique())[10]]
    with pytest.raises(InsufficientDataError, match="trainable hours"):
        LoadForecaster.fit(first_days, TEST_CONFIG)


def test_champion_by_alias_in_a_fresh_process_gives_the_same_forecast(
    champion, features: pd.DataFrame, tracking_uri: str, tmp_path
) -> None:
    import mlflow

    last_day = features["date_local"].max()
    rows = model_input(features[features["date_local"] == last_day])
    inputs = tmp_path / "inputs.pkl"
    rows.to_pickle(inputs)
    mlflow.set_tracking_uri(tracking_uri)
    here = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@{CHAMPION_ALIAS}").predict(rows)
    script = textwrap.dedent(
        f"""
        import mlflow, pandas as pd
        mlflow.set_tracking_uri({tracking_uri!r})
        model = mlflow.pyfunc.load_model("models:/{MODEL_NAME}@{CHAMPION_ALIAS}")
        model.predict(pd.read_pickle({str(inputs)!r})).to_pickle({str(tmp_path / "out.pkl")!r})
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, cwd=tmp_path)
    there = pd.read_pickle(tmp_path / "out.pkl")
    assert len(there) == len(rows) == 5 * 24
    pd.testing.assert_frame_equal(here, there)
    assert (there["p10_mwh"] <= there["forecast_mwh"]).all() and (
        there["forecast_mwh"] <= there["p90_mwh"]
    ).all()

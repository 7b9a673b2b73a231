"""smartgrid_training: retrain the day-ahead load forecaster weekly, and when gold features change.

Scheduled on Sunday 23:00 Europe/Belgrade OR on an update of the gold.load_features Asset
(AssetOrTimeSchedule), one run at a time. The task trains a challenger, backtests it against the
champion and the seasonal naive on the same window, logs everything to MLflow and promotes it to
the alias `champion` only if it wins by FORECAST_PROMOTION_MARGIN; a challenger that loses is a
normal outcome (summary `promoted: false`), too little data fails with the reason.
This file only declares the graph; the work is in lakehouse.pipeline.forecast_steps.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from lakehouse.pipeline.assets import table_asset
from lakehouse.settings import get_settings

LOCAL_TZ = get_settings().local_timezone


@task(retries=1, retry_delay=timedelta(minutes=10))
def train() -> dict:
    """Train, backtest, register; promote only a winner."""
    from airflow.sdk.exceptions import AirflowFailException

    from lakehouse.forecasting.errors import ForecastInputError, InsufficientDataError
    from lakehouse.pipeline.forecast_steps import train_forecaster

    try:
        return train_forecaster()
    except (InsufficientDataError, ForecastInputError) as error:
        raise AirflowFailException(str(error)) from error


@dag(
    dag_id="smartgrid_training",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 23 * * 0", timezone=LOCAL_TZ),
        assets=[table_asset("gold.load_features")],
    ),
    start_date=pendulum.datetime(2026, 1, 4, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-science"},
    tags=["smartgrid", "forecasting"],
    doc_md=__doc__,
)
def smartgrid_training():
    train()


smartgrid_training()

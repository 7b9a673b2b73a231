"""smartgrid_daily: land and refine one local day D of grid data.

One run per local day D (Europe/Belgrade by default): data interval [D 00:00, D+1 00:00) local
time (23, 24 or 25 hours), logical date D 00:00 local, started at D+1 00:00 once D is over
(lakehouse/orchestration/schedule.py). Every task derives D from the data interval start and calls
a plain function in lakehouse.pipeline; this file only declares the graph, so it parses fast.

    sources.extract[meters|weather|prices]
      -> bronze (registry, readings, weather, prices; exactly once per landing file)
      -> silver (meters, readings, weather, prices; rejects to silver.quarantine)
      -> gold (every local date that silver changed)
      -> forecasting (D+1 forecast, D accuracy) and anomalies

Bronze and silver steps run one after another: they all record their files in
bronze._ingested_files and silver.quarantine, and Delta commits to one table are serialised.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pendulum
from airflow.sdk import chain, dag, task, task_group

from lakehouse.orchestration.timetable import LocalDayTimetable
from lakehouse.pipeline.assets import table_asset
from lakehouse.pipeline.medallion_gold import GOLD_TABLES
from lakehouse.pipeline.medallion_ingest import ASSETS, BRONZE_STEPS, SILVER_STEPS
from lakehouse.settings import get_settings

LOCAL_TZ = get_settings().local_timezone
# Same tuple as lakehouse.sources.feeds.FEEDS (a test keeps them equal); not imported, so that
# parsing this file does not import the sources.
FEEDS = ("meters", "weather", "prices")
SPARK_RETRIES = {"retries": 1, "retry_delay": timedelta(seconds=30)}


def _day(data_interval_start: datetime):
    from lakehouse.orchestration.schedule import data_day

    return data_day(data_interval_start, get_settings().tz)


def _outlets(tables) -> list:
    return [table_asset(name) for name in tables if not name.split(".", 1)[1].startswith("_")]


@task(
    retries=3,
    retry_delay=timedelta(minutes=1),
    retry_exponential_backoff=True,
    max_retry_delay=timedelta(minutes=30),
    map_index_template="{{ feed }}",
)
def extract(feed: str, data_interval_start: datetime | None = None) -> list[str]:
    """Land day D of one feed. Not published yet or unreachable -> retried with backoff; bad -> fail."""
    from airflow.sdk import get_current_context
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    from lakehouse.pipeline import daily
    from lakehouse.sources.errors import SourceError, SourceNotReadyError, SourceUnavailableError
    from lakehouse.sources.landing import LandingError

    get_current_context()["feed"] = feed  # names the mapped instance "extract[meters]" in the UI
    day = _day(data_interval_start)
    try:
        return daily.extract(feed, day)
    except SourceNotReadyError as error:
        raise AirflowException(f"{feed} for {day} is not published yet; retrying later: {error}") from error
    except (SourceUnavailableError, LandingError, OSError):
        raise  # transient (service, network, storage): retried with backoff
    except (SourceError, ValueError) as error:
        # Bad format or configuration: retrying cannot help, fail now with the reason.
        raise AirflowFailException(f"{feed} for {day}: {error}") from error


@task(**SPARK_RETRIES)
def medallion_step(step: str, data_interval_start: datetime | None = None) -> dict:
    """One bronze or silver step for day D (lakehouse.pipeline.medallion_ingest.<step>)."""
    from lakehouse.pipeline import medallion_ingest

    return getattr(medallion_ingest, step)(_day(data_interval_start))


@task(task_id="build", outlets=_outlets(GOLD_TABLES), **SPARK_RETRIES)
def gold_build(silver_summaries: list[dict], data_interval_start: datetime | None = None) -> dict:
    """Rebuild every gold table for D and for each earlier date a late file or correction changed."""
    from lakehouse.pipeline.medallion_gold import gold_all
    from lakehouse.pipeline.medallion_ingest import affected_dates

    day = _day(data_interval_start)
    dates = sorted({day.isoformat(), *affected_dates(*silver_summaries)})
    return {"dates": dates, "tables": gold_all(dates)}


@task(task_id="forecast_next_day", outlets=[table_asset("gold.load_forecast")], **SPARK_RETRIES)
def forecast_next_day(data_interval_start: datetime | None = None) -> dict:
    """Forecast D+1 with the champion; skipped (not failed) until a champion exists."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from lakehouse.forecasting.errors import ForecastInputError, InsufficientDataError, NoChampionError
    from lakehouse.pipeline import forecast_steps

    try:
        return forecast_steps.forecast_next_day(_day(data_interval_start))
    except (NoChampionError, InsufficientDataError) as error:
        raise AirflowSkipException(f"no forecast yet: {error}") from error
    except ForecastInputError as error:
        raise AirflowFailException(str(error)) from error


@task(task_id="score_forecasts", outlets=[table_asset("gold.forecast_accuracy")], **SPARK_RETRIES)
def score_forecasts(data_interval_start: datetime | None = None) -> dict:
    """Score D's forecasts against D's actuals (a no-op summary when there is no forecast of D)."""
    from lakehouse.pipeline import forecast_steps

    return forecast_steps.score_forecasts(_day(data_interval_start))


@task(task_id="detect_anomalies", outlets=[table_asset("gold.meter_anomalies")], **SPARK_RETRIES)
def detect_anomalies(data_interval_start: datetime | None = None) -> dict:
    """Score every meter of D for zero streaks, spikes, voltage excursions and tamper patterns."""
    from lakehouse.pipeline import forecast_steps

    return forecast_steps.detect_anomalies(_day(data_interval_start))


def _chain(steps) -> list:
    # task id "meter_readings" in group "bronze" reads as the table it writes: bronze.meter_readings
    tasks = [
        medallion_step.override(task_id=step.split("_", 1)[1], outlets=_outlets(ASSETS[step]))(step)
        for step in steps
    ]
    chain(*tasks)
    return tasks


@task_group(group_id="sources")
def sources():
    """Pull the three feeds for day D into the landing zone, one mapped task per feed."""
    return extract.expand(feed=list(FEEDS))


@task_group(group_id="bronze")
def bronze():
    """Landing files -> bronze tables, records as landed, each landing file exactly once."""
    return _chain(BRONZE_STEPS)


@task_group(group_id="silver")
def silver():
    """Bronze -> typed, conformed, deduplicated silver; rejects to silver.quarantine with a reason."""
    return _chain(SILVER_STEPS)


@task_group(group_id="gold")
def gold(silver_summaries):
    """Silver -> gold tables, rebuilt per affected local date with replace_where."""
    return gold_build(silver_summaries)


@task_group(group_id="forecasting")
def forecasting():
    """Tomorrow's load forecast per region, and how good today's forecast was."""
    forecast_next_day()
    score_forecasts()


@dag(
    dag_id="smartgrid_daily",
    schedule=LocalDayTimetable(timezone=LOCAL_TZ),
    # With catchup, the first run processes D = 2026-01-01 (it starts at 2026-01-02 00:00 local).
    start_date=pendulum.datetime(2026, 1, 1, tz=LOCAL_TZ),
    catchup=True,
    max_active_runs=1,
    default_args={"owner": "data-engineering"},
    tags=["smartgrid", "daily"],
    doc_md=__doc__,
)
def smartgrid_daily():
    bronze_tasks = bronze()
    silver_tasks = silver()
    sources() >> bronze_tasks[0]
    bronze_tasks[-1] >> silver_tasks[0]
    gold(silver_tasks) >> [forecasting(), detect_anomalies()]


smartgrid_daily()

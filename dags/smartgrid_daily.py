"""smartgrid_daily: land and refine one local day D of grid data.

One run per local day D (Europe/Belgrade by default): data interval [D 00:00, D+1 00:00) local
time (23, 24 or 25 hours), logical date D 00:00 local, started at D+1 00:00 once D is over
(lakehouse/orchestration/schedule.py). Every task derives D from the data interval start and calls
a plain function in lakehouse.pipeline; this file only declares the graph, so it parses fast.

    sources.extract[meters|weather|prices]
      -> bronze (registry, readings, weather, prices; exactly once per landing file)
      -> silver (meters, readings, weather, prices; rejects to silver.quarantine)
      -> quality.validate_silver (Great Expectations gate: warn / quarantine / fail)
      -> gold (every local date that silver changed) -> quality.validate_gold
      -> forecasting (D+1 forecast, D accuracy) and anomalies
      -> publish_gold (PostgreSQL lakehouse_gold) -> marts (dbt through Cosmos: a `dbt build` per model)
      -> report (HTML + PDF of D from the marts, REPORTS_ROOT) -> deliver[email|webhook]
      -> dbt_docs (the dbt docs site the Airflow UI serves, with the catalog of the marts just built)

A failed gate fails its task without retry (the data must be fixed; a signed webhook has been
sent), so nothing downstream of it, gold or the marts of that day, is built from the bad batch.

Bronze and silver steps run one after another: they all record their files in
bronze._ingested_files and silver.quarantine, and Delta commits to one table are serialised.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pendulum
from airflow.sdk import chain, dag, task, task_group

from lakehouse.orchestration.timetable import LocalDayTimetable
from lakehouse.pipeline.assets import DAILY_REPORT, table_asset
from lakehouse.pipeline.dbt_group import marts_task_group
from lakehouse.pipeline.medallion_gold import GOLD_TABLES
from lakehouse.pipeline.medallion_ingest import ASSETS, BRONZE_STEPS, SILVER_STEPS
from lakehouse.settings import get_settings

LOCAL_TZ = get_settings().local_timezone
# Same tuple as lakehouse.sources.feeds.FEEDS (a test keeps them equal); not imported, so that
# parsing this file does not import the sources.
FEEDS = ("meters", "weather", "prices")
# Same tuple as lakehouse.report.delivery.CHANNELS (a test keeps them equal).
REPORT_CHANNELS = ("email", "webhook")
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


def _gate(step: str, data_interval_start: datetime | None, silver_summaries: list[dict] | None) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from lakehouse.pipeline import quality_steps
    from lakehouse.pipeline.medallion_ingest import affected_dates
    from lakehouse.quality import QualityGateError

    dates = affected_dates(*silver_summaries) if silver_summaries else None
    try:
        return getattr(quality_steps, step)(_day(data_interval_start), dates)
    except QualityGateError as error:
        raise AirflowFailException(str(error)) from error  # not retried: the data must be fixed


@task(task_id="validate_bronze", **SPARK_RETRIES)
def validate_bronze(data_interval_start: datetime | None = None) -> dict:
    """Bronze suites of landing day D: advisory (warn only); silver quarantines the records."""
    return _gate("validate_bronze", data_interval_start, None)


@task(
    task_id="validate_silver",
    outlets=_outlets(("gold.quality_results", "silver.quarantine", "silver.meter_readings")),
    **SPARK_RETRIES,
)
def validate_silver(silver_summaries: list[dict], data_interval_start: datetime | None = None) -> dict:
    """Gate before gold: quarantine what the suites say, block the day on a `fail` expectation."""
    return _gate("validate_silver", data_interval_start, silver_summaries)


@task(task_id="validate_gold", outlets=_outlets(("gold.quality_results",)), **SPARK_RETRIES)
def validate_gold(silver_summaries: list[dict], data_interval_start: datetime | None = None) -> dict:
    """Gate before the marts: gold partitions of D and of the other dates silver changed."""
    return _gate("validate_gold", data_interval_start, silver_summaries)


# none_failed: a forecast skipped for want of a champion model must not hold back the marts.
@task(task_id="publish_gold", retries=2, retry_delay=timedelta(minutes=1), trigger_rule="none_failed")
def publish_gold(gold_summary: dict, data_interval_start: datetime | None = None) -> dict:
    """Copy the gold dates that changed (with D's quality results and the D+1 forecast made today) into
    PostgreSQL lakehouse_gold."""
    from lakehouse.pipeline import marts_steps

    day = _day(data_interval_start).isoformat()
    return marts_steps.publish_gold(sorted({day, *marts_steps.changed_dates(gold_summary)}))


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


# all_done: a day that a gate blocked still gets its report, with the "data incomplete" banner.
@task(
    task_id="report",
    trigger_rule="all_done",
    outlets=[DAILY_REPORT],
    retries=2,
    retry_delay=timedelta(minutes=2),
    retry_exponential_backoff=True,
    max_retry_delay=timedelta(minutes=20),
)
def build_daily_report(data_interval_start: datetime | None = None) -> dict:
    """The report of D from the marts: HTML + PDF under REPORTS_ROOT, index rebuilt."""
    from airflow.sdk.exceptions import AirflowFailException

    from lakehouse.pipeline import marts_steps
    from lakehouse.report.builder import build_report
    from lakehouse.report.delivery import report_reference
    from lakehouse.report.errors import ReportQueryError

    day = _day(data_interval_start)
    # A day a quality gate blocked never reached publish_gold: publish its quality results (only them)
    # so that the report names the gate and the expectations (marts.fct_quality_checks is a view).
    marts_steps.publish_quality(day)
    try:
        return report_reference(build_report(day))
    except ReportQueryError as error:  # a broken query or mart: retrying cannot help
        raise AirflowFailException(str(error)) from error


@task(
    task_id="deliver",
    retries=4,
    retry_delay=timedelta(minutes=2),
    retry_exponential_backoff=True,
    max_retry_delay=timedelta(hours=1),
    map_index_template="{{ channel }}",
)
def deliver_report(channel: str, reference: dict) -> dict:
    """One mapped task per channel: a retry repeats only its own channel, never a sent e-mail."""
    from airflow.sdk import get_current_context
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from lakehouse.report.delivery import DeliveryError, deliver, load_report

    get_current_context()["channel"] = channel
    try:
        result = deliver(load_report(reference), channels=[channel])
    except DeliveryError as error:
        if error.permanent:  # 5xx, bad login, configuration: retrying cannot help
            raise AirflowFailException(str(error)) from error
        raise
    outcome = result.outcome(channel)
    if outcome.status == "not configured":
        raise AirflowSkipException(f"{channel}: {outcome.detail}")
    return result.as_dict()[channel]


@task(task_id="dbt_docs", trigger_rule="all_done", retries=1, retry_delay=timedelta(minutes=1))
def dbt_docs() -> str:
    """Regenerate the dbt docs site (Browse > dbt docs) from the warehouse as the marts left it."""
    from lakehouse.warehouse.dbt_project import generate_docs

    return str(generate_docs())


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
    bronze_tasks[-1] >> [validate_bronze(), silver_tasks[0]]
    gate = validate_silver(silver_tasks)
    gold_summary = gold(silver_tasks)
    gate >> gold_summary
    gold_gate = validate_gold(silver_tasks)
    gold_summary >> gold_gate
    forecasts = forecasting()
    gold_gate >> [forecasts, detect_anomalies()]
    marts = marts_task_group()
    forecasts >> publish_gold(gold_summary) >> marts
    report = build_daily_report()
    marts >> report
    marts >> dbt_docs()
    deliver_report.partial(reference=report).expand(channel=list(REPORT_CHANNELS))


smartgrid_daily()

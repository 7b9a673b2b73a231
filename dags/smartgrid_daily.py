"""smartgrid_daily: land and refine one local day D of grid data.

One run per local day D (Europe/Belgrade by default): data interval [D 00:00, D+1 00:00) local
time (23, 24 or 25 hours), logical date D 00:00 local, started at D+1 00:00 once D is over
(lakehouse/orchestration/schedule.py). Every task derives D from the data interval start and calls
a plain function in lakehouse.pipeline; this file only declares the graph, so it parses fast.

    sources.extract[meters|weather|prices]  ->  bronze.meter_readings  ->  (silver, gold, quality, marts)
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pendulum
from airflow.sdk import dag, task, task_group

from lakehouse.orchestration.timetable import LocalDayTimetable
from lakehouse.pipeline.assets import BRONZE_METER_READINGS
from lakehouse.settings import get_settings

LOCAL_TZ = get_settings().local_timezone
# Same tuple as lakehouse.sources.feeds.FEEDS (a test keeps them equal); not imported, so that
# parsing this file does not import the sources.
FEEDS = ("meters", "weather", "prices")


def _day(data_interval_start: datetime):
    from lakehouse.orchestration.schedule import data_day

    return data_day(data_interval_start, get_settings().tz)


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


@task(task_id="meter_readings", outlets=[BRONZE_METER_READINGS], retries=1, retry_delay=timedelta(seconds=30))
def bronze_meter_readings(data_interval_start: datetime | None = None, outlet_events=None) -> dict:
    """Ingest day D's landed meter files into bronze.meter_readings (idempotent per landing day)."""
    from lakehouse.pipeline import daily

    summary = daily.bronze_meter_readings(_day(data_interval_start))
    if outlet_events is not None:
        outlet_events[BRONZE_METER_READINGS].extra = summary
    return summary


@task_group(group_id="sources")
def sources():
    """Pull the three feeds for day D into the landing zone, one mapped task per feed."""
    return extract.expand(feed=list(FEEDS))


@task_group(group_id="bronze")
def bronze():
    """Landing files -> bronze tables, records as landed (issue 4 adds weather, prices, registry)."""
    return bronze_meter_readings()


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
    sources() >> bronze()


smartgrid_daily()

"""smartgrid_daily parses without import errors, and its timetable maps runs to local days like schedule.py.

Airflow reads its configuration when imported, so the DAG is loaded in a subprocess that has the
platform's Airflow environment (as every Airflow process of the platform does).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from lakehouse.orchestration.schedule import logical_date_for
from lakehouse.settings import Settings

PROBE = r"""
import json, sys, time
from datetime import datetime
started = time.monotonic()
from airflow.dag_processing.dagbag import DagBag
imported = time.monotonic()
bag = DagBag(dag_folder=sys.argv[1])
parsed = time.monotonic()
dag = bag.dags.get("smartgrid_daily")  # get_dag() would ask the metadata DB
out = {
    "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
    "airflow_import_s": imported - started,
    "dagbag_s": parsed - imported,
    "file_parse_s": {s.file: s.duration.total_seconds() for s in bag.dagbag_stats},
}
if dag is not None:
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction
    import pendulum
    tt = coerce_to_core_timetable(dag.timetable)
    manual, scheduled = {}, {}
    for iso in json.loads(sys.argv[2]):
        logical = pendulum.parse(iso)
        interval = tt.infer_manual_data_interval(run_after=logical)
        manual[iso] = [interval.start.isoformat(), interval.end.isoformat()]
    for previous_iso, iso in json.loads(sys.argv[3]):
        # What the scheduler creates after the run of the day before (catchup, no end date).
        last = DataInterval(pendulum.parse(previous_iso), pendulum.parse(iso))
        info = tt.next_dagrun_info(
            last_automated_data_interval=last,
            restriction=TimeRestriction(earliest=None, latest=None, catchup=True),
        )
        scheduled[iso] = [
            info.logical_date.isoformat(), info.data_interval.end.isoformat(), info.run_after.isoformat()
        ]
    out.update(
        manual=manual,
        scheduled=scheduled,
        tasks=sorted(dag.task_dict),
        catchup=dag.catchup,
        max_active_runs=dag.max_active_runs,
        timezone=str(dag.timezone.name),
        timetable=type(dag.timetable).__name__,
        start_date=dag.start_date.isoformat(),
        outlets={t: [a.uri for a in dag.task_dict[t].outlets] for t in dag.task_dict},
        retries={t: dag.task_dict[t].retries for t in dag.task_dict},
        trigger_rules={t: getattr(x.trigger_rule, "value", x.trigger_rule) for t, x in dag.task_dict.items()},
    )
print("RESULT" + json.dumps(out))
"""

DST_DAYS = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 25), date(2026, 7, 1)]


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from airflow_probe import probe_env, run_probe

    from lakehouse.orchestration.project import dags_folder
    from lakehouse.settings import load_settings
    from lakehouse.warehouse.dbt_project import ensure_manifest

    home = tmp_path_factory.mktemp("dag-home")
    settings = load_settings(lakehouse_home=home)
    ensure_manifest(settings, wait=True)  # the marts task group renders from dbt's manifest
    logicals = [logical_date_for(d, settings.tz).isoformat() for d in DST_DAYS]
    pairs = [
        [logical_date_for(d - timedelta(days=1), settings.tz).isoformat(), x]
        for d, x in zip(DST_DAYS, logicals, strict=True)
    ]
    args = ["-c", PROBE, str(dags_folder(settings)), json.dumps(logicals), json.dumps(pairs)]
    return run_probe(args, probe_env(home), timeout=180)


def test_dag_file_imports_without_errors(probe: dict) -> None:
    assert probe["import_errors"] == {}
    # Parse time is reported, not asserted (the machine is shared): see the -s output.
    print(
        f"airflow import {probe['airflow_import_s']:.2f}s, DagBag {probe['dagbag_s']:.2f}s, "
        f"per file {probe['file_parse_s']}"
    )
    assert "tasks" in probe, "smartgrid_daily is not in the DagBag"


def test_dag_shape(probe: dict) -> None:
    platform_tasks = [t for t in probe["tasks"] if not t.startswith("marts.")]
    assert platform_tasks == sorted(
        [
            "sources.extract",
            *(f"bronze.{t}" for t in ("meter_registry", "meter_readings", "weather", "prices")),
            *(f"silver.{t}" for t in ("meters", "meter_readings", "weather", "prices")),
            "validate_bronze",
            "validate_silver",
            "gold.build",
            "validate_gold",
            "forecasting.forecast_next_day",
            "forecasting.score_forecasts",
            "detect_anomalies",
            "publish_gold",
            "report",
            "deliver",
            "dbt_docs",
        ]
    )
    # Cosmos renders one `dbt build` task per dbt model (its tests included), seed and snapshot.
    marts = [t for t in probe["tasks"] if t.startswith("marts.")]
    for model in ("dim_meter", "fct_hourly_load", "mart_region_daily_summary"):
        assert any(f".{model}" in t for t in marts), (model, marts)
    assert probe["catchup"] is True
    assert probe["max_active_runs"] == 1
    assert probe["timezone"] == "Europe/Belgrade"
    assert probe["timetable"] == "LocalDayTimetable"
    assert probe["outlets"]["bronze.meter_readings"] == ["lakehouse://bronze/meter_readings"]
    assert probe["outlets"]["silver.meter_readings"] == [
        "lakehouse://silver/meter_readings",
        "lakehouse://silver/quarantine",
    ]
    assert "lakehouse://gold/load_features" in probe["outlets"]["gold.build"]
    assert probe["retries"]["sources.extract"] == 3
    assert probe["outlets"]["report"] == ["lakehouse://reports/daily"]
    assert probe["trigger_rules"]["report"] == "all_done"  # blocked days get a report with a banner
    assert probe["retries"]["deliver"] >= 3
    assert probe["trigger_rules"]["dbt_docs"] == "all_done"  # the docs follow the warehouse, whatever ran


def test_dag_constants_match_the_package() -> None:
    """The DAG file keeps copies (so that parsing imports little): they must stay equal."""
    import ast

    from lakehouse.orchestration.project import dags_folder
    from lakehouse.report.delivery import CHANNELS
    from lakehouse.sources.feeds import FEEDS

    tree = ast.parse((dags_folder() / "smartgrid_daily.py").read_text())
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in {"FEEDS", "REPORT_CHANNELS"}
    }
    assert values == {"FEEDS": tuple(FEEDS), "REPORT_CHANNELS": tuple(CHANNELS)}


def _next_midnight(day: date, settings: Settings):
    return logical_date_for(day + timedelta(days=1), settings.tz)


def test_manual_run_at_d_midnight_processes_the_whole_local_day_d(
    lakehouse_env: Settings, probe: dict
) -> None:
    """`lakehouse run` / `airflow dags test` with logical date D 00:00 local: interval = local day D."""
    from datetime import datetime

    from lakehouse.orchestration.schedule import data_day, local_day_bounds

    for day in DST_DAYS:
        logical = logical_date_for(day, lakehouse_env.tz)
        start, end = (datetime.fromisoformat(x) for x in probe["manual"][logical.isoformat()])
        assert (start, end) == local_day_bounds(day, lakehouse_env.tz)  # 23 h, 24 h or 25 h
        assert data_day(start, lakehouse_env.tz) == day


def test_scheduler_run_of_d_has_the_same_logical_date_and_interval(
    lakehouse_env: Settings, probe: dict
) -> None:
    """The scheduler's (catchup) run of D and `lakehouse run` for D are the same run."""
    from datetime import datetime

    for day in DST_DAYS:
        logical = logical_date_for(day, lakehouse_env.tz)
        got_logical, end, run_after = (
            datetime.fromisoformat(x) for x in probe["scheduled"][logical.isoformat()]
        )
        assert got_logical == logical
        assert end == _next_midnight(day, lakehouse_env)
        assert run_after == _next_midnight(day, lakehouse_env)  # starts once day D is over

"""The Airflow UI in a real browser: log in, trigger smartgrid_daily for a day, wait for success, keep
a screenshot of the grid view, and follow the links to Data Docs, dbt docs and MLflow.

Airflow runs the way a user starts it (`lakehouse airflow`, in a subprocess) on a free port, with a
fresh LAKEHOUSE_HOME, Sail and MLflow started by it on free ports, and a fresh database on the
`warehouse_url` fixture's server as both the warehouse and Airflow's metadata database. The browser
is Debian's Chromium, driven by Playwright (no browser download); the test skips, saying why, only
when Chromium cannot be installed. Screenshots go to test-artifacts/ in the project root.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil
import pytest
from debian_tools import require_program

from lakehouse.orchestration.schedule import local_day_bounds, logical_date_for
from lakehouse.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
DAY = date(2026, 3, 29)  # the 23-hour day of spring 2026: its local day is fully in the past
DAG_ID = "smartgrid_daily"
START_TIMEOUT_S = 420  # Sail, MLflow, the metadata DB migration and three Airflow processes
RUN_TIMEOUT_S = 1800  # generous: the run takes minutes on a quiet 2-core machine, far more when loaded
UI_TIMEOUT_MS = 60_000


@pytest.fixture
def chromium() -> str:
    return require_program("chromium", "chromium", "chromium-driver")


@pytest.fixture
def fresh_database(warehouse_url: str) -> Iterator[str]:
    """A new database on the test server (warehouse and Airflow metadata), dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"airflow_ui_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(warehouse_url)
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class AirflowProcess:
    """`lakehouse airflow` in a session of its own, its output in a file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = f"http://127.0.0.1:{settings.airflow_port}"
        self.output = settings.logs_dir / "lakehouse-airflow.out"
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).with_name("lakehouse")), "airflow"],
                cwd=REPO,
                env=dict(os.environ),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def logs(self) -> str:
        return f"Airflow logs: {self.settings.logs_dir / 'airflow'} (and {self.output})"

    def say(self, line: str) -> None:
        print(f"[{time.monotonic() - self.started:6.0f} s] {line}", flush=True)

    def wait(self, what: str, check: Callable[[], object], timeout: float) -> object:
        """Poll `check` until it returns something truthy; fail with the logs if Airflow dies or time
        runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = "\n".join(self.output.read_text(errors="replace").splitlines()[-25:])
                raise AssertionError(f"`lakehouse airflow` exited while {what}:\n{tail}\n{self.logs}")
            result = check()
            if result:
                return result
            time.sleep(2)
        raise AssertionError(f"timed out after {timeout:.0f} s {what}\n{self.logs}")

    def stop(self) -> list[str]:
        """Stop it as a service manager would (SIGTERM, handled like Ctrl-C); returns the Airflow
        processes it left running, which are then killed. Sail and MLflow are the runtime's services:
        they outlive it by design (`lakehouse down`, here the runtime_env fixture, stops them)."""
        tree = self.airflow_processes()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=90)
        left = [p for p in tree if _running(p)]
        for proc in left:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return [f"{p.pid} {p.info['cmdline'][:80]}" for p in left]

    def airflow_processes(self) -> list[psutil.Process]:
        """Everything `lakehouse airflow` runs below it, but the runtime's services."""
        from lakehouse.runtime import processes

        run_dir = self.settings.run_dir
        services = {
            record.pgid
            for name in processes.recorded_services(run_dir)
            if (record := processes.read_record(run_dir, name)) is not None
        }
        found = []
        with contextlib.suppress(psutil.NoSuchProcess):
            for proc in psutil.Process(self.process.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if os.getpgid(proc.pid) not in services:
                        proc.info = {"cmdline": " ".join(proc.cmdline())}
                        found.append(proc)
        return found


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/v2/monitor/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


class Api:
    """The REST API with the browser session's token (the `_token` cookie the UI login sets)."""

    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=f"{url}/api/v2", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def get(self, path: str, **params: object) -> dict:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def dag(self) -> dict | None:
        response = self.client.get(f"/dags/{DAG_ID}")
        return response.json() if response.status_code == 200 else None

    def run_for(self, logical: datetime) -> dict | None:
        runs = self.get(f"/dags/{DAG_ID}/dagRuns", limit=100)["dag_runs"]
        return next((r for r in runs if _instant(r["logical_date"]) == logical), None)

    def task_states(self, run_id: str) -> dict[str, str | None]:
        found = self.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", limit=500)["task_instances"]
        return {
            t["task_id"] + (f"[{t['map_index']}]" if t["map_index"] >= 0 else ""): t["state"] for t in found
        }


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _local_only(route) -> None:
    if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
        route.continue_()
    else:
        route.abort()


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _log_in(page, url: str, user: str, password: str) -> str:
    """The login form; returns the session's API token."""
    page.goto(f"{url}/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    return next(c["value"] for c in page.context.cookies() if c["name"] == "_token")


def _trigger_paused(page, url: str, logical: datetime) -> None:
    """The DAG page's Trigger dialog: a single run at `logical` (UTC), leaving the DAG paused."""
    page.goto(f"{url}/dags/{DAG_ID}")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    label = f"Unpause {DAG_ID} on trigger"
    if dialog.get_by_role("checkbox", name=label).is_checked():
        dialog.get_by_text(label).click()  # unpaused later, once the DAG processor has counted the run
    assert not dialog.get_by_role("checkbox", name=label).is_checked()
    dialog.get_by_test_id("datetime-input").click()
    picker = page.locator("[data-part=content][data-state=open]").filter(has_text="UTC").last
    picker.get_by_placeholder("YYYY/MM/DD").fill(logical.strftime("%Y/%m/%d"))
    picker.get_by_placeholder("HH:mm").fill(logical.strftime("%H:%M"))
    dialog.get_by_role("heading").first.click()  # closes the date picker
    shown = dialog.get_by_test_id("datetime-input").inner_text()
    assert shown == logical.strftime("%b %d, %Y %H:%M"), f"the dialog shows logical date {shown!r}"
    dialog.get_by_role("button", name="Trigger").last.click()
    # Chakra may render a toast twice while it animates in (same id): any one of them will do.
    page.get_by_text("Dag run has been successfully triggered").first.wait_for()


def _toggle_pause(page, url: str) -> None:
    page.goto(f"{url}/dags/{DAG_ID}")
    page.get_by_test_id("toggle-pause").click()


def _extra_links(page, url: str, run_id: str, task_id: str) -> dict[str, str]:
    """The "Extra Links" buttons in a task instance's Details tab: name -> href."""
    page.goto(f"{url}/dags/{DAG_ID}/runs/{run_id}/tasks/{task_id}/details")
    heading = page.get_by_role("heading", name="Extra Links")
    heading.wait_for()
    links = heading.locator("xpath=following-sibling::*[1]").get_by_role("link")
    return {
        links.nth(i).inner_text().strip(): links.nth(i).get_attribute("href") or ""
        for i in range(links.count())
    }


def _run_to_success(airflow: AirflowProcess, api: Api, run_id: str) -> None:
    """Wait for the run, printing each change of its task states; fail at the first failed task."""
    last = ""

    def finished() -> bool:
        nonlocal last
        state = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}")["state"]
        states = api.task_states(run_id)
        counts = ", ".join(
            f"{s} {n}" for s, n in sorted(Counter(x or "none" for x in states.values()).items())
        )
        if f"{state}: {counts}" != last:
            last = f"{state}: {counts}"
            airflow.say(f"run {last}")
        failed = sorted(task for task, s in states.items() if s in {"failed", "upstream_failed"})
        assert not failed and state != "failed", f"run {state}, failed tasks: {failed}\n{airflow.logs}"
        return state == "success"

    airflow.wait("waiting for the run to succeed", finished, RUN_TIMEOUT_S)


def _check_links(page, url: str, run_id: str) -> None:
    """Each kind of task links where it should, and each link opens its site."""
    data_docs = _extra_links(page, url, run_id, "validate_silver")
    assert data_docs == {"Data Docs": f"{url}/quality-docs/index.html"}
    mlflow = _extra_links(page, url, run_id, "forecasting.forecast_next_day")
    assert list(mlflow) == ["MLflow"] and mlflow["MLflow"].endswith("/#/models/region_load_forecaster")
    dbt = _extra_links(page, url, run_id, "marts.fct_hourly_load_model_build")
    assert dbt == {"dbt docs": f"{url}/dbt-docs/index.html#!/model/model.smartgrid.fct_hourly_load"}
    assert _extra_links(page, url, run_id, "publish_gold") == {
        "dbt docs": f"{url}/dbt-docs/index.html#!/source_list/lakehouse_gold"
    }

    # Data Docs: GE's index lists the validations with JavaScript from CDNs, which an offline
    # machine does not load; the suite and validation pages are plain HTML.
    page.goto(data_docs["Data Docs"])
    assert page.title() == "Data Docs created by Great Expectations"
    page.goto(f"{url}/quality-docs/expectations/silver/meter_readings.html")
    page.get_by_text("silver.meter_readings").first.wait_for()
    page.goto(dbt["dbt docs"])
    page.get_by_text("fct_hourly_load").first.wait_for()
    page.goto(mlflow["MLflow"])
    page.wait_for_function("document.title.toLowerCase().includes('mlflow')")
    # ...and the same sites from the navigation bar (Browse).
    page.goto(f"{url}/")
    page.get_by_role("button", name="Browse").click()
    for name in ("Data Docs", "dbt docs", "MLflow"):
        page.get_by_role("menuitem", name=name).wait_for()


@pytest.mark.slow
@pytest.mark.timeout(START_TIMEOUT_S + RUN_TIMEOUT_S + 600)
def test_trigger_a_day_in_the_ui_and_follow_the_links(
    chromium: str,
    runtime_env: Settings,
    fresh_database: str,
    free_port: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from lakehouse.orchestration.ui import generated_passwords

    monkeypatch.setenv("AIRFLOW_PORT", str(free_port()))
    monkeypatch.setenv("WAREHOUSE_URL", fresh_database)
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", fresh_database)
    monkeypatch.setenv("SIMULATOR_METERS", "10")
    get_settings.cache_clear()
    settings = get_settings()
    logical = logical_date_for(DAY, settings.tz)

    airflow = AirflowProcess(settings)
    try:
        airflow.wait("starting Airflow", lambda: _healthy(airflow.url), START_TIMEOUT_S)
        password = airflow.wait(
            "generating passwords", lambda: generated_passwords(settings).get("admin"), 60
        )
        airflow.say(f"Airflow UI up at {airflow.url}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox"]
            )
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route("**/*", _local_only)  # tests never reach the internet (e.g. GE's CDN assets)
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            try:
                api = Api(airflow.url, _log_in(page, airflow.url, "admin", str(password)))
                dag = airflow.wait("waiting for the DAG processor to load smartgrid_daily", api.dag, 300)
                assert dag["is_paused"], "new DAGs start paused"
                airflow.say("logged in; smartgrid_daily is there, paused")

                _trigger_paused(page, airflow.url, logical)
                # A parse counts the run only if it queried the runs after the trigger: 2 s of margin.
                counted_after = datetime.now().astimezone() + timedelta(seconds=2)
                run = api.run_for(logical)
                assert run is not None, f"no run with logical date {logical} after the Trigger dialog"
                interval = (_instant(run["data_interval_start"]), _instant(run["data_interval_end"]))
                assert interval == local_day_bounds(DAY, settings.tz), f"{interval}: not the local day {DAY}"
                airflow.say(f"triggered {run['dag_run_id']}, data interval {interval[0]} .. {interval[1]}")

                # Queued runs start in run_after order: unpaused now, the catch-up run of 2026-01-01
                # would go first. Once the DAG processor has counted this run as active, the scheduler
                # creates no catch-up run while it is queued or running (max_active_runs=1).
                airflow.wait(
                    "waiting for the DAG processor to count the run",
                    lambda: _instant(api.dag()["last_parsed_time"]) > counted_after,
                    180,
                )
                _toggle_pause(page, airflow.url)
                airflow.wait("unpausing", lambda: not api.dag()["is_paused"], 60)
                airflow.say("unpaused")

                _run_to_success(airflow, api, run["dag_run_id"])
                _toggle_pause(page, airflow.url)  # else the catch-up from 2026-01-01 starts now
                airflow.say("run succeeded; smartgrid_daily paused again")

                page.goto(f"{airflow.url}/dags/{DAG_ID}/runs/{run['dag_run_id']}")
                page.get_by_text("marts").first.wait_for()
                airflow.say(f"grid view: {_screenshot(page, f'airflow-grid-{DAY.isoformat()}.png')}")

                _check_links(page, airflow.url, run["dag_run_id"])
                airflow.say("the Data Docs, dbt docs and MLflow links open their sites")
            except (AssertionError, PlaywrightError) as error:
                shot = _screenshot(page, f"airflow-failure-{DAY.isoformat()}.png")
                raise AssertionError(f"{error}\nscreenshot: {shot}\n{airflow.logs}") from error
            finally:
                browser.close()
    finally:
        left = airflow.stop()
    assert not left, f"`lakehouse airflow` left processes running after SIGTERM: {left}"

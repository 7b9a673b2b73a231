"""`lakehouse airflow`: Airflow's API server (the UI), scheduler and DAG processor in the foreground.

Three Airflow processes with the platform's environment, each in its own process group with its
log under $LAKEHOUSE_HOME/logs/airflow/. Ctrl-C (or any of them exiting) stops all three.
Meanwhile the dbt docs are regenerated in the background, for the UI's "dbt docs" pages and links
(lakehouse/orchestration/plugins/: Data Docs, dbt docs, MLflow).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

from lakehouse.orchestration.airflow import (
    AirflowSetupError,
    airflow_command,
    airflow_env,
    airflow_logs,
    passwords_file,
    users,
)
from lakehouse.settings import Settings, get_settings

COMPONENTS = {
    "api-server": ("api-server",),
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
}
Echo = Callable[[str], None]
# Where the API server serves the static docs sites (plugins/quality_docs.py, plugins/dbt_docs.py).
QUALITY_DOCS_PREFIX = "/quality-docs"
DBT_DOCS_PREFIX = "/dbt-docs"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_http(url: str, timeout: float, alive: Callable[[], bool]) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1)
    return False


def generated_passwords(settings: Settings | None = None) -> dict[str, str]:
    path = passwords_file(settings)
    try:
        content = path.read_text().strip()
    except FileNotFoundError:
        return {}
    return json.loads(content) if content else {}


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _task_processes(processes: dict[str, subprocess.Popen[bytes]]) -> list[psutil.Process]:
    """Every process below the Airflow components: the scheduler's task processes run in sessions
    of their own, so signalling the components' groups does not reach them."""
    found: list[psutil.Process] = []
    for process in processes.values():
        with contextlib.suppress(psutil.NoSuchProcess):
            found.extend(psutil.Process(process.pid).children(recursive=True))
    return found


def _signal_tree(tree: list[psutil.Process], sig: int) -> None:
    """Signal each process (and its own group), never this process's group."""
    own_group = os.getpgrp()
    for proc in tree:
        with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError, PermissionError):
            if not proc.is_running():
                continue
            group = os.getpgid(proc.pid)
            if group not in (own_group, 0, 1):
                os.killpg(group, sig)
            proc.send_signal(sig)


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM the Airflow components and their task processes, SIGKILL what is left after 20 s;
    a second Ctrl-C waits. Running tasks are interrupted (they fail and can be cleared or retried)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    tree = _task_processes(processes)  # before anything exits and orphans its children
    for process in processes.values():
        _signal_group(process, signal.SIGTERM)
    _signal_tree(tree, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            tree += _task_processes(processes)
            _signal_group(process, signal.SIGKILL)
            process.wait()
    for process in processes.values():  # the leader is gone; take down anything it left behind
        _signal_group(process, signal.SIGKILL)
    _, alive = psutil.wait_procs(tree, timeout=max(0.1, deadline - time.monotonic()))
    _signal_tree(alive, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _generate_dbt_docs(settings: Settings, echo: Echo) -> None:
    """Refresh the dbt docs site the UI serves (its catalog reflects the warehouse as it is now)."""
    from lakehouse.warehouse.dbt_project import generate_docs
    from lakehouse.warehouse.errors import WarehouseError

    try:
        index = generate_docs(settings, in_process=False)
    except (WarehouseError, OSError) as error:
        echo(f"dbt docs: not regenerated: {error}")
    else:
        echo(f"dbt docs: regenerated ({index})")


def mlflow_ui_url(tracking_uri: str) -> str | None:
    """The web UI of an MLflow tracking URI, without credentials; None for a local store (sqlite:, file:)."""
    parts = urlsplit(tracking_uri)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def links(settings: Settings) -> dict[str, str]:
    """What the Airflow UI links to, by name: the docs sites it serves (plugins/), and MLflow."""
    from lakehouse.runtime import mlflow_tracking_uri

    url = f"http://127.0.0.1:{settings.airflow_port}"
    pages = {
        "Data Docs": f"{url}{QUALITY_DOCS_PREFIX}/index.html",
        "dbt docs": f"{url}{DBT_DOCS_PREFIX}/index.html",
    }
    mlflow = mlflow_ui_url(mlflow_tracking_uri(settings))
    if mlflow:
        pages["MLflow"] = mlflow
    return pages


def serve(settings: Settings | None = None, echo: Echo = print) -> int:
    """Run the Airflow UI and scheduler until Ctrl-C (or SIGTERM); returns the exit code."""
    settings = settings or get_settings()
    # Also when started in the background (SIGINT ignored) or stopped by a service manager (SIGTERM).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    if not _port_free(settings.airflow_port):
        raise AirflowSetupError(
            f"port {settings.airflow_port} on 127.0.0.1 is taken (another Airflow?): stop it, or set "
            "AIRFLOW_PORT to a free port"
        )
    from lakehouse.warehouse.dbt_project import ensure_manifest

    echo("dbt: parsing the project for the marts task group (only when dbt/ changed)")
    ensure_manifest(settings, wait=True)
    env = {**os.environ, **airflow_env(settings)}
    secrets_file = passwords_file(settings)
    if not secrets_file.exists():  # Airflow appends to it: create it private first
        fd = os.open(secrets_file, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
    logs = airflow_logs(settings)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    log_paths: dict[str, Path] = {}
    try:
        for name, args in COMPONENTS.items():
            log_paths[name] = logs / f"{name}.log"
            with log_paths[name].open("ab") as out:
                processes[name] = subprocess.Popen(
                    airflow_command(*args),
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            echo(f"started airflow {name} (pid {processes[name].pid}, log {log_paths[name]})")
        threading.Thread(
            target=_generate_dbt_docs, args=(settings, echo), name="dbt-docs", daemon=True
        ).start()
        url = f"http://127.0.0.1:{settings.airflow_port}"
        echo(f"waiting for the Airflow UI at {url} ...")
        if not _wait_http(
            f"{url}/api/v2/monitor/health", 180, lambda: processes["api-server"].poll() is None
        ):
            raise AirflowSetupError(f"the Airflow API server did not come up; see {log_paths['api-server']}")
        passwords = generated_passwords(settings)
        echo(f"Airflow UI: {url}  (DAG smartgrid_daily; new DAGs are paused until you switch them on)")
        for name, page in links(settings).items():
            echo(f"  {name}: {page}")
        for user, role in users(settings):
            secret = passwords.get(user)
            shown = secret if secret else f"see {secrets_file}"
            echo(f"  login: {user} / {shown}  (role {role}; passwords are kept in {secrets_file})")
        echo("Ctrl-C stops the UI, the scheduler and the DAG processor.")
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    echo(f"airflow {name} exited with code {process.returncode}; see {log_paths[name]}")
                    return process.returncode or 1
            time.sleep(1)
    except KeyboardInterrupt:
        echo("stopping Airflow ...")
        return 0
    finally:
        _stop(processes)
        echo("Airflow stopped.")

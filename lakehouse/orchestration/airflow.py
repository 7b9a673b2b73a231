"""The Airflow environment of the platform: one function builds it, every Airflow process gets it.

Airflow reads its configuration when it is first imported, so the platform never imports Airflow
in the CLI process: it runs Airflow commands in subprocesses with `airflow_env()` merged into the
environment. Everything Airflow keeps lives under $LAKEHOUSE_HOME:

  airflow/                                        AIRFLOW_HOME (airflow.cfg that Airflow writes)
  airflow/secrets.json                            fernet, API and JWT keys, generated once, 0600
  airflow/simple_auth_manager_passwords.json.generated   UI passwords Airflow generates, 0600
  airflow/migrated.json                           marker: metadata DB schema already migrated
  logs/airflow/                                   task, scheduler, dag-processor and run logs

The metadata database is `lakehouse.runtime.database_url("airflow")` (the platform's PostgreSQL
or the WAREHOUSE_URL server) unless AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is already set, which is
how a scale-out deployment points Airflow at its own database.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.metadata
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lakehouse.orchestration.project import dags_folder, repo_root
from lakehouse.settings import Settings, get_settings

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
SQL_CONN_VAR = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"


class AirflowSetupError(RuntimeError):
    """Airflow's environment or metadata database could not be prepared; says what to do."""


def airflow_home(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).home / "airflow"


def airflow_logs(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).logs_dir / "airflow"


def passwords_file(settings: Settings | None = None) -> Path:
    """Where Airflow's SimpleAuthManager writes the passwords it generates for AIRFLOW_USERS."""
    return airflow_home(settings) / PASSWORDS_FILE


def users(settings: Settings | None = None) -> list[tuple[str, str]]:
    """(user, role) pairs from AIRFLOW_USERS."""
    raw = (settings or get_settings()).airflow_users
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, role = item.partition(":")
        if not name or role not in {"viewer", "user", "op", "admin"}:
            raise AirflowSetupError(
                f"AIRFLOW_USERS item {item!r} must look like user:role with role viewer, user, op or admin"
            )
        pairs.append((name, role))
    if not pairs:
        raise AirflowSetupError("AIRFLOW_USERS is empty: give at least one user, e.g. admin:admin")
    return pairs


def _private_file(path: Path, content: str) -> None:
    """Create `path` readable by its owner only (0600), in a folder closed to others (0700)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    os.chmod(path, 0o600)


def _secrets(settings: Settings) -> dict[str, str]:
    """Fernet, API session and JWT keys: generated once per LAKEHOUSE_HOME, never in the repository."""
    path = airflow_home(settings) / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    keys = {
        "fernet_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "api_secret_key": secrets.token_urlsafe(32),
        "jwt_secret": secrets.token_urlsafe(48),
    }
    _private_file(path, json.dumps(keys, indent=2) + "\n")
    return keys


def sqlalchemy_urls(postgres_url: str) -> tuple[str, str]:
    """(sync, async) SQLAlchemy URLs on psycopg 3, which Airflow 3.3 prefers and which is installed.

    Airflow would otherwise derive the async URL with asyncpg, which the platform does not ship.
    """
    scheme, rest = postgres_url.split("://", 1)
    if scheme.split("+")[0] not in {"postgresql", "postgres"}:
        raise AirflowSetupError(f"the Airflow metadata database must be PostgreSQL, got {scheme}://...")
    return f"postgresql+psycopg://{rest}", f"postgresql+psycopg_async://{rest}"


def _metadata_url(settings: Settings) -> str:
    explicit = os.environ.get(SQL_CONN_VAR)
    if explicit:
        return explicit
    from lakehouse.runtime import database_url

    return database_url("airflow")


def airflow_env(settings: Settings | None = None) -> dict[str, str]:
    """Environment variables that configure every Airflow process of the platform.

    Merge them over os.environ for subprocesses: `{**os.environ, **airflow_env()}`.
    """
    settings = settings or get_settings()
    home = airflow_home(settings)
    logs = airflow_logs(settings)
    home.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    keys = _secrets(settings)
    users(settings)  # validate early, with a message that names the setting
    sync_url, async_url = sqlalchemy_urls(_metadata_url(settings))
    base_url = f"http://127.0.0.1:{settings.airflow_port}"
    env = {
        "AIRFLOW_HOME": str(home),
        # Absolute, so that task processes find the same data whatever their working directory.
        "LAKEHOUSE_HOME": str(settings.home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder(settings)),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "utc",
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": settings.airflow_users,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(settings)),
        # Registers LocalDayTimetable (lakehouse/orchestration/timetable.py).
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(Path(__file__).resolve().parent / "plugins"),
        SQL_CONN_VAR: sync_url,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": async_url,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(logs),
        "AIRFLOW__LOGGING__DAG_PROCESSOR_CHILD_PROCESS_LOG_DIRECTORY": str(logs / "dag_processor"),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        # New DAG files show up in the UI within a minute instead of five.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "60",
        # Task processes at once: Airflow's default (32) makes a small machine thrash when the ~46
        # dbt tasks of the marts group become ready together; set the variable to override.
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", str(task_slots())),
        # Cosmos caches dbt's partial parse between tasks; per LAKEHOUSE_HOME, not in the /tmp/cosmos
        # that every home on the machine would share.
        "AIRFLOW__COSMOS__CACHE_DIR": str(settings.home / "cosmos"),
        # No usage telemetry from the tasks' libraries: the platform runs offline, and each failed
        # call costs a task time (Cosmos tried after every dbt task). DO_NOT_TRACK is the common
        # opt-out; the others are Scarf's, Cosmos's and MLflow's own switches.
        "DO_NOT_TRACK": "true",
        "SCARF_NO_ANALYTICS": "true",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    root = repo_root()
    if root is not None:
        # Task processes import spark_jobs/ from the checkout, like spark-submit does.
        existing = os.environ.get("PYTHONPATH", "")
        paths = [str(root), *(p for p in existing.split(os.pathsep) if p and p != str(root))]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    # dbt in the Cosmos tasks: dbt/profiles.yml reads DBT_WAREHOUSE_* built from database_url("warehouse").
    from lakehouse.warehouse.dbt_project import dbt_env

    env.update(dbt_env(settings=settings))
    # ...but not dbt's target path: Cosmos runs each dbt task in a temporary copy of the project and
    # takes the partial parse for the next task from its target/. With a shared DBT_TARGET_PATH,
    # every task wrote its manifest over the one the DAG renders from and parsed from scratch.
    env.pop("DBT_TARGET_PATH", None)
    return env


def task_slots() -> int:
    """How many task processes Airflow runs at once by default: two per CPU, at least four."""
    return max(4, 2 * (os.cpu_count() or 1))


def airflow_command(*args: str) -> list[str]:
    """argv for an Airflow CLI command run by this environment's Python."""
    return [sys.executable, "-m", "airflow", *args]


def run_airflow(
    *args: str, settings: Settings | None = None, log: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run an Airflow CLI command in a subprocess with the platform's environment; raise on failure."""
    env = {**os.environ, **airflow_env(settings)}
    result = subprocess.run(
        airflow_command(*args), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"$ airflow {' '.join(args)}\n{result.stdout}\n{result.stderr}")
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        where = f" (full output: {log})" if log else ""
        raise AirflowSetupError(
            f"`airflow {' '.join(args)}` failed with exit code {result.returncode}{where}:\n{tail}"
        )
    return result


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}@{host}:{parts.port}" if parts.port else f"{parts.username or ''}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _ensure_database(sync_url: str) -> None:
    """CREATE DATABASE for the metadata DB when the server lacks it (idempotent)."""
    import psycopg
    from psycopg import sql

    libpq_url = sync_url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        psycopg.connect(libpq_url, connect_timeout=10).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise AirflowSetupError(
                f"cannot reach the Airflow metadata database {_redacted(libpq_url)}: {error}. "
                "Start the platform's PostgreSQL with `lakehouse up` or check WAREHOUSE_URL."
            ) from None
    parts = urlsplit(libpq_url)
    name = parts.path.lstrip("/")
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _schema_revision(sync_url: str) -> str | None:
    """The alembic revision the metadata DB is at, or None when it has no Airflow schema yet."""
    import psycopg

    libpq_url = sync_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq_url, connect_timeout=10) as conn:
        has_table = conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
        if not has_table or not has_table[0]:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def migrate_metadata_db(settings: Settings | None = None) -> str:
    """Create or upgrade Airflow's metadata schema; a no-op (no Airflow import) when already done.

    Returns "migrated" or "up to date". The marker records the Airflow version and the schema
    revision it left; a wiped database or an Airflow upgrade no longer matches and migrates again.
    """
    settings = settings or get_settings()
    env = airflow_env(settings)
    sync_url = env[SQL_CONN_VAR]
    _ensure_database(sync_url)
    marker = airflow_home(settings) / "migrated.json"
    version = importlib.metadata.version("apache-airflow-core")
    expected = {"airflow": version, "database": _redacted(sync_url)}
    revision = _schema_revision(sync_url)
    if marker.exists() and revision is not None:
        recorded = json.loads(marker.read_text())
        if recorded == {**expected, "revision": revision}:
            return "up to date"
    run_airflow("db", "migrate", settings=settings, log=airflow_logs(settings) / "db-migrate.log")
    revision = _schema_revision(sync_url)
    marker.write_text(json.dumps({**expected, "revision": revision}, indent=2) + "\n")
    return "migrated"

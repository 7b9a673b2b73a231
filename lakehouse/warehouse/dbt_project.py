"""Where the dbt project lives and how dbt is run against the warehouse settings.

The profile (dbt/profiles.yml) holds no secrets: it reads DBT_WAREHOUSE_* variables, which
`dbt_env()` derives from `lakehouse.runtime.database_url("warehouse")` (WAREHOUSE_URL or the embedded
PostgreSQL), connecting as the least-privilege dbt login user where the platform manages the
warehouse roles (see `dbt_login`). Everything dbt writes (target/: manifest, run results, docs; logs/)
goes under $LAKEHOUSE_HOME/dbt, never into the checkout.

    run_dbt(["seed"]); run_dbt(["snapshot"]); run_dbt(["build"])     # or: build_all()
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lakehouse.settings import Settings, get_settings
from lakehouse.warehouse.errors import DbtRunError, WarehouseError

log = logging.getLogger(__name__)
PROFILE_NAME = "smartgrid"
TARGET_NAME = "warehouse"
PROJECT_NAME = "smartgrid"
# Schemas dbt builds (generate_schema_name keeps them exactly these names).
SCHEMAS = {
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "seeds": "seeds",
    "snapshots": "snapshots",
}


def project_dir() -> Path:
    """The dbt project folder (dbt/ in the checkout, next to the lakehouse package)."""
    from lakehouse.orchestration.project import repo_root

    root = repo_root()
    candidates = [root / "dbt"] if root is not None else []
    candidates.append(Path(__file__).resolve().parents[2] / "dbt")
    for folder in candidates:
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise WarehouseError("cannot find the dbt project (dbt/dbt_project.yml): run from the project checkout")


def dbt_home(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).home / "dbt"


def target_dir(settings: Settings | None = None) -> Path:
    """dbt's target folder: manifest.json, run_results.json, and the docs site (index.html)."""
    return dbt_home(settings) / "target"


def manifest_path(settings: Settings | None = None) -> Path:
    return target_dir(settings) / "manifest.json"


def profile_env(url: str) -> dict[str, str]:
    """DBT_WAREHOUSE_* variables that dbt/profiles.yml reads, from a PostgreSQL URL."""
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in {"postgresql", "postgres"}:
        raise WarehouseError(
            f"warehouse URL must be postgresql://user:password@host:port/db, got {parts.scheme}://"
        )
    return {
        "DBT_WAREHOUSE_HOST": parts.hostname or "127.0.0.1",
        "DBT_WAREHOUSE_PORT": str(parts.port or 5432),
        "DBT_WAREHOUSE_USER": unquote(parts.username or "postgres"),
        # DBT_ENV_SECRET_ prefix: dbt scrubs the value from its logs.
        "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": unquote(parts.password or ""),
        "DBT_WAREHOUSE_DBNAME": (parts.path or "/warehouse").lstrip("/") or "warehouse",
    }


class DbtLoginError(WarehouseError):
    """dbt's login user is configured but cannot work in the warehouse; the message says what to run."""


@dataclass(frozen=True)
class DbtLogin:
    """Who dbt connects as, and where that came from (for messages; the password is never shown)."""

    user: str
    password: str = field(repr=False)
    source: str


# LAKEHOUSE_HOMEs whose superuser fallback has been warned about (once per process each).
_warned: set[str] = set()


def dbt_login(url: str, settings: Settings) -> DbtLogin:
    """Who dbt connects to the platform's warehouse `url` as, in this order:

    1. DBT_WAREHOUSE_USER (and DBT_ENV_SECRET_WAREHOUSE_PASSWORD) already in the environment: an
       operator's explicit choice (a scale-out deployment, `eval "$(lakehouse dbt env)"`), used as is.
    2. The dbt login user (lakehouse_dbt_user) when it is configured: WAREHOUSE_DBT_PASSWORD, or for
       the embedded PostgreSQL the password `lakehouse up` generated into role_passwords.json. It is
       checked by logging in: if it cannot log in, or its sessions do not run as the dbt role in this
       database, DbtLoginError says to run `lakehouse warehouse roles`. An unreachable server is not
       checked (dbt itself then reports that it cannot connect).
    3. Otherwise the URL's own user. With WAREHOUSE_URL and no WAREHOUSE_DBT_PASSWORD that is the
       operator's choice (as before the roles). For the embedded PostgreSQL it means the roles were
       never set up from this LAKEHOUSE_HOME (a warehouse started before they existed): dbt runs as
       the superuser, with a warning once per process, until `lakehouse up` or `lakehouse warehouse
       roles` applies them (both idempotent; they also hand existing dbt relations to the dbt role).
    """
    from lakehouse.warehouse import roles

    explicit = os.environ.get("DBT_WAREHOUSE_USER")
    if explicit:
        return DbtLogin(
            explicit, os.environ.get("DBT_ENV_SECRET_WAREHOUSE_PASSWORD", ""), "DBT_WAREHOUSE_USER"
        )
    parts = urlsplit(url)
    own = DbtLogin(unquote(parts.username or "postgres"), unquote(parts.password or ""), "the warehouse URL")
    passwords = roles.resolve_passwords(settings, create=False)
    password = passwords.values.get("dbt")
    if password is None:
        if not settings.warehouse_url and str(settings.home) not in _warned:
            _warned.add(str(settings.home))
            log.warning(
                "dbt connects as %s, the superuser of the platform's PostgreSQL: the warehouse roles are "
                "not set up from %s yet; run `lakehouse warehouse roles` (or `lakehouse up`) so that dbt "
                "runs as %s",
                own.user,
                settings.home,
                roles.RoleNames().login("dbt"),
            )
        return own
    names = roles.RoleNames()
    login = DbtLogin(names.login("dbt"), password, passwords.source("dbt"))
    _check_login(url, login, names.group("dbt"))
    return login


def _check_login(url: str, login: DbtLogin, group: str) -> None:
    """Raise DbtLoginError unless `login` logs in to `url`'s database and runs as `group` there."""
    import psycopg

    from lakehouse.runtime.services import redact
    from lakehouse.warehouse.roles import with_user

    where = redact(url)
    fix = "run `lakehouse warehouse roles` (or `lakehouse up` for the platform's own PostgreSQL)"
    try:
        with psycopg.connect(with_user(url, login.user, login.password), connect_timeout=5) as conn:
            (current,) = conn.execute("SELECT current_user").fetchone()
    except psycopg.OperationalError:
        try:  # the server answers its own URL's user: then dbt's user is missing or has another password
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.OperationalError:
            return  # unreachable: nothing to check; dbt reports the connection failure itself
        raise DbtLoginError(
            f"dbt's login user {login.user} cannot log in to {where} with the password from {login.source}: "
            f"{fix} to create it and set its password"
        ) from None
    if current != group:
        raise DbtLoginError(
            f"dbt's login user {login.user} is not set up in {where} (its sessions run as {current}, "
            f"not as the role {group}): {fix}"
        )


def dbt_env(url: str | None = None, settings: Settings | None = None) -> dict[str, str]:
    """Environment for any dbt command of the platform: profile, target and log folders.

    Without `url`: the platform's warehouse, as the user `dbt_login` chooses (the dbt login user
    where the platform manages the roles). With `url` (tests and tools with a database of their own):
    exactly that URL's credentials.
    """
    settings = settings or get_settings()
    profile: dict[str, str]
    if url is None:
        from lakehouse.runtime import database_url

        url = database_url("warehouse", settings=settings)
        login = dbt_login(url, settings)
        profile = {
            **profile_env(url),
            "DBT_WAREHOUSE_USER": login.user,
            "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": login.password,
        }
    else:
        profile = profile_env(url)
    home = dbt_home(settings)
    return {
        **profile,
        "DBT_PROFILES_DIR": str(project_dir()),
        "DBT_PROJECT_DIR": str(project_dir()),
        "DBT_TARGET_PATH": str(home / "target"),
        "DBT_LOG_PATH": str(home / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_LOCAL_TIMEZONE": settings.local_timezone,
    }


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _failures(result: Any) -> list[str]:
    failed = []
    for item in getattr(result.result, "results", None) or []:
        status = str(getattr(item, "status", "")).lower()
        if status in {"error", "fail", "runtime error"}:
            failed.append(f"{item.node.unique_id}: {status}: {(item.message or '').strip()[:300]}")
    return failed


def run_dbt(
    args: Sequence[str],
    *,
    url: str | None = None,
    settings: Settings | None = None,
    in_process: bool = True,
) -> Any:
    """Run one dbt command (e.g. ["build", "--select", "marts"]) against the warehouse.

    In-process through dbtRunner by default (no interpreter start per command); `in_process=False`
    runs `dbt` in a subprocess. Raises DbtRunError naming the failed nodes.
    """
    settings = settings or get_settings()
    env = dbt_env(url, settings)
    Path(env["DBT_LOG_PATH"]).mkdir(parents=True, exist_ok=True)
    command = [*args, "--project-dir", env["DBT_PROJECT_DIR"], "--profiles-dir", env["DBT_PROFILES_DIR"]]
    if not in_process:
        completed = subprocess.run(
            [sys.executable, "-m", "dbt.cli.main", *command],
            env={**os.environ, **env},
            check=False,
        )
        if completed.returncode != 0:
            raise DbtRunError(
                f"dbt {' '.join(args)} failed (exit {completed.returncode}); logs in {env['DBT_LOG_PATH']}"
            )
        return completed
    from dbt.cli.main import dbtRunner

    with _environ(env):
        result = dbtRunner().invoke(command)
    if not result.success:
        detail = "; ".join(_failures(result)) or str(result.exception or "see the log")
        raise DbtRunError(f"dbt {' '.join(args)} failed: {detail} (logs in {env['DBT_LOG_PATH']})")
    return result


def build_all(
    *, url: str | None = None, settings: Settings | None = None, full_refresh: bool = False
) -> dict[str, int]:
    """`dbt build`: seeds, the registry snapshot, every model and its tests, in dependency order.

    Returns counts by "<resource type>:<status>" (e.g. {"model:success": 21, "test:pass": 80}).
    """
    result = run_dbt(["build", *(["--full-refresh"] if full_refresh else [])], url=url, settings=settings)
    statuses: dict[str, int] = {}
    for item in result.result.results:
        key = f"{item.node.resource_type}:{item.status}"
        statuses[key] = statuses.get(key, 0) + 1
    return dict(sorted(statuses.items()))


def _newest_source_mtime(folder: Path) -> float:
    """Newest modification time of the project's own files (what a re-parse would read)."""
    newest = 0.0
    for path in folder.rglob("*"):
        if path.suffix in {".sql", ".yml", ".yaml", ".csv", ".md"} and "target" not in path.parts:
            newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_fresh(settings: Settings | None = None) -> bool:
    """The cached manifest exists and no project file is newer (a stat of ~50 files)."""
    manifest = manifest_path(settings)
    return manifest.is_file() and manifest.stat().st_mtime >= _newest_source_mtime(project_dir())


def refresh_manifest(settings: Settings | None = None) -> Path:
    """`dbt parse` in a subprocess into $LAKEHOUSE_HOME/dbt/parse (kept, so dbt parses partially next
    time), then the manifest is swapped into target/ atomically. One parser at a time (file lock)."""
    import fcntl
    import shutil

    settings = settings or get_settings()
    manifest = manifest_path(settings)
    work = dbt_home(settings) / "parse"
    work.mkdir(parents=True, exist_ok=True)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    project = project_dir()
    with open(work / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_fresh(settings):  # another process parsed while we waited
            return manifest
        env = dbt_env("postgresql://parse@127.0.0.1:5432/warehouse", settings)
        env["DBT_TARGET_PATH"] = str(work)
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "dbt.cli.main",
                "parse",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
                "--quiet",
            ],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise DbtRunError(f"dbt parse failed: {(completed.stdout + completed.stderr).strip()[-2000:]}")
        staged = manifest.with_name(".manifest.json.tmp")
        shutil.copyfile(work / "manifest.json", staged)
        os.replace(staged, manifest)
    return manifest


def _refresh_in_background(settings: Settings) -> None:
    subprocess.Popen(
        [sys.executable, "-m", "lakehouse.warehouse.dbt_project", "refresh-manifest"],
        env={**os.environ, "LAKEHOUSE_HOME": str(settings.home)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def ensure_manifest(settings: Settings | None = None, *, wait: bool = True) -> Path:
    """The manifest Cosmos renders the DAG from; dbt parses only when a project file changed.

    Fresh: returned at the cost of a stat per project file. Otherwise `wait=True` (platform start,
    `lakehouse dbt parse`) runs `dbt parse` now. `wait=False` (the DAG file) never waits on dbt:
    a stale manifest is returned at once while a background parse refreshes it for the next DAG
    parse; a missing one starts that parse and raises, so the DAG shows a clear import error for
    one parse cycle instead of hitting Airflow's import timeout.
    """
    settings = settings or get_settings()
    manifest = manifest_path(settings)
    if manifest_is_fresh(settings):
        return manifest
    if wait:
        return refresh_manifest(settings)
    _refresh_in_background(settings)
    if manifest.is_file():
        return manifest
    raise DbtRunError(
        f"the dbt manifest {manifest} is being built in the background (dbt parse); the marts tasks "
        "appear on the next DAG parse. Run `lakehouse dbt parse` at setup to avoid this."
    )


def docs_dir(settings: Settings | None = None) -> Path:
    """The dbt docs site (index.html, manifest.json, catalog.json) the Airflow UI serves at /dbt-docs/."""
    return dbt_home(settings) / "docs"


def generate_docs(
    settings: Settings | None = None, *, url: str | None = None, in_process: bool = True
) -> Path:
    """`dbt docs generate` against the warehouse, published into docs_dir(); returns its index.html.

    Built in $LAKEHOUSE_HOME/dbt/docs-build (its own target path: the Cosmos manifest in target/ is
    left alone), then swapped in file by file, index.html last, so the served site is never half
    written. One generator at a time (file lock). Needs the warehouse (dbt compiles and reads the
    catalog); raises DbtRunError otherwise.
    """
    import fcntl
    import shutil

    settings = settings or get_settings()
    build = dbt_home(settings) / "docs-build"
    site = docs_dir(settings)
    build.mkdir(parents=True, exist_ok=True)
    site.mkdir(parents=True, exist_ok=True)
    with open(build / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        quiet = [] if in_process else ["--quiet"]  # a subprocess would print to the caller's console
        run_dbt(
            ["docs", "generate", "--target-path", str(build), *quiet],
            url=url,
            settings=settings,
            in_process=in_process,
        )
        for name in ("manifest.json", "catalog.json", "index.html"):
            staged = site / f".{name}.tmp"
            shutil.copyfile(build / name, staged)
            os.replace(staged, site / name)
    return site / "index.html"


def main(argv: list[str] | None = None) -> None:
    """`python -m lakehouse.warehouse.dbt_project refresh-manifest` (what ensure_manifest spawns)."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["refresh-manifest"]:
        raise SystemExit("usage: python -m lakehouse.warehouse.dbt_project refresh-manifest")
    print(refresh_manifest())


if __name__ == "__main__":
    main()

"""What each embedded service is: when it applies, how it starts, where it listens, how it is checked."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from lakehouse.runtime import health, postgres
from lakehouse.runtime.processes import ServiceUser
from lakehouse.settings import Settings

Report = Callable[[str], None]
Mode = Literal["embedded", "external", "unused"]


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    user: ServiceUser | None = None
    cwd: Path | None = None


@dataclass(frozen=True)
class ProcessService:
    """A service that `up` runs as a process group of its own."""

    name: str
    port: Callable[[Settings], int]
    start_timeout: float
    stop_signal: signal.Signals = signal.SIGTERM
    stop_leader_only: bool = False

    def mode(self, settings: Settings) -> Mode:
        return _MODES[self.name](settings)

    def address(self, settings: Settings) -> str:
        return _ADDRESSES[self.name](settings)

    def check(self, settings: Settings) -> str:
        """Run the real health check; raise health.HealthError."""
        return _CHECKS[self.name](settings)

    def log_path(self, settings: Settings) -> Path:
        return settings.logs_dir / f"{self.name}.log"


def _sail_mode(settings: Settings) -> Mode:
    return {"sail": "embedded", "connect": "external"}.get(settings.spark_engine, "unused")  # type: ignore[return-value]


def _sail_address(settings: Settings) -> str:
    if settings.spark_engine == "connect" and settings.spark_remote:
        return settings.spark_remote
    if settings.spark_engine == "classic":
        return f"classic Spark ({settings.spark_master})"
    return f"sc://127.0.0.1:{settings.sail_port}"


def _sail_check(settings: Settings) -> str:
    return health.check_spark_connect(_sail_address(settings))


def _pg_mode(settings: Settings) -> Mode:
    return "external" if settings.warehouse_url else "embedded"


def redact(url: str) -> str:
    """A URL without its password, for display."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc[-1]}"))


def warehouse_url_for(settings: Settings, dbname: str) -> str:
    """The warehouse database is WAREHOUSE_URL itself; other databases (airflow) live on its server.

    Without WAREHOUSE_URL: the embedded server's URL of `dbname`.
    """
    if settings.warehouse_url:
        if dbname == "warehouse":
            return settings.warehouse_url
        parts = urlsplit(settings.warehouse_url)
        return urlunsplit(parts._replace(path=f"/{dbname}"))
    return postgres.url(settings, dbname)


def _pg_address(settings: Settings) -> str:
    if settings.warehouse_url:
        return redact(warehouse_url_for(settings, "warehouse"))
    return f"postgresql://{postgres.SUPERUSER}@127.0.0.1:{settings.postgres_port}"


def _pg_check(settings: Settings) -> str:
    return health.check_postgres(settings.warehouse_url or postgres.url(settings, "postgres"))


def _mlflow_mode(settings: Settings) -> Mode:
    return "external" if settings.mlflow_tracking_uri else "embedded"


def tracking_uri(settings: Settings) -> str:
    return settings.mlflow_tracking_uri or f"http://127.0.0.1:{settings.mlflow_port}"


def _mlflow_check(settings: Settings) -> str:
    uri = tracking_uri(settings)
    if not uri.startswith(("http://", "https://")):
        return f"local store {uri} (no server to check)"
    return health.check_mlflow(uri)


_MODES: dict[str, Callable[[Settings], Mode]] = {
    "sail": _sail_mode,
    "postgres": _pg_mode,
    "mlflow": _mlflow_mode,
}
_ADDRESSES: dict[str, Callable[[Settings], str]] = {
    "sail": _sail_address,
    "postgres": _pg_address,
    "mlflow": tracking_uri,
}
_CHECKS: dict[str, Callable[[Settings], str]] = {
    "sail": _sail_check,
    "postgres": _pg_check,
    "mlflow": _mlflow_check,
}

SAIL = ProcessService("sail", port=lambda s: s.sail_port, start_timeout=60)
# SIGINT to the postmaster is PostgreSQL's "fast shutdown": it stops its own children cleanly.
POSTGRES = ProcessService(
    "postgres",
    port=lambda s: s.postgres_port,
    start_timeout=60,
    stop_signal=signal.SIGINT,
    stop_leader_only=True,
)
MLFLOW = ProcessService("mlflow", port=lambda s: s.mlflow_port, start_timeout=180)

PROCESS_SERVICES: tuple[ProcessService, ...] = (SAIL, POSTGRES, MLFLOW)
AIRFLOW_DB = "airflow-db"
ALL_NAMES: tuple[str, ...] = ("sail", "postgres", AIRFLOW_DB, "mlflow")


def launch(service: ProcessService, settings: Settings, report: Report) -> Launch:
    """Prepare what the service needs on disk and return how to start it."""
    if service is SAIL:
        argv = [sys.executable, "-m", "pysail", "spark", "server", "--ip", "127.0.0.1",
                "--port", str(settings.sail_port)]  # fmt: skip
        return Launch(argv, cwd=Path.cwd())
    if service is POSTGRES:
        argv, user = postgres.prepare(settings, service.log_path(settings), report)
        return Launch(argv, user=user, cwd=postgres.data_dir(settings))
    if service is MLFLOW:
        home = settings.home / "mlflow"
        (home / "artifacts").mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
            "--artifacts-destination", str(home / "artifacts"),
            "--host", "127.0.0.1", "--port", str(settings.mlflow_port), "--workers", "1",
        ]  # fmt: skip
        return Launch(argv, cwd=home)
    raise ValueError(f"unknown service {service.name}")

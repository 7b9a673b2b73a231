"""The embedded runtime: Sail, PostgreSQL, MLflow and the Airflow metadata database on one machine.

`up()` starts what is not configured externally (each service in its own process group, with a
pid file under LAKEHOUSE_HOME/run and a log under LAKEHOUSE_HOME/logs), `status()` runs a real
health check per service, `down()` stops exactly what `up()` started and keeps the data.
"""

from __future__ import annotations

from lakehouse.runtime.errors import (
    PortInUseError,
    RuntimeServiceError,
    ServiceConfigError,
    ServiceStartError,
    ServiceStopError,
)
from lakehouse.runtime.manager import ServiceStatus, down, status, up
from lakehouse.runtime.services import ALL_NAMES as SERVICES
from lakehouse.runtime.services import tracking_uri, warehouse_url_for
from lakehouse.settings import Settings, get_settings

__all__ = [
    "SERVICES",
    "PortInUseError",
    "RuntimeServiceError",
    "ServiceConfigError",
    "ServiceStartError",
    "ServiceStatus",
    "ServiceStopError",
    "database_url",
    "down",
    "mlflow_tracking_uri",
    "status",
    "up",
]


def database_url(dbname: str = "warehouse", settings: Settings | None = None) -> str:
    """PostgreSQL URL of `dbname`: WAREHOUSE_URL's server, or the embedded one (with its password).

    The embedded server's password is generated on first use, so the URL is stable before and
    after `up`; connecting needs the server running (`lakehouse up postgres`).
    """
    return warehouse_url_for(settings or get_settings(), dbname)


def mlflow_tracking_uri(settings: Settings | None = None) -> str:
    """MLFLOW_TRACKING_URI, or the embedded server http://127.0.0.1:<MLFLOW_PORT>."""
    return tracking_uri(settings or get_settings())

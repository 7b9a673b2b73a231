"""Typed errors of the embedded runtime; every message names the service, what failed and what to do."""

from __future__ import annotations

from pathlib import Path


class RuntimeServiceError(RuntimeError):
    """Base class: something about an embedded service (sail, postgres, mlflow, airflow-db) went wrong."""

    def __init__(self, service: str, message: str, log: Path | None = None) -> None:
        self.service = service
        self.log = log
        text = f"{service}: {message}"
        if log is not None:
            text += f" (log: {log})"
        super().__init__(text)


class ServiceStartError(RuntimeServiceError):
    """A service did not start or did not become healthy in time."""


class PortInUseError(ServiceStartError):
    """The service's port is taken by a program that is not ours."""


class ServiceConfigError(RuntimeServiceError):
    """The machine or the settings do not allow the service to run as configured."""


class ServiceStopError(RuntimeServiceError):
    """A service's process group survived SIGKILL (should not happen; the message says which pids)."""

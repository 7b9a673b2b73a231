"""Typed errors of the warehouse: each message says what failed and what to do."""

from __future__ import annotations


class WarehouseError(RuntimeError):
    """Base of the warehouse errors."""


class WarehouseUnavailableError(WarehouseError):
    """PostgreSQL cannot be reached (not started, wrong WAREHOUSE_URL): transient, retry later."""


class PublishError(WarehouseError):
    """Publishing gold into PostgreSQL failed; nothing of this publish was committed."""


class DbtRunError(WarehouseError):
    """A dbt command failed; the message names the failed nodes and where the logs are."""

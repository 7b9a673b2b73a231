"""Table maintenance through delta-rs: compact, vacuum, history.

Sail 0.7.2 does not support OPTIMIZE, VACUUM, DESCRIBE HISTORY or the delta-spark DeltaTable API
(DESIGN.md), so maintenance never goes through Spark. delta-rs reads and writes the same Delta log, on a
local folder or on S3 (storage options from lakehouse.storage.uri).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lakehouse.settings import get_settings
from lakehouse.storage.tables import TableNotFoundError, table_uri
from lakehouse.storage.uri import delta_storage_options

if TYPE_CHECKING:
    from deltalake import DeltaTable

log = logging.getLogger(__name__)

# Delta's own default for delta.deletedFileRetentionDuration; shorter retention must be asked for.
DELTA_DEFAULT_RETENTION_HOURS = 168


def delta_table(name: str) -> DeltaTable:
    """The delta-rs handle of table `name` (TableNotFoundError when it was never written)."""
    from deltalake import DeltaTable

    uri = table_uri(name)
    options = delta_storage_options()
    if not DeltaTable.is_deltatable(uri, options):
        raise TableNotFoundError(f"Table {name} does not exist at {uri}: no write has created it yet.")
    return DeltaTable(uri, storage_options=options)


def compact(name: str, target_size: int | None = None) -> dict[str, Any]:
    """Rewrite small files into larger ones (bin-packing); returns delta-rs metrics (files added/removed).

    Data is unchanged; old files stay referenced by earlier versions until `vacuum` removes them.
    """
    metrics = delta_table(name).optimize.compact(target_size=target_size)
    log.info(
        "Compacted %s: %s files removed, %s added",
        name,
        metrics.get("numFilesRemoved"),
        metrics.get("numFilesAdded"),
    )
    return metrics


def vacuum(name: str, retention_hours: int | None = None, dry_run: bool = False) -> list[str]:
    """Delete files no current version needs and that were removed more than `retention_hours` ago.

    Default retention: DELTA_VACUUM_RETENTION_HOURS. Time travel to versions older than the retention
    stops working afterwards. Returns the files deleted (or, with dry_run, that would be).
    """
    hours = get_settings().delta_vacuum_retention_hours if retention_hours is None else int(retention_hours)
    if hours < 0:
        raise ValueError(f"retention_hours must be >= 0, got {hours}.")
    if hours < DELTA_DEFAULT_RETENTION_HOURS and not dry_run:
        log.warning(
            "Vacuuming %s with %d h retention (< %d h): readers of older versions may fail.",
            name,
            hours,
            DELTA_DEFAULT_RETENTION_HOURS,
        )
    files = delta_table(name).vacuum(retention_hours=hours, dry_run=dry_run, enforce_retention_duration=False)
    log.info("Vacuum %s (%d h retention)%s: %d files", name, hours, " dry run" if dry_run else "", len(files))
    return files


def history(name: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Commits of the table, newest first: version, timestamp, operation, parameters and metrics."""
    return delta_table(name).history(limit)

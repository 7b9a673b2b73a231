"""Weekly table maintenance: compact small files, vacuum old ones, summarise each table's history.

Every Delta table under LAKEHOUSE_ROOT (bronze, silver, gold, internal `_name` tables included)
is maintained through delta-rs (lakehouse.storage.maintenance): Sail cannot OPTIMIZE or VACUUM.
Daily replace_where rebuilds leave one small file per partition and run; compaction rewrites them,
vacuum deletes what no version newer than DELTA_VACUUM_RETENTION_HOURS needs. Contents never change.

The `smartgrid_maintenance` DAG calls `existing_tables()` and then `maintain_table()` per table;
`maintain_all()` does the same in one call (CLI, tests).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from lakehouse.settings import Settings, get_settings
from lakehouse.storage.tables import LAYERS, parse_name
from lakehouse.storage.uri import delta_storage_options, is_s3, join, s3_client, split_s3

log = logging.getLogger(__name__)

HISTORY_LIMIT = 50


class MaintenanceError(RuntimeError):
    """Maintenance failed for some tables (the others were maintained); the message names each one."""

    def __init__(self, message: str, *, failures: dict[str, str], done: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.failures = failures
        self.done = done


def _folders(uri: str, settings: Settings) -> list[str]:
    """Names of the folders directly under a local folder or an s3:// prefix."""
    if is_s3(uri):
        bucket, key = split_s3(uri)
        prefix = key.rstrip("/") + "/" if key else ""
        pages = s3_client(settings).get_paginator("list_objects_v2")
        return sorted(
            p["Prefix"][len(prefix) :].rstrip("/")
            for page in pages.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
            for p in page.get("CommonPrefixes", [])
        )
    path = uri.removeprefix("file://")
    if not os.path.isdir(path):
        return []
    return sorted(n for n in os.listdir(path) if os.path.isdir(os.path.join(path, n)))


def existing_tables(settings: Settings | None = None) -> list[str]:
    """Names ("silver.meter_readings", "bronze._ingested_files", ...) of every Delta table that exists."""
    from deltalake import DeltaTable

    settings = settings or get_settings()
    options = delta_storage_options(settings)
    names = []
    for layer in LAYERS:
        for folder in _folders(join(settings.lakehouse_uri, layer), settings):
            name = f"{layer}.{folder}"
            try:
                parse_name(name)
            except ValueError:
                continue  # not a table folder the write API could have made
            if DeltaTable.is_deltatable(join(settings.lakehouse_uri, layer, folder), options):
                names.append(name)
    return names


def history_summary(name: str, limit: int = HISTORY_LIMIT) -> dict[str, Any]:
    """The table's latest version and commit, and what its last `limit` commits did, by operation."""
    from lakehouse.storage import maintenance

    commits = maintenance.history(name, limit=limit)
    latest = commits[0] if commits else {}
    stamp = latest.get("timestamp")
    return {
        "version": latest.get("version"),
        "last_operation": latest.get("operation"),
        "last_commit_at": (
            datetime.fromtimestamp(stamp / 1000, UTC).isoformat(timespec="seconds") if stamp else None
        ),
        "operations": dict(Counter(str(c.get("operation")) for c in commits)),
        "commits_read": len(commits),
    }


def maintain_table(name: str, retention_hours: int | None = None) -> dict[str, Any]:
    """Compact, then vacuum (retention from settings unless given), then summarise one table."""
    from lakehouse.storage import maintenance

    hours = get_settings().delta_vacuum_retention_hours if retention_hours is None else retention_hours
    metrics = maintenance.compact(name)
    removed = maintenance.vacuum(name, retention_hours=hours)
    summary = {
        "table": name,
        "files_compacted": int(metrics.get("numFilesRemoved", 0) or 0),
        "files_written": int(metrics.get("numFilesAdded", 0) or 0),
        "files_vacuumed": len(removed),
        "retention_hours": hours,
        **history_summary(name),
    }
    log.info("Maintained %s: %s", name, summary)
    return summary


def maintain_all(names: list[str] | None = None, retention_hours: int | None = None) -> list[dict[str, Any]]:
    """maintain_table for every existing table (or `names`); one failure does not stop the others.

    Raises MaintenanceError after trying them all when any failed.
    """
    done: list[dict[str, Any]] = []
    failures: dict[str, str] = {}
    for name in existing_tables() if names is None else names:
        try:
            done.append(maintain_table(name, retention_hours))
        except Exception as error:  # report every table's outcome, then fail once
            log.exception("Maintenance of %s failed", name)
            failures[name] = f"{type(error).__name__}: {error}"
    if failures:
        listed = "; ".join(f"{k}: {v}" for k, v in failures.items())
        raise MaintenanceError(
            f"Maintenance failed for {len(failures)} of {len(failures) + len(done)} tables ({listed}). "
            "The others were compacted and vacuumed; re-run after fixing these (a concurrent write "
            "conflict only needs a retry).",
            failures=failures,
            done=done,
        )
    return done

"""What the platform holds: Delta tables with their row counts, landing files per feed, where logs are.

Read with delta-rs, not Spark, so that `lakehouse demo` can report without another Spark session.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from lakehouse.settings import Settings, get_settings
from lakehouse.storage.uri import delta_storage_options, is_s3, join, s3_client, split_s3

LAYERS = ("bronze", "silver", "gold")


@dataclass
class TableCount:
    name: str
    uri: str
    rows: int
    rows_by_day: dict[str, int] = field(default_factory=dict)


def _children(uri: str, settings: Settings) -> list[str]:
    """Names of the folders directly under a local folder or an s3:// prefix."""
    if is_s3(uri):
        bucket, key = split_s3(uri)
        prefix = key.rstrip("/") + "/" if key else ""
        pages = s3_client(settings).get_paginator("list_objects_v2")
        names = []
        for page in pages.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
            names += [p["Prefix"][len(prefix) :].rstrip("/") for p in page.get("CommonPrefixes", [])]
        return sorted(names)
    path = uri.removeprefix("file://")
    if not os.path.isdir(path):
        return []
    return sorted(n for n in os.listdir(path) if os.path.isdir(os.path.join(path, n)))


def table_counts(settings: Settings | None = None) -> list[TableCount]:
    """Every Delta table under LAKEHOUSE_ROOT with its row count (and per landing/local day if it has one)."""
    from deltalake import DeltaTable

    settings = settings or get_settings()
    options = delta_storage_options(settings)
    results = []
    for layer in LAYERS:
        for name in _children(join(settings.lakehouse_uri, layer), settings):
            uri = join(settings.lakehouse_uri, layer, name)
            if not DeltaTable.is_deltatable(uri, storage_options=options):
                continue
            dataset = DeltaTable(uri, storage_options=options).to_pyarrow_dataset()
            day_column = next((c for c in ("_landing_date", "date_local") if c in dataset.schema.names), None)
            by_day: dict[str, int] = {}
            if day_column:
                days = dataset.to_table(columns=[day_column]).column(day_column).to_pylist()
                by_day = {str(k): v for k, v in sorted(Counter(days).items(), key=lambda kv: str(kv[0]))}
                rows = sum(by_day.values())
            else:
                rows = dataset.count_rows()
            results.append(TableCount(f"{layer}.{name}", uri, rows, by_day))
    return results


def landing_counts(settings: Settings | None = None) -> dict[str, int]:
    """Number of landed files per feed folder (meters, weather, prices)."""
    from lakehouse.sources.landing import LandingStore

    settings = settings or get_settings()
    store = LandingStore(settings=settings)
    return {feed: len(store.list(f"{feed}/")) for feed in ("meters", "weather", "prices")}

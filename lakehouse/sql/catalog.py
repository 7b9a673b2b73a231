"""Where the tables are: Delta tables under LAKEHOUSE_ROOT (local folder or s3://) and the warehouse
PostgreSQL. Listing only; the engine turns the listing into DuckDB views and attachments."""

from __future__ import annotations

from pathlib import Path

from lakehouse.settings import Settings
from lakehouse.storage.uri import is_s3, join, split_s3

LAYERS: tuple[str, ...] = ("bronze", "silver", "gold")


def delta_tables(settings: Settings) -> dict[str, dict[str, str]]:
    """{layer: {table: uri}} for every Delta table (a folder with a _delta_log) under LAKEHOUSE_ROOT."""
    root = settings.lakehouse_uri
    found: dict[str, dict[str, str]] = {layer: {} for layer in LAYERS}
    if is_s3(root):
        from lakehouse.storage.uri import s3_client

        bucket, prefix = split_s3(root)
        client = s3_client(settings)
        for layer in LAYERS:
            layer_prefix = f"{prefix.strip('/')}/{layer}/".lstrip("/")
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=layer_prefix, Delimiter="/"
            )
            for page in pages:
                for common in page.get("CommonPrefixes", []):
                    name = common["Prefix"][len(layer_prefix) :].strip("/")
                    log = client.list_objects_v2(
                        Bucket=bucket, Prefix=f"{common['Prefix']}_delta_log/", MaxKeys=1
                    )
                    if log.get("KeyCount", 0):
                        found[layer][name.lower()] = join(root, layer, name)
        return found
    base = Path(root.removeprefix("file://"))
    for layer in LAYERS:
        folder = base / layer
        if not folder.is_dir():
            continue
        for table in sorted(folder.iterdir()):
            if (table / "_delta_log").is_dir() and any((table / "_delta_log").glob("*.json")):
                found[layer][table.name.lower()] = str(table)
    return found

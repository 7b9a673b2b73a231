"""silver.quarantine rows -> daily counts per day, source, reason and region (pure Arrow).

The warehouse does not need every rejected line, only how many were rejected and why. The day is
the record's local day, or its landing day when the record had no readable timestamp. The region is
attributed where the record says it: a meter line's first field is its meter id (looked up in the
registry), a weather file is named after its city (regions and cities share names); price records
and unreadable lines stay without region.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pyarrow as pa
import pyarrow.compute as pc

COLUMNS = ("source", "reason", "raw_record", "landing_file", "date_local", "landing_date")
SCHEMA = pa.schema(
    [
        ("date_local", pa.date32()),
        ("source", pa.string()),
        ("reason", pa.string()),
        ("region", pa.string()),
        ("records", pa.int64()),
    ]
)


def _region(
    source: str,
    raw_record: str | None,
    landing_file: str | None,
    meter_region: dict[str, str],
    regions: set[str],
) -> str | None:
    if source == "meters" and raw_record:
        return meter_region.get(raw_record.split(",", 1)[0].strip())
    if source == "weather" and landing_file:
        city = PurePosixPath(landing_file).name.split(".", 1)[0]
        return city if city in regions else None
    return None


def daily_counts(quarantine: pa.Table, meters: pa.Table | None, regions: set[str]) -> pa.Table:
    """Aggregate quarantine rows to (date_local, source, reason, region) -> records."""
    if quarantine.num_rows == 0:
        return SCHEMA.empty_table()
    meter_region: dict[str, str] = {}
    if meters is not None and meters.num_rows:
        meter_region = dict(zip(meters["meter_id"].to_pylist(), meters["region"].to_pylist(), strict=True))
    day = pc.coalesce(quarantine["date_local"], quarantine["landing_date"])
    region = [
        _region(s, raw, f, meter_region, regions)
        for s, raw, f in zip(
            quarantine["source"].to_pylist(),
            quarantine["raw_record"].to_pylist(),
            quarantine["landing_file"].to_pylist(),
            strict=True,
        )
    ]
    keyed = pa.table(
        {
            "date_local": day.cast(pa.date32()),
            "source": quarantine["source"],
            "reason": quarantine["reason"],
            "region": pa.array(region, pa.string()),
        }
    )
    counted = keyed.group_by(["date_local", "source", "reason", "region"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    counted = counted.rename_columns([*counted.column_names[:-1], "records"])
    return (
        counted.select(SCHEMA.names)
        .cast(SCHEMA)
        .sort_by([("date_local", "ascending"), ("source", "ascending"), ("reason", "ascending")])
    )

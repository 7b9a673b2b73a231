"""S3 paths through the write API and delta-rs maintenance, against a local moto S3 server."""

from __future__ import annotations

import pytest

from lakehouse.storage import maintenance, tables


def test_sail_writes_and_delta_rs_maintains_on_s3(s3_lakehouse, spark, make_readings, sorted_rows):
    name = "silver.readings_s3"
    assert tables.table_uri(name) == "s3://lake/lakehouse/silver/readings_s3"
    first = tables.append(make_readings(days=("2026-03-01",)), name, partition_by=["date_local"])
    assert first.created
    tables.replace_where(make_readings(days=("2026-03-02",)), name, "date_local = '2026-03-02'")
    tables.merge(make_readings(meters=1, days=("2026-03-02",)), name, keys=["meter_id", "interval_start_utc"])
    assert tables.exists(name)
    before = sorted_rows(tables.read(spark, name))
    assert len(before) == 2 * 4 * 24

    assert [c["operation"] for c in maintenance.history(name)][:2] == ["MERGE", "WRITE"]
    maintenance.compact(name)
    assert maintenance.vacuum(name, retention_hours=0)  # removed files are deleted from the bucket
    assert sorted_rows(tables.read(spark, name)) == before

    from lakehouse.storage.uri import s3_client

    keys = [o["Key"] for o in s3_client().list_objects_v2(Bucket="lake")["Contents"]]
    assert any(k.startswith("lakehouse/silver/readings_s3/_delta_log/") for k in keys)

    # A refused first write leaves no table behind (Sail caches its S3 client per endpoint, so this
    # shares the one moto server of this test rather than having a test of its own).
    refused = "silver.refused_s3"
    stray = make_readings(meters=1, days=("2026-03-01", "2026-03-02"))
    with pytest.raises(tables.RowsOutsidePredicateError):
        tables.replace_where(stray, refused, "date_local = '2026-03-01'", partition_by=["date_local"])
    assert not tables.exists(refused)
    keys = [o["Key"] for o in s3_client().list_objects_v2(Bucket="lake")["Contents"]]
    assert not any(k.startswith("lakehouse/silver/refused_s3/") for k in keys)

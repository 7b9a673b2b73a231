"""LandingStore: atomic, idempotent writes on a local folder and on S3 (a local moto server)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from local_s3 import local_s3

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingError, LandingFileNotFoundError, LandingStore


def test_local_write_read_list_and_uri(lakehouse_env: Settings) -> None:
    store = LandingStore()
    uri = store.write_bytes("weather/date=2026-03-29/Peja.json", b"{}")
    assert uri == str(Path(lakehouse_env.landing_uri) / "weather/date=2026-03-29/Peja.json")
    store.write_bytes("weather/date=2026-03-30/Peja.json", b"{1}")
    store.write_bytes("prices/date=2026-03-29/X.xml", b"<x/>")
    assert store.read_bytes("weather/date=2026-03-29/Peja.json") == b"{}"
    assert store.exists("prices/date=2026-03-29/X.xml")
    assert not store.exists("prices/date=2026-03-28/X.xml")
    assert store.list("weather/") == [
        "weather/date=2026-03-29/Peja.json",
        "weather/date=2026-03-30/Peja.json",
    ]
    assert store.list("weather/date=2026-03-30") == ["weather/date=2026-03-30/Peja.json"]
    assert store.list("nothing/") == []
    assert len(store.list()) == 3
    with pytest.raises(LandingFileNotFoundError, match="no landed file"):
        store.read_bytes("prices/date=2000-01-01/X.xml")
    with pytest.raises(LandingError, match="invalid landing path"):
        store.write_bytes("../escape.csv", b"x")


def test_local_rewrite_of_same_bytes_changes_nothing(lakehouse_env: Settings) -> None:
    store = LandingStore()
    path = Path(store.write_bytes("meters/registry/meters.csv", b"a,b\n1,2\n"))
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 10_000_000_000))
    stamped = path.stat().st_mtime_ns
    store.write_bytes("meters/registry/meters.csv", b"a,b\n1,2\n")
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, stamped)  # untouched
    store.write_bytes("meters/registry/meters.csv", b"a,b\n1,3\n")
    assert path.read_bytes() == b"a,b\n1,3\n"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_local_readers_never_see_a_partial_file(lakehouse_env: Settings) -> None:
    """A reader polling while big files are rewritten sees only complete old or new content."""
    store = LandingStore()
    versions = [bytes([65 + i]) * 4_000_000 for i in range(6)]
    store.write_bytes("big.bin", versions[0])
    seen: set[bytes] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            data = store.read_bytes("big.bin")
            seen.add(data[:1] + data[-1:] + str(len(data)).encode())

    thread = threading.Thread(target=reader)
    thread.start()
    for data in versions[1:] * 3:
        store.write_bytes("big.bin", data)
    stop.set()
    thread.join()
    assert seen <= {v[:1] + v[-1:] + b"4000000" for v in versions}
    assert store.list() == ["big.bin"]  # temp names are hidden and gone


@pytest.fixture
def s3_landing(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch):
    """LANDING_ROOT on a local moto S3 server (settings from env vars, as in production)."""
    with local_s3(monkeypatch, "lake", LANDING_ROOT="s3://lake/landing") as (_, client):
        # versioning counts every PUT, so "no rewrite" is observable
        client.put_bucket_versioning(Bucket="lake", VersioningConfiguration={"Status": "Enabled"})
        yield client


def _versions(client, key: str) -> int:
    listed = client.list_object_versions(Bucket="lake", Prefix=key).get("Versions", [])
    return sum(1 for v in listed if v["Key"] == key)


def test_s3_write_read_list_and_idempotency(s3_landing) -> None:
    store = LandingStore()
    assert store.root == "s3://lake/landing"
    uri = store.write_bytes("meters/readings/date=2026-03-29/a.csv.gz", b"one")
    assert uri == "s3://lake/landing/meters/readings/date=2026-03-29/a.csv.gz"
    store.write_bytes("meters/readings/date=2026-03-30/b.csv.gz", b"two")
    assert store.read_bytes("meters/readings/date=2026-03-29/a.csv.gz") == b"one"
    assert store.exists("meters/readings/date=2026-03-30/b.csv.gz")
    assert not store.exists("meters/readings/date=2026-03-31/c.csv.gz")
    assert store.list("meters/readings/date=2026-03-29/") == ["meters/readings/date=2026-03-29/a.csv.gz"]
    assert len(store.list("meters/")) == 2
    with pytest.raises(LandingFileNotFoundError):
        store.read_bytes("nothing/here.csv")

    key = "landing/meters/readings/date=2026-03-29/a.csv.gz"
    assert s3_landing.head_object(Bucket="lake", Key=key)["Metadata"]["sha256"]
    store.write_bytes("meters/readings/date=2026-03-29/a.csv.gz", b"one")  # same bytes: no new PUT
    assert _versions(s3_landing, key) == 1
    store.write_bytes("meters/readings/date=2026-03-29/a.csv.gz", b"changed")
    assert store.read_bytes("meters/readings/date=2026-03-29/a.csv.gz") == b"changed"
    assert _versions(s3_landing, key) == 2
    # only the landed objects exist: no temporary keys were created
    keys = [o["Key"] for o in s3_landing.list_objects_v2(Bucket="lake")["Contents"]]
    assert sorted(keys) == sorted([key, "landing/meters/readings/date=2026-03-30/b.csv.gz"])


def test_s3_simulated_day_lands_identically_twice(s3_landing) -> None:
    from datetime import date

    from lakehouse.sources import feeds

    paths = [p for feed in feeds.FEEDS for p in feeds.extract(feed, date(2026, 3, 29))]
    assert "meters/registry/meters.csv" in paths
    assert any(p.startswith("meters/readings/date=2026-03-29/") for p in paths)
    again = [p for feed in feeds.FEEDS for p in feeds.extract(feed, date(2026, 3, 29))]
    assert again == paths
    assert all(_versions(s3_landing, f"landing/{p}") == 1 for p in paths)  # nothing rewritten
    assert set(paths) <= set(LandingStore().list())


def test_s3_unreachable_endpoint_gives_a_clear_error(lakehouse_env: Settings, monkeypatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    store = LandingStore("s3://lake/landing")
    with pytest.raises(LandingError, match=r"cannot reach s3://lake/landing/x\.csv"):
        store.write_bytes("x.csv", b"x")
    get_settings.cache_clear()

"""lakehouse.spark.session(): which server it reaches for each engine, once per process, in UTC."""

from __future__ import annotations

import socket

import pytest

from lakehouse import spark as lakehouse_spark
from lakehouse.settings import get_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh(lakehouse_env, monkeypatch):
    """No cached session; SPARK_REMOTE unset; whatever the test starts is stopped after."""
    for name in ("SPARK_REMOTE", "SPARK_ENGINE", "SPARK_CONNECT_MODE_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    lakehouse_spark.stop()
    get_settings.cache_clear()
    yield monkeypatch
    lakehouse_spark.stop()
    get_settings.cache_clear()


@pytest.fixture
def sail_server(fresh):
    """A Sail server on a free port, stopped after `fresh` has stopped the session using it."""
    from pysail.spark import SparkConnectServer

    server = SparkConnectServer(ip="127.0.0.1", port=_free_port())
    server.start(background=True)
    yield server.listening_address[1]
    lakehouse_spark.stop()  # while the server still answers
    server.stop()


def test_sail_without_a_server_starts_one_in_process_once(fresh, caplog):
    fresh.setenv("SAIL_PORT", str(_free_port()))  # nothing listens there
    caplog.set_level("INFO", logger="lakehouse.spark")
    first = lakehouse_spark.session()
    assert lakehouse_spark.session() is first
    assert first.conf.get("spark.sql.session.timeZone") == "UTC"
    assert first.conf.get("spark.sql.sources.partitionOverwriteMode") == "static"
    assert first.range(3).count() == 3
    started = [r for r in caplog.records if "started one in-process" in r.getMessage()]
    assert len(started) == 1


def test_sail_uses_the_server_on_sail_port(fresh, sail_server):
    fresh.setenv("SAIL_PORT", str(sail_server))
    assert lakehouse_spark.sail_url() == f"sc://127.0.0.1:{sail_server}"
    assert lakehouse_spark.session().sql("SELECT 1 AS x").first().x == 1
    assert lakehouse_spark._server is None  # nothing started in-process


def test_connect_engine_uses_spark_remote(fresh, sail_server):
    fresh.setenv("SPARK_REMOTE", f"sc://127.0.0.1:{sail_server}")
    assert get_settings().spark_engine == "connect"
    spark = lakehouse_spark.session()
    assert spark.range(5).count() == 5
    assert lakehouse_spark._server is None


def test_sail_environment_allows_plain_http_endpoints(fresh):
    fresh.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    get_settings.cache_clear()
    env = lakehouse_spark.sail_environment()
    assert env["AWS_ALLOW_HTTP"] == "true" and env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    fresh.setenv("AWS_ENDPOINT_URL", "https://minio.example")
    get_settings.cache_clear()
    assert "AWS_ALLOW_HTTP" not in lakehouse_spark.sail_environment()


def test_classic_delta_jars_from_folder_or_maven(fresh, tmp_path):
    settings = get_settings()
    packages = lakehouse_spark._delta_jars_conf(settings)
    assert packages == {"spark.jars.packages": settings.spark_delta_packages}

    fresh.setenv("SPARK_JARS_DIR", str(tmp_path))
    get_settings.cache_clear()
    with pytest.raises(lakehouse_spark.SparkEngineError, match="no delta-spark jar"):
        lakehouse_spark._delta_jars_conf(get_settings())
    for jar in ("delta-spark_2.13-4.0.0.jar", "delta-storage-4.0.0.jar"):
        (tmp_path / jar).write_bytes(b"")
    jars = lakehouse_spark._delta_jars_conf(get_settings())["spark.jars"].split(",")
    assert sorted(p.rsplit("/", 1)[1] for p in jars) == [
        "delta-spark_2.13-4.0.0.jar",
        "delta-storage-4.0.0.jar",
    ]


def test_classic_s3_settings(fresh):
    fresh.setenv("LAKEHOUSE_ROOT", "s3://lake/prod")
    fresh.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    get_settings.cache_clear()
    settings = get_settings()
    conf = lakehouse_spark.s3a_conf(settings)
    assert conf["spark.hadoop.fs.s3.impl"] == "org.apache.hadoop.fs.s3a.S3AFileSystem"
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:9000"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    packages = lakehouse_spark._delta_jars_conf(settings)["spark.jars.packages"]
    assert "org.apache.hadoop:hadoop-aws:" in packages


def test_classic_refuses_while_spark_remote_is_set(fresh):
    fresh.setenv("SPARK_REMOTE", "sc://127.0.0.1:1")
    with pytest.raises(lakehouse_spark.SparkEngineError, match="unset SPARK_REMOTE"):
        lakehouse_spark.classic_session(delta=False)


@pytest.mark.classic_spark
def test_classic_local_spark_without_delta_writes_parquet_in_utc(fresh, tmp_path):
    spark = lakehouse_spark.classic_session(delta=False, master="local[1]")
    try:
        assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
        spark.range(10).write.parquet(str(tmp_path / "p"))
        assert spark.read.parquet(str(tmp_path / "p")).count() == 10
        row = spark.sql("SELECT CAST(TIMESTAMP '2026-03-29 01:00:00' AS STRING) AS s").first()
        assert row.s == "2026-03-29 01:00:00"
    finally:
        spark.stop()

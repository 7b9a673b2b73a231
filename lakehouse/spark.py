"""The SparkSession for the configured engine: Sail (default), any Spark Connect server, or classic Spark.

Job code calls `session()` and never builds its own, so that one setting (SPARK_ENGINE / SPARK_REMOTE)
moves every job from the embedded Sail server to a cluster (DESIGN.md "One code path, two scales").
Every session runs in UTC: tables store UTC and the session time zone must not shift timestamps.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse.settings import Settings, get_settings
from lakehouse.storage.uri import is_s3

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

# Conf every engine gets: UTC, and static partition overwrite so that no write can ever fall back to
# Sail's "dynamic overwrite replaces the whole table" behaviour (the write API also sets it per write).
SESSION_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "static",
}
DELTA_CONF: dict[str, str] = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


class SparkEngineError(RuntimeError):
    """The configured Spark engine cannot be reached or built; the message says what to change."""


_lock = threading.Lock()
_cached: tuple[tuple[str, str | None], SparkSession] | None = None
_server: object | None = None  # the in-process pysail SparkConnectServer, started at most once


def session(settings: Settings | None = None) -> SparkSession:
    """The process-wide SparkSession for settings.spark_engine (created once, then reused)."""
    global _cached
    settings = settings or get_settings()
    key = (settings.spark_engine, settings.spark_remote)
    with _lock:
        if _cached is not None and _cached[0] == key and not _is_stopped(_cached[1]):
            return _cached[1]
        if settings.spark_engine == "sail":
            spark = _remote_session(sail_url(settings))
        elif settings.spark_engine == "connect":
            spark = _remote_session(str(settings.spark_remote))
        else:
            spark = classic_session(settings, delta=True)
        _cached = (key, spark)
        return spark


def stop() -> None:
    """Stop the cached session and the in-process Sail server, if this process started one."""
    global _cached, _server
    with _lock:
        if _cached is not None:
            spark, url = _cached[1], _remote_url(_cached[1])
            # A Spark Connect client retries for minutes against a server that is gone: skip it then.
            if url is None or _listening(*url):
                spark.stop()
            _cached = None
        if _server is not None:
            _server.stop()  # type: ignore[attr-defined]
            _server = None


def sail_environment(settings: Settings | None = None) -> dict[str, str]:
    """Environment a Sail server needs to reach S3 (for `lakehouse up`, which starts Sail separately).

    Sail reads S3 credentials through the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
    AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws, instance and container roles), the endpoint from
    AWS_ENDPOINT_URL and the region from AWS_REGION. A plain-http endpoint (MinIO, a local S3) is refused
    with "URL scheme is not allowed" unless AWS_ALLOW_HTTP=true.
    """
    settings = settings or get_settings()
    env: dict[str, str] = {"AWS_REGION": settings.aws_region}
    if settings.aws_endpoint_url:
        env["AWS_ENDPOINT_URL"] = settings.aws_endpoint_url
        if settings.aws_endpoint_url.startswith("http://"):
            env["AWS_ALLOW_HTTP"] = "true"
    return env


def sail_url(settings: Settings | None = None) -> str:
    """sc:// URL of a Sail server: the shared one on SAIL_PORT if it listens, else one started in-process."""
    global _server
    settings = settings or get_settings()
    if _listening("127.0.0.1", settings.sail_port):
        return f"sc://127.0.0.1:{settings.sail_port}"
    if _server is None:
        # Sail reads these lazily from this process's environment (verified: set before the session).
        for name, value in sail_environment(settings).items():
            os.environ.setdefault(name, value)
        os.environ.setdefault("RUST_LOG", "warn")  # Sail logs every session at INFO otherwise
        from pysail.spark import SparkConnectServer

        server = SparkConnectServer(ip="127.0.0.1", port=0)
        server.start(background=True)
        _server = server
        _, port = server.listening_address  # type: ignore[misc]
        log.info(
            "No Sail server on 127.0.0.1:%s (`lakehouse up` starts one): started one in-process on port %s",
            settings.sail_port,
            port,
        )
    _, port = _server.listening_address  # type: ignore[attr-defined]
    return f"sc://127.0.0.1:{port}"


def classic_session(
    settings: Settings | None = None,
    *,
    delta: bool = True,
    master: str | None = None,
    app_name: str = "lakehouse",
    conf: dict[str, str] | None = None,
) -> SparkSession:
    """A classic (JVM) SparkSession; `delta=False` gives plain local Spark (bench, cross-engine tests).

    With delta=True the Delta jars come from SPARK_JARS_DIR (every *.jar in it, for clusters without Maven)
    or else from SPARK_DELTA_PACKAGES through spark.jars.packages (Spark downloads them from Maven).
    """
    settings = settings or get_settings()
    if os.environ.get("SPARK_REMOTE") or os.environ.get("SPARK_CONNECT_MODE_ENABLED"):
        raise SparkEngineError(
            "Classic Spark cannot start while SPARK_REMOTE is set (PySpark would connect instead): "
            "unset SPARK_REMOTE, or use SPARK_ENGINE=connect."
        )
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master or settings.spark_master).appName(app_name)
    options: dict[str, str] = {**SESSION_CONF, "spark.ui.showConsoleProgress": "false"}
    if delta:
        options.update(DELTA_CONF)
        options.update(_delta_jars_conf(settings))
        if is_s3(settings.lakehouse_uri) or is_s3(settings.landing_uri):
            options.update(s3a_conf(settings))
    options.update(conf or {})
    for name, value in options.items():
        builder = builder.config(name, value)
    return builder.getOrCreate()


def s3a_conf(settings: Settings) -> dict[str, str]:
    """Hadoop S3A settings so that classic Spark reads and writes s3:// paths with the same endpoint."""
    conf = {
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.endpoint.region": settings.aws_region,
    }
    if settings.aws_endpoint_url:
        conf["spark.hadoop.fs.s3a.endpoint"] = settings.aws_endpoint_url
        conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(
            settings.aws_endpoint_url.startswith("https://")
        ).lower()
    return conf


def _delta_jars_conf(settings: Settings) -> dict[str, str]:
    s3 = is_s3(settings.lakehouse_uri) or is_s3(settings.landing_uri)
    if settings.spark_jars_dir:
        folder = Path(settings.spark_jars_dir).expanduser()
        jars = sorted(str(p.resolve()) for p in folder.glob("*.jar"))
        if not any("delta-spark" in Path(j).name for j in jars):
            raise SparkEngineError(
                f"SPARK_JARS_DIR={folder} holds no delta-spark jar: put delta-spark_*.jar and "
                "delta-storage-*.jar (plus hadoop-aws and its AWS SDK bundle for s3://) there."
            )
        return {"spark.jars": ",".join(jars)}
    packages = [settings.spark_delta_packages]
    hadoop = _hadoop_version()
    if s3 and hadoop and "hadoop-aws" not in settings.spark_delta_packages:
        packages.append(f"org.apache.hadoop:hadoop-aws:{hadoop}")
    return {"spark.jars.packages": ",".join(packages)}


def _hadoop_version() -> str | None:
    """Hadoop version of the jars PySpark ships (hadoop-aws must match it exactly)."""
    import pyspark

    for jar in (Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"):
        return jar.name.removeprefix("hadoop-client-api-").removesuffix(".jar")
    return None


def _remote_session(url: str) -> SparkSession:
    from pyspark.sql import SparkSession

    try:
        # create(), not getOrCreate(): the latter returns whatever session is active, whatever its URL.
        spark = SparkSession.builder.remote(url).create()
        for name, value in SESSION_CONF.items():
            spark.conf.set(name, value)
    except Exception as error:  # the client raises several unrelated types for "cannot connect"
        raise SparkEngineError(
            f"Cannot open a Spark Connect session at {url}: {error}. Start the server "
            "(`lakehouse up` for Sail) or fix SPARK_REMOTE."
        ) from error
    return spark


def _remote_url(spark: SparkSession) -> tuple[str, int] | None:
    """(host, port) of a Spark Connect session's server; None for a classic session."""
    builder = getattr(getattr(spark, "client", None), "_builder", None)
    endpoint = getattr(builder, "endpoint", None)  # "host:port" of the gRPC channel
    if not endpoint:
        return None
    host, _, port = str(endpoint).rpartition(":")
    return (host, int(port)) if port.isdigit() else None


def _is_stopped(spark: SparkSession) -> bool:
    return bool(getattr(spark, "is_stopped", False))


def _listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0

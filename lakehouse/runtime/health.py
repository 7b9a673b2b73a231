"""Real health checks: a Spark Connect `SELECT 1`, a PostgreSQL `SELECT 1`, MLflow's GET /health.

Each check returns a short detail for `lakehouse status` or raises HealthError saying what failed.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import psutil


class HealthError(Exception):
    """The service did not answer its health check; the message says how it failed."""


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_owner(port: int) -> str | None:
    """Who listens on `port` (pid and program name when the OS tells us), or None if nobody does."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        connections = []
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                return "another program"
            try:
                return f"pid {conn.pid} ({psutil.Process(conn.pid).name()})"
            except psutil.Error:
                return f"pid {conn.pid}"
    return "another program" if tcp_open("127.0.0.1", port, timeout=0.5) else None


def check_spark_connect(url: str, timeout: float = 30.0) -> str:
    """Open a Spark Connect session at `url` and run SELECT 1 (a fresh session, never the default one)."""
    parts = urlsplit(url.replace("sc://", "http://", 1))
    host, port = parts.hostname or "127.0.0.1", parts.port or 15002
    if not tcp_open(host, port):
        raise HealthError(f"nothing listens on {host}:{port}")
    outcome: dict[str, object] = {}

    def probe() -> None:
        from pyspark.sql.connect.session import SparkSession

        started = time.monotonic()
        try:
            session = SparkSession(connection=url)
            try:
                outcome["value"] = session.sql("SELECT 1 AS ok").collect()[0][0]
            finally:
                session.stop()
            outcome["seconds"] = time.monotonic() - started
        except Exception as error:
            outcome["error"] = error

    worker = threading.Thread(target=probe, name="spark-connect-health", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise HealthError(f"SELECT 1 did not answer within {timeout:.0f} s")
    if "error" in outcome:
        first_line = str(outcome["error"]).strip().splitlines()[0][:200]
        raise HealthError(f"SELECT 1 failed: {first_line}")
    if outcome.get("value") != 1:
        raise HealthError(f"SELECT 1 returned {outcome.get('value')!r}")
    return f"SELECT 1 ok ({outcome['seconds']:.1f} s)"


def check_postgres(url: str, timeout: float = 5.0) -> str:
    """Connect with psycopg and run SELECT 1; the detail names the server version."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=max(1, int(timeout))) as conn:
            value = conn.execute("SELECT 1").fetchone()
            version = conn.info.server_version
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        raise HealthError(f"connect/SELECT 1 failed: {first_line}") from None
    if not value or value[0] != 1:
        raise HealthError(f"SELECT 1 returned {value!r}")
    return f"SELECT 1 ok (PostgreSQL {version // 10000}.{version % 10000})"


def check_mlflow(base_url: str, timeout: float = 5.0) -> str:
    """GET <base_url>/health, which MLflow's tracking server answers with 200 OK."""
    import httpx

    url = base_url.rstrip("/") + "/health"
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as error:
        raise HealthError(f"GET {url} failed: {type(error).__name__}: {error}") from None
    if response.status_code != 200:
        raise HealthError(f"GET {url} answered {response.status_code}")
    return f"GET /health {response.status_code} {response.text.strip()[:20]}"

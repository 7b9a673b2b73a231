"""A local S3 for tests (a moto server on a free port), with the platform's settings pointed at it.

A module of its own so that any test can use it (conftest modules are not importable by name).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest

from lakehouse.settings import Settings, get_settings


@contextlib.contextmanager
def local_s3(monkeypatch: pytest.MonkeyPatch, *buckets: str, **env: str) -> Iterator[tuple[Settings, object]]:
    """(settings, boto3 client) with AWS_ENDPOINT_URL on a fresh, empty moto S3 holding `buckets`;
    `env` sets further variables (e.g. REPORTS_ROOT="s3://bucket/prefix"). The server stops after.

    An in-process moto server: fine for boto3 and the landing store; delta-rs needs moto in its own
    process (tests/storage/conftest.py, s3_lakehouse)."""
    from moto.server import ThreadedMotoServer

    from lakehouse.storage.uri import s3_client

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        # moto keeps its backends per process: start from an empty S3
        httpx.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
        variables = {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
            "AWS_REGION": "us-east-1",
            **env,
        }
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        get_settings.cache_clear()
        settings = get_settings()
        client = s3_client(settings)
        for bucket in buckets:
            client.create_bucket(Bucket=bucket)
        yield settings, client
    finally:
        server.stop()
        get_settings.cache_clear()

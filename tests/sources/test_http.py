"""The shared HTTP client's retry arithmetic and secret handling (pure parts)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from replay import ReplayServer, Reply

from lakehouse.settings import load_settings
from lakehouse.sources.errors import SourceUnavailableError
from lakehouse.sources.http import HttpClient, backoff_seconds, redacted_url, retry_after_seconds


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Mon, 23 Nov 2026 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 23 Nov 2026 09:00:00 GMT", now) == 0.0  # in the past
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_full_jitter_backoff_stays_under_its_exponential_ceiling():
    rng = random.Random(1)
    waits = [[backoff_seconds(attempt, 1.0, 10.0, rng) for _ in range(200)] for attempt in (1, 2, 3, 6)]
    for ceiling, sample in zip((1.0, 2.0, 4.0, 10.0), waits, strict=True):
        assert min(sample) >= 0 and max(sample) <= ceiling
        assert max(sample) > ceiling * 0.8  # jitter spreads over the whole range


def test_secret_query_values_never_show():
    shown = redacted_url("https://web-api.tp.entsoe.eu/api", {"securityToken": "abc", "documentType": "A44"})
    assert "abc" not in shown and "securityToken=%2A%2A%2A" in shown and "documentType=A44" in shown


def test_a_long_retry_after_is_capped_and_each_retry_is_logged(tmp_path, caplog):
    settings = load_settings(
        lakehouse_home=tmp_path, http_max_attempts=2, http_backoff_seconds=0, http_max_backoff_seconds=0.05
    )
    waits: list[float] = []
    with ReplayServer() as server, HttpClient(settings, sleep=waits.append) as client:
        server.script("/x", Reply(429, b"slow down", headers={"Retry-After": "3600"}))
        with pytest.raises(SourceUnavailableError, match="after 2 attempt"):
            client.get(server.url("/x"), {"a": "1"})
    assert waits == [0.05]
    assert "attempt 1/2 failed (HTTP 429" in caplog.text


def test_httpx_request_logs_never_show_the_token(tmp_path, caplog):
    """httpx logs each request URL at INFO: Airflow task logs must not receive securityToken."""
    settings = load_settings(lakehouse_home=tmp_path)
    token = "tok-" + "9" * 12
    caplog.set_level("INFO", logger="httpx")
    with ReplayServer() as server, HttpClient(settings) as client:
        server.script("/api", Reply(200, b"<ok/>"))
        client.get(server.url("/api"), {"securityToken": token, "documentType": "A44"})
    assert "HTTP Request" in caplog.text and "documentType=A44" in caplog.text
    assert token not in caplog.text

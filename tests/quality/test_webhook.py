"""The HMAC-signed webhook against a real local HTTP server that verifies every call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from webhook_receiver import Receiver

from lakehouse.notify import webhook
from lakehouse.settings import load_settings

SECRET = "s3cret-for-tests"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver([503, 503, 200], SECRET, "/hooks/lakehouse") as r:
        yield r


def _settings(url: str, secret: str | None = SECRET, **extra: Any):
    return load_settings(webhook_url=url, webhook_secret=secret, http_max_attempts=4, **extra)


def test_signed_call_is_retried_until_accepted(receiver: Receiver) -> None:
    waits: list[float] = []
    outcome = webhook.send(
        "quality.gate_failed", {"table": "silver.x"}, _settings(receiver.url), sleep=waits.append
    )
    assert outcome == {"sent": True, "status": 200, "attempts": 3}
    assert len(waits) == 2 and all(w >= 0 for w in waits)
    assert all(call["verified"] for call in receiver.calls)
    headers = receiver.calls[-1]["headers"]
    assert headers[webhook.SIGNATURE_HEADER].startswith("sha256=")
    assert headers[webhook.EVENT_HEADER] == "quality.gate_failed"
    payload = json.loads(receiver.calls[-1]["body"])
    assert payload["event"] == "quality.gate_failed" and payload["data"] == {"table": "silver.x"}


def test_wrong_secret_is_refused_without_retry() -> None:
    with Receiver([], secret="the-receivers-secret") as r:
        with pytest.raises(webhook.WebhookDeliveryError, match="HTTP 401"):
            webhook.send("e", {}, _settings(r.url), sleep=lambda s: None)
        assert len(r.calls) == 1 and not r.calls[0]["verified"]


def test_gives_up_after_the_last_attempt() -> None:
    with Receiver([500] * 10, SECRET) as r:
        with pytest.raises(webhook.WebhookDeliveryError, match="after 4 attempt"):
            webhook.send("e", {}, _settings(r.url), sleep=lambda s: None)
        assert len(r.calls) == 4


def test_signature_rejects_tampering_and_replay() -> None:
    body = webhook.encode("e", {"a": 1})
    headers = {webhook.TIMESTAMP_HEADER: "1000", webhook.SIGNATURE_HEADER: webhook.sign(SECRET, 1000, body)}
    webhook.verify_signature(SECRET, headers, body, now=1010)
    with pytest.raises(webhook.SignatureError, match="does not match"):
        webhook.verify_signature(SECRET, headers, body + b" ", now=1010)
    with pytest.raises(webhook.SignatureError, match="replay"):
        webhook.verify_signature(SECRET, headers, body, now=1000 + 3600)
    with pytest.raises(webhook.SignatureError, match="missing"):
        webhook.verify_signature(SECRET, {}, body)


def test_url_without_secret_is_a_config_error_and_no_url_only_logs() -> None:
    with pytest.raises(webhook.WebhookConfigError, match="WEBHOOK_SECRET"):
        webhook.send("e", {}, _settings("http://127.0.0.1:9/x", secret=None))
    assert webhook.send("e", {}, load_settings(webhook_url=None))["sent"] is False

"""HMAC-SHA256-signed JSON webhooks with retries and backoff (quality gate failures, daily report).

Request: POST WEBHOOK_URL, body = compact JSON {"event": ..., "sent_at": ..., "data": {...}}, headers
  X-Lakehouse-Event: <event>
  X-Lakehouse-Timestamp: <unix seconds>
  X-Lakehouse-Signature: sha256=<hex HMAC-SHA256(WEBHOOK_SECRET, "<timestamp>.<body>")>
The receiver recomputes the HMAC over the timestamp and the raw body, compares in constant time and
refuses timestamps older than a few minutes (replay): `verify_signature` does exactly that, so a
receiver written in Python can import it. Retries: transport errors, 429 and 5xx, with the same
full-jitter exponential backoff as the source connectors (HTTP_MAX_ATTEMPTS, HTTP_BACKOFF_SECONDS,
HTTP_MAX_BACKOFF_SECONDS, HTTP_TIMEOUT_SECONDS; Retry-After honoured).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.http import RETRYABLE_STATUS, backoff_seconds, retry_after_seconds, user_agent

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Lakehouse-Signature"
TIMESTAMP_HEADER = "X-Lakehouse-Timestamp"
EVENT_HEADER = "X-Lakehouse-Event"
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookError(Exception):
    """Base of the notifier's errors."""


class WebhookConfigError(WebhookError, ValueError):
    """WEBHOOK_URL is set but WEBHOOK_SECRET is not (unsigned calls are never sent)."""


class WebhookDeliveryError(WebhookError):
    """The receiver did not accept the notification after every attempt (or refused it with a 4xx).

    `permanent`: the receiver refused it (a 4xx other than 429), so retrying later will not help.
    """

    def __init__(self, message: str, *, permanent: bool = False, attempts: int = 0) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts


class SignatureError(WebhookError, ValueError):
    """A received call's signature is missing, wrong, or too old (replay)."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Lakehouse-Signature value: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    headers: dict[str, str] | Any,
    body: bytes,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Receiver side: raise SignatureError unless the call is signed with `secret` and recent."""
    lower = {k.lower(): v for k, v in dict(headers).items()}
    signature, stamp = lower.get(SIGNATURE_HEADER.lower()), lower.get(TIMESTAMP_HEADER.lower())
    if not signature or not stamp:
        raise SignatureError(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
    try:
        age = abs((now if now is not None else time.time()) - int(stamp))
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} is not a unix time: {stamp!r}") from None
    if age > tolerance_seconds:
        raise SignatureError(f"timestamp is {age:.0f}s old (tolerance {tolerance_seconds}s): possible replay")
    if not hmac.compare_digest(sign(secret, stamp, body), signature):
        raise SignatureError("signature does not match the body and timestamp")


def encode(event: str, data: dict[str, Any]) -> bytes:
    payload = {"event": event, "sent_at": datetime.now(UTC).isoformat(), "data": data}
    return json.dumps(payload, default=str, separators=(",", ":"), sort_keys=True).encode()


def send(
    event: str,
    data: dict[str, Any],
    settings: Settings | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """POST a signed notification to WEBHOOK_URL with retries; returns {"sent", "status", "attempts"}.

    Without WEBHOOK_URL the notification is only logged ({"sent": False}). Raises WebhookConfigError
    (URL without secret) or WebhookDeliveryError (every attempt failed, or a 4xx other than 429).
    """
    settings = settings or get_settings()
    if not settings.webhook_url:
        log.warning("No WEBHOOK_URL set; notification %s not sent: %s", event, data)
        return {"sent": False, "status": None, "attempts": 0}
    if not settings.webhook_secret:
        raise WebhookConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set the shared secret the receiver verifies "
            f"the {SIGNATURE_HEADER} header with (unsigned notifications are never sent)."
        )
    body = encode(event, data)
    attempts = settings.http_max_attempts
    last = "no attempt made"
    with httpx.Client(timeout=httpx.Timeout(settings.http_timeout_seconds), transport=transport) as client:
        for attempt in range(1, attempts + 1):
            stamp = int(time.time())  # fresh per attempt: a delayed retry is not mistaken for a replay
            headers = {
                "Content-Type": "application/json",
                "User-Agent": user_agent(),
                EVENT_HEADER: event,
                TIMESTAMP_HEADER: str(stamp),
                SIGNATURE_HEADER: sign(settings.webhook_secret, stamp, body),
            }
            wait: float | None = None
            try:
                response = client.post(settings.webhook_url, content=body, headers=headers)
            except httpx.TransportError as error:
                last = f"{type(error).__name__}: {error or 'no detail'}"
            else:
                if response.is_success:
                    log.info(
                        "Webhook %s delivered (HTTP %d, attempt %d)", event, response.status_code, attempt
                    )
                    return {"sent": True, "status": response.status_code, "attempts": attempt}
                last = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in RETRYABLE_STATUS:
                    raise WebhookDeliveryError(
                        f"Webhook {settings.webhook_url} refused {event}: {last}. Check WEBHOOK_URL and "
                        "that the receiver uses the same WEBHOOK_SECRET.",
                        permanent=True,
                        attempts=attempt,
                    )
                wait = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == attempts:
                break
            if wait is None:
                wait = backoff_seconds(
                    attempt, settings.http_backoff_seconds, settings.http_max_backoff_seconds
                )
            wait = min(wait, settings.http_max_backoff_seconds)
            log.warning(
                "Webhook %s attempt %d/%d failed (%s); retrying in %.2fs",
                event,
                attempt,
                attempts,
                last,
                wait,
            )
            sleep(wait)
    raise WebhookDeliveryError(
        f"Webhook {settings.webhook_url} did not accept {event} after {attempts} attempt(s); last error: "
        f"{last}. Check that the receiver is up, or allow more attempts with HTTP_MAX_ATTEMPTS.",
        attempts=attempts,
    )

"""The one HTTP client of the source connectors: retries, backoff, timeouts, a User-Agent.

Public APIs throttle (429) and fail transiently (5xx, timeouts). Every connector goes through
`HttpClient.get`, which retries those with exponential backoff and full jitter (honouring
Retry-After), logs each retry, and raises `SourceUnavailableError` after the last attempt with a
message that says what was tried and what to check. Other answers (2xx, 4xx) are returned to the
connector, which knows what its service means by them (see `raise_for_status`).
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from urllib.parse import urlencode

import httpx

from lakehouse.settings import Settings, get_settings, mask_url
from lakehouse.sources.errors import SourceError, SourceUnavailableError, snippet

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# Query parameters whose values never appear in logs or error messages.
SECRET_PARAMS = frozenset({"securitytoken", "token", "apikey", "api_key", "password"})


class _MaskSecretUrls(logging.Filter):
    """httpx logs every request URL at INFO; ENTSO-E's carries securityToken=, so mask it there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


_URL_MASK = _MaskSecretUrls()
if _URL_MASK not in logging.getLogger("httpx").filters:
    logging.getLogger("httpx").addFilter(_URL_MASK)


def user_agent() -> str:
    try:
        version = metadata.version("smartgrid-lakehouse")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"smartgrid-lakehouse/{version} python-httpx/{httpx.__version__}"


def redacted_url(url: str, params: Mapping[str, object] | None) -> str:
    """The request URL with secret query values replaced by ***, for logs and messages."""
    if not params:
        return url
    shown = {k: ("***" if k.lower() in SECRET_PARAMS else v) for k, v in params.items()}
    return f"{url}?{urlencode(shown)}"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff: uniform(0, min(cap, base * 2**(attempt-1)))."""
    ceiling = min(cap, base * (2 ** (attempt - 1)))
    return (rng or random).uniform(0, ceiling)


class HttpClient:
    """A retrying GET client configured from settings (attempts, backoff, timeout)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.settings.http_timeout_seconds),
            headers={"User-Agent": user_agent()},
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        params: Mapping[str, object] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        retry_status: Iterable[int] = RETRYABLE_STATUS,
    ) -> httpx.Response:
        """GET with retries; returns the first non-retryable response (2xx, 3xx, 4xx other than 429)."""
        settings = self.settings
        attempts = settings.http_max_attempts
        retry_on = frozenset(retry_status)
        shown = redacted_url(url, params)
        last = "no attempt made"
        for attempt in range(1, attempts + 1):
            wait: float | None = None
            try:
                response = self._client.get(url, params=dict(params or {}), headers=headers)
            except httpx.TransportError as error:  # timeouts, refused or reset connections
                last = f"{type(error).__name__}: {error or 'no detail'}"
            else:
                if response.status_code not in retry_on:
                    return response
                body = snippet(response.content, 200)
                last = f"HTTP {response.status_code} {response.reason_phrase}: {body}"
                wait = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == attempts:
                break
            if wait is None:
                wait = backoff_seconds(
                    attempt, settings.http_backoff_seconds, settings.http_max_backoff_seconds
                )
            wait = min(wait, settings.http_max_backoff_seconds)
            log.warning(
                "GET %s attempt %d/%d failed (%s); retrying in %.2fs", shown, attempt, attempts, last, wait
            )
            self._sleep(wait)
        raise SourceUnavailableError(
            f"GET {shown} failed after {attempts} attempt(s); last error: {last}. "
            "Check that the service is up and reachable from this machine (proxy, firewall, DNS), "
            "that the URL setting is right, or allow more patience with HTTP_MAX_ATTEMPTS / "
            "HTTP_BACKOFF_SECONDS / HTTP_TIMEOUT_SECONDS."
        )


def raise_for_status(
    response: httpx.Response, params: Mapping[str, object] | None = None, hint: str = ""
) -> None:
    """Turn a non-2xx answer into a SourceError naming the URL (secrets hidden), status and body."""
    if response.is_success:
        return
    url = redacted_url(str(response.request.url.copy_with(query=None)), params)
    raise SourceError(
        f"GET {url} answered HTTP {response.status_code} {response.reason_phrase}: "
        f"{snippet(response.content)}" + (f". {hint}" if hint else "")
    )

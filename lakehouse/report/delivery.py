"""Deliver a built daily report: e-mail (HTML body, PDF attached) and the signed webhook.

Each channel is used when configured: e-mail when REPORT_EMAIL_TO is set (server from SMTP_* or the
Airflow connection REPORT_SMTP_CONN_ID, see lakehouse.notify.email), the webhook when WEBHOOK_URL is
set (event "report.published", see lakehouse.notify.webhook). Nothing configured is not an error:
the result says so. Both channels are always attempted; if either fails, DeliveryError lists every
failure after both were tried, so a broken mail server never hides a webhook failure or the reverse.

Headline keys read for the subject and text body (all optional; the builder fills them):
`total_mwh` (float), `peak_mw` (float), `peak_local` ("HH:MM", a time or a datetime in local time).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from typing import Any, Literal

from lakehouse.notify import webhook
from lakehouse.notify.email import (
    Attachment,
    EmailConfigError,
    EmailDeliveryError,
    compose,
    send_email,
    smtp_config,
)
from lakehouse.report.artifacts import PublishedReport
from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingError, LandingStore

log = logging.getLogger(__name__)

EVENT = "report.published"
INCOMPLETE_TAG = "[DATA INCOMPLETE]"
Channel = Literal["email", "webhook"]
CHANNELS: tuple[Channel, ...] = ("email", "webhook")


@dataclass(frozen=True)
class ChannelOutcome:
    """What happened on one channel. `permanent` (failures only): retrying will not help.
    `attempts`: sends tried, 0 when nothing was sent or the count is unknown."""

    channel: Channel
    status: Literal["sent", "not configured", "skipped", "failed"]
    detail: str
    attempts: int = 0
    permanent: bool = False


@dataclass(frozen=True)
class DeliveryResult:
    day: date
    outcomes: tuple[ChannelOutcome, ...]

    @property
    def failures(self) -> tuple[ChannelOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def sent(self) -> tuple[ChannelOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "sent")

    def outcome(self, channel: Channel) -> ChannelOutcome:
        return next(o for o in self.outcomes if o.channel == channel)

    def lines(self) -> list[str]:
        """One line per channel, for the CLI and task logs."""
        return [f"{o.channel}: {o.status} - {o.detail}" for o in self.outcomes]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (Airflow XCom)."""
        return {
            "day": self.day.isoformat(),
            **{
                o.channel: {"status": o.status, "detail": o.detail, "attempts": o.attempts}
                for o in self.outcomes
            },
        }


class DeliveryError(Exception):
    """At least one configured channel failed (after both were attempted); `.result` has them all."""

    def __init__(self, result: DeliveryResult) -> None:
        self.result = result
        failed = "; ".join(f"{o.channel}: {o.detail}" for o in result.failures)
        sent = ", ".join(o.channel for o in result.sent)
        super().__init__(
            f"Report {result.day} delivery failed on {failed}" + (f" (sent by {sent})" if sent else "")
        )

    @property
    def permanent(self) -> bool:
        """True when every failure is one that a retry cannot fix (configuration, 5xx replies)."""
        return all(o.permanent for o in self.result.failures)


class StoredReportError(LookupError):
    """A stored report page or PDF named in a report reference cannot be read back."""


# --- pure parts: what is sent ---------------------------------------------------------------
def _number(value: Any, unit: str) -> str | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):  # SQL gives Decimal
        return f"{value:,.1f} {unit}"
    return None


def _clock(value: Any) -> str | None:
    if isinstance(value, datetime | clock):
        return value.strftime("%H:%M")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def headline_parts(headline: dict[str, Any]) -> list[str]:
    """["412.3 MWh", "peak 21.4 MW at 18:00"] from the headline figures that are present."""
    parts = []
    total = _number(headline.get("total_mwh"), "MWh")
    if total:
        parts.append(total)
    peak = _number(headline.get("peak_mw"), "MW")
    if peak:
        at = _clock(headline.get("peak_local"))
        parts.append(f"peak {peak}" + (f" at {at}" if at else ""))
    return parts


def subject(report: PublishedReport) -> str:
    """'Grid report 2026-03-29: 412.3 MWh, peak 21.4 MW at 18:00' (+ ' [DATA INCOMPLETE]')."""
    text = f"Grid report {report.day.isoformat()}"
    parts = headline_parts(report.headline)
    if parts:
        text += ": " + ", ".join(parts)
    if report.incomplete:
        text += f" {INCOMPLETE_TAG}"
    return text


def text_body(report: PublishedReport) -> str:
    """The plain-text alternative of the HTML body, for clients that do not show HTML."""
    lines = [report.title, ""]
    parts = headline_parts(report.headline)
    if parts:
        lines += [", ".join(parts).capitalize(), ""]
    if report.incomplete:
        lines.append("DATA INCOMPLETE: some figures are missing or partial:")
        lines += [f"  - {reason}" for reason in report.incomplete_reasons] or ["  - (no reason given)"]
        lines.append("")
    lines += [
        f"The full report is attached as {report.pdf_filename}.",
        f"Stored at {report.html_uri} (all reports: {report.index_uri}).",
    ]
    return "\n".join(lines) + "\n"


def report_reference(report: PublishedReport) -> dict[str, Any]:
    """The report without its bytes, JSON-safe: the data of the "report.published" webhook event,
    and what an Airflow task hands to the delivery task (XCom), which reads the page and the PDF
    back from where they were stored (`load_report`)."""
    return {
        "day": report.day.isoformat(),
        "title": report.title,
        "incomplete": report.incomplete,
        "incomplete_reasons": list(report.incomplete_reasons),
        "html_uri": report.html_uri,
        "pdf_uri": report.pdf_uri,
        "index_uri": report.index_uri,
        "headline": report.headline,
    }


# --- I/O ------------------------------------------------------------------------------------
def load_report(reference: dict[str, Any], settings: Settings | None = None) -> PublishedReport:
    """The stored report named by `report_reference`: page and PDF read from html_uri and pdf_uri
    (a local path or s3://)."""
    settings = settings or get_settings()
    return PublishedReport(
        day=date.fromisoformat(reference["day"]),
        title=reference["title"],
        html=_read(reference["html_uri"], settings).decode("utf-8"),
        pdf=_read(reference["pdf_uri"], settings),
        html_uri=reference["html_uri"],
        pdf_uri=reference["pdf_uri"],
        index_uri=reference["index_uri"],
        incomplete=bool(reference["incomplete"]),
        incomplete_reasons=tuple(reference.get("incomplete_reasons") or ()),
        headline=dict(reference.get("headline") or {}),
    )


def _read(uri: str, settings: Settings) -> bytes:
    folder, _, name = uri.rstrip("/").rpartition("/")
    try:
        return LandingStore(root=folder or ".", settings=settings).read_bytes(name)
    except (LandingError, OSError) as error:
        raise StoredReportError(
            f"Cannot read the stored report file {uri} ({error}): rebuild the report "
            "(`lakehouse report --date D --no-deliver`) or check REPORTS_ROOT and its credentials."
        ) from error


def deliver(
    report: PublishedReport,
    settings: Settings | None = None,
    *,
    channels: Iterable[Channel] = CHANNELS,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Send the report by e-mail and webhook, whichever are configured; raise DeliveryError after
    both were attempted if any failed. `channels` limits delivery to some (an Airflow task per
    channel retries only its own)."""
    settings = settings or get_settings()
    wanted = set(channels)
    unknown = wanted - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown delivery channel(s) {sorted(unknown)}: use {', '.join(CHANNELS)}")
    outcomes = tuple(
        (_email(report, settings, sleep) if channel == "email" else _webhook(report, settings, sleep))
        if channel in wanted
        else ChannelOutcome(channel, "skipped", "not requested")
        for channel in CHANNELS
    )
    result = DeliveryResult(report.day, outcomes)
    for line in result.lines():
        log.info("Report %s %s", report.day, line)
    if not result.sent and not result.failures and wanted:
        log.info(
            "Report %s: delivery not configured (set REPORT_EMAIL_TO and SMTP_HOST, and/or WEBHOOK_URL)",
            report.day,
        )
    if result.failures:
        raise DeliveryError(result)
    return result


def _email(report: PublishedReport, settings: Settings, sleep: Callable[[float], None]) -> ChannelOutcome:
    try:
        smtp = smtp_config(settings)
    except EmailConfigError as error:
        return ChannelOutcome("email", "failed", str(error), permanent=True)
    if smtp is None:
        return ChannelOutcome("email", "not configured", "REPORT_EMAIL_TO is not set")
    message = compose(
        subject=subject(report),
        sender=smtp.sender,
        recipients=smtp.recipients,
        text=text_body(report),
        html=report.html,
        attachments=[Attachment(report.pdf_filename, report.pdf, "application/pdf")],
        headers={
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies to a robot
            "X-Lakehouse-Report-Date": report.day.isoformat(),
        },
    )
    try:
        sent = send_email(message, smtp, sleep=sleep)
    except EmailDeliveryError as error:
        return ChannelOutcome("email", "failed", str(error), error.attempts, error.permanent)
    return ChannelOutcome(
        "email", "sent", f"to {', '.join(sent.recipients)} via {sent.server}", sent.attempts
    )


def _webhook(report: PublishedReport, settings: Settings, sleep: Callable[[float], None]) -> ChannelOutcome:
    if not settings.webhook_url:
        return ChannelOutcome("webhook", "not configured", "WEBHOOK_URL is not set")
    try:
        sent = webhook.send(EVENT, report_reference(report), settings, sleep=sleep)
    except webhook.WebhookConfigError as error:
        return ChannelOutcome("webhook", "failed", str(error), permanent=True)
    except webhook.WebhookDeliveryError as error:
        # A 4xx refusal is permanent (the task fails at once); exhausted transient attempts are not.
        return ChannelOutcome("webhook", "failed", str(error), error.attempts, error.permanent)
    return ChannelOutcome(
        "webhook", "sent", f"{EVENT} to {settings.webhook_url} (HTTP {sent['status']})", sent["attempts"]
    )

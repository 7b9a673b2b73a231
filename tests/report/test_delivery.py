"""Report delivery against real local servers: aiosmtpd for e-mail (plain, STARTTLS, SMTPS, AUTH),
an HTTP receiver for the signed webhook. No mocks of smtplib or httpx; retries are counted, not slept."""

from __future__ import annotations

import io
import json
import logging
import socket
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from smtp_kit import Mailbox, password_checker, self_signed, smtp_server
from webhook_receiver import Receiver

from lakehouse.notify import webhook
from lakehouse.notify.email import EmailConfigError, config_from_connection, smtp_config
from lakehouse.report.artifacts import PublishedReport
from lakehouse.report.delivery import (
    DeliveryError,
    StoredReportError,
    deliver,
    load_report,
    report_reference,
    subject,
    text_body,
)
from lakehouse.settings import Settings, SettingsError, get_settings, load_settings

DAY = date(2026, 3, 29)
SENDER = '"Grid reports" <reports@grid.example>'
TO = ("ops@grid.example", '"Doe, Jane" <jane@grid.example>', "desk@kostt.example")
ENVELOPE_TO = {"ops@grid.example", "jane@grid.example", "desk@kostt.example"}
SECRET = "hook-secret-for-tests"
OUR_VARS = (
    "REPORT_EMAIL_TO",
    "REPORT_EMAIL_FROM",
    "REPORT_SMTP_CONN_ID",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_TIMEOUT_SECONDS",
    "SMTP_MAX_ATTEMPTS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "SSL_CERT_FILE",
)
# A long line (inline SVG) and non-ASCII text: both must survive the 7-bit transfer encodings.
HTML = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Grid report</title></head><body>"
    "<h1>Grid report 2026-03-29</h1><p>Prishtinë 101.2 MWh · 12.5 °C</p>"
    "<svg viewBox='0 0 100 10'><path d='M0 0" + " L1 1" * 1500 + "'/></svg></body></html>"
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No delivery settings from the machine running the tests."""
    for name in OUR_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in __import__("os").environ if n.startswith("AIRFLOW_CONN_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """A real one-page PDF, made with reportlab as the report builder does."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 760, "Grid report 2026-03-29: 412.3 MWh")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _report(pdf: bytes, *, incomplete: bool = False, reasons: tuple[str, ...] = ()) -> PublishedReport:
    return PublishedReport(
        day=DAY,
        title="Grid report for Sunday 29 March 2026",
        html=HTML,
        pdf=pdf,
        html_uri="/srv/reports/date=2026-03-29/report.html",
        pdf_uri="/srv/reports/date=2026-03-29/report.pdf",
        index_uri="/srv/reports/index.html",
        incomplete=incomplete,
        incomplete_reasons=reasons,
        headline={"total_mwh": 412.34, "peak_mw": 21.38, "peak_local": "18:00"},
    )


def _settings(port: int, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "report_email_from": SENDER,
        "report_email_to": ", ".join(TO),
        "smtp_timeout_seconds": 10,
        "smtp_max_attempts": 3,
    }
    return load_settings(**(values | extra))


# --- what is sent ---------------------------------------------------------------------------
def test_subject_and_text_say_the_headline_and_flag_incomplete_days(pdf: bytes) -> None:
    assert subject(_report(pdf)) == "Grid report 2026-03-29: 412.3 MWh, peak 21.4 MW at 18:00"
    partial = _report(pdf, incomplete=True, reasons=("region Peja has no readings", "19 of 23 hours"))
    assert subject(partial).endswith(": 412.3 MWh, peak 21.4 MW at 18:00 [DATA INCOMPLETE]")
    body = text_body(partial)
    assert "DATA INCOMPLETE" in body and "  - region Peja has no readings" in body
    assert "grid-report-2026-03-29.pdf" in body

    bare = PublishedReport(**{**_report(pdf).__dict__, "headline": {"peak_mw": 20.0, "peak_local": None}})
    assert subject(bare) == "Grid report 2026-03-29: peak 20.0 MW"
    timed = PublishedReport(
        **{**_report(pdf).__dict__, "headline": {"peak_mw": 9, "peak_local": datetime(2026, 3, 29, 7, 15)}}
    )
    assert subject(timed) == "Grid report 2026-03-29: peak 9.0 MW at 07:15"
    from_sql = PublishedReport(**{**_report(pdf).__dict__, "headline": {"total_mwh": Decimal("1412.25")}})
    assert subject(from_sql) == "Grid report 2026-03-29: 1,412.2 MWh"
    empty = PublishedReport(**{**_report(pdf).__dict__, "headline": {}, "incomplete": True})
    assert subject(empty) == "Grid report 2026-03-29 [DATA INCOMPLETE]"


def test_email_reaches_every_recipient_with_html_body_and_pdf_attached(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    report = _report(pdf, incomplete=True, reasons=("meters missing: 3 of 40",))
    with smtp_server(mailbox, port):
        result = deliver(report, _settings(port))

    assert result.outcome("email").status == "sent" and result.outcome("email").attempts == 1
    assert result.outcome("webhook").status == "not configured"
    [received] = mailbox.received
    assert received.mail_from == "reports@grid.example"
    assert set(received.rcpt_tos) == ENVELOPE_TO and len(received.rcpt_tos) == 3
    assert max(len(line) for line in received.content.splitlines()) <= 998  # RFC 5322 line limit

    message = received.message
    assert message["Subject"] == "Grid report 2026-03-29: 412.3 MWh, peak 21.4 MW at 18:00 [DATA INCOMPLETE]"
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Grid reports", "reports@grid.example")
    assert {a.addr_spec for a in message["To"].addresses} == ENVELOPE_TO
    assert message["Message-ID"].endswith("@grid.example>") and message["Date"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Lakehouse-Report-Date"] == "2026-03-29"
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == HTML + "\n"
    assert "meters missing: 3 of 40" in message.get_body(("plain",)).get_content()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "grid-report-2026-03-29.pdf"
    assert attachment.get_content() == pdf and attachment.get_content().startswith(b"%PDF-")


# --- retries --------------------------------------------------------------------------------
def test_a_451_is_retried_and_only_deferred_recipients_get_the_retry(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    mailbox.data_replies = ["451 4.3.0 Try again later"]  # first session: whole message deferred
    mailbox.rcpt_replies = {"desk@kostt.example": ["451 4.7.1 Greylisted", "451 4.7.1 Greylisted"]}
    waits: list[float] = []
    with smtp_server(mailbox, port):
        result = deliver(_report(pdf), _settings(port, smtp_max_attempts=4), sleep=waits.append)

    # session 1: DATA deferred for all; 2: desk greylisted, others delivered; 3: desk delivered.
    assert mailbox.sessions == 3 and result.outcome("email").attempts == 3
    assert len(waits) == 2 and all(0 <= w <= 60 for w in waits)
    assert {address: mailbox.copies_for(address) for address in ENVELOPE_TO} == dict.fromkeys(ENVELOPE_TO, 1)


def test_a_550_fails_at_once_and_names_the_refused_recipient(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    mailbox.rcpt_replies = {"jane@grid.example": ["550 5.1.1 No such user"]}
    waits: list[float] = []
    with smtp_server(mailbox, port), pytest.raises(DeliveryError) as raised:
        deliver(_report(pdf), _settings(port), sleep=waits.append)

    error = raised.value
    assert error.permanent and waits == [] and mailbox.sessions == 1
    assert "jane@grid.example (550 5.1.1 No such user)" in str(error) and "REPORT_EMAIL_TO" in str(error)
    assert mailbox.copies_for("ops@grid.example") == 1 and mailbox.copies_for("jane@grid.example") == 0


def test_unreachable_server_is_retried_then_reported_as_transient(pdf: bytes, free_port) -> None:
    waits: list[float] = []
    with pytest.raises(DeliveryError) as raised:  # nothing listens on that port: connection refused
        deliver(_report(pdf), _settings(free_port(), smtp_max_attempts=3), sleep=waits.append)
    assert not raised.value.permanent and len(waits) == 2
    assert "after 3 attempt(s)" in str(raised.value) and "ConnectionRefusedError" in str(raised.value)


def test_a_server_that_never_answers_times_out_and_is_retried(pdf: bytes) -> None:
    with socket.socket() as silent:  # accepts TCP connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings = _settings(silent.getsockname()[1], smtp_max_attempts=2, smtp_timeout_seconds=0.3)
        waits: list[float] = []
        with pytest.raises(DeliveryError) as raised:
            deliver(_report(pdf), settings, sleep=waits.append)
    assert not raised.value.permanent and len(waits) == 1 and "timed out" in str(raised.value)


# --- TLS and login --------------------------------------------------------------------------
# aiosmtpd counts only STARTTLS as TLS for auth_require_tls; under SMTPS the whole session is TLS.
SMTPS_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.mark.parametrize("security", ["starttls", pytest.param("ssl", marks=SMTPS_AUTH)])
def test_tls_and_login_with_a_trusted_self_signed_certificate(
    pdf: bytes, free_port, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog, security: str
) -> None:
    cert = self_signed(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.cert))  # how a private CA is trusted (OpenSSL)
    tls = (
        {"tls_context": cert.server_context(), "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": cert.server_context(), "auth_require_tls": False}
    )
    mailbox, port = Mailbox(), free_port()
    password = "correct horse battery staple"
    settings = _settings(port, smtp_security=security, smtp_user="reports", smtp_password=password)
    caplog.set_level(logging.DEBUG)
    with smtp_server(
        mailbox, port, authenticator=password_checker("reports", password), auth_required=True, **tls
    ):
        result = deliver(_report(pdf), settings)
        [received] = mailbox.received
        assert received.tls and received.login == "reports"
        assert result.outcome("email").detail.endswith(
            f"via 127.0.0.1:{port} ({security} as reports, from settings (SMTP_HOST))"
        )

        wrong = _settings(port, smtp_security=security, smtp_user="reports", smtp_password="guess")
        with pytest.raises(DeliveryError) as raised:
            deliver(_report(pdf), wrong, sleep=lambda _: pytest.fail("a refused login is not retried"))
        assert raised.value.permanent and "535" in str(raised.value) and "SMTP_PASSWORD" in str(raised.value)
    assert (
        password not in caplog.text and password not in str(raised.value) and "guess" not in str(raised.value)
    )


def test_an_untrusted_certificate_fails_at_once_saying_what_to_trust(
    pdf: bytes, free_port, tmp_path: Path
) -> None:
    cert = self_signed(tmp_path / "tls")
    mailbox, port = Mailbox(), free_port()
    settings = _settings(port, smtp_security="starttls")
    with (
        smtp_server(mailbox, port, tls_context=cert.server_context(), require_starttls=True),
        pytest.raises(DeliveryError) as raised,
    ):
        deliver(_report(pdf), settings, sleep=lambda _: pytest.fail("retried"))
    assert raised.value.permanent and "SSL_CERT_FILE" in str(raised.value) and mailbox.received == []


# --- webhook and both channels ---------------------------------------------------------------
def test_both_channels_email_and_signed_webhook(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    report = _report(pdf, incomplete=True, reasons=("no prices",))
    with smtp_server(mailbox, port), Receiver() as hook:
        result = deliver(report, _settings(port, webhook_url=hook.url, webhook_secret=SECRET))

    assert [o.status for o in result.outcomes] == ["sent", "sent"] and len(mailbox.received) == 1
    [call] = hook.calls
    headers, body = call["headers"], call["body"]
    webhook.verify_signature(SECRET, headers, body)
    payload = json.loads(body)
    assert payload["event"] == "report.published" and headers[webhook.EVENT_HEADER] == "report.published"
    assert payload["data"] == {
        "day": "2026-03-29",
        "title": report.title,
        "incomplete": True,
        "incomplete_reasons": ["no prices"],
        "html_uri": report.html_uri,
        "pdf_uri": report.pdf_uri,
        "index_uri": report.index_uri,
        "headline": {"total_mwh": 412.34, "peak_mw": 21.38, "peak_local": "18:00"},
    }
    assert result.as_dict()["webhook"]["status"] == "sent"


def test_a_failing_webhook_does_not_stop_the_email_and_is_reported(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    waits: list[float] = []
    with smtp_server(mailbox, port), Receiver([503, 503]) as hook:
        settings = _settings(port, webhook_url=hook.url, webhook_secret=SECRET, http_max_attempts=2)
        with pytest.raises(DeliveryError) as raised:
            deliver(_report(pdf), settings, sleep=waits.append)
    result = raised.value.result
    assert result.outcome("email").status == "sent" and len(mailbox.received) == 1
    assert result.outcome("webhook").status == "failed" and len(hook.calls) == 2 and len(waits) == 1
    assert "webhook:" in str(raised.value) and "(sent by email)" in str(raised.value)
    assert not raised.value.permanent


def test_a_webhook_refused_with_a_4xx_is_permanent_and_not_retried(pdf: bytes) -> None:
    waits: list[float] = []
    with Receiver([401]) as hook:
        settings = load_settings(webhook_url=hook.url, webhook_secret=SECRET, http_max_attempts=3)
        with pytest.raises(DeliveryError) as raised:
            deliver(_report(pdf), settings, channels=["webhook"], sleep=waits.append)
    outcome = raised.value.result.outcome("webhook")
    assert outcome.status == "failed" and outcome.permanent and outcome.attempts == 1
    assert len(hook.calls) == 1 and waits == [] and raised.value.permanent


def test_a_failing_email_does_not_stop_the_webhook_and_is_reported(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    mailbox.rcpt_replies = {address: ["550 5.7.1 Relaying denied"] for address in ENVELOPE_TO}
    with smtp_server(mailbox, port), Receiver() as hook:
        settings = _settings(port, webhook_url=hook.url, webhook_secret=SECRET)
        with pytest.raises(DeliveryError) as raised:
            deliver(_report(pdf), settings)
    assert raised.value.result.outcome("webhook").status == "sent" and len(hook.calls) == 1
    assert raised.value.permanent and "550 5.7.1 Relaying denied" in str(raised.value)
    assert mailbox.received == []


def test_channels_can_be_delivered_one_at_a_time(pdf: bytes, free_port) -> None:
    mailbox, port = Mailbox(), free_port()
    with smtp_server(mailbox, port), Receiver() as hook:
        settings = _settings(port, webhook_url=hook.url, webhook_secret=SECRET)
        result = deliver(_report(pdf), settings, channels=["webhook"])
    assert [o.status for o in result.outcomes] == ["skipped", "sent"]
    assert mailbox.received == [] and len(hook.calls) == 1
    with pytest.raises(ValueError, match="unknown delivery channel"):
        deliver(_report(pdf), settings, channels=["pager"])


def test_nothing_configured_is_said_not_raised(pdf: bytes, caplog) -> None:
    caplog.set_level(logging.INFO, logger="lakehouse.report.delivery")
    result = deliver(_report(pdf), load_settings())
    assert [o.status for o in result.outcomes] == ["not configured", "not configured"]
    assert "delivery not configured" in caplog.text


# --- configuration --------------------------------------------------------------------------
def test_half_configured_email_fails_with_what_to_set(pdf: bytes) -> None:
    with pytest.raises(EmailConfigError, match=r"set SMTP_HOST .* or REPORT_SMTP_CONN_ID"):
        smtp_config(load_settings(report_email_to="ops@grid.example"))
    with pytest.raises(EmailConfigError, match="REPORT_EMAIL_TO is not"):
        smtp_config(load_settings(smtp_host="smtp.grid.example"))
    with pytest.raises(EmailConfigError, match="set REPORT_EMAIL_FROM"):
        smtp_config(load_settings(smtp_host="smtp.grid.example", report_email_to="ops@grid.example"))
    with pytest.raises(EmailConfigError, match="unencrypted"):
        smtp_config(_settings(25, smtp_host="smtp.grid.example", smtp_user="u", smtp_password="p"))
    with pytest.raises(EmailConfigError, match="both a user and a password"):
        smtp_config(_settings(25, smtp_user="u"))
    # Through deliver: a configuration error is a permanent failure of the e-mail channel.
    with pytest.raises(DeliveryError) as raised:
        deliver(_report(pdf), load_settings(report_email_to="ops@grid.example"))
    assert raised.value.permanent and raised.value.result.outcome("email").status == "failed"


def test_addresses_are_validated_when_settings_load() -> None:
    assert (
        load_settings(report_email_to=' a@x.org,"Doe, J" <j@x.org> ').report_email_to
        == 'a@x.org, "Doe, J" <j@x.org>'
    )
    for bad in ("ops@grid", "a@x.org; b@x.org", "nobody", "a@x.org\nBcc: spy@evil.example"):
        with pytest.raises(SettingsError, match="REPORT_EMAIL_TO"):
            load_settings(report_email_to=bad)
    with pytest.raises(SettingsError, match="must be one address"):
        load_settings(report_email_from="a@x.org, b@x.org")
    with pytest.raises(SettingsError, match=r"SMTP_HOST.*host name"):
        load_settings(smtp_host="smtp://mail.example.org:587")
    with pytest.raises(SettingsError, match="SMTP_SECURITY"):
        load_settings(smtp_security="tls")


def test_settings_win_over_the_airflow_connection_and_defaults_follow_security() -> None:
    settings = load_settings(
        smtp_host="smtp.grid.example",
        smtp_security="ssl",
        report_smtp_conn_id="does_not_exist",  # never looked up: SMTP_HOST wins
        report_email_from=SENDER,
        report_email_to="ops@grid.example",
    )
    config = smtp_config(settings)
    assert config is not None and config.port == 465 and config.source == "settings (SMTP_HOST)"
    assert "hunter2-xyz" not in repr(load_settings(smtp_password="hunter2-xyz"))


def test_airflow_connection_extras_mean_what_the_smtp_provider_says() -> None:
    common = {"sender": None, "recipients": ("ops@grid.example",), "timeout_seconds": 30.0}
    ssl_default = config_from_connection(
        "smtp_default",
        host="mail.example.org",
        port=None,
        login="u",
        password="p",
        extra={"from_email": "r@x.org"},
        **common,
    )
    assert (ssl_default.security, ssl_default.port, ssl_default.sender) == ("ssl", 465, "r@x.org")
    starttls = config_from_connection(
        "c",
        host="mail.example.org",
        port=2525,
        login=None,
        password=None,
        extra={"disable_ssl": "true", "from_email": "r@x.org", "timeout": "5"},
        **common,
    )
    assert (starttls.security, starttls.port, starttls.timeout_seconds) == ("starttls", 2525, 5.0)
    with pytest.raises(EmailConfigError, match="no host"):
        config_from_connection("c", host=None, port=None, login=None, password=None, extra={}, **common)


def test_email_through_an_airflow_connection(
    pdf: bytes, free_port, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REPORT_SMTP_CONN_ID read through Airflow's SDK (here from AIRFLOW_CONN_<ID>, no database)."""
    pytest.importorskip("airflow.sdk")
    mailbox, port = Mailbox(), free_port()
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_REPORT_SMTP",
        f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true&from_email=airflow%40grid.example",
    )
    settings = load_settings(report_smtp_conn_id="report_smtp", report_email_to="ops@grid.example")
    with smtp_server(mailbox, port):
        result = deliver(_report(pdf), settings)
    assert "from Airflow connection report_smtp" in result.outcome("email").detail
    [received] = mailbox.received
    assert received.mail_from == "airflow@grid.example" and received.rcpt_tos == ["ops@grid.example"]

    missing = load_settings(report_smtp_conn_id="nowhere", report_email_to="ops@grid.example")
    with pytest.raises(EmailConfigError, match=r"connection nowhere .* not usable"):
        smtp_config(missing)


# --- hand-over between Airflow tasks ------------------------------------------------------------
def test_a_stored_report_is_read_back_from_its_reference(pdf: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "date=2026-03-29"
    folder.mkdir(parents=True)
    (folder / "report.html").write_text(HTML, encoding="utf-8")
    (folder / "report.pdf").write_bytes(pdf)
    report = PublishedReport(
        **{
            **_report(pdf).__dict__,
            "html_uri": str(folder / "report.html"),
            "pdf_uri": str(folder / "report.pdf"),
        }
    )
    reference = report_reference(report)
    assert json.loads(json.dumps(reference)) == reference  # XCom-safe
    assert load_report(reference, load_settings()) == report

    (folder / "report.pdf").unlink()
    with pytest.raises(StoredReportError, match="rebuild the report"):
        load_report(reference, load_settings())


def test_a_report_stored_on_s3_is_read_back(pdf: bytes, free_port, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.server import ThreadedMotoServer

    from lakehouse.storage.uri import s3_client

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        settings = load_settings(aws_endpoint_url=f"http://127.0.0.1:{port}")
        client = s3_client(settings)
        client.create_bucket(
            Bucket="reports", CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
        )
        client.put_object(Bucket="reports", Key="daily/date=2026-03-29/report.html", Body=HTML.encode())
        client.put_object(Bucket="reports", Key="daily/date=2026-03-29/report.pdf", Body=pdf)
        reference = report_reference(_report(pdf)) | {
            "html_uri": "s3://reports/daily/date=2026-03-29/report.html",
            "pdf_uri": "s3://reports/daily/date=2026-03-29/report.pdf",
        }
        loaded = load_report(reference, settings)
    finally:
        server.stop()
    assert loaded.html == HTML and loaded.pdf == pdf and loaded.pdf_uri.startswith("s3://reports/")

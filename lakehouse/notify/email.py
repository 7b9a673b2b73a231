"""E-mail over SMTP: MIME messages with an HTML body and attachments, sent with retries and backoff.

Where the SMTP server comes from (`smtp_config`):
- the settings, when SMTP_HOST is set: SMTP_PORT, SMTP_SECURITY (starttls | ssl | none), SMTP_USER,
  SMTP_PASSWORD, SMTP_TIMEOUT_SECONDS; From is REPORT_EMAIL_FROM;
- else the Airflow connection named by REPORT_SMTP_CONN_ID (an `smtp` connection as the Airflow SMTP
  provider reads it: host, port, login, password; extra `from_email`, `disable_ssl`, `disable_tls`,
  `timeout`). REPORT_EMAIL_FROM still wins over the connection's from_email.
The settings win when both are set, so an environment can override a shared connection. Recipients
are always REPORT_EMAIL_TO. TLS certificates are verified against the system trust store
(SSL_CERT_FILE points OpenSSL at another bundle, e.g. a company CA).

Retries: refused, reset or timed-out connections and 4xx replies (greylisting, "try again later",
a mailbox over quota) are retried SMTP_MAX_ATTEMPTS times with the source connectors' full-jitter
exponential backoff; a 5xx reply (550 unknown recipient, 535 bad login) fails at once with
EmailDeliveryError(permanent=True), since repeating it cannot help. When a server accepts some
recipients and defers others, only the deferred ones are retried, so nobody gets the mail twice.
The password is never logged nor put into an error message.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, getaddresses, make_msgid
from typing import Any, Literal

from pydantic import SecretStr

from lakehouse.settings import Settings, email_addresses, get_settings
from lakehouse.sources.http import backoff_seconds

log = logging.getLogger(__name__)

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
# 7-bit transfer encodings (quoted-printable / base64 where needed): no reliance on 8BITMIME. Lines
# up to RFC 5322's hard limit of 998: at 78, Python folds a long Subject onto a continuation line
# whole, and readers that unfold literally then show it with a leading space.
POLICY = SMTP_POLICY.clone(cte_type="7bit", max_line_length=998)


class EmailError(Exception):
    """Base of the e-mail errors."""


class EmailConfigError(EmailError, ValueError):
    """E-mail is partly configured or configured unsafely; the message names the setting to fix."""


class EmailDeliveryError(EmailError):
    """The message was not delivered to every recipient.

    `permanent` is True when retrying cannot help (a 5xx reply, a TLS or login failure), False when
    the server stayed unreachable or kept answering 4xx through every attempt. `delivered` lists the
    recipients that did get the message (a server may accept some and refuse others).
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        attempts: int,
        delivered: Sequence[str] = (),
        refused: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts
        self.delivered = tuple(delivered)
        self.refused = dict(refused or {})


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP server to send through, the sender and the recipients (see the module docstring)."""

    host: str
    port: int
    security: Security
    sender: str  # "Name <addr>" or "addr"
    recipients: tuple[str, ...]
    user: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    timeout_seconds: float = 30.0
    max_attempts: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    source: str = "settings"  # where the server came from, for messages

    def __post_init__(self) -> None:
        where = f"{self.host}:{self.port} (from {self.source})"
        if self.security not in DEFAULT_PORTS:
            raise EmailConfigError(f"SMTP security {self.security!r} for {where}: use starttls, ssl or none")
        if not self.recipients:
            raise EmailConfigError("No recipients: set REPORT_EMAIL_TO (comma-separated addresses)")
        if bool(self.user) != bool(self.password and self.password.get_secret_value()):
            raise EmailConfigError(
                f"SMTP login for {where} needs both a user and a password (SMTP_USER and SMTP_PASSWORD, "
                "or the connection's login and password); set both or neither."
            )
        if self.user and self.security == "none" and not _is_loopback(self.host):
            raise EmailConfigError(
                f"SMTP_SECURITY=none would send the password for {where} unencrypted: use starttls "
                "or ssl (plain text is allowed only to a relay on this machine)."
            )

    @property
    def envelope_sender(self) -> str:
        return bare_address(self.sender)

    @property
    def envelope_recipients(self) -> tuple[str, ...]:
        return tuple(bare_address(r) for r in self.recipients)

    def describe(self) -> str:
        """Server, security and login user for messages and logs (never the password)."""
        login = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}{login}, from {self.source})"


@dataclass(frozen=True)
class SendResult:
    message_id: str
    recipients: tuple[str, ...]
    attempts: int
    server: str


def bare_address(value: str) -> str:
    """'"Grid Desk" <desk@x.org>' -> 'desk@x.org'."""
    return getaddresses([value])[0][1]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


# --- configuration --------------------------------------------------------------------------
def smtp_config(settings: Settings | None = None) -> SmtpConfig | None:
    """The SMTP configuration for report e-mails, or None when e-mail is not configured at all.

    Settings (SMTP_HOST and friends) win over the Airflow connection REPORT_SMTP_CONN_ID when both
    are set. Raises EmailConfigError when e-mail is half configured (recipients without a server,
    a server without recipients, no From address) or unsafe (a password over plain text).
    """
    settings = settings or get_settings()
    if not (settings.report_email_to or settings.smtp_host or settings.report_smtp_conn_id):
        return None
    if not settings.report_email_to:
        raise EmailConfigError(
            "SMTP_HOST or REPORT_SMTP_CONN_ID is set but REPORT_EMAIL_TO is not: set the recipients "
            "(comma-separated), or unset the SMTP settings if no report e-mail is wanted."
        )
    recipients = tuple(formataddr(pair) for pair in email_addresses(settings.report_email_to))
    retry = {
        "max_attempts": settings.smtp_max_attempts,
        "backoff_seconds": settings.smtp_backoff_seconds,
        "max_backoff_seconds": settings.smtp_max_backoff_seconds,
    }
    if settings.smtp_host:
        if settings.report_smtp_conn_id:
            log.info(
                "SMTP_HOST is set: using it, not the Airflow connection %s", settings.report_smtp_conn_id
            )
        sender = _sender(settings.report_email_from, None, "SMTP_HOST")
        return SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_security],
            security=settings.smtp_security,
            sender=sender,
            recipients=recipients,
            user=settings.smtp_user or None,
            password=settings.smtp_password,
            timeout_seconds=settings.smtp_timeout_seconds,
            source="settings (SMTP_HOST)",
            **retry,
        )
    if not settings.report_smtp_conn_id:
        raise EmailConfigError(
            "REPORT_EMAIL_TO is set but no SMTP server is: set SMTP_HOST (with SMTP_PORT, SMTP_SECURITY, "
            "SMTP_USER, SMTP_PASSWORD as needed), or REPORT_SMTP_CONN_ID naming an Airflow smtp connection."
        )
    conn = _airflow_connection(settings.report_smtp_conn_id)
    return config_from_connection(
        settings.report_smtp_conn_id,
        host=conn.host,
        port=conn.port,
        login=conn.login,
        password=conn.password,
        extra=conn.extra_dejson,
        sender=settings.report_email_from,
        recipients=recipients,
        timeout_seconds=settings.smtp_timeout_seconds,
        **retry,
    )


def config_from_connection(
    conn_id: str,
    *,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    extra: dict[str, Any],
    sender: str | None,
    recipients: tuple[str, ...],
    timeout_seconds: float,
    **retry: Any,
) -> SmtpConfig:
    """Map an Airflow smtp connection to SmtpConfig with the SMTP provider's meaning of its extras:
    SSL from the first byte unless disable_ssl; else STARTTLS unless disable_tls; else plain."""
    source = f"Airflow connection {conn_id}"
    if not host:
        raise EmailConfigError(f"The {source} has no host: set it, or set SMTP_HOST instead.")
    if not _truthy(extra.get("disable_ssl", False)):
        security: Security = "ssl"
    elif not _truthy(extra.get("disable_tls", False)):
        security = "starttls"
    else:
        security = "none"
    try:
        timeout = float(extra.get("timeout", timeout_seconds))
    except (TypeError, ValueError):
        raise EmailConfigError(
            f"The {source} has a non-numeric extra timeout: {extra['timeout']!r}"
        ) from None
    return SmtpConfig(
        host=host,
        port=int(port) if port else DEFAULT_PORTS[security],
        security=security,
        sender=_sender(sender, extra.get("from_email"), source),
        recipients=recipients,
        user=login or None,
        password=SecretStr(password) if password else None,
        timeout_seconds=timeout,
        source=source,
        **retry,
    )


def _sender(configured: str | None, from_connection: str | None, source: str) -> str:
    value = configured or from_connection
    if not value:
        raise EmailConfigError(
            f"No From address for e-mail through {source}: set REPORT_EMAIL_FROM "
            "(or the connection extra from_email)."
        )
    try:
        found = email_addresses(value)
    except ValueError as error:
        raise EmailConfigError(f"From address from {source}: {error}") from None
    if len(found) != 1:
        raise EmailConfigError(f"From address from {source} must be one address, got {value!r}")
    return formataddr(found[0])


def _airflow_connection(conn_id: str) -> Any:
    """Read an Airflow connection (metadata DB, secrets backend or AIRFLOW_CONN_<ID>); Airflow is
    imported only here, so that sending through SMTP_HOST never needs it."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        raise EmailConfigError(
            f"REPORT_SMTP_CONN_ID={conn_id} needs Airflow, which is not installed here: set SMTP_HOST "
            "and the other SMTP_* settings instead."
        ) from None
    try:
        return BaseHook.get_connection(conn_id)
    except Exception as error:  # AirflowNotFoundException, secrets backend errors
        raise EmailConfigError(
            f"The Airflow connection {conn_id} (REPORT_SMTP_CONN_ID) is not usable: {error}. Create it "
            f"(UI Admin > Connections, or AIRFLOW_CONN_{conn_id.upper()}='smtp://user:password@host:587"
            "?disable_ssl=true'), or set SMTP_HOST instead."
        ) from None


# --- messages -------------------------------------------------------------------------------
def compose(
    *,
    subject: str,
    sender: str,
    recipients: Sequence[str],
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    headers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """A MIME message: text (and HTML as its multipart/alternative twin) plus attachments.

    Structure: multipart/mixed [multipart/alternative [text/plain, text/html], attachment...], or
    simpler when there is no HTML or no attachment. Date, Message-ID (on the sender's domain),
    From and To are set; extra headers (e.g. Auto-Submitted) are added as given.
    """
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    domain = bare_address(sender).rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.filename)
    return message


# --- sending --------------------------------------------------------------------------------
def send_email(
    message: EmailMessage,
    smtp: SmtpConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Send `message` to smtp.recipients through smtp's server, retrying transient failures.

    Raises EmailDeliveryError after the last attempt (permanent=False) or at the first permanent
    refusal (permanent=True); recipients a server accepted are never sent the message again.
    """
    pending = list(smtp.envelope_recipients)
    delivered: list[str] = []
    refused: dict[str, str] = {}  # permanently
    last = "no attempt made"
    server = smtp.describe()
    attempt = 0
    for attempt in range(1, smtp.max_attempts + 1):
        try:
            rejected = _send_once(message, smtp, pending)
        except smtplib.SMTPRecipientsRefused as error:  # every pending recipient refused
            rejected = {addr: _reply(code, text) for addr, (code, text) in error.recipients.items()}
        except Exception as error:  # classified below; _classify re-raises what it does not know
            permanent, last = _classify(error)
            if permanent:
                raise EmailDeliveryError(
                    f"E-mail {message['Subject']!r} via {server} failed: {last}. {_hint(error)}",
                    permanent=True,
                    attempts=attempt,
                    delivered=delivered,
                    refused=refused,
                ) from error
            rejected = None
        if rejected is not None:
            delivered += [addr for addr in pending if addr not in rejected]
            pending = [addr for addr, reply in rejected.items() if reply.startswith("4")]
            refused.update({addr: reply for addr, reply in rejected.items() if not reply.startswith("4")})
            if not pending:
                break
            last = "; ".join(f"{addr}: {rejected[addr]}" for addr in pending)
        if attempt == smtp.max_attempts:
            break
        wait = backoff_seconds(attempt, smtp.backoff_seconds, smtp.max_backoff_seconds)
        log.warning(
            "E-mail via %s attempt %d/%d failed (%s); retrying in %.2fs",
            server,
            attempt,
            smtp.max_attempts,
            last,
            wait,
        )
        sleep(wait)
    message_id = str(message["Message-ID"])
    if refused:
        raise EmailDeliveryError(
            f"E-mail {message['Subject']!r} via {server} was refused for "
            + "; ".join(f"{addr} ({reply})" for addr, reply in refused.items())
            + (f" but delivered to {', '.join(delivered)}" if delivered else "")
            + (f"; still deferred for {', '.join(pending)}" if pending else "")
            + ". Check those addresses in REPORT_EMAIL_TO.",
            permanent=True,
            attempts=attempt,
            delivered=delivered,
            refused=refused,
        )
    if pending:
        raise EmailDeliveryError(
            f"E-mail {message['Subject']!r} via {server} not delivered to {', '.join(pending)} after "
            f"{attempt} attempt(s); last error: {last}. Check that the server is up and reachable "
            "(SMTP_HOST, SMTP_PORT, SMTP_SECURITY), or allow more patience with SMTP_MAX_ATTEMPTS.",
            permanent=False,
            attempts=attempt,
            delivered=delivered,
        )
    log.info(
        "E-mail %s delivered via %s to %s (attempt %d)", message_id, server, ", ".join(delivered), attempt
    )
    return SendResult(message_id=message_id, recipients=tuple(delivered), attempts=attempt, server=server)


def _send_once(message: EmailMessage, smtp: SmtpConfig, recipients: list[str]) -> dict[str, str]:
    """One SMTP session; returns the recipients the server refused (others got the message)."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            if not client.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            client.starttls(context=context)
            client.ehlo()
        if smtp.user and smtp.password:
            client.login(smtp.user, smtp.password.get_secret_value())
        rejected = client.send_message(message, from_addr=smtp.envelope_sender, to_addrs=recipients)
    return {addr: _reply(code, text) for addr, (code, text) in rejected.items()}


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _classify(error: Exception) -> tuple[bool, str]:
    """(permanent, description) of a failed SMTP session."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True, f"{error}"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _reply(error.smtp_code, error.smtp_error)
        return str(error.smtp_code).startswith("5"), f"{type(error).__name__}: {reply}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False, f"SMTPServerDisconnected: {error or 'connection closed'}"
    if isinstance(error, ssl.SSLError):  # before OSError: a TLS mismatch does not heal by itself
        return True, f"{type(error).__name__}: {error}"
    if isinstance(error, OSError):  # refused, reset, timeout, unreachable, DNS
        return False, f"{type(error).__name__}: {error or 'no detail'}"
    raise error


def _hint(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "Check SMTP_USER and SMTP_PASSWORD (or the connection's login and password)."
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "Set SMTP_SECURITY to what the server offers (ssl for port 465) or use another server."
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            "The server's certificate is not trusted here: check SMTP_HOST matches its name, or point "
            "SSL_CERT_FILE at the CA bundle that signed it."
        )
    if isinstance(error, ssl.SSLError):
        return "Check SMTP_SECURITY against the port: ssl for 465, starttls for 587, none for a plain relay."
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "Check REPORT_EMAIL_FROM: the server must accept it as a sender for this login."
    return "Check the server's reply above; retrying will not help."

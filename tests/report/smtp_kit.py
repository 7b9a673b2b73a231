"""Local delivery targets for the report delivery tests: an aiosmtpd SMTP server that records what
it receives and answers scripted replies, a self-signed certificate for STARTTLS/SMTPS, and a webhook
receiver. Real sockets and real protocols; nothing leaves 127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Mailbox:
    """aiosmtpd handler: records accepted messages; scripted replies per RCPT address and for DATA.

    `rcpt_replies[address]` and `data_replies` are queues; each RCPT/DATA pops the next reply
    ("451 ..." / "550 ...") and accepts once its queue is empty. `sessions` counts MAIL FROMs.
    """

    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    sessions: int = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        self.sessions += 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        queue = self.rcpt_replies.get(address)
        if queue:
            return queue.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        tls = server.transport.get_extra_info("sslcontext") is not None  # STARTTLS or SMTPS
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, tls, login)
        )
        return "250 Message accepted for delivery"

    def copies_for(self, address: str) -> int:
        return sum(address in item.rcpt_tos for item in self.received)


def password_checker(user: str, password: str):
    """An aiosmtpd authenticator accepting exactly one user and password."""

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return authenticate


@contextlib.contextmanager
def smtp_server(mailbox: Mailbox, port: int, **smtp_kwargs: Any) -> Iterator[Controller]:
    """Run aiosmtpd on 127.0.0.1:port (a free port) in its thread; stopped when the block ends."""
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, server_hostname="smtp.test", **smtp_kwargs
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@dataclass(frozen=True)
class SelfSigned:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed(folder: Path) -> SelfSigned:
    """A certificate for 127.0.0.1 and localhost (its own CA), as PEM files in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = SelfSigned(folder / "smtp.crt", folder / "smtp.key")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths

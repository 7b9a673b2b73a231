"""Users of the SQL endpoint: SQL_USERS gives each user a group of trino/rules.json; the password is
SQL_PASSWORD_<USER> from the environment, else generated once into $LAKEHOUSE_HOME/sql/passwords.json
(readable by its owner only). Passwords are kept as salted PBKDF2 hashes and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from lakehouse.settings import Settings, SettingsError
from lakehouse.sql.access import Identity
from lakehouse.sql.errors import AuthenticationError

_ITERATIONS = 100_000


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


@dataclass(frozen=True)
class _User:
    identity: Identity
    salt: bytes
    digest: bytes


def password_file(settings: Settings) -> Path:
    return settings.home / "sql" / "passwords.json"


def parse_users(spec: str) -> dict[str, str]:
    """'analyst:analysts,engineer:engineers' -> {user: group}; a clear SettingsError otherwise."""
    users: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        user, sep, group = item.partition(":")
        if not sep or not user.strip() or not group.strip():
            raise SettingsError(f"SQL_USERS item {item!r} must be user:group, e.g. analyst:analysts")
        users[user.strip()] = group.strip()
    if not users:
        raise SettingsError("SQL_USERS names no user: set e.g. SQL_USERS=analyst:analysts,engineer:engineers")
    return users


def _passwords(settings: Settings, users: dict[str, str]) -> dict[str, str]:
    """Each user's password: SQL_PASSWORD_<USER>, else the generated file (created or extended here)."""
    from_env = {u: os.environ.get(f"SQL_PASSWORD_{u.upper()}") for u in users}
    missing = [u for u, p in from_env.items() if not p]
    if not missing:
        return {u: p for u, p in from_env.items() if p}
    from lakehouse.generated_secrets import generated_secrets

    stored = generated_secrets(password_file(settings), missing, nbytes=12)
    return {u: from_env[u] or stored[u] for u in users}


class Users:
    """Who may connect, with which group; `authenticate` raises AuthenticationError on a mismatch."""

    def __init__(self, settings: Settings) -> None:
        groups = parse_users(settings.sql_users)
        self._users: dict[str, _User] = {}
        self._verified: dict[bytes, Identity] = {}
        for user, password in _passwords(settings, groups).items():
            salt = secrets.token_bytes(16)
            self._users[user] = _User(Identity(user, frozenset({groups[user]})), salt, _hash(password, salt))
        self.password_file = password_file(settings)

    @property
    def names(self) -> list[str]:
        return sorted(self._users)

    def authenticate(self, user: str, password: str) -> Identity:
        # Clients send the credentials with every page request: remember the ones already verified.
        key = hashlib.sha256(f"{user}\0{password}".encode()).digest()
        cached = self._verified.get(key)
        if cached is not None:
            return cached
        known = self._users.get(user)
        # Hash even for unknown users so that timing does not tell which users exist.
        candidate = _hash(password, known.salt if known else b"unknown-user-salt")
        if known is None or not hmac.compare_digest(candidate, known.digest):
            raise AuthenticationError(f"Access Denied: Invalid credentials for user {user!r}")
        self._verified[key] = known.identity
        return known.identity

"""Warehouse roles: engineer, analyst (read-only on marts) and dbt, with a login user each.

What each role may do is written once, in `roles.sql` (next to this file), which runs unchanged from
psql (the compose init) and from here. This module adds what SQL cannot do well: where passwords
come from, hashing them on the client (only SCRAM verifiers reach the server), and showing who may
do what.

Passwords: WAREHOUSE_<KIND>_PASSWORD from the environment; else, for the platform's own
PostgreSQL, generated once into $LAKEHOUSE_HOME/postgres/role_passwords.json (0600). With
WAREHOUSE_URL (a server the platform does not own) a login user without a password variable is
not created. Nothing here prints a password.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

from lakehouse.settings import Settings
from lakehouse.warehouse.errors import WarehouseError, WarehouseUnavailableError

if TYPE_CHECKING:
    import psycopg

KINDS: tuple[str, ...] = ("engineer", "analyst", "dbt")
DEFAULT_PREFIX = "lakehouse_"
SQL_FILE = Path(__file__).with_name("roles.sql")
_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,40}")

Report = Callable[[str], None]


class RolesError(WarehouseError):
    """The roles could not be applied or described; the message says what to fix."""


def check_prefix(prefix: str) -> str:
    """The prefix, if it makes valid unquoted role names (the same rule as roles.sql)."""
    if not _PREFIX.fullmatch(prefix):
        raise RolesError(
            f"role prefix {prefix!r} is not usable: lower-case letters, digits and _ (at most 41), "
            f"not starting with a digit, e.g. {DEFAULT_PREFIX}"
        )
    return prefix


def password_variable(kind: str) -> str:
    return f"WAREHOUSE_{kind.upper()}_PASSWORD"


@dataclass(frozen=True)
class RoleNames:
    """Names of the group roles and login users for one prefix."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        check_prefix(self.prefix)

    def group(self, kind: str) -> str:
        if kind not in KINDS:
            raise RolesError(f"unknown role kind {kind!r}: choose from {', '.join(KINDS)}")
        return f"{self.prefix}{kind}"

    def login(self, kind: str) -> str:
        return f"{self.group(kind)}_user"

    @property
    def groups(self) -> list[str]:
        return [self.group(kind) for kind in KINDS]


# --- passwords -----------------------------------------------------------------------------------


def password_file(settings: Settings) -> Path:
    return settings.home / "postgres" / "role_passwords.json"


@dataclass(frozen=True)
class Passwords:
    """Each login user's password (kind -> password) and where it came from, for messages."""

    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def source(self, kind: str) -> str:
        return self.sources.get(kind, f"not set: set {password_variable(kind)} to create this user")


def _from_file(path: Path, kinds: list[str], *, create: bool) -> dict[str, str]:
    """Passwords kept in `path` (0600); with `create`, the missing ones are generated (atomic replace)."""
    from lakehouse.generated_secrets import generated_secrets

    try:
        return generated_secrets(path, kinds, nbytes=24, create=create)
    except (OSError, ValueError) as error:
        raise RolesError(
            f"cannot read the warehouse role passwords in {path} ({error}): restore the file, or delete it "
            "to generate new passwords (then run `lakehouse warehouse roles` to set them)"
        ) from None


def resolve_passwords(settings: Settings, *, generate: bool | None = None, create: bool = True) -> Passwords:
    """WAREHOUSE_<KIND>_PASSWORD, else the generated file when `generate` (default: for the embedded
    PostgreSQL, not for WAREHOUSE_URL). `create=False` only reads the file (for showing)."""
    if generate is None:
        generate = not settings.warehouse_url
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for kind in KINDS:
        secret = getattr(settings, f"warehouse_{kind}_password", None)
        if secret is not None and secret.get_secret_value():
            values[kind] = secret.get_secret_value()
            sources[kind] = password_variable(kind)
    missing = [kind for kind in KINDS if kind not in values]
    if missing and generate:
        path = password_file(settings)
        for kind, password in _from_file(path, missing, create=create).items():
            values[kind] = password
            sources[kind] = str(path)
    return Passwords(values, sources)


# --- apply ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedRoles:
    """What one run of roles.sql set up."""

    names: RoleNames
    logins: tuple[str, ...]  # kinds whose login user was created or updated
    skipped: tuple[str, ...]  # kinds without a password: login user left alone


def _connect(url: str, what: str) -> psycopg.Connection:
    import psycopg

    try:
        return psycopg.connect(url, connect_timeout=10)
    except psycopg.OperationalError as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise WarehouseUnavailableError(
            f"cannot connect to the warehouse to {what} ({first}): start it with `lakehouse up postgres` "
            "or check WAREHOUSE_URL"
        ) from None


def apply_roles(url: str, passwords: Mapping[str, str], prefix: str = DEFAULT_PREFIX) -> AppliedRoles:
    """Run roles.sql on the database at `url` (idempotent), setting the given login users' passwords.

    `url` must be a superuser or the database owner with CREATEROLE. Passwords are hashed here
    (SCRAM-SHA-256) and handed to the script as transaction-local settings, gone at commit.
    """
    import psycopg

    names = RoleNames(prefix)
    unknown = sorted(set(passwords) - set(KINDS))
    if unknown:
        raise RolesError(f"passwords for unknown role kinds {unknown}: choose from {', '.join(KINDS)}")
    script = SQL_FILE.read_text()
    with _connect(url, "apply the roles") as conn:
        try:
            with conn.transaction():
                conn.execute("SELECT set_config('lakehouse.role_prefix', %s, true)", (names.prefix,))
                for kind in KINDS:
                    password = passwords.get(kind) or ""
                    verifier = (
                        conn.pgconn.encrypt_password(
                            password.encode(), names.login(kind).encode(), b"scram-sha-256"
                        )
                        if password
                        else b""
                    )
                    conn.execute(
                        f"SELECT set_config('lakehouse.{kind}_password', %s, true)", (verifier.decode(),)
                    )
                conn.execute(script)
        except psycopg.errors.InsufficientPrivilege as error:
            user = urlsplit(url).username or "this user"
            where = (error.diag.context or "").strip().splitlines()
            raise RolesError(
                f"{user} may not set up the warehouse roles ({error.diag.message_primary}"
                f"{'; at ' + where[0] if where else ''}): run it as a superuser or as the owner of the "
                "warehouse database with CREATEROLE"
            ) from None
        except psycopg.Error as error:
            raise RolesError(f"applying {SQL_FILE.name} failed: {str(error).strip()}") from None
    logins = tuple(kind for kind in KINDS if passwords.get(kind))
    return AppliedRoles(names, logins, tuple(kind for kind in KINDS if kind not in logins))


def setup(settings: Settings, url: str, prefix: str = DEFAULT_PREFIX) -> tuple[AppliedRoles, Passwords]:
    """Resolve the passwords for `settings` and apply the roles on `url` (the warehouse database)."""
    passwords = resolve_passwords(settings)
    return apply_roles(url, passwords.values, prefix), passwords


def with_user(url: str, user: str, password: str) -> str:
    """`url` with `user` and `password` instead of its own credentials."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"))


def login_url(url: str, names: RoleNames, kind: str, password: str) -> str:
    """`url` (the warehouse database) as the login user of `kind`."""
    return with_user(url, names.login(kind), password)


# --- describe ------------------------------------------------------------------------------------

_ACCESS_SQL = """
SELECT r.rolname, n.nspname,
       pg_has_role(r.oid, n.nspowner, 'USAGE') AS owns,
       has_schema_privilege(r.oid, n.oid, 'USAGE') AS usage,
       has_schema_privilege(r.oid, n.oid, 'CREATE') AS can_create,
       count(c.oid) AS relations,
       count(c.oid) FILTER (WHERE has_table_privilege(r.oid, c.oid, 'SELECT')) AS readable,
       count(c.oid) FILTER (WHERE has_table_privilege(r.oid, c.oid, 'INSERT')) AS writable
FROM pg_roles r
CROSS JOIN pg_namespace n
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
WHERE r.rolname = ANY(%s) AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
GROUP BY r.rolname, r.oid, n.nspname, n.oid, n.nspowner
ORDER BY n.nspname, r.rolname
"""


@dataclass(frozen=True)
class SchemaAccess:
    """What one role may do in one schema, as PostgreSQL answers it (has_*_privilege)."""

    role: str
    schema: str
    owns: bool
    usage: bool
    create: bool
    relations: int
    readable: int
    writable: int

    @property
    def summary(self) -> str:
        """owner, read/write, read, create, read a/b, or - (no access)."""
        if not self.usage:
            return "-"
        if self.owns:
            return "owner"
        reads_all = self.readable == self.relations
        if self.create and reads_all and self.writable == self.relations:
            return "read/write"
        if self.create:
            return "create" if self.readable == 0 else f"create, read {self.readable}/{self.relations}"
        if reads_all:
            return "read"
        return f"read {self.readable}/{self.relations}" if self.readable else "usage"


@dataclass(frozen=True)
class LoginUser:
    kind: str
    name: str
    group: str
    exists: bool
    member: bool


def describe(url: str, prefix: str = DEFAULT_PREFIX) -> tuple[list[SchemaAccess], list[LoginUser]]:
    """Per group role and schema of the database at `url`: its access; and the login users' state."""
    names = RoleNames(prefix)
    with _connect(url, "read the roles") as conn:
        rows = conn.execute(_ACCESS_SQL, (names.groups,)).fetchall()
        logins = []
        for kind in KINDS:
            login, group = names.login(kind), names.group(kind)
            exists, member = conn.execute(
                "SELECT to_regrole(%s) IS NOT NULL, coalesce(pg_has_role(to_regrole(%s), to_regrole(%s), "
                "'MEMBER'), false)",
                (login, login, group),
            ).fetchone()
            logins.append(LoginUser(kind, login, group, bool(exists), bool(member)))
    return [SchemaAccess(*row) for row in rows], logins


def access_matrix(rows: list[SchemaAccess], groups: list[str]) -> list[list[str]]:
    """Rows [schema, summary per group] for display, schemas in name order; pure."""
    cells: dict[str, dict[str, str]] = {}
    for row in rows:
        cells.setdefault(row.schema, {})[row.role] = row.summary
    return [[schema, *(cells[schema].get(group, "-") for group in groups)] for schema in sorted(cells)]

"""Helpers of the security tests (a uniquely named module: conftest is not importable by name)."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from lakehouse.warehouse import roles
from lakehouse.warehouse.roles import KINDS, RoleNames


def with_db(url: str, dbname: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{dbname}"))


def new_passwords() -> dict[str, str]:
    """Fresh passwords, made at run time: the repository holds none."""
    return {kind: secrets.token_urlsafe(18) for kind in KINDS}


@dataclass
class RolesDb:
    """An empty database (admin URL), the role names a test may create, and their passwords."""

    url: str
    names: RoleNames
    passwords: dict[str, str] = field(default_factory=new_passwords)

    def apply(self, passwords: dict[str, str] | None = None) -> roles.AppliedRoles:
        chosen = self.passwords if passwords is None else passwords
        return roles.apply_roles(self.url, chosen, self.names.prefix)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def login(self, kind: str, password: str | None = None) -> psycopg.Connection:
        """A connection as the login user of `kind` (autocommit: each statement stands alone)."""
        url = roles.login_url(self.url, self.names, kind, password or self.passwords[kind])
        return psycopg.connect(url, autocommit=True, connect_timeout=10)


@contextlib.contextmanager
def roles_database(server_url: str) -> Iterator[RolesDb]:
    """A new empty database on the server of `server_url` (a superuser) and a unique role prefix;
    the database and every role with that prefix are dropped at the end."""
    admin = with_db(server_url, "postgres")
    token = uuid.uuid4().hex[:10]
    dbname, names = f"sec_test_{token}", RoleNames(f"t{token}_")
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield RolesDb(with_db(server_url, dbname), names)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            leftovers = conn.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s) "
                "ORDER BY rolname = %s, length(rolname) DESC",
                (names.prefix, f"{names.prefix}owner"),
            ).fetchall()
            for (role,) in leftovers:  # login users, then groups, then the owner who granted them
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def hand_database_to_owner(db: RolesDb) -> str:
    """Make a non-superuser with CREATEROLE the owner of db's database, as the compose stack and
    managed PostgreSQL do; return the URL to connect as that owner."""
    owner, password = f"{db.names.prefix}owner", secrets.token_urlsafe(18)
    dbname = urlsplit(db.url).path.lstrip("/")
    with db.admin() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(password)
            )
        )
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(dbname), sql.Identifier(owner))
        )
    return roles.with_user(db.url, owner, password)


def check_owner_sets_up_roles(db: RolesDb) -> None:
    """The owner applies the roles twice, and dbt, analyst and engineer can then do their work."""
    owner_url = hand_database_to_owner(db)
    for _ in range(2):
        applied = roles.apply_roles(owner_url, db.passwords, db.names.prefix)
        assert applied.logins == KINDS
    with psycopg.connect(owner_url, autocommit=True) as conn:  # the platform publishes gold as the owner
        conn.execute("CREATE TABLE lakehouse_gold.meter_daily AS SELECT 'm1'::text AS meter_id")
    with db.login("dbt") as conn:
        conn.execute("CREATE TABLE marts.fct AS SELECT * FROM lakehouse_gold.meter_daily")
    with db.login("engineer") as conn:
        conn.execute("INSERT INTO lakehouse_gold.meter_daily VALUES ('m2')")
    with db.login("analyst") as conn:
        assert conn.execute("SELECT meter_id FROM marts.fct").fetchall() == [("m1",)]
        denied(conn, "SELECT * FROM lakehouse_gold.meter_daily")


def denied(conn: psycopg.Connection, statement: str) -> str:
    """Run `statement`, which must be refused for lack of privilege; return the server's message."""
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege as error:
        return str(error)
    raise AssertionError(f"{statement!r} was allowed for {conn.info.user}")


def acl_snapshot(url: str, names: RoleNames) -> dict[str, list[tuple]]:
    """Every privilege and membership the roles hold in the database at `url`, for comparison."""
    pattern = f"{names.prefix}%"
    with psycopg.connect(url, connect_timeout=10) as conn:
        return {
            "schemas": conn.execute(
                "SELECT nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace ORDER BY 1"
            ).fetchall(),
            "relations": conn.execute(
                "SELECT n.nspname, c.relname, c.relowner::regrole::text, c.relacl::text FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'm') "
                "AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1, 2"
            ).fetchall(),
            "default_acl": conn.execute(
                "SELECT defaclrole::regrole::text, defaclnamespace::regnamespace::text, defaclobjtype, "
                "defaclacl::text FROM pg_default_acl ORDER BY 1, 2, 3"
            ).fetchall(),
            "members": conn.execute(
                "SELECT m.roleid::regrole::text, m.member::regrole::text, m.admin_option "
                "FROM pg_auth_members m "
                "WHERE m.roleid::regrole::text LIKE %s OR m.member::regrole::text LIKE %s ORDER BY 1, 2",
                (pattern, pattern),
            ).fetchall(),
            "roles": conn.execute(
                "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                "WHERE rolname LIKE %s ORDER BY 1",
                (pattern,),
            ).fetchall(),
            "role_settings": conn.execute(
                "SELECT setrole::regrole::text, setconfig FROM pg_db_role_setting "
                "WHERE setrole::regrole::text LIKE %s ORDER BY 1",
                (pattern,),
            ).fetchall(),
        }

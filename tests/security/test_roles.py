"""Warehouse roles on the real PostgreSQL: what engineer, analyst and dbt may and may not do."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from security_roles_kit import RolesDb, acl_snapshot, check_owner_sets_up_roles, denied, new_passwords

from lakehouse.warehouse import roles

pytestmark = pytest.mark.timeout(120)


def _platform_objects(db: RolesDb) -> None:
    """What exists before the roles: gold published and a mart built by the admin (as today)."""
    with db.admin() as conn:
        conn.execute("CREATE SCHEMA lakehouse_gold")
        conn.execute("CREATE TABLE lakehouse_gold.region_load_hourly (region text, energy_mwh float8)")
        conn.execute("INSERT INTO lakehouse_gold.region_load_hourly VALUES ('Prishtina', 41.5), ('Peja', 12)")
        conn.execute("CREATE SCHEMA marts")
        conn.execute("CREATE TABLE marts.dim_region AS SELECT region FROM lakehouse_gold.region_load_hourly")
        conn.execute("CREATE SCHEMA staging")
        conn.execute("CREATE VIEW staging.stg_load AS SELECT * FROM lakehouse_gold.region_load_hourly")


@pytest.fixture
def applied(roles_db: RolesDb) -> RolesDb:
    _platform_objects(roles_db)
    roles_db.apply()
    return roles_db


def test_analyst_reads_marts_and_nothing_else(applied: RolesDb) -> None:
    with applied.login("analyst") as conn:
        assert conn.execute("SELECT current_user").fetchone() == (applied.names.group("analyst"),)
        regions = conn.execute("SELECT region FROM marts.dim_region ORDER BY 1").fetchall()
        assert regions == [("Peja",), ("Prishtina",)]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):  # read-only by default...
            conn.execute("INSERT INTO marts.dim_region VALUES ('Gjilan')")
        conn.execute("SET default_transaction_read_only = off")  # ...and without privileges anyway
        denied(conn, "INSERT INTO marts.dim_region VALUES ('Gjilan')")
        denied(conn, "UPDATE marts.dim_region SET region = 'x'")
        denied(conn, "DELETE FROM marts.dim_region")
        denied(conn, "CREATE TABLE marts.mine (x int)")
        denied(conn, "DROP TABLE marts.dim_region")
        denied(conn, "SELECT * FROM lakehouse_gold.region_load_hourly")
        denied(conn, "SELECT * FROM staging.stg_load")
        denied(conn, "CREATE TABLE public.mine (x int)")
        denied(conn, "CREATE SCHEMA mine")


def test_dbt_reads_gold_and_builds_its_schemas(applied: RolesDb) -> None:
    with applied.login("dbt") as conn:
        conn.execute("CREATE TABLE staging.stg_copy AS SELECT * FROM lakehouse_gold.region_load_hourly")
        conn.execute("CREATE TABLE seeds.holidays (day date)")
        conn.execute("CREATE TABLE snapshots.snap_meters (meter_id text)")
        conn.execute("CREATE OR REPLACE VIEW staging.stg_load AS SELECT * FROM staging.stg_copy")
        # Replaces the mart the admin built before the roles existed (ownership was handed over).
        conn.execute("DROP TABLE marts.dim_region")
        conn.execute("CREATE TABLE marts.dim_region AS SELECT DISTINCT region FROM staging.stg_copy")
        conn.execute("ALTER TABLE marts.dim_region RENAME TO dim_region_new")
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'dim_region_new'").fetchone()
        assert owner == (applied.names.group("dbt"),)
        denied(conn, "INSERT INTO lakehouse_gold.region_load_hourly VALUES ('x', 1)")
        denied(conn, "DELETE FROM lakehouse_gold.region_load_hourly")
        denied(conn, "CREATE TABLE lakehouse_gold.mine (x int)")
        # dbt derives schema names (marts_<custom>, dbt_test__audit): it may create them, as its own
        conn.execute("CREATE SCHEMA marts_audit")
        conn.execute("CREATE TABLE marts_audit.failures AS SELECT 1 AS x")
    with applied.login("analyst") as conn:
        denied(conn, "SELECT * FROM marts_audit.failures")


def test_engineer_writes_gold_and_builds_marts(applied: RolesDb) -> None:
    with applied.login("engineer") as conn:
        conn.execute("INSERT INTO lakehouse_gold.region_load_hourly VALUES ('Gjilan', 9.5)")
        conn.execute("DELETE FROM lakehouse_gold.region_load_hourly WHERE region = 'Peja'")
        conn.execute("CREATE TABLE lakehouse_gold.meter_daily (meter_id text)")
        assert conn.execute("SELECT count(*) FROM staging.stg_load").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM marts.dim_region").fetchone() == (2,)
        conn.execute("DROP TABLE marts.dim_region")  # as a member of the dbt role
        conn.execute("CREATE TABLE marts.dim_region AS SELECT 'Prizren'::text AS region")
    with applied.login("dbt") as conn:  # dbt reads what the engineer published after the roles
        assert conn.execute("SELECT count(*) FROM lakehouse_gold.meter_daily").fetchone() == (0,)
    with applied.login("analyst") as conn:  # and analysts read the mart the engineer made
        assert conn.execute("SELECT region FROM marts.dim_region").fetchall() == [("Prizren",)]


def test_tables_created_later_are_readable_without_another_grant(applied: RolesDb) -> None:
    with applied.admin() as conn:
        conn.execute("CREATE TABLE marts.fct_by_admin AS SELECT 1 AS x")
        conn.execute("CREATE TABLE lakehouse_gold.meter_daily AS SELECT 'm1'::text AS meter_id")
    with applied.login("dbt") as conn:
        conn.execute("CREATE TABLE marts.fct_by_dbt AS SELECT * FROM lakehouse_gold.meter_daily")
        conn.execute("CREATE VIEW marts.v_by_dbt AS SELECT 3 AS x")
    with applied.login("analyst") as conn:
        for table in ("fct_by_admin", "fct_by_dbt", "v_by_dbt"):
            assert conn.execute(f"SELECT count(*) FROM marts.{table}").fetchone() == (1,)
        denied(conn, "SELECT * FROM lakehouse_gold.meter_daily")
    with applied.login("engineer") as conn:
        conn.execute("INSERT INTO lakehouse_gold.meter_daily VALUES ('m2')")


def test_reapplying_changes_nothing_but_the_passwords(applied: RolesDb) -> None:
    before = acl_snapshot(applied.url, applied.names)
    old = dict(applied.passwords)
    applied.passwords = new_passwords()
    applied.apply()
    applied.apply()
    assert acl_snapshot(applied.url, applied.names) == before
    with applied.login("analyst") as conn:  # the new password works
        assert conn.execute("SELECT count(*) FROM marts.dim_region").fetchone() == (2,)
    with applied.admin() as conn:
        authenticates = conn.execute(
            "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method NOT IN ('trust', 'peer', 'ident')"
        ).fetchone()[0]
    if authenticates:  # the embedded server (scram-sha-256 only); a trust server accepts anything
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            applied.login("analyst", old["analyst"])


def test_login_users_without_a_password_are_not_created(roles_db: RolesDb) -> None:
    applied = roles_db.apply({"analyst": roles_db.passwords["analyst"]})
    assert applied.logins == ("analyst",)
    assert applied.skipped == ("engineer", "dbt")
    _, logins = roles.describe(roles_db.url, roles_db.names.prefix)
    state = {login.kind: (login.exists, login.member) for login in logins}
    assert state == {"engineer": (False, False), "analyst": (True, True), "dbt": (False, False)}
    with roles_db.login("analyst") as conn:
        assert conn.execute("SELECT current_user").fetchone() == (roles_db.names.group("analyst"),)


def test_describe_shows_the_access_matrix(applied: RolesDb) -> None:
    access, _ = roles.describe(applied.url, applied.names.prefix)
    matrix = {row[0]: row[1:] for row in roles.access_matrix(access, applied.names.groups)}
    # columns: engineer, analyst, dbt
    assert matrix["lakehouse_gold"] == ["read/write", "-", "read"]
    assert matrix["marts"] == ["owner", "read", "owner"]
    for schema in ("staging", "intermediate", "seeds", "snapshots"):
        assert matrix[schema] == ["owner", "-", "owner"], schema


def test_prefix_is_checked_in_python_and_in_sql(roles_db: RolesDb) -> None:
    for bad in ("Lakehouse_", "1x_", "x;drop role y;", "a" * 42):
        with pytest.raises(roles.RolesError, match="role prefix"):
            roles.RoleNames(bad)
    with roles_db.admin() as conn:
        conn.execute("SELECT set_config('lakehouse.role_prefix', 'x; drop', false)")
        with pytest.raises(psycopg.errors.RaiseException, match="not a usable role-name prefix"):
            conn.execute(roles.SQL_FILE.read_text())


def test_a_user_who_may_not_create_roles_gets_a_clear_error(roles_db: RolesDb) -> None:
    plain, password = f"{roles_db.names.prefix}plain", roles_db.passwords["analyst"]
    with roles_db.admin() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(plain), sql.Literal(password))
        )
    try:
        url = roles.with_user(roles_db.url, plain, password)
        with pytest.raises(roles.RolesError, match=r"may not set up the warehouse roles.*superuser"):
            roles.apply_roles(url, {}, roles_db.names.prefix)
    finally:
        with roles_db.admin() as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(plain)))


def test_the_database_owner_with_createrole_sets_up_the_roles(roles_db: RolesDb) -> None:
    check_owner_sets_up_roles(roles_db)  # as in the compose stack and on managed PostgreSQL

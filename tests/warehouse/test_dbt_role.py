"""dbt through the platform's own environment runs as the least-privilege dbt login user.

A private embedded PostgreSQL started by `lakehouse up postgres` (roles applied, passwords generated),
real gold published by the platform (the admin), then `dbt build` with no URL: the path of
`lakehouse dbt build` and of the Airflow task processes. Tests run in file order on one warehouse.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from service_home import platform_postgres
from warehouse_kit import GOLD_DAYS, query

from lakehouse import runtime
from lakehouse.settings import Settings, load_settings
from lakehouse.warehouse import dbt_project, roles
from lakehouse.warehouse.publish import publish_gold

pytestmark = pytest.mark.timeout(600)

NAMES = roles.RoleNames()


@pytest.fixture(scope="module")
def platform(gold_home: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with platform_postgres(tmp_path_factory, "dbt-role", warehouse_dbt_password=None) as settings:
        admin = runtime.database_url("warehouse", settings=settings)
        publish_gold(GOLD_DAYS, url=admin, settings=gold_home)
        passwords = roles.resolve_passwords(settings, create=False).values
        counts = dbt_project.build_all(settings=settings)  # no URL: the platform's own connection
        yield {"settings": settings, "admin": admin, "passwords": passwords, "counts": counts}


def _owners(url: str, schema: str) -> dict[str, str]:
    rows = query(
        url,
        "SELECT c.relname, c.relowner::regrole::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm')",
        (schema,),
    )
    return dict(rows)


def test_the_platforms_dbt_runs_as_the_dbt_user(platform: dict) -> None:
    env = dbt_project.dbt_env(settings=platform["settings"])
    assert env["DBT_WAREHOUSE_USER"] == NAMES.login("dbt")
    assert env["DBT_ENV_SECRET_WAREHOUSE_PASSWORD"] == platform["passwords"]["dbt"]
    assert urlsplit(platform["admin"]).username not in {NAMES.login("dbt"), None}
    counts = platform["counts"]
    assert counts.get("model:success", 0) >= 20 and counts.get("test:pass", 0) >= 60, counts
    for schema in ("staging", "intermediate", "marts", "seeds", "snapshots"):
        owners = _owners(platform["admin"], schema)
        assert owners, schema
        assert set(owners.values()) == {NAMES.group("dbt")}, (schema, owners)


def test_airflow_tasks_get_the_dbt_user(platform: dict) -> None:
    from lakehouse.orchestration.airflow import airflow_env

    env = airflow_env(platform["settings"])
    assert env["DBT_WAREHOUSE_USER"] == NAMES.login("dbt")


def test_analysts_read_marts_dbt_just_rebuilt_and_cannot_write(platform: dict) -> None:
    admin, settings = platform["admin"], platform["settings"]
    oid_sql = "SELECT 'marts.dim_region'::regclass::oid"
    (before,) = query(admin, oid_sql)[0]
    # a table rebuilt (new relation) and an incremental run (temp table), as the dbt user
    dbt_project.run_dbt(["run", "--select", "dim_region", "fct_hourly_load"], settings=settings)
    (after,) = query(admin, oid_sql)[0]
    assert after != before, "dim_region was not recreated"
    assert _owners(admin, "marts")["dim_region"] == NAMES.group("dbt")
    analyst = roles.login_url(admin, NAMES, "analyst", platform["passwords"]["analyst"])
    with psycopg.connect(analyst, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM marts.dim_region").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM marts.fct_hourly_load").fetchone()[0] > 0
        conn.execute("SET default_transaction_read_only = off")  # refused by privileges, not only read-only
        for statement in (
            "INSERT INTO marts.dim_region (region) VALUES ('x')",
            "DELETE FROM marts.fct_hourly_load",
            "DROP TABLE marts.dim_region",
            "CREATE TABLE marts.mine (x int)",
            "SELECT * FROM lakehouse_gold.meter_daily",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_dbt_user_cannot_write_gold(platform: dict) -> None:
    dbt = roles.login_url(platform["admin"], NAMES, "dbt", platform["passwords"]["dbt"])
    with psycopg.connect(dbt, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM lakehouse_gold.meter_daily").fetchone()[0] > 0
        conn.execute("CREATE SCHEMA marts_audit")  # a schema dbt derives: its own, invisible to analysts
        for statement in ("DELETE FROM lakehouse_gold.meter_daily", "CREATE TABLE lakehouse_gold.x (y int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_an_explicit_dbt_user_in_the_environment_wins(
    platform: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_WAREHOUSE_USER", "etl_dbt")
    monkeypatch.setenv("DBT_ENV_SECRET_WAREHOUSE_PASSWORD", "from-the-deployment")
    env = dbt_project.dbt_env(settings=platform["settings"])
    assert (env["DBT_WAREHOUSE_USER"], env["DBT_ENV_SECRET_WAREHOUSE_PASSWORD"]) == (
        "etl_dbt",
        "from-the-deployment",
    )


def test_warehouse_url_with_the_dbt_password_uses_the_dbt_user(platform: dict) -> None:
    """The scale-out settings: WAREHOUSE_URL (the platform's admin) and WAREHOUSE_DBT_PASSWORD."""
    base = platform["settings"]
    scale_out = load_settings(
        lakehouse_home=base.home,
        warehouse_url=platform["admin"],
        warehouse_dbt_password=platform["passwords"]["dbt"],
    )
    assert dbt_project.dbt_env(settings=scale_out)["DBT_WAREHOUSE_USER"] == NAMES.login("dbt")
    own = load_settings(
        lakehouse_home=base.home, warehouse_url=platform["admin"], warehouse_dbt_password=None
    )
    assert dbt_project.dbt_env(settings=own)["DBT_WAREHOUSE_USER"] == urlsplit(platform["admin"]).username


def test_a_configured_dbt_user_that_cannot_work_says_what_to_run(platform: dict) -> None:
    base, admin = platform["settings"], platform["admin"]
    wrong_password = secrets.token_urlsafe(18)  # made at run time: the repository holds none
    wrong = load_settings(
        lakehouse_home=base.home, warehouse_url=admin, warehouse_dbt_password=wrong_password
    )
    with pytest.raises(dbt_project.DbtLoginError, match=r"cannot log in.*lakehouse warehouse roles") as error:
        dbt_project.dbt_env(settings=wrong)
    assert wrong_password not in str(error.value)
    # A database of the same server without the roles: the user logs in but is not the dbt role there.
    server = urlunsplit(urlsplit(admin)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("CREATE DATABASE no_roles")
    bare = load_settings(
        lakehouse_home=base.home,
        warehouse_url=urlunsplit(urlsplit(admin)._replace(path="/no_roles")),
        warehouse_dbt_password=platform["passwords"]["dbt"],
    )
    with pytest.raises(dbt_project.DbtLoginError, match=r"not set up in .*lakehouse warehouse roles"):
        dbt_project.dbt_env(settings=bare)


def test_an_unreachable_warehouse_is_not_checked(platform: dict) -> None:
    base = platform["settings"]
    down = load_settings(
        lakehouse_home=base.home,
        warehouse_url=urlunsplit(urlsplit(platform["admin"])._replace(netloc="u:p@127.0.0.1:9")),
        warehouse_dbt_password=platform["passwords"]["dbt"],
    )
    assert dbt_project.dbt_env(settings=down)["DBT_WAREHOUSE_USER"] == NAMES.login("dbt")


def test_an_old_warehouse_without_roles_falls_back_to_the_superuser_with_one_warning(
    platform: dict, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = platform["settings"]
    path = roles.password_file(settings)
    saved = path.read_bytes()
    monkeypatch.setattr(dbt_project, "_warned", set())
    path.unlink()  # as in a LAKEHOUSE_HOME whose PostgreSQL was started before the roles existed
    try:
        with caplog.at_level(logging.WARNING, logger=dbt_project.__name__):
            first = dbt_project.dbt_env(settings=settings)
            dbt_project.dbt_env(settings=settings)
    finally:
        path.write_bytes(saved)
        path.chmod(0o600)
    assert first["DBT_WAREHOUSE_USER"] == urlsplit(platform["admin"]).username
    warnings = [r.getMessage() for r in caplog.records if r.name == dbt_project.__name__]
    assert len(warnings) == 1 and "lakehouse warehouse roles" in warnings[0], warnings

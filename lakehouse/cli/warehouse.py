"""`lakehouse warehouse roles`: apply the warehouse roles (roles.sql) and show who may do what."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from lakehouse.settings import Settings

warehouse_app = typer.Typer(
    help="The PostgreSQL warehouse: roles for engineers, analysts and dbt.",
    no_args_is_help=True,
)


def _fail(error: Exception) -> None:
    typer.secho(str(error), fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@warehouse_app.command("roles")
def roles(
    show_only: bool = typer.Option(False, "--show-only", help="Only show the roles; change nothing."),
    prefix: str = typer.Option("lakehouse_", "--prefix", help="Prefix of every role name."),
    print_sql: bool = typer.Option(
        False, "--sql", help="Print roles.sql (for psql: ... | psql -d warehouse) and exit."
    ),
) -> None:
    """Create or update the roles engineer, analyst (read-only on marts) and dbt, then show them."""
    from rich.console import Console
    from rich.table import Table

    from lakehouse.runtime import database_url
    from lakehouse.runtime.services import redact
    from lakehouse.settings import get_settings
    from lakehouse.warehouse import roles as warehouse_roles
    from lakehouse.warehouse.errors import WarehouseError

    if print_sql:
        typer.echo(warehouse_roles.SQL_FILE.read_text(), nl=False)
        return
    settings = get_settings()
    url = database_url("warehouse", settings=settings)
    try:
        names = warehouse_roles.RoleNames(prefix)
        passwords = warehouse_roles.resolve_passwords(settings, create=not show_only)
        if not show_only:
            warehouse_roles.apply_roles(url, passwords.values, prefix)
            typer.echo(f"Applied {warehouse_roles.SQL_FILE.name} on {redact(url)}.")
        access, logins = warehouse_roles.describe(url, prefix)
    except WarehouseError as error:
        _fail(error)
    if not access:
        typer.echo(f"No roles with prefix {prefix!r} on {redact(url)}: run `lakehouse warehouse roles`.")
        raise typer.Exit(1)
    console = Console()
    users = Table(title="login users (each session runs as its group role)")
    for column in ("user", "group", "state", "password from"):
        users.add_column(column)
    for login in logins:
        state = "ok" if login.exists and login.member else ("not in its group" if login.exists else "absent")
        users.add_row(login.name, login.group, state, passwords.source(login.kind))
    console.print(users)
    matrix = Table(title="access per schema (owner: creates and replaces; - : none)")
    matrix.add_column("schema")
    for group in names.groups:
        matrix.add_column(group)
    for row in warehouse_roles.access_matrix(access, names.groups):
        matrix.add_row(*row)
    console.print(matrix)
    if prefix == warehouse_roles.DEFAULT_PREFIX:  # the names the platform's dbt looks for
        _show_dbt_login(url, settings)


def _show_dbt_login(url: str, settings: Settings) -> None:
    """Which user the platform's dbt connects as (lakehouse.warehouse.dbt_project.dbt_login)."""
    from lakehouse.warehouse.dbt_project import dbt_login
    from lakehouse.warehouse.errors import WarehouseError

    try:
        login = dbt_login(url, settings)
    except WarehouseError as error:
        typer.secho(f"dbt: {error}", fg=typer.colors.YELLOW)
        return
    typer.echo(f"dbt connects as {login.user} (from {login.source}).")


def register(app: typer.Typer) -> None:
    app.add_typer(warehouse_app, name="warehouse")

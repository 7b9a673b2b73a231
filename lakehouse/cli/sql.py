"""`lakehouse sql "..."` (one Trino SQL statement, printed as a table), `lakehouse sql` (a REPL), and
`lakehouse sql serve` (the Trino-protocol endpoint for the trino CLI, DBeaver, Python, Superset)."""

from __future__ import annotations

import typer

sql_app = typer.Typer(
    help="Trino SQL over the lakehouse and warehouse catalogs.", invoke_without_command=True
)


def _print(result, console) -> None:
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for name, trino_type in result.columns:
        table.add_column(f"{name}\n[dim]{trino_type.name}[/dim]", overflow="fold")
    count = 0
    for batch in result.encoded():
        for row in batch:
            count += 1
            if count <= 1000:
                table.add_row(*("NULL" if v is None else str(v) for v in row))
    console.print(table)
    more = " (first 1000 shown)" if count > 1000 else ""
    console.print(f"[dim]{count} row{'s' if count != 1 else ''}{more}[/dim]")


def _engine_and_identity(user: str):
    from lakehouse.settings import get_settings
    from lakehouse.sql.access import Identity
    from lakehouse.sql.auth import parse_users
    from lakehouse.sql.engine import Engine

    settings = get_settings()
    groups = parse_users(settings.sql_users)
    if user not in groups:
        raise typer.BadParameter(f"user {user!r} is not in SQL_USERS ({', '.join(sorted(groups))})")
    return Engine(settings), Identity(user, frozenset({groups[user]}))


@sql_app.callback()
def sql(
    ctx: typer.Context,
    statement: str = typer.Argument(None, help="One Trino SQL statement; omit it for a REPL."),
    user: str = typer.Option(
        "engineer", "--user", "-u", help="Run as this SQL_USERS user (its access rules)."
    ),
    catalog: str = typer.Option("lakehouse", "--catalog", help="Session catalog for unqualified names."),
    schema: str = typer.Option("gold", "--schema", help="Session schema for unqualified names."),
) -> None:
    """Run Trino SQL on the embedded engine (DuckDB) and print the result."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from lakehouse.sql.errors import SqlError

    console = Console()
    engine, identity = _engine_and_identity(user)
    if statement:
        try:
            _print(engine.execute(statement, identity=identity, catalog=catalog, schema=schema), console)
        except SqlError as error:
            console.print(f"[red]Query failed ({error.error_name}): {error.message}[/red]", markup=True)
            raise typer.Exit(1) from None
        return
    _repl(engine, identity, catalog, schema, console)


def _repl(engine, identity, catalog: str, schema: str, console) -> None:
    from lakehouse.sql.errors import SqlError

    try:
        from prompt_toolkit import PromptSession  # optional: history and editing when installed

        session = PromptSession()

        def read(prompt: str) -> str:
            return session.prompt(prompt)
    except ImportError:
        read = input
    console.print("Trino SQL on the embedded lakehouse. End statements with ';'. Ctrl-D quits.")
    buffer: list[str] = []
    while True:
        try:
            line = read(f"{catalog}.{schema}> " if not buffer else "... ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if not text.endswith(";"):
            continue
        buffer = []
        if text.rstrip(";").strip().lower() in ("quit", "exit"):
            return
        try:
            result = engine.execute(text, identity=identity, catalog=catalog, schema=schema)
            catalog, schema = result.set_catalog or catalog, result.set_schema or schema
            _print(result, console)
        except SqlError as error:
            console.print(f"[red]Query failed ({error.error_name}): {error.message}[/red]")


@sql_app.command("serve")
def serve(
    host: str = typer.Option(None, "--host", help="Interface (default SQL_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default SQL_PORT, 8081)."),
) -> None:
    """Serve the Trino client protocol (trino CLI, DBeaver, Python trino, Superset) until Ctrl-C."""
    from lakehouse.settings import get_settings
    from lakehouse.sql.auth import Users, password_file
    from lakehouse.sql.server import serve as run

    settings = get_settings()
    users = Users(settings)
    scheme = "https" if settings.sql_tls_certfile else "http"
    typer.echo(
        f"Trino SQL endpoint on {scheme}://{host or settings.sql_host}:{port or settings.sql_port} "
        f"(users: {', '.join(users.names)}; passwords: SQL_PASSWORD_<USER> or {password_file(settings)})"
    )
    run(settings, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.add_typer(sql_app, name="sql")

"""`lakehouse up | status | down`: the embedded services (Sail, PostgreSQL, Airflow metadata DB, MLflow)."""

from __future__ import annotations

from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lakehouse.runtime import SERVICES, RuntimeServiceError, ServiceStatus

_STYLE = {
    "running": "green",
    "external": "green",
    "ready": "green",
    "not used": "dim",
    "skipped": "yellow",
    "stopped": "red",
    "unhealthy": "red",
    "unreachable": "red",
    "not migrated": "red",
}


def _table(statuses: list[ServiceStatus], title: str) -> Table:
    table = Table(title=title)
    table.add_column("service")
    table.add_column("state")
    table.add_column("address", overflow="fold")
    table.add_column("health", overflow="fold")
    for item in statuses:
        style = _STYLE.get(item.state, "")
        state = f"[{style}]{item.state}[/]" if style else item.state
        table.add_row(item.name, state, escape(item.address), escape(item.detail))
    return table


def _progress(console: Console) -> Callable[[str], None]:
    """Print one progress line per event, unwrapped so that log paths stay copyable."""
    return lambda line: console.print(f"[dim]•[/] {escape(line)}", soft_wrap=True, highlight=False)


def up(
    services: list[str] = typer.Argument(
        None, help=f"Services to start (default: all of {', '.join(SERVICES)}).", show_default=False
    ),
) -> None:
    """Start the services that are not configured externally; running ones are left as they are."""
    from lakehouse import runtime

    console = Console()
    try:
        statuses = runtime.up(services or None, report=_progress(console))
    except RuntimeServiceError as error:
        console.print(f"[red]lakehouse up failed:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(_table(statuses, "lakehouse up"))


def status() -> None:
    """Each service with its address and a real health check; exit 1 if something configured is down."""
    from lakehouse import runtime

    statuses = runtime.status()
    Console().print(_table(statuses, "lakehouse status"))
    if not all(item.ok for item in statuses):
        raise typer.Exit(1)


def down() -> None:
    """Stop exactly what `lakehouse up` started (process groups from the pid files); data stays."""
    from lakehouse import runtime

    console = Console()
    try:
        runtime.down(report=_progress(console))
    except RuntimeServiceError as error:
        console.print(f"[red]lakehouse down failed:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("status")(status)
    app.command("down")(down)

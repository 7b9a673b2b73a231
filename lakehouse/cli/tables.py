"""`lakehouse table history|compact|vacuum NAME`: Delta table maintenance through delta-rs.

Sail cannot run OPTIMIZE, VACUUM or DESCRIBE HISTORY; these commands are how an engineer does.
"""

from __future__ import annotations

import datetime as dt

import typer

table_app = typer.Typer(
    help="Delta table maintenance (delta-rs): history, compact, vacuum.", no_args_is_help=True
)


def _fail(error: Exception) -> None:
    typer.secho(str(error), fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@table_app.command("history")
def history(name: str, limit: int = typer.Option(20, help="Newest commits to show.")) -> None:
    """Commits of table NAME (e.g. silver.meter_readings), newest first."""
    from rich.console import Console
    from rich.table import Table

    from lakehouse.storage import maintenance, tables

    try:
        commits = maintenance.history(name, limit=limit)
    except tables.TableError as error:
        _fail(error)
    out = Table(title=f"{name} history", header_style="bold")
    for column in ("version", "time (UTC)", "operation", "parameters", "rows out", "engine"):
        out.add_column(column)
    for c in commits:
        when = dt.datetime.fromtimestamp(c.get("timestamp", 0) / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        metrics = c.get("operationMetrics") or {}
        params = c.get("operationParameters") or {}
        shown = ", ".join(
            f"{k}={v}" for k, v in params.items() if k in ("mode", "predicate", "mergePredicate")
        )
        out.add_row(
            str(c.get("version")),
            when,
            str(c.get("operation")),
            shown,
            str(metrics.get("numOutputRows", "")),
            str(c.get("engineInfo", "")),
        )
    Console().print(out)


@table_app.command("compact")
def compact(name: str) -> None:
    """Rewrite the small files of table NAME into larger ones (same data, new version)."""
    from lakehouse.storage import maintenance, tables

    try:
        metrics = maintenance.compact(name)
    except tables.TableError as error:
        _fail(error)
    typer.echo(
        f"{name}: {metrics.get('numFilesRemoved')} files compacted into {metrics.get('numFilesAdded')}"
    )


@table_app.command("vacuum")
def vacuum(
    name: str,
    retention_hours: int = typer.Option(None, help="Default: DELTA_VACUUM_RETENTION_HOURS."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List the files without deleting them."),
) -> None:
    """Delete files of table NAME that no version within the retention needs."""
    from lakehouse.storage import maintenance, tables

    try:
        files = maintenance.vacuum(name, retention_hours=retention_hours, dry_run=dry_run)
    except tables.TableError as error:
        _fail(error)
    verb = "would delete" if dry_run else "deleted"
    typer.echo(f"{name}: {verb} {len(files)} files")
    for path in files:
        typer.echo(f"  {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(table_app, name="table")

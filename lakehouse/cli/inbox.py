"""`lakehouse inbox`: file the utilities' head-end exports and the meter registry into landing."""

from __future__ import annotations

from typing import Annotated

import typer

from lakehouse.cli.options import parse_day
from lakehouse.sources.errors import SourceError, SourceNotReadyError

inbox_app = typer.Typer(
    help="Head-end exports dropped by the utilities into METERS_INBOX.", no_args_is_help=True
)


def _fail(error: SourceError) -> None:
    typer.secho(
        str(error),
        fg=typer.colors.YELLOW if isinstance(error, SourceNotReadyError) else typer.colors.RED,
        err=True,
    )
    # 75 = EX_TEMPFAIL: nothing wrong, try again later
    raise typer.Exit(75 if isinstance(error, SourceNotReadyError) else 1)


@inbox_app.command("collect")
def collect_command(
    day: Annotated[
        str | None, typer.Option(help="Local day YYYY-MM-DD: list that day's landed files.")
    ] = None,
) -> None:
    """File every export waiting in METERS_INBOX by local day; archive or reject each one."""
    from lakehouse.sources import inbox

    try:
        relpaths = inbox.collect(parse_day(day))
    except SourceError as error:
        _fail(error)
        return
    for relpath in relpaths:
        typer.echo(relpath)
    typer.secho(f"{len(relpaths)} file(s)", fg=typer.colors.GREEN, err=True)


@inbox_app.command("registry")
def registry_command(
    path: Annotated[str, typer.Argument(help="The registry CSV: a local path or s3://bucket/key.")],
) -> None:
    """Land a meter registry CSV as meters/registry/meters.csv."""
    from lakehouse.sources import inbox

    try:
        typer.echo(inbox.load_registry(path))
    except SourceError as error:
        _fail(error)


def register(app: typer.Typer) -> None:
    app.add_typer(inbox_app, name="inbox")

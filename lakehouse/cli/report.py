"""`lakehouse report --date D`: build the daily report of local day D, store it, deliver it."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer

from lakehouse.cli.options import parse_day


def report(
    day: str = typer.Option(
        None, "--date", help="Local day to report on, YYYY-MM-DD (default: yesterday, local time)."
    ),
    no_deliver: bool = typer.Option(
        False, "--no-deliver", help="Build and store only; send neither e-mail nor webhook."
    ),
) -> None:
    """Build the daily report of local day D from the marts (HTML and PDF under REPORTS_ROOT, plus
    the index of all reports), then deliver it by e-mail and webhook where configured."""
    from lakehouse.report.builder import build_report
    from lakehouse.report.errors import ReportError
    from lakehouse.settings import get_settings

    settings = get_settings()
    target = parse_day(day) or datetime.now(settings.tz).date() - timedelta(days=1)
    try:
        built = build_report(target, settings)
    except ReportError as error:
        typer.echo(f"Report for {target} failed: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Report {built.day}: {'DATA INCOMPLETE' if built.incomplete else 'complete'}")
    for reason in built.incomplete_reasons:
        typer.echo(f"  - {reason}")
    typer.echo(f"  page:  {built.html_uri}")
    typer.echo(f"  pdf:   {built.pdf_uri}")
    typer.echo(f"  index: {built.index_uri}")
    if no_deliver:
        typer.echo("  delivery: skipped (--no-deliver)")
        return
    from lakehouse.report.delivery import DeliveryError, deliver

    try:
        result = deliver(built, settings)
    except DeliveryError as error:
        for line in error.result.lines():
            typer.echo(f"  {line}", err=True)
        typer.echo(f"Delivery failed: {error}", err=True)
        raise typer.Exit(1) from None
    for line in result.lines():
        typer.echo(f"  {line}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)

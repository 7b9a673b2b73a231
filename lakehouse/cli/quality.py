"""`lakehouse quality`: validate a table's partition, list yesterday's failures, build/open Data Docs."""

from __future__ import annotations

import json
from datetime import date, timedelta

import typer

from lakehouse.cli.options import parse_day

quality_app = typer.Typer(help="Data quality gates (Great Expectations suites in expectations/).")


def _day(value: str | None) -> date:
    return parse_day(value) or date.today() - timedelta(days=1)


@quality_app.command("validate")
def validate_cmd(
    tables: list[str] = typer.Argument(None, help="Tables (default: every suite)."),
    day: str = typer.Option(None, "--day", help="Local day D, YYYY-MM-DD (default: yesterday)."),
) -> None:
    """Validate the new partition of each table for day D (quarantine applied; fail -> exit 1)."""
    from lakehouse.quality import QualityGateError, suite_tables, validate
    from lakehouse.quality.context import build_data_docs

    blocked = False
    for table in tables or suite_tables():
        try:
            summary = validate(table, _day(day), build_docs=False)
            keys = ("table", "day", "failed", "quarantined_rows")
            typer.echo(json.dumps({k: summary.get(k) for k in keys}))
        except QualityGateError as error:
            blocked = True
            typer.echo(str(error), err=True)
    typer.echo(f"Data Docs: {build_data_docs()}")
    raise typer.Exit(1 if blocked else 0)


@quality_app.command("failures")
def failures_cmd(day: str = typer.Option(None, "--day", help="Local day (default: yesterday).")) -> None:
    """The failed expectations of the latest run per table for a day (gold.quality_results)."""
    from lakehouse.quality.results import failed_on
    from lakehouse.spark import session

    for row in failed_on(session(), _day(day)):
        typer.echo(json.dumps(row, default=str))


@quality_app.command("docs")
def docs_cmd() -> None:
    """(Re)build the Data Docs site and print the path of its index.html."""
    from lakehouse.quality.context import build_data_docs

    typer.echo(str(build_data_docs()))


def register(app: typer.Typer) -> None:
    app.add_typer(quality_app, name="quality")

"""`lakehouse run | demo | airflow`: the daily pipeline through real Airflow, and Airflow's UI."""

from __future__ import annotations

from datetime import date, timedelta

import typer
from rich.console import Console
from rich.table import Table

from lakehouse.cli.options import parse_day

# A fixed window, so that the demo is the same offline, on any day, every time it runs; it
# includes 2026-03-29, the 23-hour day when Europe/Belgrade moves to summer time.
DEMO_START = date(2026, 3, 28)
DEMO_DAYS = 3
# MLflow too: the daily run forecasts with the champion model registered there.
PIPELINE_SERVICES = ["postgres", "airflow-db", "sail", "mlflow"]

console = Console(highlight=False, soft_wrap=True)


def _echo(line: str) -> None:
    console.print(line, markup=False)


def _up() -> None:
    """Start what the pipeline needs: PostgreSQL (Airflow's metadata), Sail (Spark), MLflow (models)."""
    from lakehouse import runtime

    try:
        runtime.up(PIPELINE_SERVICES, report=lambda line: console.print(f"[dim]• {line}[/]"))
    except runtime.RuntimeServiceError as error:
        console.print(f"[red]cannot start the services the pipeline needs:[/] {error}")
        raise typer.Exit(1) from None


def _run(start: date, end: date) -> None:
    from lakehouse.orchestration.airflow import AirflowSetupError
    from lakehouse.orchestration.runner import PipelineRunError, run_days

    try:
        run_days(start, end, echo=_echo)
    except PipelineRunError as error:
        console.print(f"[red]run failed for {error.day}:[/] {error}", markup=True)
        raise typer.Exit(1) from None
    except AirflowSetupError as error:
        console.print(f"[red]Airflow is not ready:[/] {error}")
        raise typer.Exit(1) from None


def run(
    start: str = typer.Option(..., "--start", help="First local day of data, YYYY-MM-DD."),
    end: str = typer.Option(None, "--end", help="Last local day of data (default: --start)."),
) -> None:
    """Run smartgrid_daily through Airflow for each local day D of data from --start to --end, in order.

    D is the day whose data is processed (the run's data interval), not Airflow's run date: D's run
    has logical date D+1 00:00 local time. Re-running a day replaces its results.
    """
    first = parse_day(start)
    last = parse_day(end) or first
    if last < first:
        raise typer.BadParameter(f"--end {last} is before --start {first}")
    _up()
    _run(first, last)


def _report() -> None:
    from lakehouse.orchestration.airflow import airflow_logs
    from lakehouse.orchestration.inventory import landing_counts, table_counts
    from lakehouse.settings import get_settings

    settings = get_settings()
    table = Table(title="Delta tables (read with delta-rs)")
    table.add_column("table", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("rows per day", no_wrap=True)
    for item in table_counts(settings):
        per_day = "\n".join(f"{day}: {rows:,}" for day, rows in item.rows_by_day.items())
        table.add_row(item.name, f"{item.rows:,}", per_day)
    console.print(table)
    files = ", ".join(f"{feed} {count}" for feed, count in landing_counts(settings).items())
    console.print(f"landing files: {settings.landing_uri}  ({files})")
    console.print(f"Delta tables:  {settings.lakehouse_uri}/<layer>/<table>")
    console.print(f"reports:       {settings.reports_uri}/index.html  (date=D/report.html, report.pdf)")
    console.print(f"run logs:      {airflow_logs(settings) / 'runs' / 'smartgrid_daily'}")
    console.print(f"service logs:  {settings.logs_dir}")
    console.print("next: `lakehouse airflow` opens the Airflow UI; `lakehouse down` stops the services.")


def demo(
    start: str = typer.Option(DEMO_START.isoformat(), "--start", help="First local day of the demo."),
    days: int = typer.Option(DEMO_DAYS, "--days", min=1, help="Number of consecutive days."),
) -> None:
    """Simulate and run consecutive local days through real Airflow, then show what is where.

    Idempotent: running it again leaves the same row counts.
    """
    first = parse_day(start)
    _up()
    _run(first, first + timedelta(days=days - 1))
    _report()


def airflow() -> None:
    """Start the Airflow UI (API server, scheduler, DAG processor) on 127.0.0.1:AIRFLOW_PORT; Ctrl-C stops."""
    from lakehouse.orchestration.airflow import AirflowSetupError
    from lakehouse.orchestration.ui import serve

    _up()
    try:
        code = serve(echo=_echo)
    except AirflowSetupError as error:
        console.print(f"[red]cannot start Airflow:[/] {error}")
        raise typer.Exit(1) from None
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("demo")(demo)
    app.command("airflow")(airflow)

"""`lakehouse dbt ...`: publish gold into the warehouse and run the dbt project against it."""

from __future__ import annotations

import contextlib

import typer

dbt_app = typer.Typer(
    help="Warehouse marts: publish gold into PostgreSQL and run dbt (profile from the warehouse settings).",
    no_args_is_help=True,
)


def _fail(error: Exception) -> None:
    typer.secho(str(error), fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@dbt_app.command("publish")
def publish(dates: list[str] = typer.Argument(..., help="Local days YYYY-MM-DD to publish.")) -> None:
    """Publish these days of gold (and the registry, quarantine counts) into schema lakehouse_gold."""
    from lakehouse.warehouse.errors import WarehouseError
    from lakehouse.warehouse.publish import publish_gold

    try:
        summary = publish_gold(dates)
    except (WarehouseError, ValueError) as error:
        _fail(error)
    for table, counts in summary["tables"].items():
        typer.echo(
            f"  {summary['schema']}.{table:<20} {counts['rows']:>10,} rows (replaced {counts['deleted']:,})"
        )
    typer.echo(f"Published {len(summary['dates'])} day(s) in {summary['seconds']:.2f} s.")


@dbt_app.command("build")
def build(
    full_refresh: bool = typer.Option(
        False, "--full-refresh", help="Rebuild incremental models from scratch."
    ),
) -> None:
    """dbt build: seeds, the registry snapshot, every model and its tests."""
    from lakehouse.warehouse.dbt_project import build_all
    from lakehouse.warehouse.errors import WarehouseError

    try:
        counts = build_all(full_refresh=full_refresh)
    except WarehouseError as error:
        _fail(error)
    typer.echo("dbt build: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@dbt_app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run(ctx: typer.Context) -> None:
    """Any dbt command with the platform's profile, e.g. `lakehouse dbt run test --select marts`."""
    from lakehouse.warehouse.dbt_project import run_dbt
    from lakehouse.warehouse.errors import WarehouseError

    if not ctx.args:
        _fail(ValueError("give a dbt command, e.g. `lakehouse dbt run build --select fct_hourly_load`"))
    try:
        run_dbt(ctx.args)
    except WarehouseError as error:
        _fail(error)


@dbt_app.command("parse")
def parse() -> None:
    """Refresh the cached manifest that Airflow (Cosmos) renders the marts task group from."""
    from lakehouse.warehouse.dbt_project import ensure_manifest
    from lakehouse.warehouse.errors import WarehouseError

    try:
        typer.echo(f"dbt manifest: {ensure_manifest()}")
    except WarehouseError as error:
        _fail(error)


@dbt_app.command("env")
def env() -> None:
    """Print `export` lines for running dbt by hand: eval "$(lakehouse dbt env)"; dbt build."""
    import shlex

    from lakehouse.warehouse.dbt_project import dbt_env

    for key, value in dbt_env().items():
        typer.echo(f"export {key}={shlex.quote(value)}")


@dbt_app.command("docs")
def docs(
    serve: bool = typer.Option(False, "--serve", help="Serve the site on 127.0.0.1 after generating it."),
    port: int = typer.Option(8580, "--port", help="Port for --serve."),
) -> None:
    """Generate the dbt docs site (needs the warehouse running) and print where to open it.

    The same site the Airflow UI serves under /dbt-docs/ (Browse > dbt docs), which smartgrid_daily
    regenerates after the marts.
    """
    from lakehouse.warehouse.dbt_project import docs_dir, generate_docs
    from lakehouse.warehouse.errors import WarehouseError

    try:
        index = generate_docs()
    except WarehouseError as error:
        _fail(error)
    typer.echo(f"dbt docs: {index}")
    if serve:
        import functools
        import http.server

        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(docs_dir()))
        with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
            typer.echo(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()


def register(app: typer.Typer) -> None:
    app.add_typer(dbt_app, name="dbt")

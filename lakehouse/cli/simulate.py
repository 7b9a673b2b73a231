"""`lakehouse simulate`: land several days of simulated meters, weather and prices."""

from __future__ import annotations

from datetime import date, datetime

import typer

from lakehouse.cli.options import parse_day
from lakehouse.settings import get_settings
from lakehouse.sources.landing import LandingStore


def simulate(
    start: str = typer.Option(
        None, "--start", help="First local day, YYYY-MM-DD (default: 7 days before today)."
    ),
    days: int = typer.Option(7, "--days", min=1, max=3660, help="Number of days."),
    meters: int = typer.Option(
        None, "--meters", min=1, max=1_000_000, help="Meters (default SIMULATOR_METERS)."
    ),
    seed: int = typer.Option(None, "--seed", help="Seed (default SIMULATOR_SEED); same seed, same bytes."),
    faults: bool = typer.Option(
        None, "--faults/--no-faults", help="Inject faults (default SIMULATOR_FAULTS)."
    ),
    gzip: bool = typer.Option(None, "--gzip/--no-gzip", help="Readings as .csv.gz (default SIMULATOR_GZIP)."),
    price_resolution: str = typer.Option(
        None, "--price-resolution", help="PT60M or PT15M (default SIMULATOR_PRICE_RESOLUTION)."
    ),
    meters_per_file: int = typer.Option(
        None, "--meters-per-file", min=1, help="Meters per head-end export file (default 25000)."
    ),
    landing: str = typer.Option(
        None, "--landing", help="Landing folder or s3:// prefix (default LANDING_ROOT)."
    ),
) -> None:
    """Simulate DAYS local days of smart-meter readings, weather and day-ahead prices into landing."""
    from lakehouse.sources.simulator import SimulatorConfig, SimulatorConfigError
    from lakehouse.sources.simulator import simulate as run

    settings = get_settings()
    first = (
        parse_day(start) if start else date.fromordinal(datetime.now(settings.tz).date().toordinal() - days)
    )
    overrides = {
        k: v
        for k, v in {
            "meters": meters,
            "seed": seed,
            "faults": faults,
            "gzip": gzip,
            "price_resolution": price_resolution,
            "meters_per_file": meters_per_file,
        }.items()
        if v is not None
    }
    try:
        config = SimulatorConfig.from_settings(settings, **overrides)
    except SimulatorConfigError as error:
        raise typer.BadParameter(str(error)) from None
    store = LandingStore(landing, settings=settings)
    typer.echo(
        f"Simulating {days} day(s) from {first} for {config.meters:,} meters (seed {config.seed}, "
        f"faults {'on' if config.faults else 'off'}) into {store.root}"
    )

    def progress(p) -> None:
        rate = p.readings / p.seconds if p.seconds else 0.0
        typer.echo(
            f"  {p.day}  {p.files:4d} files  {p.readings:12,d} readings  {p.bytes / 1e6:9.1f} MB  "
            f"{p.seconds:6.1f} s  ({rate:,.0f} readings/s)"
        )

    summary = run(store, config, first, days, on_day=progress)
    typer.echo(
        f"Done: {len(summary.files)} files, {summary.readings:,} readings, {summary.bytes / 1e6:.1f} MB "
        f"in {summary.seconds:.1f} s. Manifest: {summary.manifest_path}"
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)

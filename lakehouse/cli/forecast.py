"""`lakehouse train` and `lakehouse forecast --date D`: the day-ahead forecaster from the shell."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import typer

from lakehouse.cli.options import parse_day


def train() -> None:
    """Train a challenger on gold.load_features, backtest it against the champion and the seasonal
    naive, log it to MLflow and promote it to `champion` only if it wins by FORECAST_PROMOTION_MARGIN."""
    from lakehouse.forecasting.errors import ForecastingError
    from lakehouse.forecasting.steps import train_from_gold

    try:
        summary = train_from_gold()
    except ForecastingError as error:
        typer.echo(f"Training failed: {error}", err=True)
        raise typer.Exit(1) from None
    decision = summary.get("decision", {})
    verdict = "promoted to champion" if summary.get("promoted") else "NOT promoted (champion kept)"
    typer.echo(f"Model version {decision.get('model_version')}: {verdict}: {decision.get('reason')}")
    naive = summary.get("seasonal_naive_mape_by_region", {})
    for region, mape in summary.get("mape_by_region", {}).items():
        typer.echo(
            f"  {region:<10} MAPE {mape:6.2f} %   seasonal naive {naive.get(region, float('nan')):6.2f} %"
        )


def forecast(
    day: str = typer.Option(None, "--date", help="Local day to forecast, YYYY-MM-DD (default: tomorrow)."),
) -> None:
    """Forecast every region and hour of local day D with the champion into gold.load_forecast."""
    from lakehouse.forecasting.errors import ForecastingError
    from lakehouse.forecasting.inference import forecast_day
    from lakehouse.settings import get_settings

    target = parse_day(day) or datetime.now(get_settings().tz).date() + timedelta(days=1)
    try:
        summary = forecast_day(target)
    except ForecastingError as error:
        typer.echo(f"Forecast failed: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Wrote {summary['rows']} rows ({summary['hours']} hours x {summary['regions']} regions) of "
        f"{summary['date_local']} to {summary['table']} at {summary['location']} (Delta version "
        f"{summary['version']}) with model version {summary['model_version']}; weather: "
        f"{summary['weather_source']}, prices: {summary['price_source']}."
    )
    typer.echo(json.dumps(summary, indent=2, default=str))


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("forecast")(forecast)

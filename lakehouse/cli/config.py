"""`lakehouse config`: show the effective settings, so that a wrong variable is easy to spot."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from lakehouse.settings import Settings, get_settings


def config() -> None:
    """Print every setting, its environment variable and its effective value."""
    settings = get_settings()
    table = Table(title="lakehouse settings")
    table.add_column("variable")
    table.add_column("value")
    table.add_column("meaning")
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if name.endswith("token") and value:
            value = "***"
        table.add_row(name.upper(), str(value), field.description or "")
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("config")(config)

"""`lakehouse config`: show the effective settings, so that a wrong variable is easy to spot.

Secrets never appear: SecretStr settings and settings named like password/secret/token show ***,
and URLs show neither their password nor secret query values (lakehouse.settings.masked).
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from lakehouse.settings import Settings, get_settings, masked


def rows(settings: Settings) -> list[tuple[str, str, str]]:
    """(VARIABLE, shown value, meaning) for every setting, secrets masked; pure."""
    return [
        (name.upper(), masked(name, getattr(settings, name)), field.description or "")
        for name, field in Settings.model_fields.items()
    ]


def config() -> None:
    """Print every setting, its environment variable and its effective value (secrets masked)."""
    table = Table(title="lakehouse settings")
    table.add_column("variable")
    table.add_column("value")
    table.add_column("meaning")
    for row in rows(get_settings()):
        table.add_row(*row)
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("config")(config)

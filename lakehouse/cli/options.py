"""Option parsing shared by the CLI modules (no commands here: this module has no `register`)."""

from __future__ import annotations

from datetime import date

import typer


def parse_day(value: str | None) -> date | None:
    """A local day given as YYYY-MM-DD (None stays None); a usage error that shows the format."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-29") from None

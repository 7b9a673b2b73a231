"""Helpers of the SQL tests (a module of its own: `conftest` is not importable by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse.settings import Settings


def delta_frame(settings: Settings, name: str) -> Any:
    """A Delta table as pandas, read with delta-rs (independent of the SQL engine)."""
    from deltalake import DeltaTable

    layer, table = name.split(".")
    return DeltaTable(str(Path(settings.lakehouse_uri) / layer / table)).to_pandas()

"""How figures read in the report (HTML and PDF alike): "n/a" for missing, never 0."""

from __future__ import annotations

import math
from datetime import datetime

NA = "n/a"


def _digits(value: float, significant: int = 4, most: int = 4) -> int:
    """Decimals that show about `significant` digits: 412.3, 12.35, 0.0623, 12,345."""
    if value == 0:
        return 0
    magnitude = math.floor(math.log10(abs(value)))
    return max(0, min(most, significant - 1 - magnitude))


def number(value: float | int | None, unit: str | None = None, digits: int | None = None) -> str:
    """1234.5 -> "1,234.5 MWh" (about four significant digits unless `digits`); None -> "n/a"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if isinstance(value, int) and digits is None:
        text = f"{value:,}"
    else:
        places = _digits(float(value)) if digits is None else digits
        text = f"{float(value):,.{places}f}"
    return f"{text} {unit}" if unit else text


def percent(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None or math.isnan(value):
        return NA
    return f"{value:+.{digits}f} %" if signed else f"{value:.{digits}f} %"


def clock(value: datetime | None) -> str:
    """Local wall-clock "18:00"; n/a when unknown."""
    return value.strftime("%H:%M") if value is not None else NA


def count_of(part: int | None, whole: int | None) -> str:
    if part is None or whole is None:
        return NA
    return f"{part:,} of {whole:,}"

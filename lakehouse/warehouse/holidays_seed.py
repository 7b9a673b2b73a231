"""The Kosovo public holidays seed of the dbt project (dbt/seeds/kosovo_holidays.csv).

Generated from the `holidays` package (country XK) and committed, so that dbt builds offline and the
calendar is reviewable; `python -m lakehouse.warehouse.holidays_seed` regenerates it, and a test
keeps the committed file equal to what the installed package says.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 2020, 2035
COUNTRY = "XK"


def holiday_rows(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[tuple[str, str]]:
    """(ISO date, holiday name) per holiday day, sorted; names of coinciding holidays joined by '; '."""
    import holidays

    calendar = holidays.country_holidays(COUNTRY, years=range(first_year, last_year + 1), language="en_US")
    return sorted((day.isoformat(), name) for day, name in calendar.items())


def seed_csv(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["holiday_date", "holiday_name"])
    writer.writerows(holiday_rows(first_year, last_year))
    return buffer.getvalue()


def seed_path() -> Path:
    from lakehouse.warehouse.dbt_project import project_dir

    return project_dir() / "seeds" / "kosovo_holidays.csv"


def main() -> None:
    path = seed_path()
    path.write_text(seed_csv())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

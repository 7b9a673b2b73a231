"""Warehouse steps of the daily pipeline: publish the gold days that changed, before the dbt group.

`publish_gold(dates)` takes the local days whose gold rows changed (the `dates` of the gold steps'
summaries; `changed_dates()` collects them) and publishes them into PostgreSQL schema lakehouse_gold
(one transaction; idempotent per date; gold.load_forecast also for the day after each date, so D's
run publishes the D+1 forecast it made). `publish_quality(day)` publishes only D's quality results:
the report task calls it first, so a day that a quality gate blocked (publish_gold and the marts
did not run) still reports which gate stopped it and why. Errors: WarehouseUnavailableError
(PostgreSQL down: retry), PublishError (nothing committed: retry once, then look at the message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def changed_dates(*summaries: Mapping[str, Any] | Iterable[Any] | None) -> list[str]:
    """Union of the ISO `dates` / `affected_dates` in step summaries (nested gold_all dicts too)."""
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, Mapping):
            for key in ("dates", "affected_dates"):
                for value in item.get(key) or []:
                    found.add(value.isoformat() if isinstance(value, date) else str(value))
            for value in item.values():
                if isinstance(value, Mapping):
                    walk(value)
        elif isinstance(item, Iterable) and not isinstance(item, str | bytes):
            for value in item:
                walk(value)

    for summary in summaries:
        walk(summary)
    return sorted(found)


def publish_gold(dates: Iterable[date | str] | date | str) -> dict[str, Any]:
    """Publish these local days of gold (with the registry and quarantine counts) into lakehouse_gold."""
    from lakehouse.warehouse.publish import publish_gold as publish

    return {"step": "publish_gold", **publish(dates)}


def publish_quality(day: date | str) -> dict[str, Any]:
    """Publish gold.quality_results of local day D alone (before the report; works on a blocked day)."""
    from lakehouse.warehouse.publish import publish_quality as publish

    return {"step": "publish_quality", **publish(day)}

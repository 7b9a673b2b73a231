"""Steps of the daily pipeline for one local day D; `smartgrid_daily` calls them, so can anyone else.

Heavy imports (Spark, sources) happen inside the functions: the DAG file imports this module's
callers lazily, and a CLI or test that needs one step should not pay for the others.
"""

from __future__ import annotations

import importlib
import sys
from datetime import date
from types import ModuleType
from typing import Any


def extract(feed: str, day: date) -> list[str]:
    """Land local day `day` of `feed` (meters, weather, prices); returns the landed relpaths.

    Raises lakehouse.sources.errors.SourceNotReadyError when the publisher has nothing yet.
    """
    from lakehouse.sources.feeds import extract as extract_feed

    return extract_feed(feed, day)


def spark_job(name: str) -> ModuleType:
    """Import spark_jobs.<name> from the checkout (also when the package was installed non-editable)."""
    try:
        return importlib.import_module(f"spark_jobs.{name}")
    except ModuleNotFoundError as error:
        if error.name not in {"spark_jobs", f"spark_jobs.{name}"}:
            raise
        from lakehouse.orchestration.project import repo_root

        root = repo_root()
        if root is None:
            raise
        sys.path.insert(0, str(root))
        return importlib.import_module(f"spark_jobs.{name}")


def bronze_meter_readings(day: date) -> dict[str, Any]:
    """Ingest day `day`'s landed meter files into bronze.meter_readings; returns the job's summary."""
    from lakehouse.spark import session

    return spark_job("bronze_meter_readings").run(session(), day)

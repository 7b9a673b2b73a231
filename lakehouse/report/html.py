"""The report page and the index of all reports, rendered with Jinja2 (autoescaped)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

from lakehouse.report.charts import Chart
from lakehouse.report.content import ReportContent
from lakehouse.report.formatting import clock, count_of, number, percent


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("lakehouse.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=number, pct=percent, clock=clock, count_of=count_of)
    return env


def render_report(content: ReportContent, charts: Sequence[Chart]) -> str:
    """The self-contained page: inline CSS and SVG charts, no external resource."""
    by_name = {chart.name: chart for chart in charts}
    return environment().get_template("report.html.j2").render(c=content, charts=by_name)


def render_index(entries: Sequence[object], generated_at: datetime | None = None) -> str:
    """The index page; `entries` newest first (see lakehouse.report.store.IndexEntry)."""
    return (
        environment()
        .get_template("index.html.j2")
        .render(entries=entries, generated_at=generated_at or datetime.now(UTC))
    )

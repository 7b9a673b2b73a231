"""Build, render and store the daily report of one local day: the API of the DAG task and the CLI.

    build_report(day) -> PublishedReport
        1. query the marts with the analysts' engine         (lakehouse.report.data)
        2. compute the sections and the completeness verdict  (lakehouse.report.content, pure)
        3. draw the charts, render the page and the PDF      (charts, html, pdf)
        4. store them under REPORTS_ROOT/date=D/, rebuild index.html (store)

It does not deliver: lakehouse.report.delivery.deliver(report) sends what this returns. A day with
missing data is built with a "data incomplete" banner; only an unreachable warehouse or marts that
do not exist stop it (ReportDataUnavailableError: run the pipeline first).
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import TYPE_CHECKING

from lakehouse.report.artifacts import PublishedReport
from lakehouse.report.store import (
    HTML_NAME,
    PDF_NAME,
    SUMMARY_NAME,
    ReportStore,
    day_folder,
    summary_document,
)
from lakehouse.settings import Settings, get_settings

if TYPE_CHECKING:
    from lakehouse.report.charts import Chart
    from lakehouse.report.content import ReportContent
    from lakehouse.sql import Engine

log = logging.getLogger(__name__)


def render(content: ReportContent) -> tuple[str, bytes, tuple[Chart, ...]]:
    """(page, PDF, charts) of the content; no I/O."""
    from lakehouse.report.charts import draw_charts
    from lakehouse.report.html import render_report
    from lakehouse.report.pdf import render_pdf

    charts = draw_charts(content)
    return render_report(content, charts), render_pdf(content, charts), charts


def build_report(
    day: date | str,
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    reports_root: str | None = None,
) -> PublishedReport:
    """Query, render and store the report of local day `day`; rebuilds the index of all reports."""
    from lakehouse.report.content import compose
    from lakehouse.report.data import load_report_data

    settings = settings or get_settings()
    day = day if isinstance(day, date) else date.fromisoformat(day)
    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    data = load_report_data(day, settings, engine)
    seconds["query"] = time.perf_counter() - mark

    mark = time.perf_counter()
    content = compose(data, missing_meters_tolerance_pct=settings.report_missing_meters_tolerance_pct)
    html, pdf, charts = render(content)
    seconds["render"] = time.perf_counter() - mark

    mark = time.perf_counter()
    store = ReportStore(reports_root, settings)
    folder = day_folder(day)
    headline = content.headline.as_dict()
    pdf_uri = store.write(f"{folder}/{PDF_NAME}", pdf)
    summary_uri = store.write(
        f"{folder}/{SUMMARY_NAME}", summary_document(day, headline, content.incomplete_reasons)
    )
    html_uri = store.write(f"{folder}/{HTML_NAME}", html.encode("utf-8"))
    index_uri = store.rebuild_index()
    seconds["store"] = time.perf_counter() - mark
    log.info(
        "Report %s stored at %s (%s); query %.1f s, render %.1f s, store %.1f s",
        day,
        html_uri,
        "DATA INCOMPLETE" if content.incomplete else "complete",
        seconds["query"],
        seconds["render"],
        seconds["store"],
    )
    return PublishedReport(
        day=day,
        title=content.title,
        html=html,
        pdf=pdf,
        html_uri=html_uri,
        pdf_uri=pdf_uri,
        index_uri=index_uri,
        incomplete=content.incomplete,
        incomplete_reasons=content.incomplete_reasons,
        headline=headline,
        charts_png=tuple((chart.name, chart.png) for chart in charts),
        summary_uri=summary_uri,
    )

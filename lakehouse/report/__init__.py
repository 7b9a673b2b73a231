"""The daily report for grid managers: built from the marts through the analysts' SQL engine,
rendered to HTML and PDF, stored under REPORTS_ROOT, and delivered by e-mail and webhook.

`build_report(day)` (lakehouse.report.builder) queries, renders and stores one local day and
returns a PublishedReport; `lakehouse.report.delivery.deliver(report)` sends it.
"""

from lakehouse.report.artifacts import PublishedReport
from lakehouse.report.errors import ReportDataUnavailableError, ReportError, ReportStorageError


def build_report(*args, **kwargs) -> PublishedReport:
    """See lakehouse.report.builder.build_report (imported lazily: matplotlib and reportlab are heavy)."""
    from lakehouse.report.builder import build_report as build

    return build(*args, **kwargs)


__all__ = [
    "PublishedReport",
    "ReportDataUnavailableError",
    "ReportError",
    "ReportStorageError",
    "build_report",
]

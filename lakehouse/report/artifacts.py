"""What a built report is, as the builder hands it to delivery (e-mail, webhook) and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PublishedReport:
    """One local day's report, rendered and stored."""

    day: date
    title: str
    html: str  # the self-contained page (inline CSS and SVG charts): also the e-mail body
    pdf: bytes
    html_uri: str  # where the page was stored (local path or s3://...)
    pdf_uri: str
    index_uri: str  # the index page of all reports
    incomplete: bool  # the "data incomplete" banner is shown
    incomplete_reasons: tuple[str, ...] = ()
    headline: dict[str, Any] = field(default_factory=dict)  # a few figures for subjects and webhooks
    # (name, PNG bytes) of each chart, for e-mail bodies that cannot show the page's inline SVG
    charts_png: tuple[tuple[str, bytes], ...] = ()
    summary_uri: str | None = None  # summary.json next to the page (headline and completeness)

    @property
    def pdf_filename(self) -> str:
        return f"grid-report-{self.day.isoformat()}.pdf"

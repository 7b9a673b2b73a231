"""Where reports live: REPORTS_ROOT, a local folder or s3://bucket/prefix, one folder per day.

    <REPORTS_ROOT>/date=YYYY-MM-DD/report.html   the page (self-contained)
    <REPORTS_ROOT>/date=YYYY-MM-DD/report.pdf    the PDF
    <REPORTS_ROOT>/date=YYYY-MM-DD/summary.json  headline figures and the completeness verdict
    <REPORTS_ROOT>/index.html                    every report, newest first

Files are written through the platform's storage helpers (lakehouse.sources.landing.LandingStore:
atomic local writes, one PutObject on S3), with a Content-Type on S3 so a browser shows the page
instead of downloading it. The index is rebuilt from a listing of the folder each time, so it is
the same whichever order days were built in, and re-running a day replaces its files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lakehouse.report.errors import ReportStorageError
from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingError, LandingStore
from lakehouse.storage.uri import is_s3, split_s3

HTML_NAME, PDF_NAME, SUMMARY_NAME, INDEX_NAME = "report.html", "report.pdf", "summary.json", "index.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".json": "application/json",
}
_DAY_FOLDER = re.compile(r"^date=(\d{4}-\d{2}-\d{2})/")


def day_folder(day: date) -> str:
    return f"date={day.isoformat()}"


@dataclass(frozen=True)
class IndexEntry:
    """One report on the index page (figures from its summary.json when present)."""

    day: date
    html_href: str
    pdf_href: str | None
    total_mwh: float | None = None
    peak_mw: float | None = None
    peak_local: str | None = None
    incomplete: bool | None = None


class ReportStore:
    """The report files under REPORTS_ROOT (default settings.reports_uri)."""

    def __init__(self, root: str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.root = (root or self.settings.reports_uri).rstrip("/")
        self._files = LandingStore(root=self.root, settings=self.settings)

    def uri(self, relpath: str) -> str:
        return self._files.uri(relpath)

    def write(self, relpath: str, data: bytes) -> str:
        """Store `data` at `relpath` (replacing it), with its Content-Type on S3; returns its URI."""
        try:
            if not is_s3(self.root):
                return self._files.write_bytes(relpath, data)
            bucket, key = split_s3(self.uri(relpath))
            suffix = relpath[relpath.rfind(".") :]
            self._files.client.put_object(
                Bucket=bucket,
                Key=key,
                Body=data,
                ContentType=CONTENT_TYPES.get(suffix, "application/octet-stream"),
            )
            return self.uri(relpath)
        except (LandingError, OSError) as error:
            raise ReportStorageError(f"cannot write the report file {self.uri(relpath)}: {error}") from error
        except Exception as error:  # botocore ClientError, connection errors
            raise ReportStorageError(
                f"cannot write the report file {self.uri(relpath)}: {error}. "
                "Check REPORTS_ROOT, AWS_ENDPOINT_URL and the AWS credentials."
            ) from error

    def read(self, relpath: str) -> bytes | None:
        """The file's bytes, or None when there is none."""
        try:
            return self._files.read_bytes(relpath)
        except FileNotFoundError:
            return None
        except LandingError as error:
            raise ReportStorageError(f"cannot read {self.uri(relpath)}: {error}") from error

    def list(self) -> list[str]:
        try:
            return self._files.list()
        except LandingError as error:
            raise ReportStorageError(
                f"cannot list the reports under {self.root}: {error}. Check REPORTS_ROOT."
            ) from error

    # --- the index -------------------------------------------------------------------------------
    def entries(self) -> list[IndexEntry]:
        """Every stored report, newest first, from a listing (and each day's summary.json)."""
        files: dict[date, set[str]] = {}
        for relpath in self.list():
            match = _DAY_FOLDER.match(relpath)
            if not match:
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue
            files.setdefault(day, set()).add(relpath[match.end() :])
        entries = []
        for day in sorted(files, reverse=True):
            names = files[day]
            if HTML_NAME not in names:
                continue
            folder = day_folder(day)
            summary = _summary(self.read(f"{folder}/{SUMMARY_NAME}")) if SUMMARY_NAME in names else {}
            peak_local, incomplete = summary.get("peak_local"), summary.get("incomplete")
            entries.append(
                IndexEntry(
                    day=day,
                    html_href=f"{folder}/{HTML_NAME}",
                    pdf_href=f"{folder}/{PDF_NAME}" if PDF_NAME in names else None,
                    total_mwh=_float(summary.get("total_mwh")),
                    peak_mw=_float(summary.get("peak_mw")),
                    peak_local=peak_local if isinstance(peak_local, str) else None,
                    incomplete=incomplete if isinstance(incomplete, bool) else None,
                )
            )
        return entries

    def rebuild_index(self, generated_at: datetime | None = None) -> str:
        """Write index.html for every stored report; returns its URI."""
        from lakehouse.report.html import render_index

        page = render_index(self.entries(), generated_at)
        return self.write(INDEX_NAME, page.encode("utf-8"))


def _summary(data: bytes | None) -> dict[str, Any]:
    if not data:
        return {}
    try:
        loaded = json.loads(data)
    except ValueError:
        return {}  # a damaged summary only loses the index's figures for that day
    return loaded if isinstance(loaded, dict) else {}


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def summary_document(day: date, headline: dict[str, Any], reasons: Iterable[str]) -> bytes:
    reasons = list(reasons)
    document = {
        "day": day.isoformat(),
        **headline,
        "incomplete": bool(reasons),
        "incomplete_reasons": reasons,
    }
    return json.dumps(document, indent=2, sort_keys=True).encode("utf-8")

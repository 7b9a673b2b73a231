"""Typed errors of the daily report; each message says what to do about it."""

from __future__ import annotations


class ReportError(RuntimeError):
    """The daily report could not be built or stored."""


class ReportDataUnavailableError(ReportError):
    """The warehouse or its marts cannot be read (not started, not built yet): nothing to report from.

    Retrying helps once the pipeline has run (`lakehouse run`) or the warehouse is back up.
    """


class ReportQueryError(ReportError):
    """A report query failed for another reason (a bug or a changed mart): the message names the query."""


class ReportStorageError(ReportError):
    """The report files could not be written to or listed under REPORTS_ROOT."""

"""Typed outcomes of pulling a source, so that orchestration can tell them apart.

`SourceNotReadyError` is an expected outcome (the publisher has nothing yet: retry later);
`SourceUnavailableError` means the service could not be reached after every retry;
`SourceFormatError` means the service answered with something that is not the expected format.
"""

from __future__ import annotations


class SourceError(Exception):
    """Base of every error raised while pulling a source; the message says what to check."""


class SourceNotReadyError(SourceError):
    """The publisher has no data for the requested day yet (e.g. ENTSO-E "No matching data found").

    Not a crash: Airflow should retry the extract task later.
    """


class SourceUnavailableError(SourceError):
    """The service did not answer usefully after the last retry (timeouts, 429, 5xx)."""


class SourceFormatError(SourceError):
    """The response is not in the expected format; the message carries a snippet of it."""


def snippet(data: bytes | str, limit: int = 300) -> str:
    """The start of a payload, printable, for error messages."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."

"""Meter readings from the utilities' head-end systems: export files dropped into an inbox.

Utilities drop `.csv` or `.csv.gz` exports (DESIGN.md "Landing formats" header) into
METERS_INBOX, a local folder or an s3:// prefix. `collect` files each one into landing by the
local day of its readings, `meters/readings/date=YYYY-MM-DD/<original name>`:
- a reading belongs to the local day in which its interval *starts* (timestamps are interval
  ends: `...T00:00:00+01:00` with 15 minutes closes the previous day);
- a file spanning several days is split, one part per day named `<stem>.part-YYYY-MM-DD.csv[.gz]`;
  lines whose timestamp cannot be read stay with the file's main day, so silver quarantines
  them instead of them being lost;
- idempotent: a file already filed with the same content is not filed again; a different file
  under a name already used (a resent correction) is filed beside it as `<stem>.<sha8>.csv`;
- processed files move to `archive/` in the inbox; a file that cannot be read as an export
  (unexpected header, not gzip, not UTF-8, no readings) moves to `rejected/` with a
  `<name>.reason.txt` beside it and a warning in the log: never silently dropped;
- the meter registry (`meters.csv`, registry header) goes to `meters/registry/meters.csv`.
Files whose names start with `.` or end in `.tmp`/`.part` are uploads in progress and are skipped.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.errors import SourceError, SourceFormatError, SourceNotReadyError
from lakehouse.storage.uri import is_s3, join, s3_client, split_s3

if TYPE_CHECKING:
    from lakehouse.sources.landing import LandingStore

log = logging.getLogger(__name__)

READINGS_HEADER: tuple[str, ...] = (
    "meter_id",
    "timestamp",
    "interval_min",
    "energy_kwh",
    "voltage_v",
    "current_a",
    "power_factor",
    "status",
)
REGISTRY_HEADER: tuple[str, ...] = (
    "meter_id",
    "region",
    "customer_type",
    "feeder_id",
    "latitude",
    "longitude",
    "installed_on",
    "tariff",
)
REGISTRY_RELPATH = "meters/registry/meters.csv"
ARCHIVE = "archive"
REJECTED = "rejected"
_IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")


# --------------------------------------------------------------------------------------------
# Pure core: bytes of one export in, the files to land out.
# --------------------------------------------------------------------------------------------


@dataclass
class FilingPlan:
    """What to do with one inbox file: land `parts` (relpath -> bytes), or reject with a reason."""

    name: str
    kind: str  # "readings", "registry" or "rejected"
    parts: dict[str, bytes] = field(default_factory=dict)
    days: dict[str, date] = field(default_factory=dict)  # relpath -> local day
    reason: str = ""


def split_name(name: str) -> tuple[str, str]:
    """("export_01", ".csv.gz") from "export_01.csv.gz"."""
    for ext in (".csv.gz", ".csv"):
        if name.lower().endswith(ext):
            return name[: -len(ext)], name[-len(ext) :]
    stem, ext = os.path.splitext(name)
    return stem, ext


def readings_relpath(day: date, name: str) -> str:
    return f"meters/readings/date={day.isoformat()}/{name}"


def _gzip(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp, no name), so a re-split file has identical bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as handle:
        handle.write(data)
    return buffer.getvalue()


def _reading_day(line: str, tz: ZoneInfo, cache: dict[tuple[str, str], date | None]) -> date | None:
    """Local day in which the reading's interval starts; None when the line cannot say."""
    try:
        fields = next(csv.reader([line])) if '"' in line else line.split(",")
        key = (fields[1], fields[2])
    except (StopIteration, IndexError):
        return None
    if key in cache:  # thousands of meters share each timestamp: parse it once
        return cache[key]
    day = None
    try:
        end = datetime.fromisoformat(key[0].strip())
        minutes = int(key[1].strip())
    except ValueError:
        pass
    else:
        if end.tzinfo is not None and minutes > 0:
            day = (end - timedelta(minutes=minutes)).astimezone(tz).date()
    cache[key] = day
    return day


def _header(line: str) -> tuple[str, ...]:
    return tuple(col.strip() for col in next(csv.reader([line]), []))


def _describe_header(got: tuple[str, ...]) -> str:
    extra = [c for c in got if c not in READINGS_HEADER]
    missing = [c for c in READINGS_HEADER if c not in got]
    details = []
    if extra:
        details.append(f"unexpected column(s) {', '.join(extra)}")
    if missing:
        details.append(f"missing column(s) {', '.join(missing)}")
    if not details:
        details.append("columns in another order")
    return (
        f"header {','.join(got)!r} is not the head-end export header {','.join(READINGS_HEADER)!r} "
        f"({'; '.join(details)}). Ask the utility to re-export in the agreed format, or fix the file "
        "and drop it into the inbox again."
    )


def plan_file(name: str, data: bytes, tz: ZoneInfo) -> FilingPlan:
    """Decide where one export's readings land (pure)."""
    gzipped = name.lower().endswith(".gz")
    try:
        raw = gzip.decompress(data) if gzipped else data
    except (OSError, EOFError) as error:
        return FilingPlan(name, "rejected", reason=f"not a readable gzip file ({error})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return FilingPlan(name, "rejected", reason=f"not UTF-8 text ({error})")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return FilingPlan(name, "rejected", reason="empty file: no header line")
    header = _header(lines[0])
    if header == REGISTRY_HEADER:
        return FilingPlan(name, "registry", parts={REGISTRY_RELPATH: raw})
    if header != READINGS_HEADER:
        return FilingPlan(name, "rejected", reason=_describe_header(header))

    by_day: dict[date | None, list[str]] = {}
    cache: dict[tuple[str, str], date | None] = {}
    for line in lines[1:]:
        if line.strip():
            by_day.setdefault(_reading_day(line, tz, cache), []).append(line)
    counts = Counter({d: len(v) for d, v in by_day.items() if d is not None})
    if not counts:
        why = "no readings" if not by_day else "no line with a readable timestamp and interval_min"
        return FilingPlan(name, "rejected", reason=f"{why}; nothing to file")
    main_day = min(counts, key=lambda d: (-counts[d], d))
    unreadable = by_day.pop(None, [])
    by_day.setdefault(main_day, []).extend(unreadable)  # malformed lines travel with the main day

    plan = FilingPlan(name, "readings")
    if len(by_day) == 1:
        relpath = readings_relpath(main_day, name)
        plan.parts[relpath] = data  # one day: the original bytes, untouched
        plan.days[relpath] = main_day
        return plan
    stem, ext = split_name(name)
    newline = "\r\n" if "\r\n" in text[: len(lines[0]) + 2] else "\n"
    for day in sorted(d for d in by_day if d is not None):
        body = newline.join([lines[0], *by_day[day]]) + newline
        payload = body.encode("utf-8")
        relpath = readings_relpath(day, f"{stem}.part-{day.isoformat()}{ext}")
        plan.parts[relpath] = _gzip(payload) if gzipped else payload
        plan.days[relpath] = day
    return plan


def _with_digest(relpath: str, data: bytes) -> str:
    folder, _, name = relpath.rpartition("/")
    stem, ext = split_name(name)
    digest = hashlib.sha256(data).hexdigest()[:8]
    return f"{folder}/{stem}.{digest}{ext}" if folder else f"{stem}.{digest}{ext}"


# --------------------------------------------------------------------------------------------
# The inbox: a local folder or an s3:// prefix.
# --------------------------------------------------------------------------------------------


class Inbox:
    """List, read, write and move files directly under the inbox (not in archive/ or rejected/)."""

    def __init__(self, uri: str, settings: Settings) -> None:
        self.uri = uri.rstrip("/")
        self.settings = settings
        if is_s3(self.uri):
            self.bucket, prefix = split_s3(self.uri)
            self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
            self._s3 = s3_client(settings)
        elif not Path(self.uri.removeprefix("file://")).is_dir():
            raise SourceError(
                f"The meters inbox {self.uri} is not a folder: create it, or set METERS_INBOX to the "
                "folder (or s3://bucket/prefix) where the utilities drop their exports."
            )

    def _path(self, relname: str) -> Path:
        return Path(join(self.uri, relname))

    def list(self) -> list[str]:
        if is_s3(self.uri):
            names: list[str] = []
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix, Delimiter="/"
            )
            for page in pages:
                names.extend(obj["Key"][len(self.prefix) :] for obj in page.get("Contents", []))
        else:
            names = [p.name for p in Path(self.uri.removeprefix("file://")).iterdir() if p.is_file()]
        return sorted(
            n for n in names if n and not n.startswith(".") and not n.lower().endswith(_IN_PROGRESS_SUFFIXES)
        )

    def read(self, relname: str) -> bytes:
        if is_s3(self.uri):
            return self._s3.get_object(Bucket=self.bucket, Key=self.prefix + relname)["Body"].read()
        return self._path(relname).read_bytes()

    def exists(self, relname: str) -> bool:
        if is_s3(self.uri):
            try:
                self._s3.head_object(Bucket=self.bucket, Key=self.prefix + relname)
            except self._s3.exceptions.ClientError:
                return False
            return True
        return self._path(relname).exists()

    def write(self, relname: str, data: bytes) -> None:
        if is_s3(self.uri):
            self._s3.put_object(Bucket=self.bucket, Key=self.prefix + relname, Body=data)
            return
        path = self._path(relname)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def move(self, relname: str, target: str) -> None:
        if is_s3(self.uri):
            self._s3.copy_object(
                Bucket=self.bucket,
                Key=self.prefix + target,
                CopySource={"Bucket": self.bucket, "Key": self.prefix + relname},
            )
            self._s3.delete_object(Bucket=self.bucket, Key=self.prefix + relname)
            return
        path = self._path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._path(relname), path)

    def move_aside(self, name: str, folder: str, data: bytes) -> str:
        """Move into archive/ or rejected/, never over a different file of the same name."""
        target = f"{folder}/{name}"
        if self.exists(target) and self.read(target) != data:
            target = _with_digest(target, data)
        self.move(name, target)
        return target


# --------------------------------------------------------------------------------------------
# Entry points.
# --------------------------------------------------------------------------------------------


def _store(settings: Settings, store: LandingStore | None) -> LandingStore:
    if store is not None:
        return store
    from lakehouse.sources.landing import LandingStore

    return LandingStore(settings.landing_uri, settings)


def _file_once(store: LandingStore, relpath: str, data: bytes) -> tuple[str, bool]:
    """Land `data` at relpath unless that exact content is there; (relpath used, newly written)."""
    if store.exists(relpath):
        if store.read_bytes(relpath) == data:
            return relpath, False
        relpath = _with_digest(relpath, data)
        if store.exists(relpath) and store.read_bytes(relpath) == data:
            return relpath, False
    store.write_bytes(relpath, data)
    return relpath, True


def _land_registry(landing: LandingStore, data: bytes, source: str) -> bool:
    """The registry is a snapshot: the newest one replaces the landed one (unless identical)."""
    if landing.exists(REGISTRY_RELPATH) and landing.read_bytes(REGISTRY_RELPATH) == data:
        return False
    landing.write_bytes(REGISTRY_RELPATH, data)
    log.info("Meter registry landed from %s", source)
    return True


def _reject(inbox: Inbox, name: str, data: bytes, reason: str) -> None:
    target = inbox.move_aside(name, REJECTED, data)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    inbox.write(f"{target}.reason.txt", f"{stamp} {name}: {reason}\n".encode())
    log.warning("Meters inbox: rejected %s -> %s/%s: %s", name, inbox.uri, target, reason)


def collect(
    day: date | None = None, settings: Settings | None = None, store: LandingStore | None = None
) -> list[str]:
    """File every export waiting in METERS_INBOX into landing; archive or reject each one.

    Returns the readings relpaths written by this call; with `day`, instead every readings file
    landed for that local day (this call's and earlier ones'), and SourceNotReadyError when there
    is none yet (the utility has not delivered: Airflow retries later).
    """
    settings = settings or get_settings()
    if not settings.meters_inbox:
        raise SourceError(
            "METERS_SOURCE=inbox needs METERS_INBOX: the folder or s3://bucket/prefix where the "
            "utilities drop their head-end exports."
        )
    inbox = Inbox(settings.meters_inbox, settings)
    landing = _store(settings, store)
    tz = settings.tz
    written: list[str] = []
    for name in inbox.list():
        data = inbox.read(name)
        plan = plan_file(name, data, tz)
        if plan.kind == "rejected":
            _reject(inbox, name, data, plan.reason)
            continue
        if plan.kind == "registry":
            _land_registry(landing, plan.parts[REGISTRY_RELPATH], name)
            inbox.move_aside(name, ARCHIVE, data)
            continue
        for relpath, payload in plan.parts.items():
            used, new = _file_once(landing, relpath, payload)
            if new:
                written.append(used)
            if day is not None and plan.days[relpath] != day:
                log.warning(
                    "Meters inbox: %s holds readings of %s (collecting %s): filed as %s",
                    name,
                    plan.days[relpath],
                    day,
                    used,
                )
            log.info("Meters inbox: %s -> %s%s", name, used, "" if new else " (already filed)")
        inbox.move_aside(name, ARCHIVE, data)
    if day is None:
        return written
    prefix = f"meters/readings/date={day.isoformat()}/"
    landed = sorted(p for p in landing.list(prefix) if split_name(p)[1].lower() in (".csv", ".csv.gz"))
    if not landed:
        raise SourceNotReadyError(
            f"No head-end export with readings of {day} has arrived in {settings.meters_inbox} yet; "
            "retry later, or ask the utilities whether their export ran."
        )
    return landed


def _read_uri(path_or_uri: str | os.PathLike[str], settings: Settings) -> bytes:
    text = str(path_or_uri)
    if is_s3(text):
        bucket, key = split_s3(text)
        return s3_client(settings).get_object(Bucket=bucket, Key=key)["Body"].read()
    return Path(text.removeprefix("file://")).read_bytes()


def load_registry(
    path_or_uri: str | os.PathLike[str],
    settings: Settings | None = None,
    store: LandingStore | None = None,
) -> str:
    """Land a meter registry CSV (local path or s3:// URI) as meters/registry/meters.csv."""
    settings = settings or get_settings()
    data = _read_uri(path_or_uri, settings)
    if str(path_or_uri).lower().endswith(".gz"):
        data = gzip.decompress(data)
    first = data.decode("utf-8-sig", errors="replace").splitlines()[:1]
    header = _header(first[0]) if first else ()
    if header != REGISTRY_HEADER:
        raise SourceFormatError(
            f"{path_or_uri}: header {','.join(header)!r} is not the meter registry header "
            f"{','.join(REGISTRY_HEADER)!r}"
        )
    _land_registry(_store(settings, store), data, str(path_or_uri))
    return REGISTRY_RELPATH

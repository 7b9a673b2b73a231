"""Weather from the Open-Meteo API: one JSON response per city and local day, landed as is.

Time zones: Open-Meteo applies one fixed UTC offset to a whole response (the offset valid *now*,
not on the requested dates; its maintainers recommend GMT for long series, see
open-meteo/open-meteo issues #261, #488, #1255). Asking for `timezone=Europe/Belgrade` would
therefore shift winter days fetched in summer by an hour and cannot express a 25-hour day.
So the connector asks for `timezone=GMT`, covers the local day's UTC hours (two UTC dates), and
keeps exactly the hours of the local day: 23, 24 or 25 of them. The landed file is the
Open-Meteo response format, with `utc_offset_seconds` 0; readers compute
`hour_utc = time - utc_offset_seconds`, which `hourly_records` implements for any response.

Endpoints: the historical archive for days older than `ARCHIVE_LAG_DAYS` (ERA5 arrives with
about five days' delay), the forecast endpoint otherwise (it also serves recent past days).
"""

from __future__ import annotations

import json
import logging
import math
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.errors import SourceError, SourceFormatError, snippet
from lakehouse.sources.geography import CITIES
from lakehouse.sources.http import HttpClient, raise_for_status

if TYPE_CHECKING:
    from lakehouse.sources.landing import LandingStore

log = logging.getLogger(__name__)

HOURLY_VARIABLES: tuple[str, ...] = (
    "temperature_2m",
    "relative_humidity_2m",
    "wind_speed_10m",
    "cloud_cover",
    "shortwave_radiation",
)
ARCHIVE_LAG_DAYS = 5
REQUEST_TIMEZONE = "GMT"


def landing_path(day: date, city: str) -> str:
    return f"weather/date={day.isoformat()}/{city}.json"


def local_day_hours_utc(day: date, tz: ZoneInfo) -> list[datetime]:
    """The UTC start of every hour of the local day (23, 24 or 25 hours on DST days)."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
    hours = int((end - start).total_seconds() // 3600)
    return [start + timedelta(hours=h) for h in range(hours)]


def endpoint_for(day: date, today: date, settings: Settings) -> str:
    """Archive for days older than ARCHIVE_LAG_DAYS, forecast for recent and future days."""
    if day < today - timedelta(days=ARCHIVE_LAG_DAYS):
        return settings.open_meteo_archive_url
    return settings.open_meteo_url


def request_params(day: date, latitude: float, longitude: float, tz: ZoneInfo) -> dict[str, str]:
    """Query parameters covering every UTC hour of the local day."""
    hours = local_day_hours_utc(day, tz)
    return {
        "latitude": f"{latitude:.4f}",
        "longitude": f"{longitude:.4f}",
        "hourly": ",".join(HOURLY_VARIABLES),
        "timezone": REQUEST_TIMEZONE,
        "start_date": hours[0].date().isoformat(),
        "end_date": hours[-1].date().isoformat(),
    }


def _hour_utc(text: object, offset_seconds: int) -> datetime:
    if not isinstance(text, str):
        raise ValueError(f"time entry {text!r} is not a string")
    stamp = datetime.fromisoformat(text)
    if stamp.tzinfo is not None:  # not Open-Meteo's shape, but unambiguous
        return stamp.astimezone(UTC)
    return (stamp - timedelta(seconds=offset_seconds)).replace(tzinfo=UTC)


def _check_shape(payload: object, variables: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, list]]:
    if not isinstance(payload, dict):
        raise SourceFormatError(f"Open-Meteo response is not a JSON object: {snippet(json.dumps(payload))}")
    hourly = payload.get("hourly")
    if not isinstance(hourly, dict) or not isinstance(hourly.get("time"), list):
        raise SourceFormatError(
            f"Open-Meteo response has no hourly.time array: {snippet(json.dumps(payload))}"
        )
    missing = [v for v in variables if not isinstance(hourly.get(v), list)]
    if missing:
        raise SourceFormatError(
            f"Open-Meteo response lacks hourly variable(s) {', '.join(missing)}: "
            f"{snippet(json.dumps(payload))}"
        )
    lengths = {name: len(hourly[name]) for name in ("time", *variables)}
    if len(set(lengths.values())) != 1:
        raise SourceFormatError(f"Open-Meteo hourly arrays differ in length: {lengths}")
    for name in variables:
        for value in hourly[name]:
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
            ):
                raise SourceFormatError(f"Open-Meteo hourly.{name} holds a non-number: {value!r}")
    return payload, hourly


def hourly_records(payload: dict[str, Any], variables: tuple[str, ...] = HOURLY_VARIABLES) -> list[dict]:
    """Rows of {hour_utc, <variable>: value} from an Open-Meteo response (pure; for silver too)."""
    payload, hourly = _check_shape(payload, variables)
    offset = payload.get("utc_offset_seconds", 0)
    if not isinstance(offset, int):
        raise SourceFormatError(f"Open-Meteo utc_offset_seconds is not an integer: {offset!r}")
    rows = []
    for i, text in enumerate(hourly["time"]):
        try:
            hour = _hour_utc(text, offset)
        except ValueError as error:
            raise SourceFormatError(f"Open-Meteo hourly.time[{i}] is not ISO 8601: {error}") from None
        rows.append({"hour_utc": hour, **{v: hourly[v][i] for v in variables}})
    return rows


def day_response(payload: object, day: date, tz: ZoneInfo) -> dict[str, Any]:
    """Validate a response and keep exactly the hours of the local day (pure).

    Raises SourceFormatError when the arrays are not parallel, values are not numbers, hours
    repeat, or any hour of the local day is missing.
    """
    rows = hourly_records(payload)  # type: ignore[arg-type]  (it checks the shape first)
    payload = cast(dict[str, Any], payload)
    wanted = local_day_hours_utc(day, tz)
    wanted_set = set(wanted)
    seen: set[datetime] = set()
    keep: list[int] = []
    for i, row in enumerate(rows):
        hour = row["hour_utc"]
        if hour in seen:
            raise SourceFormatError(f"Open-Meteo response repeats hour {hour.isoformat()}")
        seen.add(hour)
        if hour in wanted_set:
            keep.append(i)
    missing = sorted(wanted_set - seen)
    if missing:
        raise SourceFormatError(
            f"Open-Meteo response lacks {len(missing)} of the {len(wanted)} hours of local day {day} "
            f"(first missing {missing[0].isoformat()}); got {len(rows)} hours from "
            f"{rows[0]['hour_utc'].isoformat() if rows else '-'}"
        )
    keep.sort(key=lambda i: rows[i]["hour_utc"])
    hourly = payload["hourly"]
    trimmed = {name: [values[i] for i in keep] for name, values in hourly.items() if isinstance(values, list)}
    return {**payload, "hourly": trimmed}


def _decode(response_content: bytes, url: str) -> object:
    try:
        return json.loads(response_content)
    except ValueError:
        raise SourceFormatError(
            f"Open-Meteo {url} did not answer JSON: {snippet(response_content)}"
        ) from None


def fetch_city_day(client: HttpClient, url: str, day: date, city: str, tz: ZoneInfo) -> dict[str, Any]:
    """Request one city and local day, validate it, return the day's response."""
    latitude, longitude = CITIES[city]
    params = request_params(day, latitude, longitude, tz)
    response = client.get(url, params)
    if response.status_code == 400:
        body = _decode(response.content, url)
        reason = body.get("reason") if isinstance(body, dict) else None
        raise SourceError(
            f"Open-Meteo rejected the request for {city} {day}: {reason or snippet(response.content)}. "
            "Check the day is within the endpoint's range (forecast: recent past and up to 16 days "
            "ahead; archive: up to about 5 days ago) and OPEN_METEO_URL / OPEN_METEO_ARCHIVE_URL."
        )
    raise_for_status(response, params, "Check OPEN_METEO_URL / OPEN_METEO_ARCHIVE_URL.")
    try:
        return day_response(_decode(response.content, url), day, tz)
    except SourceFormatError as error:
        raise SourceFormatError(f"{city} {day} from {url}: {error}") from None


def fetch_day(
    day: date,
    settings: Settings | None = None,
    store: LandingStore | None = None,
    *,
    today: date | None = None,
    client: HttpClient | None = None,
) -> list[str]:
    """Land `weather/date=DAY/<city>.json` for every city; returns the landed relpaths.

    All cities are fetched and validated before anything is landed, so a failure lands nothing
    and a re-run (idempotent: same paths, overwritten atomically) starts clean.
    """
    settings = settings or get_settings()
    if store is None:
        from lakehouse.sources.landing import LandingStore

        store = LandingStore(settings.landing_uri, settings)
    tz = settings.tz
    today = today or datetime.now(tz).date()
    url = endpoint_for(day, today, settings)
    own_client = client is None
    client = client or HttpClient(settings)
    try:
        days = {city: fetch_city_day(client, url, day, city, tz) for city in CITIES}
    finally:
        if own_client:
            client.close()
    landed = []
    for city, payload in days.items():
        relpath = landing_path(day, city)
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        store.write_bytes(relpath, data)
        landed.append(relpath)
    log.info("Open-Meteo: landed %d cities for %s from %s", len(landed), day, url)
    return landed

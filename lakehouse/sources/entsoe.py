"""Day-ahead prices from the ENTSO-E Transparency Platform (document type A44, "12.1.D").

`parse_prices` is a pure function (XML bytes -> rows) that the silver job reuses; `fetch_day`
requests one local day for the configured bidding zone and lands the raw XML as
`prices/date=YYYY-MM-DD/<bidding_zone>.xml` only after it parsed and covered the whole day.

What real responses contain, and how it is handled:
- resolution PT60M or PT15M (also PT30M), one or more TimeSeries, one or more Periods each;
- curve type A03 ("variable sized block"): a position left out repeats the previous price,
  so points are filled forward to the period end; A01 must list every position;
- several auctions for one zone, told apart only by
  `classificationSequence_AttributeInstanceComponent.position` (document order is not
  sequence order): the lowest sequence is "the" day-ahead price;
- days of 23 and 25 local hours (the UTC period simply has 92/100 quarters or 23/25 hours);
- an `Acknowledgement_MarketDocument` instead of prices: reason text "No matching data found"
  means not published yet (`SourceNotReadyError`); other reasons are errors.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.errors import (
    SourceError,
    SourceFormatError,
    SourceNotReadyError,
    snippet,
)
from lakehouse.sources.http import HttpClient, raise_for_status

if TYPE_CHECKING:
    from lakehouse.sources.landing import LandingStore

log = logging.getLogger(__name__)

AIRFLOW_CONN_ID = "entsoe"
NOT_READY_TEXT = "no matching data found"
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")


class PriceRow(NamedTuple):
    interval_start_utc: datetime
    resolution_min: int
    price_eur_mwh: float


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: ET.Element, name: str) -> ET.Element | None:
    for child in node:
        if _local(child.tag) == name:
            return child
    return None


def _children(node: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in node if _local(child.tag) == name]


def _text(node: ET.Element, *path: str) -> str | None:
    current: ET.Element | None = node
    for name in path:
        current = _child(current, name) if current is not None else None
    if current is None or current.text is None:
        return None
    return current.text.strip()


def _required(node: ET.Element, *path: str) -> str:
    value = _text(node, *path)
    if not value:
        raise SourceFormatError(f"ENTSO-E document lacks <{'/'.join(path)}> in <{_local(node.tag)}>")
    return value


def resolution_minutes(text: str) -> int:
    """PT15M -> 15, PT60M -> 60, PT1H -> 60."""
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        raise SourceFormatError(f"ENTSO-E resolution {text!r} is not a PTnH/PTnM duration")
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if minutes <= 0 or 1440 % minutes:
        raise SourceFormatError(f"ENTSO-E resolution {text!r} does not divide a day")
    return minutes


def parse_utc(text: str) -> datetime:
    """ENTSO-E instants: 2026-03-28T23:00Z (also with seconds or an explicit offset)."""
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SourceFormatError(f"ENTSO-E instant {text!r} is not ISO 8601") from None
    if stamp.tzinfo is None:
        raise SourceFormatError(f"ENTSO-E instant {text!r} has no time zone")
    return stamp.astimezone(UTC)


def _acknowledgement(root: ET.Element) -> SourceError:
    reasons = [(_text(r, "code") or "?", _text(r, "text") or "") for r in _children(root, "Reason")]
    described = "; ".join(f"code {code}: {text}" for code, text in reasons) or "no reason given"
    if any(NOT_READY_TEXT in text.lower() for _, text in reasons):
        return SourceNotReadyError(
            f"ENTSO-E has not published these prices yet ({described}). Day-ahead prices appear "
            "around 13:00 CET the day before delivery; retry later."
        )
    return SourceError(f"ENTSO-E answered with an acknowledgement instead of prices ({described}).")


def _period_rows(period: ET.Element, curve: str, where: str) -> list[PriceRow]:
    start = parse_utc(_required(period, "timeInterval", "start"))
    end = parse_utc(_required(period, "timeInterval", "end"))
    minutes = resolution_minutes(_required(period, "resolution"))
    span = (end - start).total_seconds() / 60
    if span <= 0 or span % minutes:
        raise SourceFormatError(f"{where}: period {start}..{end} is not a whole number of {minutes} min")
    slots = int(span // minutes)
    prices: dict[int, float] = {}
    for point in _children(period, "Point"):
        try:
            position = int(_required(point, "position"))
            price = float(_required(point, "price.amount"))
        except ValueError as error:
            raise SourceFormatError(f"{where}: unreadable point: {error}") from None
        if not 1 <= position <= slots:
            raise SourceFormatError(f"{where}: position {position} outside 1..{slots}")
        if position in prices:
            raise SourceFormatError(f"{where}: position {position} appears twice")
        prices[position] = price
    if 1 not in prices:
        raise SourceFormatError(f"{where}: period {start}..{end} has no price at position 1")
    if curve == "A01" and len(prices) != slots:
        missing = sorted(set(range(1, slots + 1)) - set(prices))
        raise SourceFormatError(f"{where}: curve A01 lacks positions {missing[:10]} of 1..{slots}")
    rows = []
    current = prices[1]
    for position in range(1, slots + 1):
        current = prices.get(position, current)  # A03: an omitted position repeats the last price
        rows.append(PriceRow(start + timedelta(minutes=minutes * (position - 1)), minutes, current))
    return rows


def parse_prices(xml: bytes | str) -> list[PriceRow]:
    """Rows (interval_start_utc, resolution_min, price_eur_mwh) of an A44 document, sorted (pure).

    Raises SourceNotReadyError for the "No matching data found" acknowledgement, SourceError for
    other acknowledgements and SourceFormatError for anything that is not a readable A44 document.
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise SourceFormatError(f"ENTSO-E response is not XML ({error}): {snippet(xml)}") from None
    kind = _local(root.tag)
    if kind == "Acknowledgement_MarketDocument":
        raise _acknowledgement(root)
    if kind != "Publication_MarketDocument":
        raise SourceFormatError(f"ENTSO-E response is a <{kind}>, not a price document: {snippet(xml)}")
    doc_type = _text(root, "type")
    if doc_type not in (None, "A44"):
        raise SourceFormatError(f"ENTSO-E document type is {doc_type}, expected A44 (day-ahead prices)")

    by_sequence: dict[int, list[PriceRow]] = {}
    for index, series in enumerate(_children(root, "TimeSeries"), start=1):
        where = f"TimeSeries #{index}"
        currency = _text(series, "currency_Unit.name")
        unit = _text(series, "price_Measure_Unit.name")
        if currency not in (None, "EUR") or unit not in (None, "MWH"):
            raise SourceFormatError(f"{where}: prices in {currency}/{unit}, expected EUR/MWH")
        curve = _text(series, "curveType") or "A01"
        if curve not in ("A01", "A03"):
            raise SourceFormatError(f"{where}: curve type {curve} is not supported (A01, A03)")
        sequence = int(_text(series, "classificationSequence_AttributeInstanceComponent.position") or 1)
        rows = by_sequence.setdefault(sequence, [])
        for period in _children(series, "Period"):
            rows.extend(_period_rows(period, curve, where))
    if not by_sequence or not any(by_sequence.values()):
        raise SourceFormatError(f"ENTSO-E price document holds no TimeSeries/Period: {snippet(xml)}")

    chosen = by_sequence[min(by_sequence)]
    unique: dict[datetime, PriceRow] = {}
    for row in chosen:
        seen = unique.get(row.interval_start_utc)
        if seen is not None and seen != row:
            raise SourceFormatError(
                f"ENTSO-E document gives two prices for {row.interval_start_utc.isoformat()}: "
                f"{seen.price_eur_mwh} ({seen.resolution_min} min) and {row.price_eur_mwh} "
                f"({row.resolution_min} min)"
            )
        unique[row.interval_start_utc] = row
    return sorted(unique.values())


def local_day_utc(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local day in UTC (23, 24 or 25 hours long)."""
    nxt = day + timedelta(days=1)
    return (
        datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC),
        datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC),
    )


def day_rows(rows: list[PriceRow], day: date, tz: ZoneInfo) -> list[PriceRow]:
    """The rows inside the local day; SourceFormatError unless they cover it without gaps (pure)."""
    start, end = local_day_utc(day, tz)
    inside = [r for r in rows if start <= r.interval_start_utc < end]
    cursor = start
    for row in inside:
        if row.interval_start_utc != cursor:
            break
        cursor = row.interval_start_utc + timedelta(minutes=row.resolution_min)
    if not inside or cursor < end:
        covered = f"{inside[0].interval_start_utc:%Y-%m-%dT%H:%MZ}" if inside else "nothing"
        raise SourceFormatError(
            f"ENTSO-E prices do not cover local day {day} ({start:%Y-%m-%dT%H:%MZ}..{end:%Y-%m-%dT%H:%MZ}): "
            f"first gap at {cursor:%Y-%m-%dT%H:%MZ}; rows from {covered}"
        )
    return inside


def landing_path(day: date, bidding_zone: str) -> str:
    return f"prices/date={day.isoformat()}/{bidding_zone}.xml"


def request_params(day: date, bidding_zone: str, tz: ZoneInfo, token: str) -> dict[str, str]:
    start, end = local_day_utc(day, tz)
    return {
        "securityToken": token,
        "documentType": "A44",
        "in_Domain": bidding_zone,
        "out_Domain": bidding_zone,
        "contract_MarketAgreement.type": "A01",  # day-ahead (A07 would be intraday)
        "periodStart": start.strftime("%Y%m%d%H%M"),
        "periodEnd": end.strftime("%Y%m%d%H%M"),
    }


def security_token(settings: Settings) -> str:
    """ENTSOE_TOKEN, else the password of the Airflow connection `entsoe` when Airflow is installed."""
    if settings.entsoe_token:
        return settings.entsoe_token
    airflow_note = "Airflow is not installed here"
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        BaseHook = None
    if BaseHook is not None:
        try:
            password = BaseHook.get_connection(AIRFLOW_CONN_ID).password
        except Exception as error:  # AirflowNotFoundException and backend errors alike
            airflow_note = f"the Airflow connection `{AIRFLOW_CONN_ID}` is not usable ({error})"
        else:
            if password:
                return password
            airflow_note = f"the Airflow connection `{AIRFLOW_CONN_ID}` has no password"
    raise SourceError(
        "No ENTSO-E security token: set ENTSOE_TOKEN, or store it as the password of the Airflow "
        f"connection `{AIRFLOW_CONN_ID}` ({airflow_note}). Tokens are issued on request to "
        "transparency@entsoe.eu after registering on transparency.entsoe.eu."
    )


def fetch_day(
    day: date,
    settings: Settings | None = None,
    store: LandingStore | None = None,
    *,
    client: HttpClient | None = None,
) -> list[str]:
    """Land `prices/date=DAY/<bidding_zone>.xml` once the response parses and covers the day."""
    settings = settings or get_settings()
    if store is None:
        from lakehouse.sources.landing import LandingStore

        store = LandingStore(settings.landing_uri, settings)
    tz = settings.tz
    zone = settings.bidding_zone
    params = request_params(day, zone, tz, security_token(settings))
    own_client = client is None
    client = client or HttpClient(settings)
    try:
        response = client.get(settings.entsoe_url, params)
    finally:
        if own_client:
            client.close()
    body = response.content
    if not response.is_success and b"Acknowledgement_MarketDocument" in body:
        parse_prices(body)  # raises the acknowledgement's error (400 carries them too)
    hint = {
        401: "The security token was refused: check ENTSOE_TOKEN or the Airflow connection `entsoe`.",
        403: "The security token was refused: check ENTSOE_TOKEN or the Airflow connection `entsoe`.",
    }.get(response.status_code, "Check ENTSOE_URL and BIDDING_ZONE.")
    raise_for_status(response, params, hint)
    try:
        rows = day_rows(parse_prices(body), day, tz)
    except SourceFormatError as error:
        raise SourceFormatError(f"{zone} {day}: {error}") from None
    relpath = landing_path(day, zone)
    store.write_bytes(relpath, body)
    log.info("ENTSO-E: landed %s (%d intervals of %s min)", relpath, len(rows), rows[0].resolution_min)
    return [relpath]

"""ENTSO-E A44 parser and connector against replayed real-format documents."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from replay import ReplayServer, Reply

from lakehouse.settings import KOSOVO_BIDDING_ZONE, Settings, get_settings
from lakehouse.sources import entsoe
from lakehouse.sources.errors import (
    SourceError,
    SourceFormatError,
    SourceNotReadyError,
    SourceUnavailableError,
)
from lakehouse.sources.landing import LandingStore

FIXTURES = Path(__file__).parent / "fixtures"
TZ = ZoneInfo("Europe/Belgrade")
TOKEN = "0f3c9a7e-test-token-b2d1"
XML = "application/xml"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def amounts(xml: bytes) -> list[float]:
    return [float(v) for v in re.findall(rb"<price.amount>([-\d.]+)</price.amount>", xml)]


def positions_and_amounts(period_xml: bytes) -> dict[int, float]:
    pairs = re.findall(rb"<position>(\d+)</position>\s*<price.amount>([-\d.]+)</price.amount>", period_xml)
    return {int(p): float(a) for p, a in pairs}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the pure parser -------------------------------------------------------------------------


def test_pt60m_day():
    xml = fixture("entsoe_a44_pt60m_2026-01-15.xml")
    rows = entsoe.parse_prices(xml)
    assert len(rows) == 24
    assert rows[0].interval_start_utc == utc(2026, 1, 14, 23) and rows[-1].interval_start_utc == utc(
        2026, 1, 15, 22
    )
    assert {r.resolution_min for r in rows} == {60}
    assert [r.price_eur_mwh for r in rows] == amounts(xml)
    assert entsoe.day_rows(rows, date(2026, 1, 15), TZ) == rows


def test_pt15m_day_takes_the_first_auction_whatever_the_document_order():
    xml = fixture("entsoe_a44_pt15m_2026-06-15.xml")
    second_auction, first_auction = xml.split(b"<TimeSeries>")[1:]
    assert b"position>2</classificationSequence" in second_auction  # listed first in the document

    rows = entsoe.parse_prices(xml)

    assert len(rows) == 96 and {r.resolution_min for r in rows} == {15}
    assert rows[0].interval_start_utc == utc(2026, 6, 14, 22)
    assert rows[1].interval_start_utc == utc(2026, 6, 14, 22, 15)
    assert [r.price_eur_mwh for r in rows] == amounts(first_auction)
    assert len(entsoe.day_rows(rows, date(2026, 6, 15), TZ)) == 96


def test_23_hour_day():
    xml = fixture("entsoe_a44_23h_2026-03-29.xml")
    rows = entsoe.day_rows(entsoe.parse_prices(xml), date(2026, 3, 29), TZ)
    assert len(rows) == 23
    assert rows[0].interval_start_utc == utc(2026, 3, 28, 23) and rows[-1].interval_start_utc == utc(
        2026, 3, 29, 21
    )
    assert [r.price_eur_mwh for r in rows] == amounts(xml)


def test_25_hour_day():
    xml = fixture("entsoe_a44_25h_2026-10-25.xml")
    rows = entsoe.day_rows(entsoe.parse_prices(xml), date(2026, 10, 25), TZ)
    assert len(rows) == 25
    assert rows[0].interval_start_utc == utc(2026, 10, 24, 22) and rows[-1].interval_start_utc == utc(
        2026, 10, 25, 22
    )
    assert [r.price_eur_mwh for r in rows] == amounts(xml)


def test_a03_curve_fills_omitted_positions_forward_to_the_period_end():
    xml = fixture("entsoe_a44_a03_2026-02-10.xml")
    periods = xml.split(b"<Period>")[1:]
    explicit = [positions_and_amounts(p) for p in periods]
    assert len(periods) == 2 and sum(len(e) for e in explicit) < 96  # positions really are left out

    rows = entsoe.parse_prices(xml)

    assert len(rows) == 96 and {r.resolution_min for r in rows} == {15}
    assert entsoe.day_rows(rows, date(2026, 2, 10), TZ) == rows
    starts = (utc(2026, 2, 9, 23), utc(2026, 2, 10, 11))
    for start, points, half in zip(starts, explicit, (rows[:48], rows[48:]), strict=True):
        last = None
        for position, row in enumerate(half, start=1):
            assert row.interval_start_utc == start + timedelta(minutes=15 * (position - 1))
            last = points.get(position, last)
            assert row.price_eur_mwh == last
    # the last explicit point of the first period is carried to 11:00 UTC, not further
    tail = max(explicit[0])
    assert tail < 48 and rows[47].price_eur_mwh == explicit[0][tail]


def test_no_matching_data_acknowledgement_means_not_ready():
    with pytest.raises(SourceNotReadyError, match="No matching data found"):
        entsoe.parse_prices(fixture("entsoe_ack_no_data.xml"))


def test_other_acknowledgements_are_errors_not_waits():
    xml = fixture("entsoe_ack_no_data.xml").replace(
        re.search(rb"<text>.*</text>", fixture("entsoe_ack_no_data.xml")).group(0),
        b"<text>Amount of requested data exceeds allowed limit</text>",
    )
    with pytest.raises(SourceError, match="exceeds allowed limit") as raised:
        entsoe.parse_prices(xml)
    assert not isinstance(raised.value, SourceNotReadyError)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda x: x.replace(b"<position>7</position>", b"<position>70</position>"), "outside 1..24"),
        (lambda x: x.replace(b"<currency_Unit.name>EUR", b"<currency_Unit.name>ALL"), "ALL/MWH"),
        (lambda x: x.replace(b"<resolution>PT60M", b"<resolution>P1Y"), "P1Y"),
        (lambda x: b"<html><body>Service maintenance</body></html>", "not a price document"),
        (lambda x: b"this is not xml", "not XML"),
    ],
)
def test_malformed_documents_are_format_errors(mutate, message):
    xml = mutate(fixture("entsoe_a44_pt60m_2026-01-15.xml"))
    with pytest.raises(SourceFormatError, match=re.escape(message)):
        entsoe.parse_prices(xml)


def test_a01_curve_must_list_every_position():
    complete = fixture("entsoe_a44_pt60m_2026-01-15.xml").replace(b"<curveType>A03", b"<curveType>A01")
    assert len(entsoe.parse_prices(complete)) == 24
    xml = fixture("entsoe_a44_a03_2026-02-10.xml").replace(b"<curveType>A03", b"<curveType>A01")
    with pytest.raises(SourceFormatError, match="curve A01 lacks positions"):
        entsoe.parse_prices(xml)


def test_a_document_for_another_day_does_not_cover_the_day():
    rows = entsoe.parse_prices(fixture("entsoe_a44_pt60m_2026-01-15.xml"))
    with pytest.raises(SourceFormatError, match="do not cover local day 2026-01-16"):
        entsoe.day_rows(rows, date(2026, 1, 16), TZ)


# --- the connector against a replay server ---------------------------------------------------


@pytest.fixture
def server():
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def settings(lakehouse_env: Settings, server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("ENTSOE_URL", server.url("/api"))
    monkeypatch.setenv("ENTSOE_TOKEN", TOKEN)
    monkeypatch.setenv("HTTP_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("HTTP_BACKOFF_SECONDS", "0.01")
    get_settings.cache_clear()
    return get_settings()


def test_fetch_day_sends_the_a44_query_and_lands_the_raw_xml(settings, server):
    body = fixture("entsoe_a44_pt60m_2026-01-15.xml")
    server.script("/api", Reply(body=body, content_type=XML))

    relpaths = entsoe.fetch_day(date(2026, 1, 15), settings)

    assert relpaths == [f"prices/date=2026-01-15/{KOSOVO_BIDDING_ZONE}.xml"]
    assert LandingStore(settings.landing_uri).read_bytes(relpaths[0]) == body
    (request,) = server.requests
    assert request.query == {
        "securityToken": TOKEN,
        "documentType": "A44",
        "in_Domain": KOSOVO_BIDDING_ZONE,
        "out_Domain": KOSOVO_BIDDING_ZONE,
        "contract_MarketAgreement.type": "A01",
        "periodStart": "202601142300",
        "periodEnd": "202601152300",
    }


def test_fetch_day_asks_for_the_dst_day_in_utc(settings, server):
    server.script("/api", Reply(body=fixture("entsoe_a44_23h_2026-03-29.xml"), content_type=XML))
    entsoe.fetch_day(date(2026, 3, 29), settings)
    query = server.requests[0].query
    assert (query["periodStart"], query["periodEnd"]) == ("202603282300", "202603292200")


@pytest.mark.parametrize("status", [200, 400])
def test_acknowledgement_raises_not_ready_and_lands_nothing(settings, server, status):
    server.script("/api", Reply(status, fixture("entsoe_ack_no_data.xml"), content_type=XML))

    with pytest.raises(SourceNotReadyError, match="retry later"):
        entsoe.fetch_day(date(2026, 11, 24), settings)

    assert LandingStore(settings.landing_uri).list("prices/") == []
    assert len(server.requests) == 1


def test_a_document_not_covering_the_day_is_not_landed(settings, server):
    server.script("/api", Reply(body=fixture("entsoe_a44_pt60m_2026-01-15.xml"), content_type=XML))
    with pytest.raises(SourceFormatError, match="do not cover local day 2026-01-16"):
        entsoe.fetch_day(date(2026, 1, 16), settings)
    assert LandingStore(settings.landing_uri).list("prices/") == []


def test_persistent_503_gives_up_after_n_attempts_without_leaking_the_token(settings, server):
    server.script("/api", Reply(503, b"<html>Service Unavailable</html>", content_type="text/html"))

    with pytest.raises(SourceUnavailableError) as raised:
        entsoe.fetch_day(date(2026, 1, 15), settings)

    message = str(raised.value)
    assert len(server.requests) == 3
    assert "after 3 attempt(s)" in message and "HTTP 503" in message
    assert server.url("/api") in message and "securityToken=%2A%2A%2A" in message
    assert TOKEN not in message
    assert LandingStore(settings.landing_uri).list("prices/") == []


def test_429_then_success(settings, server):
    server.script(
        "/api",
        Reply(429, b"Too many requests", headers={"Retry-After": "1"}, content_type="text/plain"),
        Reply(body=fixture("entsoe_a44_pt60m_2026-01-15.xml"), content_type=XML),
    )
    assert entsoe.fetch_day(date(2026, 1, 15), settings)
    assert len(server.requests) == 2 and server.requests[1].at - server.requests[0].at >= 0.9


def test_refused_token_says_what_to_check(settings, server):
    server.script(
        "/api", Reply(401, b"Unauthorized. Missing or invalid security token", content_type="text/plain")
    )
    with pytest.raises(SourceError, match="ENTSOE_TOKEN") as raised:
        entsoe.fetch_day(date(2026, 1, 15), settings)
    assert TOKEN not in str(raised.value) and len(server.requests) == 1


def test_token_from_the_airflow_connection_or_a_clear_error(settings, monkeypatch, tmp_path):
    monkeypatch.delenv("ENTSOE_TOKEN")
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.delenv("AIRFLOW_CONN_ENTSOE", raising=False)
    get_settings.cache_clear()
    with pytest.raises(SourceError, match="set ENTSOE_TOKEN, or store it as the password"):
        entsoe.security_token(get_settings())

    monkeypatch.setenv("AIRFLOW_CONN_ENTSOE", '{"conn_type": "generic", "password": "from-airflow"}')
    assert entsoe.security_token(get_settings()) == "from-airflow"


def test_feeds_extract_uses_this_connector_when_prices_source_is_api(settings, server, monkeypatch):
    from lakehouse.sources import feeds

    monkeypatch.setenv("PRICES_SOURCE", "api")
    get_settings.cache_clear()
    server.script("/api", Reply(body=fixture("entsoe_a44_25h_2026-10-25.xml"), content_type=XML))

    assert feeds.extract("prices", date(2026, 10, 25)) == [
        f"prices/date=2026-10-25/{KOSOVO_BIDDING_ZONE}.xml"
    ]
    assert server.requests[0].query["periodEnd"] == "202610252300"

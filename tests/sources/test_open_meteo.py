"""Open-Meteo connector against a local replay of real-format responses."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from replay import ReplayServer, Reply

from lakehouse.settings import Settings, get_settings
from lakehouse.sources import open_meteo
from lakehouse.sources.errors import SourceError, SourceFormatError, SourceUnavailableError
from lakehouse.sources.geography import CITIES
from lakehouse.sources.landing import LandingStore

FIXTURES = Path(__file__).parent / "fixtures"
JANUARY = FIXTURES / "open_meteo_prishtina_2026-01-15.json"
OCTOBER = FIXTURES / "open_meteo_prishtina_2026-10-25.json"
TZ = ZoneInfo("Europe/Belgrade")


@pytest.fixture
def server():
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def settings(lakehouse_env: Settings, server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPEN_METEO_URL", server.url("/v1/forecast"))
    monkeypatch.setenv("OPEN_METEO_ARCHIVE_URL", server.url("/v1/archive"))
    monkeypatch.setenv("HTTP_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("HTTP_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("HTTP_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    return get_settings()


def _landed(settings: Settings, relpath: str) -> dict:
    return json.loads(LandingStore(settings.landing_uri).read_bytes(relpath))


def test_lands_each_city_with_exactly_the_hours_of_the_local_day(settings, server):
    server.script("/v1/archive", Reply(body=JANUARY.read_bytes()))
    source = json.loads(JANUARY.read_bytes())

    relpaths = open_meteo.fetch_day(date(2026, 1, 15), settings, today=date(2026, 11, 23))

    assert relpaths == [f"weather/date=2026-01-15/{city}.json" for city in CITIES]
    landed = _landed(settings, "weather/date=2026-01-15/Prishtina.json")
    hourly = landed["hourly"]
    # local midnight in winter is 23:00 UTC the day before: hours 23..46 of the two UTC days
    assert hourly["time"][0] == "2026-01-14T23:00" and hourly["time"][-1] == "2026-01-15T22:00"
    assert len(hourly["time"]) == 24
    for name in open_meteo.HOURLY_VARIABLES:
        assert hourly[name] == source["hourly"][name][23:47]
    assert landed["utc_offset_seconds"] == 0 and landed["hourly_units"]["temperature_2m"] == "°C"
    rows = open_meteo.hourly_records(landed)
    assert rows[0]["hour_utc"] == datetime(2026, 1, 14, 23, tzinfo=UTC)
    assert rows[5]["temperature_2m"] == source["hourly"]["temperature_2m"][28]

    assert [r.path for r in server.requests] == ["/v1/archive"] * 5
    sent = {r.query["latitude"]: r.query for r in server.requests}
    lat, lon = CITIES["Prizren"]
    query = sent[f"{lat:.4f}"]
    assert query["longitude"] == f"{lon:.4f}"
    assert (
        query["hourly"]
        == "temperature_2m,relative_humidity_2m,wind_speed_10m,cloud_cover,shortwave_radiation"
    )
    assert (query["timezone"], query["start_date"], query["end_date"]) == ("GMT", "2026-01-14", "2026-01-15")
    assert server.requests[0].headers["user-agent"].startswith("smartgrid-lakehouse/")


def test_25_hour_day_from_the_forecast_endpoint(settings, server):
    server.script("/v1/forecast", Reply(body=OCTOBER.read_bytes()))

    open_meteo.fetch_day(date(2026, 10, 25), settings, today=date(2026, 10, 26))

    hourly = _landed(settings, "weather/date=2026-10-25/Gjilan.json")["hourly"]
    assert len(hourly["time"]) == 25
    assert hourly["time"][0] == "2026-10-24T22:00" and hourly["time"][-1] == "2026-10-25T22:00"
    assert {r.path for r in server.requests} == {"/v1/forecast"}


def test_23_hour_day_is_cut_from_a_two_day_response():
    payload = json.loads(JANUARY.read_bytes())
    start = datetime(2026, 3, 28)
    payload["hourly"]["time"] = [f"{start + timedelta(hours=h):%Y-%m-%dT%H:%M}" for h in range(48)]

    day = open_meteo.day_response(payload, date(2026, 3, 29), TZ)

    assert len(day["hourly"]["time"]) == 23
    assert day["hourly"]["time"][0] == "2026-03-28T23:00" and day["hourly"]["time"][-1] == "2026-03-29T21:00"
    assert day["hourly"]["cloud_cover"] == payload["hourly"]["cloud_cover"][23:46]


def test_a_response_in_local_time_is_read_through_its_utc_offset():
    payload = json.loads(JANUARY.read_bytes())
    payload["utc_offset_seconds"] = 3600
    payload["timezone"] = "Europe/Belgrade"
    start = datetime(2026, 1, 14, 1)  # the same UTC hours, written one hour ahead
    payload["hourly"]["time"] = [f"{start + timedelta(hours=h):%Y-%m-%dT%H:%M}" for h in range(48)]

    day = open_meteo.day_response(payload, date(2026, 1, 15), TZ)

    assert day["hourly"]["time"][0] == "2026-01-15T00:00"
    assert open_meteo.hourly_records(day)[0]["hour_utc"] == datetime(2026, 1, 14, 23, tzinfo=UTC)


def test_archive_for_old_days_forecast_for_recent_ones(settings):
    today = date(2026, 11, 23)
    assert open_meteo.endpoint_for(date(2026, 11, 1), today, settings).endswith("/v1/archive")
    assert open_meteo.endpoint_for(date(2026, 11, 20), today, settings).endswith("/v1/forecast")
    assert open_meteo.endpoint_for(date(2026, 11, 24), today, settings).endswith("/v1/forecast")


def test_missing_hours_raise_and_land_nothing(settings, server):
    payload = json.loads(JANUARY.read_bytes())
    payload["hourly"] = {k: v[:40] for k, v in payload["hourly"].items()}
    server.script("/v1/archive", Reply(body=json.dumps(payload).encode()))

    with pytest.raises(SourceFormatError, match="lacks 7 of the 24 hours of local day 2026-01-15"):
        open_meteo.fetch_day(date(2026, 1, 15), settings, today=date(2026, 11, 23))
    assert LandingStore(settings.landing_uri).list("weather/") == []


def test_arrays_of_unequal_length_are_a_format_error():
    payload = json.loads(JANUARY.read_bytes())
    payload["hourly"]["wind_speed_10m"].pop()
    with pytest.raises(SourceFormatError, match="differ in length"):
        open_meteo.day_response(payload, date(2026, 1, 15), TZ)
    payload = json.loads(JANUARY.read_bytes())
    payload["hourly"]["cloud_cover"][30] = "n/a"
    with pytest.raises(SourceFormatError, match="non-number"):
        open_meteo.day_response(payload, date(2026, 1, 15), TZ)


def test_429_then_success_honours_retry_after(settings, server):
    server.script(
        "/v1/archive",
        Reply(429, b'{"error":true,"reason":"Too many requests"}', headers={"Retry-After": "1"}),
        Reply(body=JANUARY.read_bytes()),
    )

    relpaths = open_meteo.fetch_day(date(2026, 1, 15), settings, today=date(2026, 11, 23))

    assert len(relpaths) == 5
    first, second = server.requests[0], server.requests[1]
    assert first.query == second.query  # the same request, retried
    assert second.at - first.at >= 0.9  # waited as told, not the 0.01 s backoff
    assert len(server.requests) == 6


def test_a_timeout_is_retried(settings, server, monkeypatch):
    monkeypatch.setenv("HTTP_TIMEOUT_SECONDS", "0.3")
    get_settings.cache_clear()
    server.script(
        "/v1/archive", Reply(body=JANUARY.read_bytes(), delay=1.0), Reply(body=JANUARY.read_bytes())
    )

    started = time.monotonic()
    assert len(open_meteo.fetch_day(date(2026, 1, 15), get_settings(), today=date(2026, 11, 23))) == 5
    assert time.monotonic() - started < 5


def test_persistent_5xx_gives_up_with_a_clear_message(settings, server):
    server.script("/v1/archive", Reply(502, b"<html>Bad Gateway</html>", content_type="text/html"))

    with pytest.raises(SourceUnavailableError) as raised:
        open_meteo.fetch_day(date(2026, 1, 15), settings, today=date(2026, 11, 23))

    message = str(raised.value)
    assert "/v1/archive?latitude=" in message and "after 3 attempt(s)" in message
    assert "HTTP 502" in message and "HTTP_MAX_ATTEMPTS" in message
    assert len(server.requests) == 3


def test_a_rejected_request_reports_open_meteos_reason(settings, server):
    body = b'{"error":true,"reason":"Parameter \'start_date\' is out of allowed range"}'
    server.script("/v1/forecast", Reply(400, body))

    with pytest.raises(SourceError, match="out of allowed range") as raised:
        open_meteo.fetch_day(date(2026, 12, 30), settings, today=date(2026, 11, 23))
    assert not isinstance(raised.value, SourceUnavailableError)
    assert len(server.requests) == 1  # a 400 is not retried


def test_feeds_extract_uses_this_connector_when_weather_source_is_api(settings, server, monkeypatch):
    from lakehouse.sources import feeds

    monkeypatch.setenv("WEATHER_SOURCE", "api")
    get_settings.cache_clear()
    server.script("/v1/archive", Reply(body=JANUARY.read_bytes()))

    assert len(feeds.extract("weather", date(2026, 1, 15))) == 5
    assert len(server.requests) == 5

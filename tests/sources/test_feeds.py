"""feeds.extract: one local day of one feed, from the simulator or the configured real source."""

from __future__ import annotations

from datetime import date

import pytest

from lakehouse.settings import REGIONS, Settings, get_settings
from lakehouse.sources import feeds
from lakehouse.sources.errors import SourceError, SourceNotReadyError
from lakehouse.sources.landing import LandingStore

DAY = date(2026, 10, 25)


def test_simulator_is_the_default_and_lands_each_feed(lakehouse_env: Settings, monkeypatch) -> None:
    monkeypatch.setenv("SIMULATOR_METERS", "30")
    get_settings.cache_clear()
    store = LandingStore()
    assert not store.exists("meters/registry/meters.csv")
    meters = feeds.extract("meters", DAY)
    assert meters[0] == "meters/registry/meters.csv"
    assert all(store.exists(p) for p in meters)
    assert [p for p in meters[1:] if not p.startswith(f"meters/readings/date={DAY}/")] == []
    assert feeds.extract("weather", DAY) == [f"weather/date={DAY}/{c}.json" for c in REGIONS]
    assert feeds.extract("prices", DAY) == [f"prices/date={DAY}/10Y1001C--00100H.xml"]
    assert store.exists(f"_manifests/simulator/days/date={DAY}/meters.json")
    assert feeds.extract("meters", DAY) == meters  # idempotent


def test_settings_choose_price_resolution_and_plain_csv(lakehouse_env: Settings, monkeypatch) -> None:
    monkeypatch.setenv("SIMULATOR_METERS", "10")
    monkeypatch.setenv("SIMULATOR_GZIP", "false")
    monkeypatch.setenv("SIMULATOR_PRICE_RESOLUTION", "PT15M")
    get_settings.cache_clear()
    assert all(p.endswith(".csv") for p in feeds.extract("meters", DAY))
    (prices,) = feeds.extract("prices", DAY)
    assert b"<resolution>PT15M</resolution>" in LandingStore().read_bytes(prices)


def test_unknown_feed_is_a_clear_error(lakehouse_env: Settings) -> None:
    with pytest.raises(feeds.UnknownFeedError, match="meters, weather, prices"):
        feeds.extract("gas", DAY)


def test_real_sources_are_dispatched_to_the_connectors(
    lakehouse_env: Settings, monkeypatch, tmp_path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("METERS_SOURCE", "inbox")
    monkeypatch.setenv("METERS_INBOX", str(inbox))
    monkeypatch.setenv("PRICES_SOURCE", "api")
    monkeypatch.delenv("ENTSOE_TOKEN", raising=False)
    get_settings.cache_clear()
    with pytest.raises(SourceNotReadyError, match="No head-end export"):
        feeds.extract("meters", DAY)  # empty inbox: not delivered yet, Airflow retries
    with pytest.raises(SourceError, match="ENTSO-E security token"):
        feeds.extract("prices", DAY)

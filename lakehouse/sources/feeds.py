"""One local day of one feed into landing: the simulator, or the real source when configured.

Airflow's extract tasks call `extract(feed, day)` once per feed (a mapped task). The setting
METERS_SOURCE / WEATHER_SOURCE / PRICES_SOURCE chooses the producer:

| feed    | simulator (default)                 | real                                         |
|---------|-------------------------------------|----------------------------------------------|
| meters  | simulated head-end exports          | `inbox`: lakehouse.sources.inbox.collect     |
| weather | simulated Open-Meteo responses      | `api`: lakehouse.sources.open_meteo.fetch_day |
| prices  | simulated ENTSO-E A44 documents     | `api`: lakehouse.sources.entsoe.fetch_day     |

Real connectors raise lakehouse.sources.errors.SourceNotReadyError when the publisher has no
data yet (Airflow retries later) and SourceUnavailableError after their last retry.
"""

from __future__ import annotations

from datetime import date

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingStore

FEEDS: tuple[str, ...] = ("meters", "weather", "prices")


class UnknownFeedError(ValueError):
    """A feed name other than meters, weather or prices."""


def source_of(feed: str, settings: Settings) -> str:
    if feed not in FEEDS:
        raise UnknownFeedError(f"unknown feed {feed!r}: use one of {', '.join(FEEDS)}")
    return {
        "meters": settings.meters_source,
        "weather": settings.weather_source,
        "prices": settings.prices_source,
    }[feed]


def extract(feed: str, day: date, settings: Settings | None = None) -> list[str]:
    """Land local day `day` of `feed`; return the landed relpaths (data files, not manifests)."""
    settings = settings or get_settings()
    source = source_of(feed, settings)
    store = LandingStore(settings=settings)
    if source == "simulator":
        from lakehouse.sources.simulator import SimulatorConfig, produce

        return produce(feed, day, SimulatorConfig.from_settings(settings), store).paths
    if feed == "meters":
        from lakehouse.sources import inbox

        return inbox.collect(day, settings=settings, store=store)
    if feed == "weather":
        from lakehouse.sources import open_meteo

        return open_meteo.fetch_day(day, settings=settings, store=store)
    from lakehouse.sources import entsoe

    return entsoe.fetch_day(day, settings=settings, store=store)

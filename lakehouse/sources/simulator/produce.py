"""Land one local day of one feed, deterministically, whatever was produced before.

This is what Airflow's per-day, per-feed extract tasks call (through `feeds.extract`) and what
`lakehouse simulate` loops over. Meter readings are split into head-end export files, one per
region and block of `meters_per_file` meters (`headend-<region>-<part>.csv.gz`). With faults on,
the meters feed of day D also lands the late files of days D-1..D-3 that arrive on D (into their
own day's folder) and the corrections of day D-1 (into D's folder).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import faults as F
from lakehouse.sources.simulator.config import SimulatorConfig
from lakehouse.sources.simulator.csvfmt import maybe_gzip
from lakehouse.sources.simulator.geography import CITIES
from lakehouse.sources.simulator.manifest import FeedDay, LandedFile, day_document, day_manifest_path, to_json
from lakehouse.sources.simulator.prices import RESOLUTION_MINUTES, a44_document
from lakehouse.sources.simulator.readings import generate
from lakehouse.sources.simulator.registry import REGISTRY_PATH, MeterTable, build_registry, registry_csv
from lakehouse.sources.simulator.timegrid import LocalDay, day_number, local_day
from lakehouse.sources.simulator.weather import open_meteo_bytes
from lakehouse.sources.simulator.writers import RenderedReadings, render_corrections, render_readings

FEEDS = ("meters", "weather", "prices")


@dataclass(frozen=True)
class FileSpec:
    """One head-end export: a block of meters of one region."""

    name: str
    key: int
    meter_idx: np.ndarray


@functools.lru_cache(maxsize=4)
def file_specs(seed: int, n_meters: int, per_file: int) -> tuple[FileSpec, ...]:
    meters = build_registry(seed, n_meters)
    specs = []
    for r, city in enumerate(CITIES):
        idx = np.flatnonzero(meters.region == r)
        for part, start in enumerate(range(0, len(idx), per_file), start=1):
            specs.append(
                FileSpec(
                    f"headend-{city.name.lower()}-{part:03d}",
                    r * 10_000 + part,
                    idx[start : start + per_file],
                )
            )
    return tuple(specs)


def _record(store: LandingStore, path: str, data: bytes, **fields: object) -> LandedFile:
    store.write_bytes(path, data)
    return LandedFile(path=path, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), **fields)  # type: ignore[arg-type]


def _readings_record(
    store: LandingStore, path: str, rendered: RenderedReadings, config: SimulatorConfig, **fields: object
) -> LandedFile:
    return _record(
        store,
        path,
        maybe_gzip(rendered.body, config.gzip),
        feed="meters",
        lines=rendered.lines,
        readings=rendered.counts,
        kinds=rendered.kinds or None,
        status=rendered.status or None,
        extra_column=rendered.extra_column,
        **fields,
    )


def ensure_registry(store: LandingStore, config: SimulatorConfig, arrival: date) -> LandedFile:
    """Land meters/registry/meters.csv for this seed and fleet (unchanged bytes: no rewrite)."""
    meters = build_registry(config.seed, config.meters)
    data = registry_csv(meters)
    return _record(
        store, REGISTRY_PATH, data, feed="meters", kind="registry", data_date=None,
        arrival_date=arrival.isoformat(), lines=meters.n, meters=meters.n,
    )  # fmt: skip


def _readings_path(day: date, name: str, config: SimulatorConfig, arrival: date | None = None) -> str:
    late = f".late-{arrival.isoformat()}" if arrival is not None else ""
    return f"meters/readings/date={day.isoformat()}/{name}{late}{config.csv_suffix}"


def _land_export(
    store: LandingStore,
    config: SimulatorConfig,
    meters: MeterTable,
    spec: FileSpec,
    day: LocalDay,
    arrival: date,
) -> LandedFile:
    rates = config.active_rates
    d = day_number(day.day)
    extra = rates is not None and F.has_extra_column(config.seed, rates, d, spec.key)
    batch = generate(meters, spec.meter_idx, day, config.seed)
    rendered = render_readings(batch, meters, day, config.seed, rates, extra_column=extra)
    late = (arrival - day.day).days
    path = _readings_path(day.day, spec.name, config, arrival if late else None)
    return _readings_record(
        store, path, rendered, config, kind="late_readings" if late else "readings",
        data_date=day.day.isoformat(), arrival_date=arrival.isoformat(), meters=len(spec.meter_idx),
        late_by_days=late,
    )  # fmt: skip


def _corrections(
    store: LandingStore, config: SimulatorConfig, meters: MeterTable, arrival: date
) -> LandedFile | None:
    """Resend two hours of some meters' readings of the previous day, with new values."""
    rates = config.active_rates
    if rates is None or rates.corrections <= 0:
        return None
    previous = local_day(arrival - timedelta(days=1), config.tz_name)
    if config.first_day is not None and previous.day < config.first_day:
        return None
    d = day_number(previous.day)
    everyone = np.arange(meters.n)
    chosen = F.correction_meters(config.seed, rates, d, everyone)
    chosen &= F.skew_minutes(config.seed, rates, d, everyone) == 0
    for spec in file_specs(config.seed, config.meters, config.meters_per_file):
        if F.file_delay_days(config.seed, rates, d, spec.key):
            chosen[spec.meter_idx] = False  # the original has not landed yet: nothing to correct
    idx = np.flatnonzero(chosen)
    if len(idx) == 0:
        return None
    batch = generate(meters, idx, previous, config.seed)
    start = F.correction_start_hour(config.seed, d, batch.meter, previous.n_hours)
    hour = batch.quarter // 4
    in_window = (hour >= start) & (hour < start + F.CORRECTION_HOURS)
    landed_clean = F.row_faults(config.seed, rates, d, batch.meter, batch.quarter) == F.CLEAN
    batch = batch.take(np.flatnonzero(in_window & landed_clean))
    if len(batch) == 0:
        return None
    rendered = render_corrections(batch, meters, previous, config.seed)
    name = f"headend-corrections-{previous.day.isoformat()}{config.csv_suffix}"
    path = f"meters/readings/date={arrival.isoformat()}/{name}"
    return _readings_record(
        store, path, rendered, config, kind="corrections", data_date=previous.day.isoformat(),
        arrival_date=arrival.isoformat(), meters=len(np.unique(batch.meter)),
    )  # fmt: skip


def produce_meters(store: LandingStore, config: SimulatorConfig, day: date) -> FeedDay:
    result = FeedDay("meters", day)
    meters = build_registry(config.seed, config.meters)
    result.files.append(ensure_registry(store, config, day))
    rates = config.active_rates
    today = local_day(day, config.tz_name)
    specs = file_specs(config.seed, config.meters, config.meters_per_file)
    for spec in specs:
        delay = F.file_delay_days(config.seed, rates, day_number(day), spec.key) if rates else 0
        if delay:
            arrival = day + timedelta(days=delay)
            result.withheld.append(
                {"path": _readings_path(day, spec.name, config, arrival), "data_date": day.isoformat(),
                 "arrival_date": arrival.isoformat()}
            )  # fmt: skip
            continue
        result.files.append(_land_export(store, config, meters, spec, today, day))
    if rates is not None:
        for back in range(1, rates.max_late_days + 1):
            earlier = day - timedelta(days=back)
            if config.first_day is not None and earlier < config.first_day:
                break
            for spec in specs:
                if F.file_delay_days(config.seed, rates, day_number(earlier), spec.key) == back:
                    result.files.append(
                        _land_export(store, config, meters, spec, local_day(earlier, config.tz_name), day)
                    )
        corrections = _corrections(store, config, meters, day)
        if corrections is not None:
            result.files.append(corrections)
    return result


def produce_weather(store: LandingStore, config: SimulatorConfig, day: date) -> FeedDay:
    result = FeedDay("weather", day)
    ld = local_day(day, config.tz_name)
    for i, city in enumerate(CITIES):
        path = f"weather/date={day.isoformat()}/{city.name}.json"
        result.files.append(
            _record(store, path, open_meteo_bytes(i, ld, config.seed), feed="weather", kind="weather",
                    data_date=day.isoformat(), arrival_date=day.isoformat(), lines=ld.n_hours)
        )  # fmt: skip
    return result


def produce_prices(store: LandingStore, config: SimulatorConfig, day: date) -> FeedDay:
    ld = local_day(day, config.tz_name)
    path = f"prices/date={day.isoformat()}/{config.bidding_zone}.xml"
    data = a44_document(ld, config.seed, config.bidding_zone, config.price_resolution)
    intervals = ld.n_quarters * 15 // RESOLUTION_MINUTES[config.price_resolution]
    result = FeedDay("prices", day)
    result.files.append(
        _record(store, path, data, feed="prices", kind="prices", data_date=day.isoformat(),
                arrival_date=day.isoformat(), lines=intervals)
    )  # fmt: skip
    return result


_PRODUCERS = {"meters": produce_meters, "weather": produce_weather, "prices": produce_prices}


def produce(feed: str, day: date, config: SimulatorConfig, store: LandingStore) -> FeedDay:
    """Land `feed` for local day `day` and its day manifest; returns what landed."""
    if feed not in _PRODUCERS:
        raise ValueError(f"unknown feed {feed!r}: use one of {', '.join(FEEDS)}")
    result = _PRODUCERS[feed](store, config, day)
    store.write_bytes(day_manifest_path(day, feed), to_json(day_document(result, config.as_dict())))
    return result

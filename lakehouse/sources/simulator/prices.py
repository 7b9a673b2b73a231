"""Simulated day-ahead prices that follow load and the time of day, as an ENTSO-E A44 document.

Price = monthly fuel level x a slow market drift x a convex function of the expected grid load
(the same load shapes and the same simulated temperatures as the meters), with a midday solar
dip in the sunny months, cheaper weekends and holidays, and a little noise. Flat night hours
repeat the previous price, which a curve of type A03 leaves out (a reader carries the last price
forward), exactly like the Transparency Platform's documents.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from lakehouse.sources.simulator.daytypes import day_type
from lakehouse.sources.simulator.hashing import mix, normal, uniform
from lakehouse.sources.simulator.shapes import system_load_index
from lakehouse.sources.simulator.timegrid import LocalDay, day_number
from lakehouse.sources.simulator.weather import quarter_temperatures

NAMESPACE = "urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"
_PLATFORM = "10X1001A1001A450"  # the Transparency Platform's EIC, sender and receiver of A44
RESOLUTION_MINUTES = {"PT60M": 60, "PT15M": 15}
# mean day-ahead price per month in south-east Europe, EUR/MWh
_MONTH_LEVEL = np.array([125, 112, 96, 82, 78, 92, 118, 112, 102, 108, 122, 132], dtype=float)


def _local_hours(day: LocalDay, minutes: int) -> np.ndarray:
    per = minutes // 15
    return day.local_hour_of_quarter.reshape(-1, per).mean(axis=1) if per > 1 else day.local_hour_of_quarter


def day_ahead_prices(day: LocalDay, seed: int, resolution: str = "PT60M") -> np.ndarray:
    """EUR/MWh for each interval of the local day (23/24/25 hours, x4 for PT15M), 2 decimals."""
    minutes = RESOLUTION_MINUTES[resolution]
    per = minutes // 15
    n = day.n_quarters // per
    local_hours = _local_hours(day, minutes)
    temperature = quarter_temperatures(day, seed).mean(axis=0).reshape(n, per).mean(axis=1)
    dtype = day_type(day.day)
    load = system_load_index(dtype, local_hours, temperature)

    d = day_number(day.day)
    drift_phase = 2 * np.pi * uniform(mix(seed, "price-drift-phase", 0))[0]
    drift = (
        1.0 + 0.10 * np.sin(2 * np.pi * d / 23.0 + drift_phase) + 0.05 * normal(mix(seed, "price-day", d))[0]
    )
    month = day.day.month - 1
    level = _MONTH_LEVEL[month] * drift
    summer = (1 - np.cos(2 * np.pi * (day.day.timetuple().tm_yday - 18) / 365.25)) / 2
    solar_dip = 1.0 - 0.35 * summer * np.exp(-(((local_hours - 13.0) / 2.3) ** 2))
    weekend = 1.0 if dtype == 0 else 0.9
    # a cold (high-load) day lifts the whole day; within the day, price is convex in load
    mean_load = float(load.mean())
    within_day = np.power(load / mean_load, 1.4)
    price = level * weekend * (1.0 + 0.3 * (mean_load - 0.8)) * solar_dip * (0.3 + 0.7 * within_day)
    price *= 1.0 + 0.03 * normal(mix(seed, f"price-noise-{minutes}", d, np.arange(n)))

    # flat stretches: the market often clears at the same price in calm night hours
    hold = uniform(mix(seed, f"price-hold-{minutes}", d, np.arange(n)))
    night = (local_hours < 6.0) | (local_hours >= 23.0)
    keep = np.where(night, hold < 0.35, hold < 0.04)
    price = np.round(np.maximum(price, -50.0), 2)
    for k in range(1, n):
        if keep[k]:
            price[k] = price[k - 1]
    return price


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%MZ")


def a44_document(
    day: LocalDay, seed: int, bidding_zone: str, resolution: str = "PT60M", curve_type: str = "A03"
) -> bytes:
    """The Publication_MarketDocument (type A44) the Transparency Platform returns for this day."""
    prices = day_ahead_prices(day, seed, resolution)
    d = day_number(day.day)
    mrid = f"{int(mix(seed, 'price-mrid', d, 1)[0]):016x}{int(mix(seed, 'price-mrid', d, 2)[0]):016x}"
    created_seconds = int(uniform(mix(seed, "price-created", d))[0] * 1800)
    created = day.utc_start - timedelta(hours=12) + timedelta(seconds=created_seconds)
    start, end = _z(day.utc_start), _z(day.utc_end)
    points = []
    previous = None
    for position, value in enumerate(prices.tolist(), start=1):
        if curve_type == "A03" and previous is not None and value == previous:
            continue
        points.append(
            f"      <Point>\n        <position>{position}</position>\n"
            f"        <price.amount>{value:.2f}</price.amount>\n      </Point>\n"
        )
        previous = value
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Publication_MarketDocument xmlns="{NAMESPACE}">\n'
        f"  <mRID>{mrid}</mRID>\n"
        "  <revisionNumber>1</revisionNumber>\n"
        "  <type>A44</type>\n"
        f'  <sender_MarketParticipant.mRID codingScheme="A01">{_PLATFORM}</sender_MarketParticipant.mRID>\n'
        "  <sender_MarketParticipant.marketRole.type>A32</sender_MarketParticipant.marketRole.type>\n"
        f'  <receiver_MarketParticipant.mRID codingScheme="A01">{_PLATFORM}'
        "</receiver_MarketParticipant.mRID>\n"
        "  <receiver_MarketParticipant.marketRole.type>A33</receiver_MarketParticipant.marketRole.type>\n"
        f"  <createdDateTime>{created.strftime('%Y-%m-%dT%H:%M:%SZ')}</createdDateTime>\n"
        "  <period.timeInterval>\n"
        f"    <start>{start}</start>\n    <end>{end}</end>\n"
        "  </period.timeInterval>\n"
        "  <TimeSeries>\n"
        "    <mRID>1</mRID>\n"
        "    <auction.type>A01</auction.type>\n"
        "    <businessType>A62</businessType>\n"
        f'    <in_Domain.mRID codingScheme="A01">{bidding_zone}</in_Domain.mRID>\n'
        f'    <out_Domain.mRID codingScheme="A01">{bidding_zone}</out_Domain.mRID>\n'
        "    <contract_MarketAgreement.type>A01</contract_MarketAgreement.type>\n"
        "    <currency_Unit.name>EUR</currency_Unit.name>\n"
        "    <price_Measure_Unit.name>MWH</price_Measure_Unit.name>\n"
        f"    <curveType>{curve_type}</curveType>\n"
        "    <Period>\n"
        "      <timeInterval>\n"
        f"        <start>{start}</start>\n        <end>{end}</end>\n"
        "      </timeInterval>\n"
        f"      <resolution>{resolution}</resolution>\n"
        + "".join(points)
        + "    </Period>\n  </TimeSeries>\n</Publication_MarketDocument>\n"
    )
    return xml.encode()

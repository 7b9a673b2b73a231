"""Meter readings for one local day and any subset of meters: a pure function, vectorised.

power = typical size x load shape(type, day type, local time) x (1 + heating + cooling at the
region's simulated temperature) x a day factor x interval noise. Quarter-hours are computed for
every meter; 60-minute meters sum four of them. Voltage sags a little with the grid's load,
current follows from power, voltage and power factor. A few readings are estimated (EST: energy
from the profile, no electrical values) or failed (ERR: no values), as head-ends report them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lakehouse.sources.simulator.daytypes import day_type
from lakehouse.sources.simulator.hashing import mix, normal, uniform
from lakehouse.sources.simulator.registry import MeterTable
from lakehouse.sources.simulator.shapes import (
    CustomerType,
    base_profile,
    heating_profile,
    system_load_index,
)
from lakehouse.sources.simulator.timegrid import LocalDay, day_number
from lakehouse.sources.simulator.weather import quarter_temperatures

STATUS_NAMES = ("OK", "EST", "ERR")
OK, EST, ERR = 0, 1, 2
EST_RATE = 0.005
ERR_RATE = 0.0005


@dataclass
class ReadingBatch:
    """Rows ordered by meter, then time. `quarter` is the interval's start in quarter-hours."""

    meter: np.ndarray
    quarter: np.ndarray
    interval_min: np.ndarray
    energy_kwh: np.ndarray  # rounded to 3 decimals; NaN when status is ERR
    voltage_v: np.ndarray  # NaN when not reported
    current_a: np.ndarray
    power_factor: np.ndarray
    status: np.ndarray

    def __len__(self) -> int:
        return len(self.meter)

    def take(self, rows: np.ndarray) -> ReadingBatch:
        return ReadingBatch(**{k: v[rows] for k, v in self.__dict__.items()})

    @staticmethod
    def concat(batches: list[ReadingBatch]) -> ReadingBatch:
        return ReadingBatch(
            **{k: np.concatenate([getattr(b, k) for b in batches]) for k in ReadingBatch.__annotations__}
        )


def _quarter_power(
    meters: MeterTable, idx: np.ndarray, day: LocalDay, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """kW per meter (rows) and quarter-hour (columns): (expected, with noise)."""
    lh = day.local_hour_of_quarter
    dtype = day_type(day.day)
    d = day_number(day.day)
    profiles = np.stack([base_profile(CustomerType(t), dtype, lh) for t in range(3)])
    temps = quarter_temperatures(day, seed)[meters.region[idx]]
    hdd = np.clip(16.0 - temps, 0.0, None) / 10.0
    cdd = np.clip(temps - 24.0, 0.0, None) / 10.0
    weather = (
        1.0
        + meters.heat_share[idx, None] * hdd * heating_profile(lh)[None, :]
        + meters.cool_share[idx, None] * cdd
    )
    day_factor = np.exp(0.12 * normal(mix(seed, "load-day", d, idx)))
    sigma = meters.noise_sigma[idx, None]
    noise = np.exp(
        sigma * normal(mix(seed, "load-noise", d, idx[:, None], np.arange(day.n_quarters)[None, :]))
        - sigma**2 / 2
    )
    expected = (meters.scale_kw[idx] * day_factor)[:, None] * profiles[meters.customer_type[idx]] * weather
    return expected, expected * noise


def generate(meters: MeterTable, idx: np.ndarray, day: LocalDay, seed: int) -> ReadingBatch:
    """Readings of meters `idx` (sorted meter indices) for one local day."""
    idx = np.asarray(idx, dtype=np.int64)
    n_q = day.n_quarters
    d = day_number(day.day)
    expected_kw, kw = _quarter_power(meters, idx, day, seed)
    e_q = kw * 0.25
    e_expected_q = expected_kw * 0.25
    grid_load = system_load_index(
        day_type(day.day), day.local_hour_of_quarter, quarter_temperatures(day, seed).mean(axis=0)
    )

    parts = []
    for minutes in (15, 60):
        sel = meters.interval_min[idx] == minutes
        if not sel.any():
            continue
        per = minutes // 15
        m_idx = idx[sel]
        n_slots = n_q // per
        energy = e_q[sel].reshape(len(m_idx), n_slots, per).sum(axis=2)
        estimate = e_expected_q[sel].reshape(len(m_idx), n_slots, per).sum(axis=2)
        load = grid_load.reshape(n_slots, per).mean(axis=1)
        quarter = np.broadcast_to(np.arange(n_slots) * per, energy.shape)
        feeder_level = 3.0 * normal(
            mix(seed, "voltage-feeder", meters.region[m_idx] * 1000 + meters.feeder[m_idx])
        )
        voltage = 232.0 + feeder_level[:, None] - 5.0 * (load[None, :] - 0.8)
        voltage = voltage + 0.8 * normal(mix(seed, "voltage-noise", d, m_idx[:, None], quarter))
        voltage = np.clip(voltage, 209.0, 251.0)
        pf = np.clip(
            meters.power_factor[m_idx, None] + 0.01 * normal(mix(seed, "pf", d, m_idx[:, None], quarter)),
            0.6,
            1.0,
        )
        power_w = energy * 1000.0 / (minutes / 60.0)
        current = power_w / (voltage * pf * meters.phases[m_idx, None])
        u = uniform(mix(seed, "status", d, m_idx[:, None], quarter))
        status = np.where(u < ERR_RATE, ERR, np.where(u < ERR_RATE + EST_RATE, EST, OK))
        energy = np.where(status == EST, estimate, energy)
        reported = status == OK
        parts.append(
            ReadingBatch(
                meter=np.repeat(m_idx, n_slots),
                quarter=quarter.ravel().copy(),
                interval_min=np.full(energy.size, minutes),
                energy_kwh=np.where(status == ERR, np.nan, np.round(energy, 3)).ravel(),
                voltage_v=np.where(reported, np.round(voltage, 1), np.nan).ravel(),
                current_a=np.where(reported, np.round(current, 2), np.nan).ravel(),
                power_factor=np.where(reported, np.round(pf, 3), np.nan).ravel(),
                status=status.ravel(),
            )
        )
    batch = ReadingBatch.concat(parts)
    order = np.lexsort((batch.quarter, batch.meter))
    return batch.take(order)

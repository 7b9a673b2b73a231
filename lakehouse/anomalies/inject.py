"""Inject known anomalies into silver-shaped readings, to measure the detector's recall and precision.

The simulator produces healthy meters only; these functions change copies of silver.meter_readings
rows (and make silver.quarantine rows for reverse flow, which silver quarantines as
NEGATIVE_ENERGY) so that the truth is known: `inject(readings, day, meters, seed)` spreads the
five kinds over the given meters and returns (readings, quarantine, truth).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

KINDS = ("zero_streak", "spike", "voltage_excursion", "tamper_drop", "reverse_flow")


def _rows(readings: pd.DataFrame, meter_id: str, day: date, tz: str, hours: range) -> pd.Series:
    local = pd.to_datetime(readings["interval_start_utc"], utc=True).dt.tz_convert(tz)
    return (
        (readings["meter_id"] == meter_id) & (readings["date_local"] == day) & local.dt.hour.isin(list(hours))
    )


def zero_streak(
    readings: pd.DataFrame, meter_id: str, day: date, start_hour: int, hours: int, tz: str
) -> None:
    """No consumption for `hours` hours (meter bypassed, or a disconnected supply)."""
    rows = _rows(readings, meter_id, day, tz, range(start_hour, start_hour + hours))
    readings.loc[rows, ["energy_kwh", "current_a"]] = 0.0


def spike(readings: pd.DataFrame, meter_id: str, day: date, hour: int, factor: float, tz: str) -> None:
    """One hour `factor` times the meter's usual energy (a fault, or a wrong multiplier)."""
    rows = _rows(readings, meter_id, day, tz, range(hour, hour + 1))
    readings.loc[rows, ["energy_kwh", "current_a"]] *= factor


def voltage_excursion(readings: pd.DataFrame, meter_id: str, day: date, volts: float, tz: str) -> None:
    """Voltage at `volts` for two hours (a broken neutral, a tap changer stuck)."""
    rows = _rows(readings, meter_id, day, tz, range(17, 19))
    readings.loc[rows, "voltage_v"] = volts


def tamper_drop(readings: pd.DataFrame, meter_id: str, day: date, from_hour: int, tz: str) -> None:
    """From `from_hour` on, 15 % of the energy is metered and the power factor shifts (a shunt)."""
    rows = _rows(readings, meter_id, day, tz, range(from_hour, 24))
    readings.loc[rows, ["energy_kwh", "current_a"]] *= 0.15
    readings.loc[rows, "power_factor"] = (readings.loc[rows, "power_factor"] - 0.2).clip(lower=0.5)


def reverse_flow(readings: pd.DataFrame, meter_id: str, day: date, tz: str) -> pd.DataFrame:
    """Three negative readings (a meter wired backwards): silver quarantines them, so they leave
    the readings and appear as quarantine rows with reason NEGATIVE_ENERGY."""
    rows = readings.index[_rows(readings, meter_id, day, tz, range(12, 13))][:3]
    quarantined = readings.loc[rows]
    raw = [
        f"{r.meter_id},{pd.Timestamp(r.interval_start_utc).isoformat()},{r.interval_min},{-abs(r.energy_kwh)},"
        f"{r.voltage_v},{r.current_a},{r.power_factor},{r.status}"
        for r in quarantined.itertuples()
    ]
    readings.drop(index=rows, inplace=True)
    return pd.DataFrame(
        {
            "source": "meters",
            "reason": "NEGATIVE_ENERGY",
            "detail": "energy_kwh < 0",
            "raw_record": raw,
            "date_local": day,
        }
    )


def inject(
    readings: pd.DataFrame, day: date, meters: list[str], *, seed: int = 0, tz: str = "Europe/Belgrade"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Give each of `meters` one anomaly on `day`, kinds in turn; returns (readings, quarantine, truth)."""
    rng = np.random.default_rng(seed)
    out = readings.copy()
    quarantine = []
    truth = []
    for i, meter in enumerate(meters):
        kind = KINDS[i % len(KINDS)]
        if kind == "zero_streak":
            zero_streak(out, meter, day, int(rng.integers(8, 16)), int(rng.integers(4, 8)), tz)
        elif kind == "spike":
            spike(out, meter, day, int(rng.integers(9, 21)), float(rng.uniform(4, 8)), tz)
        elif kind == "voltage_excursion":
            voltage_excursion(out, meter, day, float(rng.choice([190.0, 265.0])), tz)
        elif kind == "tamper_drop":
            tamper_drop(out, meter, day, int(rng.integers(6, 12)), tz)
        else:
            quarantine.append(reverse_flow(out, meter, day, tz))
        truth.append({"meter_id": meter, "date_local": day, "kind": kind})
    q = pd.concat(quarantine, ignore_index=True) if quarantine else pd.DataFrame()
    return out.reset_index(drop=True), q, pd.DataFrame(truth)

"""Load shapes: how each customer type uses electricity over a day, by day type and temperature.

Profiles are relative power per local clock hour (1.0 = the type's typical level), interpolated
at quarter-hour midpoints. Residential has the morning and strong evening peaks of Kosovo homes;
commercial follows opening hours; industry runs shifts and slows at weekends. Heating is large
(Kosovo heats much with electricity): power grows with heating degrees below 16 °C, more in the
morning and evening when people are home. Cooling adds a little above 24 °C.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from lakehouse.sources.simulator.daytypes import DayType


class CustomerType(IntEnum):
    RESIDENTIAL = 0
    COMMERCIAL = 1
    INDUSTRIAL = 2


CUSTOMER_TYPE_NAMES = ("residential", "commercial", "industrial")

# rows: WORKDAY, SATURDAY, SUNDAY_OR_HOLIDAY; columns: local hour 0..23
_PROFILES = {
    CustomerType.RESIDENTIAL: np.array(
        [
            [0.45, 0.38, 0.34, 0.32, 0.32, 0.36, 0.52, 0.78, 0.80, 0.66, 0.60, 0.60,
             0.64, 0.62, 0.58, 0.58, 0.66, 0.82, 0.98, 1.08, 1.10, 1.00, 0.82, 0.62],
            [0.52, 0.44, 0.38, 0.35, 0.34, 0.35, 0.42, 0.56, 0.72, 0.82, 0.84, 0.84,
             0.86, 0.80, 0.74, 0.72, 0.76, 0.86, 0.98, 1.06, 1.08, 1.00, 0.86, 0.66],
            [0.55, 0.46, 0.40, 0.36, 0.34, 0.34, 0.36, 0.44, 0.60, 0.78, 0.90, 0.96,
             1.00, 0.94, 0.80, 0.72, 0.74, 0.84, 0.96, 1.04, 1.04, 0.96, 0.80, 0.60],
        ]
    ),
    CustomerType.COMMERCIAL: np.array(
        [
            [0.30, 0.28, 0.28, 0.28, 0.28, 0.32, 0.45, 0.75, 0.95, 1.00, 1.02, 1.02,
             1.00, 1.00, 1.00, 0.98, 0.92, 0.82, 0.66, 0.52, 0.44, 0.38, 0.34, 0.32],
            [0.30, 0.28, 0.28, 0.28, 0.28, 0.30, 0.36, 0.55, 0.72, 0.80, 0.82, 0.82,
             0.80, 0.74, 0.62, 0.55, 0.50, 0.46, 0.42, 0.40, 0.38, 0.35, 0.32, 0.31],
            [0.30, 0.28, 0.28, 0.28, 0.28, 0.28, 0.29, 0.31, 0.36, 0.42, 0.46, 0.48,
             0.48, 0.46, 0.44, 0.42, 0.40, 0.39, 0.38, 0.36, 0.34, 0.32, 0.31, 0.30],
        ]
    ),
    CustomerType.INDUSTRIAL: np.array(
        [
            [0.70, 0.68, 0.68, 0.68, 0.70, 0.78, 0.92, 1.00, 1.00, 1.00, 1.00, 0.98,
             0.96, 1.00, 1.00, 0.98, 0.94, 0.88, 0.82, 0.78, 0.76, 0.74, 0.72, 0.70],
            [0.62, 0.60, 0.60, 0.60, 0.60, 0.64, 0.72, 0.80, 0.82, 0.82, 0.82, 0.80,
             0.76, 0.72, 0.68, 0.66, 0.64, 0.63, 0.62, 0.62, 0.62, 0.62, 0.62, 0.62],
            [0.52, 0.52, 0.52, 0.52, 0.52, 0.52, 0.53, 0.54, 0.55, 0.56, 0.56, 0.56,
             0.56, 0.56, 0.55, 0.55, 0.54, 0.54, 0.54, 0.53, 0.53, 0.53, 0.52, 0.52],
        ]
    ),
}  # fmt: skip

# when heaters run (local hour), relative to the daily mean
_HEATING_PROFILE = np.array(
    [0.75, 0.70, 0.68, 0.68, 0.72, 0.85, 1.15, 1.30, 1.20, 1.00, 0.92, 0.88,
     0.88, 0.88, 0.90, 0.96, 1.08, 1.22, 1.30, 1.32, 1.28, 1.18, 1.00, 0.85]
)  # fmt: skip
HEATING_BASE_C = 16.0
COOLING_BASE_C = 24.0


def _interp_hours(table: np.ndarray, local_hours: np.ndarray) -> np.ndarray:
    """Periodic linear interpolation of a 24-value hourly table at fractional local hours."""
    x = np.mod(local_hours - 0.5, 24.0)  # table values sit at the middle of each hour
    lo = np.floor(x).astype(int)
    frac = x - lo
    return table[lo] * (1 - frac) + table[(lo + 1) % 24] * frac


def base_profile(customer_type: CustomerType, day_type: DayType, local_hours: np.ndarray) -> np.ndarray:
    return _interp_hours(_PROFILES[customer_type][int(day_type)], local_hours)


def heating_profile(local_hours: np.ndarray) -> np.ndarray:
    return _interp_hours(_HEATING_PROFILE, local_hours)


def weather_factor(
    temperature_c: np.ndarray, local_hours: np.ndarray, heat_share: np.ndarray, cool_share: np.ndarray
) -> np.ndarray:
    """Multiplier on the base profile: 1 + heating + cooling (broadcasts meters x intervals)."""
    hdd = np.clip(HEATING_BASE_C - temperature_c, 0.0, None) / 10.0
    cdd = np.clip(temperature_c - COOLING_BASE_C, 0.0, None) / 10.0
    return 1.0 + heat_share * hdd * heating_profile(local_hours) + cool_share * cdd


# the grid's mix of demand (share of energy) and typical heating shares, for the price model
SYSTEM_MIX = {CustomerType.RESIDENTIAL: 0.55, CustomerType.COMMERCIAL: 0.25, CustomerType.INDUSTRIAL: 0.20}
TYPICAL_HEAT_SHARE = {
    CustomerType.RESIDENTIAL: 0.8,
    CustomerType.COMMERCIAL: 0.35,
    CustomerType.INDUSTRIAL: 0.1,
}
TYPICAL_COOL_SHARE = {
    CustomerType.RESIDENTIAL: 0.3,
    CustomerType.COMMERCIAL: 0.8,
    CustomerType.INDUSTRIAL: 0.2,
}


def system_load_index(day_type: DayType, local_hours: np.ndarray, temperature_c: np.ndarray) -> np.ndarray:
    """Expected total grid load (arbitrary units, ~1 on a mild workday) at given instants."""
    total = np.zeros_like(np.asarray(local_hours, dtype=float))
    for ctype, share in SYSTEM_MIX.items():
        total += (
            share
            * base_profile(ctype, day_type, local_hours)
            * weather_factor(temperature_c, local_hours, TYPICAL_HEAT_SHARE[ctype], TYPICAL_COOL_SHARE[ctype])
        )
    return total / 0.8

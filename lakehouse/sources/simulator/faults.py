"""Fault injection: the defects real head-end exports carry, at documented rates.

With `--faults` (setting SIMULATOR_FAULTS=true) the simulator injects, deterministically per seed:

| fault class  | default rate       | what lands                                                   |
|--------------|--------------------|--------------------------------------------------------------|
| duplicates   | 0.5 % of rows      | an exact copy of the row, appended to the same file          |
| gaps         | 0.3 % of rows      | the row is missing (interval never reported)                 |
| malformed    | 0.05 % of rows     | line replaced: too few fields, decimal comma (one field too  |
|              |                    | many), unparseable timestamp, or garbage text                |
| out_of_range | 0.05 % of rows     | negative energy, energy 99999.999 kWh, voltage 0.0 or 480.5, |
|              |                    | or power factor 1.370 (status OK)                            |
| clock_skew   | 0.2 % of meter-days| all timestamps of the meter-day shifted -7..+11 min (off grid)|
| corrections  | 0.3 % of meter-days| 2 hours of the day resent next day with new values (status   |
|              |                    | OK) in `date=<D+1>/headend-corrections-<D>.csv[.gz]`         |
| late_files   | 3 % of files       | lands 1-3 days late into its own day's folder as             |
|              |                    | `<name>.late-<arrival day>.csv[.gz]`                         |
| extra_column | 3 % of files       | header and lines carry an extra last column firmware_version |

Row faults are exclusive (a row has at most one); clock-skewed meters get no other row fault;
corrections only resend rows that landed clean, on time and unskewed. Validity bounds the faults
break: energy_kwh >= 0 and < 10000, voltage_v in [150, 300], power_factor in [0, 1], timestamps on
the meter's 15/60-minute grid. Every decision is a hash of (seed, day, meter, interval), so any
day can be rebuilt alone and the manifest records exactly what was injected.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lakehouse.sources.simulator.hashing import mix, uniform

CLEAN, GAP, MALFORMED, OUT_OF_RANGE, DUPLICATE = 0, 1, 2, 3, 4
MALFORMED_KINDS = ("too_few_fields", "decimal_comma", "bad_timestamp", "garbage")
OUT_OF_RANGE_KINDS = ("negative_energy", "energy_spike", "voltage", "power_factor")
SKEW_MINUTES = np.array([-7, -4, -2, 2, 3, 5, 8, 11])
EXTRA_COLUMN = "firmware_version"
EXTRA_VALUE = "FW-3.2.1"
CORRECTION_HOURS = 2


@dataclass(frozen=True)
class FaultRates:
    duplicates: float = 0.005
    gaps: float = 0.003
    malformed: float = 0.0005
    out_of_range: float = 0.0005
    clock_skew: float = 0.002
    corrections: float = 0.003
    late_files: float = 0.03
    extra_column: float = 0.03
    max_late_days: int = 3

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


NO_FAULTS = FaultRates(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0)


def skew_minutes(seed: int, rates: FaultRates, day_num: int, meter: np.ndarray) -> np.ndarray:
    """Minutes every timestamp of each meter-day is shifted by (0: clock fine)."""
    h = mix(seed, "fault-skew", day_num, meter)
    skewed = uniform(h) < rates.clock_skew
    return np.where(skewed, SKEW_MINUTES[(h >> np.uint64(7)) % np.uint64(len(SKEW_MINUTES))], 0)


def row_faults(
    seed: int, rates: FaultRates, day_num: int, meter: np.ndarray, quarter: np.ndarray
) -> np.ndarray:
    """Fault code per row (CLEAN, GAP, MALFORMED, OUT_OF_RANGE, DUPLICATE); exclusive bands."""
    u = uniform(mix(seed, "fault-row", day_num, meter, quarter))
    edges = np.cumsum([rates.gaps, rates.malformed, rates.out_of_range, rates.duplicates])
    code = np.searchsorted(edges, u, side="right") + 1
    code = np.where(code > 4, CLEAN, code)
    return np.where(skew_minutes(seed, rates, day_num, meter) != 0, CLEAN, code)


def fault_kind(seed: int, day_num: int, meter: np.ndarray, quarter: np.ndarray, n_kinds: int) -> np.ndarray:
    return (mix(seed, "fault-kind", day_num, meter, quarter) % np.uint64(n_kinds)).astype(np.int64)


def file_delay_days(seed: int, rates: FaultRates, day_num: int, file_key: int) -> int:
    """Days after its own day that a file arrives (0: on time)."""
    h = mix(seed, "fault-late", day_num, file_key)
    if rates.max_late_days < 1 or uniform(h)[0] >= rates.late_files:
        return 0
    return 1 + int(h[0] % np.uint64(rates.max_late_days))


def has_extra_column(seed: int, rates: FaultRates, day_num: int, file_key: int) -> bool:
    return bool(uniform(mix(seed, "fault-extra-column", day_num, file_key))[0] < rates.extra_column)


def correction_meters(seed: int, rates: FaultRates, day_num: int, meter: np.ndarray) -> np.ndarray:
    """Mask of meters whose readings of `day_num` are resent (with the next day's files)."""
    return uniform(mix(seed, "fault-correction", day_num, meter)) < rates.corrections


def correction_start_hour(seed: int, day_num: int, meter: np.ndarray, n_hours: int) -> np.ndarray:
    h = mix(seed, "fault-correction-start", day_num, meter)
    return (h % np.uint64(n_hours - CORRECTION_HOURS + 1)).astype(np.int64)


def correction_factor(seed: int, day_num: int, meter: np.ndarray, quarter: np.ndarray) -> np.ndarray:
    """Multiplier of a resent value: 0.8-0.95 or 1.05-1.2 (never the same reading)."""
    u = uniform(mix(seed, "fault-correction-value", day_num, meter, quarter))
    return np.where(u < 0.5, 0.8 + 0.3 * u, 1.05 + 0.3 * (u - 0.5))

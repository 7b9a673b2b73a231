"""Readings as head-end CSV text, with the faults of a file applied and counted.

`render_readings` turns a ReadingBatch into the file body and the exact counts the manifest
reports, so landed lines always reconcile: lines = clean + malformed + out_of_range +
clock_skew + duplicates, and expected = clean + gaps + malformed + out_of_range + clock_skew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.sources.simulator import csvfmt
from lakehouse.sources.simulator import faults as F
from lakehouse.sources.simulator.readings import STATUS_NAMES, ReadingBatch
from lakehouse.sources.simulator.registry import MeterTable
from lakehouse.sources.simulator.timegrid import LocalDay, day_number, epoch_to_local_iso

READINGS_HEADER = "meter_id,timestamp,interval_min,energy_kwh,voltage_v,current_a,power_factor,status"


@dataclass
class RenderedReadings:
    body: bytes
    lines: int
    counts: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    extra_column: str | None = None


def _timestamp_index(batch: ReadingBatch, day: LocalDay) -> np.ndarray:
    return np.where(batch.interval_min == 15, batch.quarter, day.n_quarters + batch.quarter // 4)


def _columns(
    batch: ReadingBatch, meters: MeterTable, day: LocalDay, skew: np.ndarray | None
) -> list[pa.Array]:
    stamps = csvfmt.pick(day.quarter_end_strings + day.hour_end_strings, _timestamp_index(batch, day))
    if skew is not None and skew.any():
        rows = np.flatnonzero(skew)
        ends = day.start_epoch + (batch.quarter[rows] * 15 + batch.interval_min[rows] + skew[rows]) * 60
        shifted = pa.array(epoch_to_local_iso(ends, day.tz_name), pa.string())
        stamps = pc.replace_with_mask(stamps, pa.array(skew != 0), shifted)

    def num(values: np.ndarray, decimals: int) -> pa.Array:
        missing = np.isnan(values)
        return csvfmt.blank_where(csvfmt.fixed(np.where(missing, 0.0, values), decimals), missing)

    return [
        meters.ids.take(pa.array(batch.meter)),
        stamps,
        csvfmt.integers(batch.interval_min),
        num(batch.energy_kwh, 3),
        num(batch.voltage_v, 1),
        num(batch.current_a, 2),
        num(batch.power_factor, 3),
        csvfmt.pick(STATUS_NAMES, batch.status),
    ]


def _break_values(batch: ReadingBatch, rows: np.ndarray, kinds: np.ndarray) -> ReadingBatch:
    """Out-of-range values on `rows` (status forced to OK so the values are claimed as measured)."""
    b = batch.take(np.arange(len(batch)))
    e = np.nan_to_num(b.energy_kwh[rows], nan=0.0)
    b.status[rows] = 0
    b.energy_kwh[rows] = np.where(
        kinds == 0, -np.round(np.abs(e) + 0.001, 3), np.where(kinds == 1, 99999.999, e)
    )
    volt = np.where(rows % 2 == 0, 0.0, 480.5)
    b.voltage_v[rows] = np.where(kinds == 2, volt, np.nan_to_num(b.voltage_v[rows], nan=231.0))
    b.power_factor[rows] = np.where(kinds == 3, 1.37, np.nan_to_num(b.power_factor[rows], nan=0.97))
    b.current_a[rows] = np.nan_to_num(b.current_a[rows], nan=0.0)
    return b


def _malformed_line(fields: list[str], kind: int) -> str:
    meter_id, stamp, interval, energy, *rest = fields
    if kind == 0:
        return f"{meter_id},{stamp},{interval}"
    if kind == 1:
        return ",".join([meter_id, stamp, interval, (energy or "0.000").replace(".", ","), *rest])
    if kind == 2:
        local = datetime.fromisoformat(stamp)
        return ",".join([meter_id, local.strftime("%d.%m.%Y %H:%M"), interval, energy, *rest])
    return f"#HEAD-END BUFFER OVERRUN 0x1F {meter_id} {stamp[:16]}#"


def render_readings(
    batch: ReadingBatch,
    meters: MeterTable,
    day: LocalDay,
    seed: int,
    rates: F.FaultRates | None,
    extra_column: bool = False,
) -> RenderedReadings:
    d = day_number(day.day)
    n = len(batch)
    if rates is None:
        codes = np.zeros(n, dtype=np.int64)
        skew = np.zeros(n, dtype=np.int64)
    else:
        codes = F.row_faults(seed, rates, d, batch.meter, batch.quarter)
        skew = F.skew_minutes(seed, rates, d, batch.meter)
    kind = (
        F.fault_kind(seed, d, batch.meter, batch.quarter, 4) if rates is not None else np.zeros(n, np.int64)
    )

    keep = codes != F.GAP
    oor = np.flatnonzero(codes == F.OUT_OF_RANGE)
    if len(oor):
        batch = _break_values(batch, oor, kind[oor])
    landed = batch.take(keep)
    landed_codes, landed_kind, landed_skew = codes[keep], kind[keep], skew[keep]
    lines = csvfmt.join_lines(_columns(landed, meters, day, landed_skew))

    bad = np.flatnonzero(landed_codes == F.MALFORMED)
    if len(bad):
        fields = [line.split(",") for line in lines.take(pa.array(bad)).to_pylist()]
        replacement = pa.array(
            [_malformed_line(f, int(k)) for f, k in zip(fields, landed_kind[bad], strict=True)]
        )
        lines = pc.replace_with_mask(lines, pa.array(landed_codes == F.MALFORMED), replacement)
    dup = np.flatnonzero(landed_codes == F.DUPLICATE)
    if len(dup):
        lines = pa.concat_arrays([lines, lines.take(pa.array(dup))])
    header = READINGS_HEADER
    if extra_column:
        header += f",{F.EXTRA_COLUMN}"
        lines = pc.binary_join_element_wise(lines, pa.scalar(F.EXTRA_VALUE), ",")

    clean = (landed_codes == F.CLEAN) | (landed_codes == F.DUPLICATE)
    clean &= landed_skew == 0
    counts = {
        "expected": int(n),
        "clean": int(clean.sum()),
        "gaps": int((codes == F.GAP).sum()),
        "malformed": len(bad),
        "out_of_range": len(oor),
        "clock_skew": int((landed_skew != 0).sum()),
        "duplicates": len(dup),
        "corrections": 0,
    }
    kinds = {
        "malformed": {k: int((landed_kind[bad] == i).sum()) for i, k in enumerate(F.MALFORMED_KINDS)},
        "out_of_range": {k: int((kind[oor] == i).sum()) for i, k in enumerate(F.OUT_OF_RANGE_KINDS)},
    }
    status = {s: int((landed.status[clean] == i).sum()) for i, s in enumerate(STATUS_NAMES)}
    body = csvfmt.assemble(header, lines)
    return RenderedReadings(body, len(lines), counts, kinds, status, F.EXTRA_COLUMN if extra_column else None)


def render_corrections(batch: ReadingBatch, meters: MeterTable, day: LocalDay, seed: int) -> RenderedReadings:
    """Resent readings of `day` (already selected rows) with new values and status OK."""
    d = day_number(day.day)
    factor = F.correction_factor(seed, d, batch.meter, batch.quarter)
    b = batch.take(np.arange(len(batch)))
    old = b.energy_kwh.copy()
    base = np.where(np.isnan(old) | (old <= 0.0005), 0.05, old)
    new = np.round(base * factor, 3)
    new = np.where(new == old, new + 0.001, new)
    b.energy_kwh = new
    missing = (b.status != 0) | np.isnan(b.voltage_v)
    b.voltage_v = np.where(missing, 231.0, b.voltage_v)
    b.power_factor = np.where(missing, 0.97, b.power_factor)
    b.current_a = np.round(
        new * 1000.0 / (b.interval_min / 60.0) / (b.voltage_v * b.power_factor * meters.phases[b.meter]), 2
    )
    status_before = {s: int((batch.status == i).sum()) for i, s in enumerate(STATUS_NAMES)}
    b.status = np.zeros(len(b), dtype=np.int64)
    lines = csvfmt.join_lines(_columns(b, meters, day, None))
    counts = {
        "expected": 0,
        "clean": 0,
        "gaps": 0,
        "malformed": 0,
        "out_of_range": 0,
        "clock_skew": 0,
        "duplicates": 0,
        "corrections": len(b),
    }
    # failed (ERR) and estimated (EST) reads are resent with measured values once the meter answers
    kinds = {"corrected_from_status": status_before}
    return RenderedReadings(csvfmt.assemble(READINGS_HEADER, lines), len(b), counts, kinds, {"OK": len(b)})

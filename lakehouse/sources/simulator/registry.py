"""The meter registry: which meters exist, where, for whom, and how each one behaves.

Every attribute of meter i is hashed from (seed, i), so a registry of 1,000 meters is the first
1,000 rows of the registry of 1,000,000 and any subset of meters can be rebuilt on its own.
The CSV holds the public columns; the behaviour (size, heating share, noise) stays internal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from lakehouse.sources.simulator import csvfmt
from lakehouse.sources.simulator.geography import CITIES
from lakehouse.sources.simulator.hashing import mix, normal, uniform
from lakehouse.sources.simulator.shapes import CUSTOMER_TYPE_NAMES, CustomerType

REGISTRY_PATH = "meters/registry/meters.csv"
REGISTRY_HEADER = "meter_id,region,customer_type,feeder_id,latitude,longitude,installed_on,tariff"

CUSTOMER_MIX = np.array([0.88, 0.10, 0.02])  # residential, commercial, industrial (by meter count)
QUARTER_HOUR_SHARE = np.array([0.25, 0.70, 1.00])  # share of 15-minute meters by customer type
TARIFFS = (
    "residential-dual-rate",
    "residential-single-rate",
    "commercial-0.4kV",
    "industrial-10kV",
    "industrial-35kV",
)
_FEEDERS_PER_REGION = np.array([max(8, round(300 * c.customer_share)) for c in CITIES])
_INSTALL_FIRST = date(2014, 1, 1).toordinal()
_INSTALL_LAST = date(2025, 6, 30).toordinal()
# typical power (kW) of a mild workday, median of a log-normal per customer type
_SCALE_KW = np.array([0.32, 3.5, 55.0])
_SCALE_SIGMA = np.array([0.45, 0.7, 0.8])
_NOISE_SIGMA = np.array([0.22, 0.10, 0.05])


def meter_ids(index: np.ndarray) -> list[str]:
    return [f"KS{i + 1:08d}" for i in index.tolist()]


@dataclass(frozen=True)
class MeterTable:
    """Columns of meters 0..n-1 (numpy arrays, one entry per meter)."""

    n: int
    region: np.ndarray  # index into CITIES
    customer_type: np.ndarray  # CustomerType
    interval_min: np.ndarray  # 15 or 60
    feeder: np.ndarray  # feeder number within the region
    latitude: np.ndarray
    longitude: np.ndarray
    installed_on: np.ndarray  # date ordinal
    tariff: np.ndarray  # index into TARIFFS
    scale_kw: np.ndarray
    heat_share: np.ndarray
    cool_share: np.ndarray
    noise_sigma: np.ndarray
    power_factor: np.ndarray
    phases: np.ndarray  # 1 or 3

    @functools.cached_property
    def ids(self) -> pa.Array:
        """meter_id strings as an Arrow array (take() by meter index)."""
        return pa.array(meter_ids(np.arange(self.n)), pa.string())


@functools.lru_cache(maxsize=4)
def build_registry(seed: int, n: int) -> MeterTable:
    i = np.arange(n, dtype=np.int64)

    def u(name: str) -> np.ndarray:
        return uniform(mix(seed, f"registry-{name}", i))

    region = np.searchsorted(np.cumsum([c.customer_share for c in CITIES]), u("region"), side="right")
    region = np.minimum(region, len(CITIES) - 1)
    ctype = np.minimum(np.searchsorted(np.cumsum(CUSTOMER_MIX), u("type"), side="right"), 2)
    interval = np.where(u("interval") < QUARTER_HOUR_SHARE[ctype], 15, 60)
    feeder = np.floor(u("feeder") * _FEEDERS_PER_REGION[region]).astype(np.int64)

    center_lat = np.array([c.latitude for c in CITIES])[region]
    center_lon = np.array([c.longitude for c in CITIES])[region]
    feeder_key = region * 1000 + feeder
    radius = 0.09 * np.sqrt(uniform(mix(seed, "registry-feeder-r", feeder_key)))
    angle = 2 * np.pi * uniform(mix(seed, "registry-feeder-a", feeder_key))
    lat = center_lat + radius * np.sin(angle) + 0.004 * normal(mix(seed, "registry-lat", i))
    lon = center_lon + 1.35 * radius * np.cos(angle) + 0.005 * normal(mix(seed, "registry-lon", i))

    installed = _INSTALL_FIRST + np.floor(u("installed") * (_INSTALL_LAST - _INSTALL_FIRST + 1)).astype(
        np.int64
    )
    t = u("tariff")
    tariff = np.select(
        [ctype == CustomerType.RESIDENTIAL, ctype == CustomerType.COMMERCIAL],
        [np.where(t < 0.8, 0, 1), np.full(n, 2)],
        np.where(t < 0.7, 3, 4),
    )

    scale = _SCALE_KW[ctype] * np.exp(_SCALE_SIGMA[ctype] * normal(mix(seed, "registry-scale", i)))
    heat = np.select(
        [ctype == CustomerType.RESIDENTIAL, ctype == CustomerType.COMMERCIAL],
        [1.6 * u("heat"), 0.2 + 0.4 * u("heat")],
        0.05 + 0.1 * u("heat"),
    )
    cool = np.select(
        [ctype == CustomerType.RESIDENTIAL, ctype == CustomerType.COMMERCIAL],
        [0.6 * u("cool"), 0.4 + 0.8 * u("cool")],
        0.1 + 0.2 * u("cool"),
    )
    pf = np.select(
        [ctype == CustomerType.RESIDENTIAL, ctype == CustomerType.COMMERCIAL],
        [0.95 + 0.04 * u("pf"), 0.90 + 0.07 * u("pf")],
        0.84 + 0.10 * u("pf"),
    )
    phases = np.where((ctype == CustomerType.RESIDENTIAL) & (u("phases") < 0.85), 1, 3)
    return MeterTable(
        n=n,
        region=region,
        customer_type=ctype,
        interval_min=interval,
        feeder=feeder,
        latitude=lat,
        longitude=lon,
        installed_on=installed,
        tariff=tariff,
        scale_kw=scale,
        heat_share=heat,
        cool_share=cool,
        noise_sigma=_NOISE_SIGMA[ctype],
        power_factor=pf,
        phases=phases,
    )


def registry_csv(meters: MeterTable) -> bytes:
    """meters/registry/meters.csv, sorted by meter_id."""
    codes = [c.code for c in CITIES]
    feeder_names = [
        f"{codes[r]}-F{f + 1:03d}"
        for r, f in zip(meters.region.tolist(), meters.feeder.tolist(), strict=True)
    ]
    first = int(meters.installed_on.min()) if meters.n else 0
    span = int(meters.installed_on.max()) - first + 1 if meters.n else 0
    day_names = [date.fromordinal(first + k).isoformat() for k in range(span)]
    columns = [
        meters.ids,
        csvfmt.pick([c.name for c in CITIES], meters.region),
        csvfmt.pick(CUSTOMER_TYPE_NAMES, meters.customer_type),
        csvfmt.pick(feeder_names, np.arange(meters.n)),
        csvfmt.fixed(meters.latitude, 6),
        csvfmt.fixed(meters.longitude, 6),
        csvfmt.pick(day_names, meters.installed_on - first),
        csvfmt.pick(TARIFFS, meters.tariff),
    ]
    return csvfmt.assemble(REGISTRY_HEADER, csvfmt.join_lines(columns))

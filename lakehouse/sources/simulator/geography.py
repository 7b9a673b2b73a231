"""The five regions of Kosovo's distribution grid: where they are and how many customers they serve.

Coordinates and elevations are those of the region's main city (the Open-Meteo grid point for
weather); the customer share follows the regions' populations; `warmth_c` shifts the climate
(Prizren lies lower and warmer than Prishtina's plateau).
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.sources.geography import CITIES as CITY_COORDINATES


@dataclass(frozen=True)
class City:
    name: str
    code: str
    latitude: float
    longitude: float
    elevation_m: float
    customer_share: float
    warmth_c: float


# name: (code, elevation m, share of customers, climate shift °C); coordinates are the
# connector's (lakehouse.sources.geography), so simulated and real weather describe one point.
_PROFILE = {
    "Prishtina": ("PR", 652.0, 0.31, 0.0),
    "Prizren": ("PZ", 419.0, 0.22, 1.4),
    "Peja": ("PE", 498.0, 0.15, 0.6),
    "Gjilan": ("GJ", 528.0, 0.16, -0.3),
    "Mitrovica": ("MI", 508.0, 0.16, 0.3),
}
CITIES: tuple[City, ...] = tuple(
    City(name, _PROFILE[name][0], lat, lon, *_PROFILE[name][1:])
    for name, (lat, lon) in CITY_COORDINATES.items()
)

CITY_BY_NAME: dict[str, City] = {c.name: c for c in CITIES}

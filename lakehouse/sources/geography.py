"""Where the grid is: the weather cities (one per region) and their coordinates, in one place.

Used by the Open-Meteo connector and the simulator alike, so both describe the same points.
"""

from __future__ import annotations

from lakehouse.settings import REGIONS

# City centre coordinates (WGS84 latitude, longitude) of each region's main city.
CITIES: dict[str, tuple[float, float]] = {
    "Prishtina": (42.6629, 21.1655),
    "Prizren": (42.2139, 20.7397),
    "Peja": (42.6593, 20.2887),
    "Gjilan": (42.4635, 21.4694),
    "Mitrovica": (42.8914, 20.8660),
}

assert tuple(CITIES) == REGIONS, "every region needs exactly one weather city"

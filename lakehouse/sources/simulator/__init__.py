"""A realistic, deterministic simulator of the three feeds, writing exactly the real formats.

Modules: `timegrid` (local days, DST), `daytypes` (Kosovo holidays), `geography` (regions),
`shapes` (load shapes, heating), `weather` (Open-Meteo JSON), `prices` (ENTSO-E A44 XML),
`registry` (meters.csv), `readings` (meter values), `faults` (injected defects and their rates),
`writers` (CSV text), `manifest` (what was landed and injected), `produce` (one feed, one day),
`run` (several days: `lakehouse simulate`).
"""

from lakehouse.sources.simulator.config import SimulatorConfig, SimulatorConfigError
from lakehouse.sources.simulator.faults import NO_FAULTS, FaultRates
from lakehouse.sources.simulator.produce import FEEDS, produce
from lakehouse.sources.simulator.run import RunSummary, simulate

__all__ = [
    "FEEDS",
    "NO_FAULTS",
    "FaultRates",
    "RunSummary",
    "SimulatorConfig",
    "SimulatorConfigError",
    "produce",
    "simulate",
]

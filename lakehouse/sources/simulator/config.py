"""What one simulation is: seed, fleet size, faults, file options (from settings or the CLI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date

from lakehouse.settings import KOSOVO_BIDDING_ZONE, Settings
from lakehouse.sources.simulator.faults import FaultRates

MAX_METERS = 1_000_000
DEFAULT_METERS_PER_FILE = 25_000


class SimulatorConfigError(ValueError):
    """The simulator was asked for something it cannot do; the message says the allowed values."""


@dataclass(frozen=True)
class SimulatorConfig:
    seed: int = 42
    meters: int = 200
    faults: bool = False
    rates: FaultRates = field(default_factory=FaultRates)
    gzip: bool = True
    price_resolution: str = "PT60M"
    meters_per_file: int = DEFAULT_METERS_PER_FILE
    tz_name: str = "Europe/Belgrade"
    bidding_zone: str = KOSOVO_BIDDING_ZONE
    # first simulated day: late files and corrections of earlier (never simulated) days are not sent
    first_day: date | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.meters <= MAX_METERS:
            raise SimulatorConfigError(f"meters must be between 1 and {MAX_METERS:,}, got {self.meters}")
        if self.price_resolution not in ("PT60M", "PT15M"):
            raise SimulatorConfigError(
                f"price resolution must be PT60M or PT15M, got {self.price_resolution!r}"
            )
        if self.meters_per_file < 1:
            raise SimulatorConfigError("meters_per_file must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> SimulatorConfig:
        config = cls(
            seed=settings.simulator_seed,
            meters=settings.simulator_meters,
            faults=settings.simulator_faults,
            gzip=settings.simulator_gzip,
            price_resolution=settings.simulator_price_resolution,
            tz_name=settings.local_timezone,
            bidding_zone=settings.bidding_zone,
        )
        return replace(config, **overrides) if overrides else config

    @property
    def active_rates(self) -> FaultRates | None:
        """The fault rates in force, or None for clean feeds."""
        return self.rates if self.faults else None

    @property
    def csv_suffix(self) -> str:
        return ".csv.gz" if self.gzip else ".csv"

    def as_dict(self) -> dict:
        out = asdict(self)
        out["rates"] = self.rates.as_dict() if self.faults else None
        out["first_day"] = self.first_day.isoformat() if self.first_day else None
        return out

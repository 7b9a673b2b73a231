"""What the report is made of: typed rows of the marts, read with the analysts' SQL engine.

Every figure comes from a Trino SQL file in `queries/` (one per section), run by
`lakehouse.sql.Engine` as an analyst (trino/rules.json: warehouse.marts and lakehouse.gold only),
so the report shows exactly what an analyst's query of the same marts returns. The day is put into
the SQL as a DATE literal made from a `datetime.date` (never from text), the engine has no bind
parameters. Missing values stay None here and are shown as "n/a", never as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from lakehouse.report.errors import ReportDataUnavailableError, ReportQueryError

if TYPE_CHECKING:
    from lakehouse.settings import Settings
    from lakehouse.sql import Engine

# The report runs with analysts' rights: it can read nothing an analyst could not.
ANALYST_USER = "analyst"
ANALYST_GROUP = "analysts"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# --- rows ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayInfo:
    day: date
    day_name: str | None
    is_holiday: bool | None
    holiday_name: str | None
    hours_in_day: int


@dataclass(frozen=True)
class RegionDay:
    """One row of marts.mart_region_daily_summary."""

    region: str
    date_local: date
    hours_in_day: int | None
    hours_reported: int
    energy_mwh: float | None
    peak_mw: float | None
    peak_hour_local: datetime | None
    avg_temperature_c: float | None
    avg_price_eur_mwh: float | None
    cost_eur: float | None
    meters_reporting: int
    forecast_mape_pct: float | None
    forecast_hours: int
    quarantined_records: int


@dataclass(frozen=True)
class HourlyLoad:
    """One row of marts.fct_hourly_load (hour_utc is timezone-aware UTC)."""

    region: str
    date_local: date
    hour_utc: datetime
    energy_mwh: float | None
    meters_reporting: int | None
    temperature_c: float | None
    price_eur_mwh: float | None
    cost_eur: float | None


@dataclass(frozen=True)
class ForecastHour:
    region: str
    hour_utc: datetime
    model_version: str | None
    forecast_mwh: float | None
    actual_mwh: float | None
    abs_error_mwh: float | None
    ape: float | None


@dataclass(frozen=True)
class LoadForecastHour:
    """One region-hour of the day-ahead forecast (marts.fct_load_forecast), with or without actuals."""

    region: str
    hour_utc: datetime
    model_version: str | None
    forecast_mwh: float | None
    p10_mwh: float | None
    p90_mwh: float | None


@dataclass(frozen=True)
class CostByType:
    customer_type: str
    meters: int
    energy_kwh: float | None
    cost_eur: float | None
    unpriced_energy_kwh: float | None


@dataclass(frozen=True)
class QualityCheck:
    table_name: str
    expectations: int
    failed_expectations: int
    unexpected_rows: int | None
    failed_expectation_names: str | None
    gate_action: str
    gate: str | None = None  # validate_silver, validate_gold, ...
    blocking_expectation_names: str | None = None  # the failed ones that blocked (or errored)


@dataclass(frozen=True)
class QuarantineCount:
    source: str
    reason: str
    records: int


@dataclass(frozen=True)
class MeterCoverage:
    region: str
    registered: int
    reporting: int
    incomplete: int


@dataclass(frozen=True)
class MissingMeter:
    region: str
    meter_id: str
    customer_type: str | None
    feeder_id: str | None


@dataclass(frozen=True)
class Anomaly:
    meter_id: str
    region: str | None
    score: float
    reason: str | None
    details: str | None


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows for local day `day`, as the marts hold it."""

    day: date
    timezone: str
    calendar: DayInfo
    regions: tuple[str, ...]  # the grid's regions (marts.dim_region)
    region_days: tuple[RegionDay, ...]  # day and the 7 days before it
    hourly: tuple[HourlyLoad, ...]  # day and the same weekday a week before
    forecasts: tuple[ForecastHour, ...]  # forecast against actual: only hours with actuals
    load_forecast: tuple[LoadForecastHour, ...]  # the whole day-ahead forecast (the curve's line)
    costs: tuple[CostByType, ...]
    quality: tuple[QualityCheck, ...]
    quarantine: tuple[QuarantineCount, ...]
    coverage: tuple[MeterCoverage, ...]
    missing_meters: tuple[MissingMeter, ...]
    anomalies: tuple[Anomaly, ...] | None  # flagged meters, top 10; None: the day was not scored
    flagged_meters: int | None
    scored_meters: int | None
    queried_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def week_ago(self) -> date:
        return self.day - timedelta(days=7)


# --- SQL -----------------------------------------------------------------------------------
def query_text(name: str) -> str:
    """The Trino SQL of report query `name` (lakehouse/report/queries/<name>.sql)."""
    try:
        return resources.files("lakehouse.report").joinpath("queries", f"{name}.sql").read_text("utf-8")
    except FileNotFoundError:
        raise ReportQueryError(f"no report query {name!r} in lakehouse/report/queries") from None


def date_literal(value: date) -> str:
    """A Trino DATE literal from a date object (the only way values enter the SQL)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"report queries take dates only, got {type(value).__name__}")
    return f"DATE '{value.isoformat()}'"


def render_query(name: str, **dates: date) -> str:
    """Query `name` with its {placeholders} replaced by DATE literals; unknown names are an error."""
    text = query_text(name)

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in dates:
            raise ReportQueryError(f"query {name}.sql uses {{{key}}}, which the report does not provide")
        return date_literal(dates[key])

    return _PLACEHOLDER.sub(replace, text)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


class ReportQueries:
    """Runs the report's queries on one engine, with the errors a report reader can act on."""

    def __init__(self, engine: Engine, day: date) -> None:
        from lakehouse.sql import Identity

        self.engine = engine
        self.day = day
        self.identity = Identity(ANALYST_USER, frozenset({ANALYST_GROUP}))
        self.dates = {"day": day, "week_ago": day - timedelta(days=7)}

    def rows(self, name: str) -> list[dict[str, Any]]:
        from lakehouse.sql import errors as E

        sql = render_query(name, **self.dates)
        try:
            result = self.engine.execute(sql, identity=self.identity)
            columns = [c for c, _ in result.columns]
            return [dict(zip(columns, map(_plain, row), strict=True)) for row in result.rows()]
        except E.CatalogUnavailableError as error:
            raise ReportDataUnavailableError(
                f"The warehouse cannot be reached, so the report of {self.day} has no data: {error}"
            ) from None
        except (E.TableNotFoundError, E.SchemaNotFoundError, E.CatalogNotFoundError) as error:
            raise ReportDataUnavailableError(
                f"{error.message} (query {name}.sql): the marts are not built yet. Run the pipeline "
                f"first (`lakehouse run --start {self.day}`), or `lakehouse dbt build` if gold is "
                "already published."
            ) from None
        except E.SqlError as error:
            raise ReportQueryError(f"report query {name}.sql failed: {error.message}") from None

    def optional_rows(self, name: str) -> list[dict[str, Any]] | None:
        """Rows of a query over a table that may not exist yet (None then), e.g. gold.meter_anomalies."""
        from lakehouse.sql import errors as E

        try:
            result = self.engine.execute(render_query(name, **self.dates), identity=self.identity)
            columns = [c for c, _ in result.columns]
            return [dict(zip(columns, map(_plain, row), strict=True)) for row in result.rows()]
        except E.TableNotFoundError:
            return None
        except E.SqlError as error:
            raise ReportQueryError(f"report query {name}.sql failed: {error.message}") from None


def _coerce(annotation: str, value: Any) -> Any:
    """PostgreSQL numeric/bigint sums arrive as Decimal or float: give them the field's type."""
    if value is None:
        return None
    if annotation.startswith("int"):
        return int(value)
    if annotation.startswith("float"):
        return float(value)
    return value


def _build(kind: type, row: dict[str, Any]) -> Any:
    fields = kind.__dataclass_fields__
    return kind(**{k: _coerce(str(fields[k].type), v) for k, v in row.items() if k in fields})


def local_hours_in_day(day: date, timezone: str) -> int:
    """23, 24 or 25: the length of local day `day` (used when dim_date lacks the day)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(timezone)
    start = datetime.combine(day, datetime.min.time(), tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
    return round((end - start).total_seconds() / 3600)


def load_report_data(day: date, settings: Settings, engine: Engine | None = None) -> ReportData:
    """Run every report query for local day `day` (a new engine unless one is given)."""
    owned = engine is None
    if engine is None:
        from lakehouse.sql import Engine

        try:
            engine = Engine(settings)
        except Exception as error:  # extensions, S3 credentials, an unreadable LAKEHOUSE_ROOT
            raise ReportDataUnavailableError(
                f"Cannot open the SQL engine over LAKEHOUSE_ROOT and the warehouse: {error}. "
                'Check `lakehouse sql "SELECT 1"` and the storage settings (`lakehouse config`).'
            ) from error
    try:
        q = ReportQueries(engine, day)
        calendar_rows = q.rows("calendar")
        calendar = (
            DayInfo(
                day=day,
                day_name=calendar_rows[0]["day_name"],
                is_holiday=calendar_rows[0]["is_holiday"],
                holiday_name=calendar_rows[0]["holiday_name"],
                hours_in_day=int(calendar_rows[0]["hours_in_day"]),
            )
            if calendar_rows
            else DayInfo(
                day, day.strftime("%A"), None, None, local_hours_in_day(day, settings.local_timezone)
            )
        )
        anomaly_rows = q.optional_rows("anomalies")
        return ReportData(
            day=day,
            timezone=settings.local_timezone,
            calendar=calendar,
            regions=tuple(r["region"] for r in q.rows("regions")),
            region_days=tuple(_build(RegionDay, r) for r in q.rows("region_days")),
            hourly=tuple(_build(HourlyLoad, r) for r in q.rows("hourly_load")),
            forecasts=tuple(_build(ForecastHour, r) for r in q.rows("forecast_accuracy")),
            load_forecast=tuple(_build(LoadForecastHour, r) for r in q.rows("load_forecast")),
            costs=tuple(_build(CostByType, r) for r in q.rows("cost_by_customer_type")),
            quality=tuple(_build(QualityCheck, r) for r in q.rows("quality_checks")),
            quarantine=tuple(_build(QuarantineCount, r) for r in q.rows("quarantine")),
            coverage=tuple(_build(MeterCoverage, r) for r in q.rows("meter_coverage")),
            missing_meters=tuple(_build(MissingMeter, r) for r in q.rows("missing_meters")),
            # None: anomaly detection has not scored the day (no table, or no row of the day)
            anomalies=tuple(_build(Anomaly, r) for r in anomaly_rows if r["is_anomaly"])
            if anomaly_rows
            else None,
            flagged_meters=int(anomaly_rows[0]["flagged_meters"] or 0) if anomaly_rows else None,
            scored_meters=int(anomaly_rows[0]["scored_meters"]) if anomaly_rows else None,
        )
    finally:
        if owned:
            engine.con.close()

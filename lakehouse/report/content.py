"""The report's sections, computed from ReportData: pure functions, data in, data out.

Nothing here reads or writes anything, so every figure and sentence can be tested from hand-made
rows. Conventions: a figure that the marts do not hold is None (rendered "n/a", never 0); hours are
local (the report day has 23, 24 or 25 of them); the trailing week is the 7 days before the day.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from lakehouse.report.data import (
    Anomaly,
    CostByType,
    ForecastHour,
    HourlyLoad,
    MeterCoverage,
    MissingMeter,
    QualityCheck,
    QuarantineCount,
    RegionDay,
    ReportData,
)

BLOCKING_GATE_ACTIONS = frozenset({"blocked", "error"})


# --- shapes ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """One hour of the local day: its UTC start and how it reads on a local clock."""

    hour_utc: datetime
    local: datetime
    label: str  # "02:00", or "02:00 (2nd)" for the repeated hour of a 25-hour day


@dataclass(frozen=True)
class LoadCurve:
    """Hourly system load (MW = MWh in the hour) of the day, its forecast, the same day last week."""

    slots: tuple[Slot, ...]
    actual: tuple[float | None, ...]
    forecast: tuple[float | None, ...]
    last_week: tuple[float | None, ...]
    last_week_day: date
    temperature: dict[str, tuple[float | None, ...]]  # per region
    price: tuple[float | None, ...]


@dataclass(frozen=True)
class Headline:
    total_mwh: float | None
    peak_mw: float | None
    peak_local: datetime | None
    avg_temperature_c: float | None
    avg_price_eur_mwh: float | None
    cost_eur: float | None
    effective_price_eur_mwh: float | None
    forecast_mape_pct: float | None
    quarantined_records: int | None
    meters_registered: int | None
    meters_reporting: int | None
    flagged_meters: int | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready figures for the e-mail subject and the webhook (None left out)."""
        out: dict[str, object] = {}
        for name, value in self.__dict__.items():
            if value is None:
                continue
            if name == "peak_local":
                out["peak_local"] = value.strftime("%H:%M")
                out["peak_local_iso"] = value.isoformat()
            elif isinstance(value, float):
                out[name] = round(value, 6)
            else:
                out[name] = value
        return out


@dataclass(frozen=True)
class RegionRow:
    region: str
    energy_mwh: float | None
    share_pct: float | None
    vs_week_pct: float | None
    peak_mw: float | None
    peak_local: datetime | None
    avg_temperature_c: float | None
    avg_price_eur_mwh: float | None
    cost_eur: float | None
    meters_registered: int | None
    meters_reporting: int | None
    hours_reported: int | None
    hours_in_day: int
    forecast_mape_pct: float | None
    forecast_bias_pct: float | None
    quarantined_records: int | None
    trailing_avg_mwh: float | None


@dataclass(frozen=True)
class CostRow:
    customer_type: str
    meters: int
    energy_kwh: float | None
    cost_eur: float | None
    unpriced_energy_kwh: float | None
    effective_price_eur_mwh: float | None  # cost per priced MWh


@dataclass(frozen=True)
class QualitySummary:
    checks: tuple[QualityCheck, ...]
    expectations: int
    failed: int
    tables_blocked: tuple[str, ...]
    quarantine: tuple[QuarantineCount, ...]
    quarantined_total: int
    coverage: tuple[MeterCoverage, ...]
    meters_registered: int
    meters_reporting: int
    meters_missing: int
    meters_incomplete: int
    missing_meters: tuple[MissingMeter, ...]

    @property
    def passed(self) -> int:
        return self.expectations - self.failed


@dataclass(frozen=True)
class ReportContent:
    """Everything the HTML page and the PDF show, in display order."""

    day: date
    title: str
    subtitle: str
    timezone: str
    hours_in_day: int
    incomplete_reasons: tuple[str, ...]
    headline: Headline
    regions: tuple[RegionRow, ...]
    curve: LoadCurve
    costs: tuple[CostRow, ...]
    quality: QualitySummary
    anomalies: tuple[Anomaly, ...] | None
    flagged_meters: int | None
    changes: tuple[str, ...]
    forecast_model: str | None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def incomplete(self) -> bool:
        return bool(self.incomplete_reasons)


# --- helpers ---------------------------------------------------------------------------------
def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) if present else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def pct_change(value: float | None, reference: float | None) -> float | None:
    """Percent change of value against reference; None when either is missing or reference is 0."""
    if value is None or reference is None or reference == 0:
        return None
    return (value - reference) / abs(reference) * 100.0


def local_slots(day: date, timezone: str) -> tuple[Slot, ...]:
    """The hours of local day `day` (23, 24 or 25), from local midnight to the next one."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)
    slots: list[Slot] = []
    seen: set[int] = set()
    hour = start
    while hour < end:
        local = hour.astimezone(tz)
        label = local.strftime("%H:00")
        if local.hour in seen:
            label += " (2nd)"
        seen.add(local.hour)
        slots.append(Slot(hour, local, label))
        hour += timedelta(hours=1)
    return tuple(slots)


def _by_hour(rows: Iterable[HourlyLoad], day: date) -> dict[datetime, list[HourlyLoad]]:
    out: dict[datetime, list[HourlyLoad]] = defaultdict(list)
    for row in rows:
        if row.date_local == day:
            out[row.hour_utc.astimezone(UTC)].append(row)
    return out


def _system_hourly(rows: Iterable[HourlyLoad], day: date) -> dict[datetime, float]:
    """Total energy of all regions per UTC hour of local day `day` (hours with any row)."""
    totals = {}
    for hour, items in _by_hour(rows, day).items():
        total = _sum(r.energy_mwh for r in items)
        if total is not None:
            totals[hour] = total
    return totals


def _peak(totals: dict[datetime, float]) -> tuple[float | None, datetime | None]:
    if not totals:
        return None, None
    hour = min(totals, key=lambda h: (-totals[h], h))  # earliest hour on ties, as the marts do
    return totals[hour], hour


# --- sections --------------------------------------------------------------------------------
def load_curve(data: ReportData) -> LoadCurve:
    """The day's hourly system load, its forecast and the same weekday a week before, per local hour.

    The forecast is the sum over regions of the day-ahead forecast of every hour, actuals or not.

    Last week's values are placed by local clock hour, so a 23-hour day drops the hour that did
    not exist and a 25-hour day shows last week's 02:00 against both of its 02:00 hours.
    """
    tz = ZoneInfo(data.timezone)
    slots = local_slots(data.day, data.timezone)
    actual = _system_hourly(data.hourly, data.day)
    # The whole day-ahead forecast (fct_load_forecast), not fct_forecast_accuracy: that one has only
    # the hours with actuals, so a region or an hour without load would cut the line.
    forecast: dict[datetime, float] = {}
    for hour, items in _group(data.load_forecast, lambda f: f.hour_utc.astimezone(UTC)).items():
        total = _sum(f.forecast_mwh for f in items)
        if total is not None:
            forecast[hour] = total
    week_ago = data.week_ago
    last_week_by_clock: dict[tuple[int, int], float] = {}
    for hour, total in _system_hourly(data.hourly, week_ago).items():
        local = hour.astimezone(tz)
        last_week_by_clock[(local.hour, local.fold)] = total
    by_hour = _by_hour(data.hourly, data.day)
    regions = sorted({r.region for rows in by_hour.values() for r in rows})
    temperature = {
        region: tuple(
            next((r.temperature_c for r in by_hour.get(s.hour_utc, []) if r.region == region), None)
            for s in slots
        )
        for region in regions
    }
    price = tuple(
        next((r.price_eur_mwh for r in by_hour.get(s.hour_utc, []) if r.price_eur_mwh is not None), None)
        for s in slots
    )
    return LoadCurve(
        slots=slots,
        actual=tuple(actual.get(s.hour_utc) for s in slots),
        forecast=tuple(forecast.get(s.hour_utc) for s in slots),
        last_week=tuple(
            last_week_by_clock.get((s.local.hour, s.local.fold), last_week_by_clock.get((s.local.hour, 0)))
            for s in slots
        ),
        last_week_day=week_ago,
        temperature=temperature,
        price=price,
    )


def _group(items: Iterable, key) -> dict:
    out: dict = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return out


def _day_rows(data: ReportData, day: date) -> list[RegionDay]:
    return [r for r in data.region_days if r.date_local == day]


def _trailing_days(data: ReportData) -> list[date]:
    """Days of the 7 before the report day that have any data."""
    return sorted({r.date_local for r in data.region_days if data.week_ago <= r.date_local < data.day})


def headline(data: ReportData) -> Headline:
    rows = _day_rows(data, data.day)
    total = _sum(r.energy_mwh for r in rows)
    cost = _sum(r.cost_eur for r in rows)
    peak, peak_hour = _peak(_system_hourly(data.hourly, data.day))
    priced_energy = _sum(r.energy_mwh for r in rows if r.cost_eur is not None)
    apes = [f.ape for f in data.forecasts if f.ape is not None]
    registered = sum(c.registered for c in data.coverage) if data.coverage else None
    return Headline(
        total_mwh=total,
        peak_mw=peak,
        peak_local=peak_hour.astimezone(ZoneInfo(data.timezone)) if peak_hour else None,
        avg_temperature_c=_mean(r.avg_temperature_c for r in rows),
        avg_price_eur_mwh=_mean(r.avg_price_eur_mwh for r in rows),
        cost_eur=cost,
        effective_price_eur_mwh=cost / priced_energy if cost is not None and priced_energy else None,
        forecast_mape_pct=fmean(apes) * 100.0 if apes else None,
        quarantined_records=sum(q.records for q in data.quarantine) if rows or data.quarantine else None,
        meters_registered=registered,
        meters_reporting=sum(c.reporting for c in data.coverage) if data.coverage else None,
        flagged_meters=data.flagged_meters,
    )


def region_rows(data: ReportData) -> tuple[RegionRow, ...]:
    """One row per grid region, in the order of dim_region; regions without data keep None figures."""
    today = {r.region: r for r in _day_rows(data, data.day)}
    coverage = {c.region: c for c in data.coverage}
    total = _sum(r.energy_mwh for r in today.values())
    trailing: dict[str, list[float]] = defaultdict(list)
    for r in data.region_days:
        if data.week_ago <= r.date_local < data.day and r.energy_mwh is not None:
            trailing[r.region].append(r.energy_mwh)
    bias: dict[str, float | None] = {}
    for region, items in _group(data.forecasts, lambda f: f.region).items():
        forecast = _sum(f.forecast_mwh for f in items if f.actual_mwh is not None)
        actual = _sum(f.actual_mwh for f in items if f.forecast_mwh is not None)
        bias[region] = pct_change(forecast, actual)
    tz = ZoneInfo(data.timezone)
    names = list(data.regions) + sorted(set(today) - set(data.regions))
    rows = []
    for region in names:
        row = today.get(region)
        cov = coverage.get(region)
        avg = _mean(trailing.get(region, []))
        energy = row.energy_mwh if row else None
        peak_local = row.peak_hour_local if row else None
        if peak_local is not None and peak_local.tzinfo is None:
            peak_local = _naive_local(peak_local, tz)
        rows.append(
            RegionRow(
                region=region,
                energy_mwh=energy,
                share_pct=energy / total * 100.0 if energy is not None and total else None,
                vs_week_pct=pct_change(energy, avg),
                peak_mw=row.peak_mw if row else None,
                peak_local=peak_local,
                avg_temperature_c=row.avg_temperature_c if row else None,
                avg_price_eur_mwh=row.avg_price_eur_mwh if row else None,
                cost_eur=row.cost_eur if row else None,
                meters_registered=cov.registered if cov else None,
                meters_reporting=cov.reporting if cov else (row.meters_reporting if row else None),
                hours_reported=row.hours_reported if row else None,
                hours_in_day=data.calendar.hours_in_day,
                forecast_mape_pct=row.forecast_mape_pct if row and row.forecast_hours else None,
                forecast_bias_pct=bias.get(region),
                quarantined_records=row.quarantined_records if row else None,
                trailing_avg_mwh=avg,
            )
        )
    return tuple(rows)


def _naive_local(value: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time from the marts (no zone) as an aware local time."""
    return value.replace(tzinfo=tz)


def cost_rows(costs: Iterable[CostByType]) -> tuple[CostRow, ...]:
    rows = []
    for k in costs:
        priced = (k.energy_kwh or 0.0) - (k.unpriced_energy_kwh or 0.0)
        price = k.cost_eur / priced * 1000.0 if k.cost_eur is not None and priced > 0 else None
        rows.append(
            CostRow(k.customer_type, k.meters, k.energy_kwh, k.cost_eur, k.unpriced_energy_kwh, price)
        )
    return tuple(rows)


def quality_summary(data: ReportData) -> QualitySummary:
    blocked = tuple(q.table_name for q in data.quality if q.gate_action in BLOCKING_GATE_ACTIONS)
    registered = sum(c.registered for c in data.coverage)
    reporting = sum(c.reporting for c in data.coverage)
    return QualitySummary(
        checks=data.quality,
        expectations=sum(q.expectations for q in data.quality),
        failed=sum(q.failed_expectations for q in data.quality),
        tables_blocked=blocked,
        quarantine=data.quarantine,
        quarantined_total=sum(q.records for q in data.quarantine),
        coverage=data.coverage,
        meters_registered=registered,
        meters_reporting=reporting,
        meters_missing=registered - reporting,
        meters_incomplete=sum(c.incomplete for c in data.coverage),
        missing_meters=data.missing_meters,
    )


def incomplete_reasons(data: ReportData, *, missing_meters_tolerance_pct: float = 0.0) -> tuple[str, ...]:
    """Why the day's figures cannot be taken as complete, as sentences; empty when they can.

    Checks: no rows for the day, regions without data, regions with fewer hours than the day has,
    registered meters that sent nothing (beyond `missing_meters_tolerance_pct` of the registry),
    quality gates that blocked a table or failed.
    """
    reasons: list[str] = []
    rows = _day_rows(data, data.day)
    hours_in_day = data.calendar.hours_in_day
    blocking = [q for q in data.quality if q.gate_action in BLOCKING_GATE_ACTIONS]
    if not rows and blocking:
        gates = _join(sorted({_gate_name(q) for q in blocking}))
        reasons.append(
            f"No load data for {data.day.isoformat()} in the marts: {gates} stopped the day before "
            "the marts were built."
        )
    elif not rows:
        reasons.append(
            f"No load data for {data.day.isoformat()} in the marts: the pipeline has not run for this "
            "day yet, or a quality gate stopped it."
        )
    else:
        present = {r.region for r in rows}
        missing = [region for region in data.regions if region not in present]
        if missing:
            reasons.append(
                f"No data from {_join(missing)} ({len(missing)} of {len(data.regions)} regions): "
                "totals cover the other regions only."
            )
        for r in rows:
            if r.hours_reported < hours_in_day:
                reasons.append(f"{r.region}: {r.hours_reported} of {hours_in_day} hours reported.")
    registered = sum(c.registered for c in data.coverage)
    reporting = sum(c.reporting for c in data.coverage)
    absent = registered - reporting
    if rows and registered and absent > 0 and absent / registered * 100.0 > missing_meters_tolerance_pct:
        by_region = ", ".join(
            f"{c.region} {c.registered - c.reporting}" for c in data.coverage if c.registered > c.reporting
        )
        reasons.append(f"{absent} of {registered} registered meters sent no readings ({by_region}).")
    for check in blocking:
        failed = check.blocking_expectation_names or check.failed_expectation_names
        names = f": {failed}" if failed else ""
        verb = "blocked" if check.gate_action == "blocked" else "failed on"
        gate = f" {check.gate}" if check.gate else ""
        reasons.append(f"Quality gate{gate} {verb} {check.table_name}{names}.")
    return tuple(reasons)


def _gate_name(check: QualityCheck) -> str:
    """'quality gate validate_silver', or 'a quality gate' when the marts do not say which."""
    return f"quality gate {check.gate}" if check.gate else "a quality gate"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _fmt(value: float, unit: str) -> str:
    from lakehouse.report.formatting import number

    return number(value, unit)


def _change_phrase(value: float | None, reference: float | None) -> str | None:
    change = pct_change(value, reference)
    if change is None:
        return None
    if abs(change) < 0.05:
        return "the same as"
    return f"{abs(change):.1f} % {'above' if change > 0 else 'below'}"


def what_changed(data: ReportData) -> tuple[str, ...]:
    """A few plain sentences comparing the day with the 7 days before it (and the same day last week)."""
    rows = _day_rows(data, data.day)
    if not rows:
        return ("No data for the day, so there is nothing to compare.",)
    trailing = _trailing_days(data)
    if not trailing:
        return ("No data for the 7 days before, so there is nothing to compare with yet.",)
    span = "7-day" if len(trailing) == 7 else f"{len(trailing)}-day"
    out: list[str] = []
    per_day = {d: _day_rows(data, d) for d in trailing}

    total = _sum(r.energy_mwh for r in rows)
    daily_totals = [_sum(r.energy_mwh for r in items) for items in per_day.values()]
    avg_total = _mean(daily_totals)
    phrase = _change_phrase(total, avg_total)
    if total is not None and phrase and avg_total is not None:
        sentence = f"Energy {_fmt(total, 'MWh')}: {phrase} the {span} average of {_fmt(avg_total, 'MWh')}"
        hours = data.calendar.hours_in_day
        if hours != 24:
            hourly_avg = _mean(
                t / max(items[0].hours_in_day or 24, 1)
                for t, items in zip(daily_totals, per_day.values(), strict=True)
                if t is not None
            )
            per_hour = _change_phrase(total / hours, hourly_avg)
            if per_hour:
                sentence += f"; per hour {per_hour} it, as the day had {hours} hours"
        out.append(sentence + ".")

    peak, peak_hour = _peak(_system_hourly(data.hourly, data.day))
    trailing_peaks = [_peak(_system_hourly(data.hourly, d))[0] for d in trailing]
    avg_peak = _mean(trailing_peaks)
    phrase = _change_phrase(peak, avg_peak)
    if peak is not None and peak_hour is not None and phrase and avg_peak is not None:
        at = peak_hour.astimezone(ZoneInfo(data.timezone)).strftime("%H:%M")
        out.append(
            f"Peak load {_fmt(peak, 'MW')} at {at}: {phrase} the {span} average daily peak of "
            f"{_fmt(avg_peak, 'MW')}."
        )

    temp = _mean(r.avg_temperature_c for r in rows)
    avg_temp = _mean(_mean(r.avg_temperature_c for r in items) for items in per_day.values())
    if temp is not None and avg_temp is not None:
        diff = temp - avg_temp
        if abs(diff) < 0.05:
            out.append(f"Temperature averaged {temp:.1f} °C, as over the previous {len(trailing)} days.")
        else:
            out.append(
                f"Temperature averaged {temp:.1f} °C, {abs(diff):.1f} °C "
                f"{'warmer' if diff > 0 else 'colder'} than the {span} average."
            )

    price = _mean(r.avg_price_eur_mwh for r in rows)
    avg_price = _mean(_mean(r.avg_price_eur_mwh for r in items) for items in per_day.values())
    phrase = _change_phrase(price, avg_price)
    if price is not None and phrase:
        cost = _sum(r.cost_eur for r in rows)
        tail = f"; energy cost {_fmt(cost, 'EUR')}" if cost is not None else ""
        out.append(f"Day-ahead price averaged {_fmt(price, 'EUR/MWh')}, {phrase} the {span} average{tail}.")

    moves = []
    for row in region_rows(data):
        if row.vs_week_pct is not None:
            moves.append((abs(row.vs_week_pct), row.region, row.vs_week_pct))
    if moves:
        moves.sort(reverse=True)
        top = ", ".join(f"{region} {change:+.1f} %" for _, region, change in moves[:2])
        out.append(f"Largest regional changes against their {span} averages: {top}.")

    mape = _mean(r.forecast_mape_pct for r in rows if r.forecast_hours)
    avg_mape = _mean(
        _mean(r.forecast_mape_pct for r in items if r.forecast_hours) for items in per_day.values()
    )
    if mape is not None:
        ref = f", against {avg_mape:.1f} % over the {span} period" if avg_mape is not None else ""
        out.append(f"Day-ahead forecast error (MAPE, mean of regions) {mape:.1f} %{ref}.")

    quarantined = sum(q.records for q in data.quarantine)
    avg_quarantined = _mean(float(sum(r.quarantined_records for r in items)) for items in per_day.values())
    if avg_quarantined is not None:
        out.append(
            f"{quarantined:,} records quarantined, against {avg_quarantined:,.0f} a day on average "
            "(attributable to a region)."
            if quarantined
            else f"No records quarantined, against {avg_quarantined:,.0f} a day on average."
        )

    last_week = _day_rows(data, data.week_ago)
    last_total = _sum(r.energy_mwh for r in last_week)
    phrase = _change_phrase(total, last_total)
    if phrase and last_total is not None:
        out.append(
            f"Against the same day last week ({data.week_ago.strftime('%A %-d %B')}): energy {phrase} "
            f"its {_fmt(last_total, 'MWh')}."
        )
    return tuple(out)


def _title(data: ReportData) -> tuple[str, str]:
    day = data.day
    title = f"Grid report {day.isoformat()}"
    parts = [f"{data.calendar.day_name or day.strftime('%A')} {day.strftime('%-d %B %Y')}"]
    if data.calendar.is_holiday and data.calendar.holiday_name:
        parts.append(f"holiday: {data.calendar.holiday_name}")
    hours = data.calendar.hours_in_day
    if hours == 23:
        parts.append("23-hour day (clocks moved forward)")
    elif hours == 25:
        parts.append("25-hour day (clocks moved back)")
    parts.append(f"local time {data.timezone}")
    return title, " · ".join(parts)


def compose(data: ReportData, *, missing_meters_tolerance_pct: float = 0.0) -> ReportContent:
    """The whole report content of ReportData."""
    title, subtitle = _title(data)
    models = sorted({f.model_version for f in (*data.forecasts, *data.load_forecast) if f.model_version})
    return ReportContent(
        day=data.day,
        title=title,
        subtitle=subtitle,
        timezone=data.timezone,
        hours_in_day=data.calendar.hours_in_day,
        incomplete_reasons=incomplete_reasons(
            data, missing_meters_tolerance_pct=missing_meters_tolerance_pct
        ),
        headline=headline(data),
        regions=region_rows(data),
        curve=load_curve(data),
        costs=cost_rows(data.costs),
        quality=quality_summary(data),
        anomalies=data.anomalies,
        flagged_meters=data.flagged_meters,
        changes=what_changed(data),
        forecast_model=", ".join(models) if models else None,
    )


__all__ = [
    "ForecastHour",
    "Headline",
    "LoadCurve",
    "RegionRow",
    "ReportContent",
    "Slot",
    "compose",
    "headline",
    "incomplete_reasons",
    "load_curve",
    "local_slots",
    "region_rows",
    "what_changed",
]

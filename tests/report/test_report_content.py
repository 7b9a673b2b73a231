"""The report's pure core: sections, completeness verdict, DST hours, rendering of hand-made data.

No services: ReportData is built by hand, so each figure and sentence is checked against numbers
computed here.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lakehouse.report import content as C
from lakehouse.report.data import (
    DayInfo,
    ForecastHour,
    HourlyLoad,
    LoadForecastHour,
    MeterCoverage,
    QualityCheck,
    QuarantineCount,
    RegionDay,
    ReportData,
    date_literal,
    render_query,
)
from lakehouse.report.errors import ReportQueryError
from lakehouse.report.formatting import number

TZ = "Europe/Belgrade"
REGIONS = ("Gjilan", "Peja", "Prishtina")
# Flat load per region in MWh per hour; day D is 2026-03-29 (23 hours), D-7 has 24.
LOAD = {"Gjilan": 1.0, "Peja": 2.0, "Prishtina": 3.0}


def _hours(day: date) -> tuple[C.Slot, ...]:
    return C.local_slots(day, TZ)


def _hourly(day: date, scale: float = 1.0, skip: tuple[str, ...] = ()) -> list[HourlyLoad]:
    rows = []
    for i, slot in enumerate(_hours(day)):
        for region, mwh in LOAD.items():
            if region in skip:
                continue
            energy = mwh * scale * (2.0 if i == 18 else 1.0)  # a peak at the 19th hour
            rows.append(
                HourlyLoad(region, day, slot.hour_utc, energy, 10, 5.0 + i * 0.1, 100.0 + i, energy * 100)
            )
    return rows


def _region_days(day: date, scale: float = 1.0, skip: tuple[str, ...] = (), hours: int | None = None) -> list:
    n = len(_hours(day))
    out = []
    for region, mwh in LOAD.items():
        if region in skip:
            continue
        energy = mwh * scale * (n + 1)  # n hours plus the doubled peak hour
        out.append(
            RegionDay(
                region,
                day,
                n,
                hours if hours is not None else n,
                energy,
                mwh * scale * 2,
                None,
                6.0,
                110.0,
                energy * 100,
                10,
                5.0,
                n,
                2,
            )
        )
    return out


def make_data(day: date = date(2026, 3, 29), *, today_scale: float = 1.1, **changes) -> ReportData:
    week_ago = day - timedelta(days=7)
    region_days, hourly = [], []
    for i in range(7, 0, -1):
        d = day - timedelta(days=i)
        region_days += _region_days(d)
        hourly += _hourly(d)
    region_days += _region_days(day, today_scale)
    hourly += _hourly(day, today_scale)
    forecasts = [
        ForecastHour(h.region, h.hour_utc, "v7", h.energy_mwh * 1.1, h.energy_mwh, h.energy_mwh * 0.1, 0.1)
        for h in hourly
        if h.date_local == day
    ]
    load_forecast = [
        LoadForecastHour(f.region, f.hour_utc, f.model_version, f.forecast_mwh, f.forecast_mwh * 0.9, None)
        for f in forecasts
    ]
    data = ReportData(
        day=day,
        timezone=TZ,
        calendar=DayInfo(day, day.strftime("%A"), False, None, len(_hours(day))),
        regions=REGIONS,
        region_days=tuple(region_days),
        hourly=tuple(hourly),
        forecasts=tuple(forecasts),
        load_forecast=tuple(load_forecast),
        costs=(),
        quality=(QualityCheck("silver.meter_readings", 20, 1, 3, "x_in_range", "warned"),),
        quarantine=(QuarantineCount("meters", "CLOCK_SKEW", 5),),
        coverage=tuple(MeterCoverage(r, 10, 10, 0) for r in REGIONS),
        missing_meters=(),
        anomalies=(),
        flagged_meters=0,
        scored_meters=30,
    )
    assert data.week_ago == week_ago
    return replace(data, **changes)


# --- hours ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "hours", "labels"),
    [
        (date(2026, 3, 29), 23, ["00:00", "01:00", "03:00"]),
        (date(2026, 10, 25), 25, ["00:00", "01:00", "02:00", "02:00 (2nd)", "03:00"]),
        (date(2026, 6, 1), 24, ["00:00", "01:00", "02:00"]),
    ],
)
def test_local_day_has_its_real_hours(day: date, hours: int, labels: list[str]) -> None:
    slots = C.local_slots(day, TZ)
    assert len(slots) == hours
    assert [s.label for s in slots[: len(labels)]] == labels
    assert slots[0].local == datetime.combine(day, datetime.min.time(), ZoneInfo(TZ))
    assert all(b.hour_utc - a.hour_utc == timedelta(hours=1) for a, b in itertools.pairwise(slots))


def test_load_curve_puts_last_week_on_the_local_clock_across_the_clock_change() -> None:
    data = make_data()
    curve = C.load_curve(data)
    assert len(curve.slots) == 23
    total = sum(LOAD.values())
    # 03:00 on the short day is slot 2; last week's 03:00 (not its 02:00) goes there
    assert curve.slots[2].label == "03:00"
    assert curve.last_week[2] == pytest.approx(total)
    assert curve.actual[0] == pytest.approx(total * 1.1)
    assert curve.forecast[0] == pytest.approx(total * 1.1 * 1.1)
    # the 19th hour of each day is doubled: 18:00 local on D (UTC+2), the 18:00 slot of D-7 is its 19th
    assert max(curve.actual) == pytest.approx(total * 1.1 * 2)
    assert curve.slots[curve.actual.index(max(curve.actual))].label == "19:00"
    assert set(curve.temperature) == set(REGIONS)


def test_forecast_line_covers_hours_and_regions_without_actuals() -> None:
    """The curve's forecast is the whole day-ahead forecast, not the hours that were scored."""
    data = make_data()
    slots = C.local_slots(data.day, TZ)
    late = {s.hour_utc for s in slots[-3:]}
    data = replace(
        data,
        # the last three hours have no actuals at all, and Peja has none all day
        hourly=tuple(h for h in data.hourly if h.hour_utc not in late and h.region != "Peja"),
        forecasts=tuple(f for f in data.forecasts if f.hour_utc not in late and f.region != "Peja"),
        load_forecast=tuple(
            LoadForecastHour(region, s.hour_utc, "7", 2.0, 1.5, 2.5) for s in slots for region in REGIONS
        ),
    )
    curve = C.load_curve(data)
    assert curve.actual[-3:] == (None, None, None)
    assert curve.forecast == tuple(2.0 * len(REGIONS) for _ in slots)
    assert C.compose(data).forecast_model == "7, v7"


def test_25_hour_day_shows_last_weeks_2am_against_both_of_its_2am_hours() -> None:
    data = make_data(date(2026, 10, 25))
    curve = C.load_curve(data)
    assert len(curve.slots) == 25
    first, second = curve.slots[2], curve.slots[3]
    assert (first.label, second.label) == ("02:00", "02:00 (2nd)")
    assert curve.last_week[2] == curve.last_week[3] is not None


# --- figures -------------------------------------------------------------------------------
def test_headline_figures() -> None:
    data = make_data()
    h = C.headline(data)
    total = sum(r.energy_mwh for r in data.region_days if r.date_local == data.day)
    assert h.total_mwh == pytest.approx(total)
    assert h.peak_mw == pytest.approx(sum(LOAD.values()) * 1.1 * 2)
    assert h.peak_local is not None and h.peak_local.strftime("%H:%M") == "19:00"
    assert h.forecast_mape_pct == pytest.approx(10.0)
    assert h.cost_eur == pytest.approx(total * 100)
    assert h.effective_price_eur_mwh == pytest.approx(100.0)
    assert h.quarantined_records == 5 and h.meters_reporting == 30
    figures = h.as_dict()
    assert figures["peak_local"] == "19:00" and figures["total_mwh"] == pytest.approx(total)


def test_region_rows_compare_with_the_trailing_week_and_keep_missing_regions() -> None:
    data = make_data(today_scale=1.2)
    data = replace(
        data,
        region_days=tuple(
            r for r in data.region_days if not (r.date_local == data.day and r.region == "Peja")
        ),
    )
    rows = {r.region: r for r in C.region_rows(data)}
    assert list(rows) == list(REGIONS)
    assert rows["Peja"].energy_mwh is None and rows["Peja"].vs_week_pct is None
    avg = sum(r.energy_mwh for r in data.region_days if r.region == "Gjilan" and r.date_local < data.day) / 7
    assert rows["Gjilan"].vs_week_pct == pytest.approx((rows["Gjilan"].energy_mwh - avg) / avg * 100)
    assert rows["Gjilan"].forecast_bias_pct == pytest.approx(10.0)


# --- completeness --------------------------------------------------------------------------
def test_complete_day_has_no_reasons() -> None:
    assert C.incomplete_reasons(make_data()) == ()


def _without_the_day(data: ReportData, **changes) -> ReportData:
    """`data` as the marts hold it when nothing of the day arrived (no load, no meter reported)."""
    return replace(
        data,
        region_days=tuple(r for r in data.region_days if r.date_local != data.day),
        hourly=tuple(h for h in data.hourly if h.date_local != data.day),
        forecasts=(),
        load_forecast=(),
        coverage=tuple(MeterCoverage(r, 10, 0, 0) for r in REGIONS),
        **changes,
    )


def test_no_rows_for_the_day() -> None:
    data = _without_the_day(make_data())
    reasons = C.incomplete_reasons(data)
    assert len(reasons) == 1 and reasons[0].startswith("No load data for 2026-03-29")
    content = C.compose(data)
    assert content.headline.total_mwh is None and content.headline.peak_mw is None
    assert content.changes == ("No data for the day, so there is nothing to compare.",)


def test_missing_region_short_hours_missing_meters_and_blocked_gate() -> None:
    data = make_data()
    today = [r for r in data.region_days if r.date_local == data.day and r.region != "Peja"]
    today = [replace(r, hours_reported=20) if r.region == "Gjilan" else r for r in today]
    data = replace(
        data,
        region_days=tuple(r for r in data.region_days if r.date_local != data.day) + tuple(today),
        coverage=(
            MeterCoverage("Gjilan", 10, 10, 2),
            MeterCoverage("Peja", 10, 0, 0),
            MeterCoverage("Prishtina", 10, 9, 0),
        ),
        quality=(QualityCheck("silver.meter_readings", 20, 1, 40, "readings_not_null", "blocked"),),
    )
    reasons = C.incomplete_reasons(data)
    assert reasons == (
        "No data from Peja (1 of 3 regions): totals cover the other regions only.",
        "Gjilan: 20 of 23 hours reported.",
        "11 of 30 registered meters sent no readings (Peja 10, Prishtina 1).",
        "Quality gate blocked silver.meter_readings: readings_not_null.",
    )


def test_day_a_gate_blocked_names_the_gate_and_the_expectations_that_blocked() -> None:
    data = _without_the_day(
        make_data(),
        quality=(
            QualityCheck("silver.day_ahead_prices", 6, 0, None, None, "passed", "validate_silver", None),
            QualityCheck(
                "silver.meter_readings",
                20,
                2,
                7,
                "intervals_complete_per_meter_day, voltage_within_20pct",
                "blocked",
                "validate_silver",
                "voltage_within_20pct",
            ),
        ),
    )
    assert C.incomplete_reasons(data) == (
        "No load data for 2026-03-29 in the marts: quality gate validate_silver stopped the day before "
        "the marts were built.",
        "Quality gate validate_silver blocked silver.meter_readings: voltage_within_20pct.",
    )
    summary = C.quality_summary(data)
    assert summary.tables_blocked == ("silver.meter_readings",) and summary.failed == 2


def test_missing_meters_within_tolerance_are_listed_without_the_banner() -> None:
    data = make_data(
        coverage=(
            MeterCoverage("Gjilan", 100, 99, 0),
            MeterCoverage("Peja", 100, 100, 0),
            MeterCoverage("Prishtina", 100, 100, 0),
        )
    )
    assert C.incomplete_reasons(data, missing_meters_tolerance_pct=1.0) == ()
    assert C.incomplete_reasons(data, missing_meters_tolerance_pct=0.0) == (
        "1 of 300 registered meters sent no readings (Gjilan 1).",
    )
    assert C.quality_summary(data).meters_missing == 1


# --- what changed --------------------------------------------------------------------------
def test_what_changed_against_the_trailing_week() -> None:
    data = make_data(today_scale=1.1)
    lines = C.what_changed(data)
    total = sum(r.energy_mwh for r in data.region_days if r.date_local == data.day)
    days = [data.day - timedelta(days=i) for i in range(1, 8)]
    avg = sum(sum(r.energy_mwh for r in data.region_days if r.date_local == d) for d in days) / 7
    change = (total - avg) / avg * 100
    per_hour = (total / 23 - avg / 24) / (avg / 24) * 100  # the 7 days before all had 24 hours
    assert lines[0] == (
        f"Energy {number(total, 'MWh')}: {abs(change):.1f} % {'above' if change > 0 else 'below'} the 7-day "
        f"average of {number(avg, 'MWh')}; per hour {per_hour:.1f} % above it, as the day had 23 hours."
    )
    assert any(line.startswith("Peak load 13.20 MW at 19:00: 10.0 % above") for line in lines)
    assert "Temperature averaged 6.0 °C, as over the previous 7 days." in lines
    assert any("Day-ahead forecast error (MAPE, mean of regions) 5.0 %" in line for line in lines)
    assert any(line.startswith("5 records quarantined, against 6 a day") for line in lines)
    assert lines[-1].startswith("Against the same day last week (Sunday 22 March): energy")


def test_what_changed_without_history() -> None:
    data = make_data()
    data = replace(data, region_days=tuple(r for r in data.region_days if r.date_local == data.day))
    assert C.what_changed(data) == (
        "No data for the 7 days before, so there is nothing to compare with yet.",
    )


# --- SQL text ------------------------------------------------------------------------------
def test_queries_take_dates_as_literals_only() -> None:
    sql = render_query("region_days", day=date(2026, 3, 29), week_ago=date(2026, 3, 22))
    assert "BETWEEN DATE '2026-03-22' AND DATE '2026-03-29'" in sql
    assert "{" not in sql
    with pytest.raises(TypeError):
        date_literal("2026-03-29'; DROP TABLE x; --")  # type: ignore[arg-type]
    with pytest.raises(ReportQueryError, match="week_ago"):
        render_query("region_days", day=date(2026, 3, 29))


# --- rendering -----------------------------------------------------------------------------
def test_page_shows_na_and_the_banner_for_a_missing_region_never_zero() -> None:
    from lakehouse.report.builder import render

    data = make_data()
    data = replace(
        data,
        region_days=tuple(
            r for r in data.region_days if not (r.date_local == data.day and r.region == "Peja")
        ),
    )
    content = C.compose(data)
    html, pdf, charts = render(content)
    assert content.incomplete and 'id="data-incomplete"' in html
    row = re.search(r'<tr class="missing" data-region="Peja">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td data-col="(\w+)">([^<]*)</td>', row.group(1))
    assert dict(cells) == {"energy_mwh": "n/a", "peak_mw": "n/a", "cost_eur": "n/a", "mape": "n/a"}
    assert "<script" not in html and "http://" not in html.split("<svg", 1)[0]  # self-contained
    assert html.count("<svg") == len(charts) == 4
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    assert [c.name for c in charts] == ["load", "regions", "temperature", "price"]
    assert all(c.png.startswith(b"\x89PNG") for c in charts)


def test_region_names_are_escaped_in_the_page() -> None:
    from lakehouse.report.builder import render

    data = make_data(regions=("<b>Gjilan</b>", *REGIONS[1:]))
    html, _, _ = render(C.compose(data))
    assert "<b>Gjilan</b>" not in html and "&lt;b&gt;Gjilan&lt;/b&gt;" in html


def test_generated_at_is_utc() -> None:
    assert C.compose(make_data()).generated_at.tzinfo is UTC


# --- settings and the store ----------------------------------------------------------------
def test_reports_root_setting(tmp_path) -> None:
    from lakehouse.settings import SettingsError, load_settings

    assert load_settings(lakehouse_home=tmp_path).reports_uri == str(tmp_path.resolve() / "reports")
    assert load_settings(reports_root="s3://grid/reports/").reports_uri == "s3://grid/reports"
    with pytest.raises(SettingsError, match="REPORTS_ROOT"):
        load_settings(reports_root="https://example.org/reports")
    with pytest.raises(SettingsError, match="REPORT_MISSING_METERS_TOLERANCE_PCT"):
        load_settings(report_missing_meters_tolerance_pct=-1)


def test_index_is_built_from_the_listing_newest_first(tmp_path) -> None:
    from lakehouse.report.store import ReportStore, summary_document
    from lakehouse.settings import load_settings

    store = ReportStore(str(tmp_path / "reports"), load_settings(lakehouse_home=tmp_path))
    store.write("date=2026-03-28/report.html", b"<html></html>")
    store.write("date=2026-03-28/summary.json", b"{not json")  # a damaged summary loses its figures only
    store.write("date=2026-03-30/report.html", b"<html></html>")
    store.write("date=2026-03-30/report.pdf", b"%PDF-1.4")
    store.write(
        "date=2026-03-30/summary.json",
        summary_document(
            date(2026, 3, 30), {"total_mwh": 412.3, "peak_local": "18:00"}, ["No data from Peja"]
        ),
    )
    store.write("date=2026-03-29/report.pdf", b"%PDF-1.4")  # no page: not listed
    store.write("notes/readme.txt", b"not a report")
    entries = store.entries()
    assert [(e.day, e.pdf_href, e.total_mwh, e.incomplete) for e in entries] == [
        (date(2026, 3, 30), "date=2026-03-30/report.pdf", 412.3, True),
        (date(2026, 3, 28), None, None, None),
    ]
    uri = store.rebuild_index()
    page = (tmp_path / "reports" / "index.html").read_text()
    assert uri == str(tmp_path / "reports" / "index.html")
    assert re.findall(r'<tr data-day="([\d-]+)">', page) == ["2026-03-30", "2026-03-28"]
    assert "412.3 MWh" in page and "at 18:00" in page and "data incomplete" in page
    store.rebuild_index()  # idempotent: the same rows again
    again = (tmp_path / "reports" / "index.html").read_text()
    assert re.findall(r'<tr data-day="([\d-]+)">', again) == ["2026-03-30", "2026-03-28"]

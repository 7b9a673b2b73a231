"""The daily report end to end on real marts: figures checked against the marts with independent SQL
(psycopg), the PDF turned into PNG pages that are not blank, the "data incomplete" banner on a day
with a region missing and on a day with no data, the forecast line from the whole day-ahead
forecast, a day that the silver gate blocked naming the gate and the expectation once the report
step published its quality results, the index of all reports, the CLI, and S3.

The marts come from report_kit.build_week (simulated meters through the real pipeline and dbt).
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from debian_tools import require_program
from local_s3 import local_s3
from report_kit import (
    BLOCKED_DAY,
    BLOCKING_EXPECTATION,
    EMPTY_DAY,
    MISSING_REGION,
    PARTIAL_DAY,
    REPORT_DAY,
    query,
)

from lakehouse.report.builder import build_report
from lakehouse.report.formatting import number, percent
from lakehouse.settings import Settings


def _marts(settings: Settings, sql: str, day: date) -> list[tuple]:
    return query(str(settings.warehouse_url), sql, (day,))


def _pages(pdf: bytes, folder: Path) -> list[Path]:
    """The PDF as PNG pages (pdftoppm, 50 dpi)."""
    pdftoppm = require_program("pdftoppm", "poppler-utils")
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "50", "-png", str(source), str(folder / "page")], check=True, timeout=120)
    return sorted(folder.glob("page-*.png"))


def _pdf_text(pdf: bytes, folder: Path) -> str:
    pdftotext = require_program("pdftotext", "poppler-utils")
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        [pdftotext, "-layout", str(source), "-"], check=True, capture_output=True, timeout=120
    )
    return done.stdout.decode("utf-8")


def _assert_not_blank(page: Path) -> None:
    """Content above the footer line: a page holding only its footer would count as blank."""
    from PIL import Image, ImageStat

    with Image.open(page) as image:
        body = image.convert("L").crop((0, 0, image.width, int(image.height * 0.92)))
        stddev = ImageStat.Stat(body).stddev[0]
        inked = sum(count for value, count in enumerate(body.histogram()) if value < 200)
        share = inked / (body.width * body.height)
    assert stddev > 2 and share > 0.002, f"{page.name} looks blank: stddev {stddev:.1f}, ink {share:.2%}"


def _cell(html: str, region: str, column: str) -> str:
    row = re.search(rf'data-region="{re.escape(region)}">(.*?)</tr>', html, re.S)
    assert row is not None, f"no row for {region}"
    found = re.search(rf'<td data-col="{column}">([^<]*)</td>', row.group(1))
    assert found is not None
    return found.group(1)


def _kpi(html: str, name: str) -> str:
    found = re.search(rf'id="kpi-{name}">([^<]*)<', html)
    assert found is not None
    return found.group(1)


def test_report_figures_match_the_marts(report_env: Settings, report_engine: object, tmp_path: Path) -> None:
    report = build_report(REPORT_DAY, report_env, engine=report_engine)
    html = report.html
    s = report_env

    # energy, cost, per region: marts.mart_region_daily_summary
    regions = dict(
        (r, (e, c))
        for r, e, c in _marts(
            s,
            "select region, energy_mwh, cost_eur from marts.mart_region_daily_summary where date_local = %s",
            REPORT_DAY,
        )
    )
    assert len(regions) == 5
    total = sum(e for e, _ in regions.values())
    cost = sum(c for _, c in regions.values())
    assert report.headline["total_mwh"] == pytest.approx(total, rel=1e-6)
    assert report.headline["cost_eur"] == pytest.approx(cost, rel=1e-6)
    assert _kpi(html, "energy") == number(total, "MWh")
    assert _kpi(html, "cost") == number(cost, "EUR")
    for region, (energy, region_cost) in regions.items():
        assert _cell(html, region, "energy_mwh") == number(energy, "MWh")
        assert _cell(html, region, "cost_eur") == number(region_cost, "EUR")

    # system peak: the hour with the most energy over all regions, in local time
    hour, peak = _marts(
        s,
        "select hour_utc, sum(energy_mwh) from marts.fct_hourly_load where date_local = %s "
        "group by 1 order by 2 desc, 1 limit 1",
        REPORT_DAY,
    )[0]
    assert report.headline["peak_mw"] == pytest.approx(peak, rel=1e-6)
    assert report.headline["peak_local"] == hour.astimezone(ZoneInfo(s.local_timezone)).strftime("%H:%M")
    hours = _marts(
        s, "select count(distinct hour_utc) from marts.fct_hourly_load where date_local = %s", REPORT_DAY
    )
    assert hours == [(23,)]  # the spring clock change
    assert "23-hour day" in html and "local time (23 hours)" in report.html

    # forecast accuracy: marts.fct_forecast_accuracy
    (mape,) = _marts(
        s, "select avg(ape) * 100 from marts.fct_forecast_accuracy where date_local = %s", REPORT_DAY
    )[0]
    assert mape is not None and report.headline["forecast_mape_pct"] == pytest.approx(mape, rel=1e-6)
    assert _kpi(html, "mape") == percent(mape)

    # data quality: checks, quarantine, meters missing
    expectations, failed = _marts(
        s,
        "select sum(expectations), sum(failed_expectations) from marts.fct_quality_checks "
        "where date_local = %s",
        REPORT_DAY,
    )[0]
    assert expectations > 0
    assert f'id="checks-passed">{expectations - failed}<' in html and f'id="checks-failed">{failed}<' in html
    (quarantined,) = _marts(
        s, "select sum(records) from marts.fct_daily_quarantine where date_local = %s", REPORT_DAY
    )[0]
    assert report.headline["quarantined_records"] == quarantined
    (registered, reporting) = query(
        str(s.warehouse_url),
        "select count(*), count(c.meter_id) from marts.dim_meter m left join marts.fct_daily_consumption c "
        "on c.meter_id = m.meter_id and c.date_local = %(d)s and c.intervals_with_energy > 0 "
        "where m.valid_from_date <= %(d)s and m.valid_to_date > %(d)s",
        {"d": REPORT_DAY},  # type: ignore[arg-type]
    )[0]
    assert (report.headline["meters_registered"], report.headline["meters_reporting"]) == (
        registered,
        reporting,
    )

    # the only reason the simulated day may be incomplete is a meter that sent nothing (tolerance 1 %)
    expected = (f"{registered - reporting} of {registered} registered meters sent no readings",)
    assert [r.split(" (")[0] for r in report.incomplete_reasons] == (
        list(expected) if reporting < registered else []
    )
    assert report.incomplete == (reporting < registered)

    # anomalies: gold.meter_anomalies, read with delta-rs
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri

    flagged = [
        r
        for r in DeltaTable(table_uri("gold.meter_anomalies", s)).to_pyarrow_table().to_pylist()
        if r["date_local"] == REPORT_DAY and r["is_anomaly"]
    ]
    assert report.headline.get("flagged_meters") == len(flagged)
    for row in flagged:
        assert row["meter_id"] in html

    # stored files, the summary, and the PDF: pages with content and the same figures
    folder = Path(s.reports_uri) / f"date={REPORT_DAY.isoformat()}"
    assert report.html_uri == str(folder / "report.html") and report.pdf_uri == str(folder / "report.pdf")
    assert (folder / "report.html").read_text() == html and (folder / "report.pdf").read_bytes() == report.pdf
    summary = json.loads((folder / "summary.json").read_text())
    assert (
        summary["total_mwh"] == pytest.approx(total, rel=1e-6) and summary["incomplete"] == report.incomplete
    )
    pages = _pages(report.pdf, tmp_path)
    assert 2 <= len(pages) <= 5
    for page in pages:
        _assert_not_blank(page)
    text = _pdf_text(report.pdf, tmp_path)
    assert number(total, "MWh") in text and "What changed" in text and "Top anomalies" in text
    assert {name for name, _ in report.charts_png} == {"load", "regions", "temperature", "price"}


def test_day_with_a_missing_region_shows_the_banner(
    report_env: Settings, report_engine: object, tmp_path: Path
) -> None:
    report = build_report(PARTIAL_DAY, report_env, engine=report_engine)
    assert report.incomplete
    assert report.incomplete_reasons[0] == (
        f"No data from {MISSING_REGION} (1 of 5 regions): totals cover the other regions only."
    )
    assert 'id="data-incomplete"' in report.html and "Data incomplete" in report.html
    for column in ("energy_mwh", "peak_mw", "cost_eur"):
        assert _cell(report.html, MISSING_REGION, column) == "n/a"
    rows = _marts(
        report_env,
        "select region, energy_mwh from marts.mart_region_daily_summary where date_local = %s",
        PARTIAL_DAY,
    )
    assert len(rows) == 4 and MISSING_REGION not in {r for r, _ in rows}
    assert report.headline["total_mwh"] == pytest.approx(sum(e for _, e in rows), rel=1e-6)
    text = _pdf_text(report.pdf, tmp_path)
    assert "DATA INCOMPLETE" in text and f"No data from {MISSING_REGION}" in text
    for page in _pages(report.pdf, tmp_path):
        _assert_not_blank(page)


def _forecast_by_hour(settings: Settings, day: date) -> dict:
    """System forecast per UTC hour of `day` from marts.fct_load_forecast (psycopg), and its regions."""
    rows = _marts(
        settings,
        "select region, hour_utc, forecast_mwh from marts.fct_load_forecast where date_local = %s",
        day,
    )
    totals: dict = {}
    for _, hour, mwh in rows:
        totals[hour] = totals.get(hour, 0.0) + mwh
    return {"totals": totals, "regions": {r for r, _, _ in rows}}


def test_forecast_line_is_whole_where_a_region_has_no_actuals(
    report_env: Settings, report_engine: object
) -> None:
    """PARTIAL_DAY: MISSING_REGION has no load, so fct_forecast_accuracy has no row of it; the
    curve's forecast still sums every region's day-ahead forecast, every hour."""
    from lakehouse.report.content import load_curve
    from lakehouse.report.data import load_report_data

    curve = load_curve(load_report_data(PARTIAL_DAY, report_env, report_engine))  # type: ignore[arg-type]
    expected = _forecast_by_hour(report_env, PARTIAL_DAY)
    assert expected["regions"] == {
        r for (r,) in query(str(report_env.warehouse_url), "select region from marts.dim_region")
    }
    scored = {
        r
        for (r,) in _marts(
            report_env,
            "select distinct region from marts.fct_forecast_accuracy where date_local = %s",
            PARTIAL_DAY,
        )
    }
    assert MISSING_REGION not in scored and len(scored) == 4
    assert len(curve.slots) == len(expected["totals"]) == 24
    for slot, value in zip(curve.slots, curve.forecast, strict=True):
        assert value == pytest.approx(expected["totals"][slot.hour_utc], rel=1e-9), slot.label


def test_blocked_day_names_the_gate_and_expectation_once_its_results_are_published(
    report_env: Settings, report_engine: object, tmp_path: Path
) -> None:
    """BLOCKED_DAY: the silver gate blocked it, so neither publish_gold nor the marts ran for it. The
    report task publishes its quality results first (marts_steps.publish_quality) and the report then
    names the gate and the expectation; its forecast (published with PARTIAL_DAY) is drawn whole."""
    from lakehouse.pipeline import marts_steps
    from lakehouse.report.content import load_curve
    from lakehouse.report.data import load_report_data

    before = build_report(BLOCKED_DAY, report_env, engine=report_engine)
    assert before.incomplete and "validate_silver" not in before.html
    assert before.incomplete_reasons[0].endswith(
        "the pipeline has not run for this day yet, or a quality gate stopped it."
    )

    summary = marts_steps.publish_quality(BLOCKED_DAY)
    assert summary["tables"]["quality_results"]["rows"] > 0
    report = build_report(BLOCKED_DAY, report_env, engine=report_engine)
    assert report.incomplete_reasons == (
        f"No load data for {BLOCKED_DAY.isoformat()} in the marts: quality gate validate_silver stopped "
        "the day before the marts were built.",
        f"Quality gate validate_silver blocked silver.meter_readings: {BLOCKING_EXPECTATION}.",
    )
    assert 'id="data-incomplete"' in report.html and BLOCKING_EXPECTATION in report.html
    text = " ".join(_pdf_text(report.pdf, tmp_path).split())
    assert "DATA INCOMPLETE" in text and "validate_silver" in text and BLOCKING_EXPECTATION in text

    curve = load_curve(load_report_data(BLOCKED_DAY, report_env, report_engine))  # type: ignore[arg-type]
    expected = _forecast_by_hour(report_env, BLOCKED_DAY)["totals"]
    assert all(v is None for v in curve.actual) and len(expected) == len(curve.slots) == 24
    assert [round(v, 9) for v in curve.forecast] == [round(expected[s.hour_utc], 9) for s in curve.slots]


def test_day_without_data_renders_na_and_the_banner(report_env: Settings, report_engine: object) -> None:
    report = build_report(EMPTY_DAY, report_env, engine=report_engine)
    assert report.incomplete and report.incomplete_reasons[0].startswith(f"No load data for {EMPTY_DAY}")
    assert _kpi(report.html, "energy") == "n/a" and _kpi(report.html, "peak") == "n/a"
    assert "total_mwh" not in report.headline and "peak_mw" not in report.headline
    assert "No data for the day" in report.html  # the charts say so instead of drawing zeros
    assert report.pdf.startswith(b"%PDF-")


def test_index_lists_every_report_newest_first_and_reruns_replace(
    report_env: Settings, report_engine: object
) -> None:
    first = build_report(REPORT_DAY, report_env, engine=report_engine)
    build_report(PARTIAL_DAY, report_env, engine=report_engine)
    again = build_report(REPORT_DAY, report_env, engine=report_engine)
    root = Path(report_env.reports_uri)
    assert again.index_uri == first.index_uri == str(root / "index.html")
    index = (root / "index.html").read_text()
    days = re.findall(r'<tr data-day="([\d-]+)">', index)
    assert days == [PARTIAL_DAY.isoformat(), REPORT_DAY.isoformat()]
    assert f'href="date={PARTIAL_DAY.isoformat()}/report.pdf"' in index
    partial_row = index.split(f'data-day="{PARTIAL_DAY.isoformat()}"')[1].split("</tr>")[0]
    assert "data incomplete" in partial_row
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        f"date={d.isoformat()}/{name}"
        for d in (REPORT_DAY, PARTIAL_DAY)
        for name in ("report.html", "report.pdf", "summary.json")
    ] + ["index.html"]
    assert (root / f"date={REPORT_DAY.isoformat()}" / "report.html").read_text() == again.html


def test_cli_builds_on_demand_and_says_where_it_went(report_env: Settings) -> None:
    from typer.testing import CliRunner

    from lakehouse.cli import app

    result = CliRunner().invoke(app, ["report", "--date", PARTIAL_DAY.isoformat(), "--no-deliver"])
    assert result.exit_code == 0, result.output
    page = Path(report_env.reports_uri) / f"date={PARTIAL_DAY.isoformat()}" / "report.html"
    assert f"page:  {page}" in result.output and "DATA INCOMPLETE" in result.output
    assert f"No data from {MISSING_REGION}" in result.output and "delivery: skipped" in result.output
    assert page.is_file()


def test_cli_without_marts_says_to_run_the_pipeline(
    report_env: Settings, monkeypatch: pytest.MonkeyPatch, warehouse_url: str
) -> None:
    from urllib.parse import urlsplit, urlunsplit

    from typer.testing import CliRunner

    from lakehouse.cli import app
    from lakehouse.settings import get_settings

    # the server's maintenance database: reachable, but no marts in it
    monkeypatch.setenv("WAREHOUSE_URL", urlunsplit(urlsplit(warehouse_url)._replace(path="/postgres")))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["report", "--date", REPORT_DAY.isoformat(), "--no-deliver"])
    assert result.exit_code == 1
    assert "the marts are not built yet" in result.output and "lakehouse run --start" in result.output


def test_reports_on_s3(report_env: Settings, report_engine: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """REPORTS_ROOT on a local S3 (moto server): files with their content types, and the index."""
    with local_s3(monkeypatch, "grid-reports", REPORTS_ROOT="s3://grid-reports/daily") as (settings, client):
        report = build_report(REPORT_DAY, settings, engine=report_engine)
        folder = f"daily/date={REPORT_DAY.isoformat()}"
        assert report.html_uri == f"s3://grid-reports/{folder}/report.html"
        assert report.index_uri == "s3://grid-reports/daily/index.html"
        keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket="grid-reports")["Contents"])
        assert keys == sorted(
            ["daily/index.html", *(f"{folder}/{n}" for n in ("report.html", "report.pdf", "summary.json"))]
        )
        page = client.get_object(Bucket="grid-reports", Key=f"{folder}/report.html")
        assert page["ContentType"].startswith("text/html") and page["Body"].read().decode() == report.html
        pdf = client.get_object(Bucket="grid-reports", Key=f"{folder}/report.pdf")
        assert pdf["ContentType"] == "application/pdf" and pdf["Body"].read() == report.pdf
        index = client.get_object(Bucket="grid-reports", Key="daily/index.html")["Body"].read().decode()
        assert re.findall(r'<tr data-day="([\d-]+)">', index) == [REPORT_DAY.isoformat()]

"""The report as an A4 PDF (reportlab platypus), with the same charts as the page (PNG, 200 dpi).

Text is set in DejaVu Sans, embedded from matplotlib's own font files, so region names and units
(°C, ë, ç) print on any viewer; the output is byte-stable for the same content (invariant mode).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lakehouse.report.charts import Chart
from lakehouse.report.content import ReportContent
from lakehouse.report.formatting import clock, count_of, number, percent

FONT, BOLD = "ReportSans", "ReportSans-Bold"
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6773")
ACCENT = colors.HexColor("#1f4e79")
WARN = colors.HexColor("#9a1c1c")
WARN_BG = colors.HexColor("#fdecea")
LINE = colors.HexColor("#dfe4ea")
HEAD_BG = colors.HexColor("#eef2f6")
MARGIN = 14 * mm


@functools.cache
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) from matplotlib's data folder; Helvetica if absent."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    return FONT, BOLD


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12, textColor=INK, alignment=TA_LEFT)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=17, leading=21, textColor=ACCENT
        ),
        "sub": ParagraphStyle("sub", parent=base, textColor=MUTED, spaceAfter=6),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=bold, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=9.5, spaceBefore=6, spaceAfter=2),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "banner_title": ParagraphStyle(
            "banner_title", parent=base, fontName=bold, fontSize=12, textColor=WARN
        ),
        "banner": ParagraphStyle("banner", parent=base, textColor=WARN),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "kpi_label": ParagraphStyle("kpi_label", parent=base, fontSize=7, leading=9, textColor=MUTED),
        "kpi_value": ParagraphStyle("kpi_value", parent=base, fontName=bold, fontSize=12, leading=15),
    }


def _p(text: str, style: str = "base") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float] | None = None,
    highlight: Sequence[int] = (),
) -> Table:
    cells = [[_p(h, "cell") for h in header]] + [[_p(str(v), "cell") for v in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for i in highlight:
        style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), WARN_BG))
    table.setStyle(TableStyle(style))
    return table


def _image(chart: Chart, width: float) -> Image:
    reader = ImageReader(io.BytesIO(chart.png))
    w, h = reader.getSize()
    return Image(io.BytesIO(chart.png), width=width, height=width * h / w)


def _banner(content: ReportContent, width: float) -> Table:
    items = [
        _p("DATA INCOMPLETE", "banner_title"),
        _p('Figures cover only the data that arrived; missing values read "n/a".', "banner"),
    ]
    items += [_p(f"• {reason}", "banner") for reason in content.incomplete_reasons]
    table = Table([[items]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, WARN),
                ("BACKGROUND", (0, 0), (-1, -1), WARN_BG),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _kpis(content: ReportContent, width: float) -> Table:
    h = content.headline
    figures = [
        ("Energy", number(h.total_mwh, "MWh")),
        ("Peak load", f"{number(h.peak_mw, 'MW')} at {clock(h.peak_local)}"),
        ("Temperature (mean)", number(h.avg_temperature_c, "°C", 1)),
        ("Day-ahead price (mean)", number(h.avg_price_eur_mwh, "EUR/MWh")),
        ("Energy cost", number(h.cost_eur, "EUR")),
        ("Forecast error (MAPE)", percent(h.forecast_mape_pct)),
        ("Meters reporting", count_of(h.meters_reporting, h.meters_registered)),
        ("Quarantined records", number(h.quarantined_records)),
        ("Meters flagged", number(h.flagged_meters)),
    ]
    cells = [[_p(label, "kpi_label"), _p(value, "kpi_value")] for label, value in figures]
    rows = [[cells[i], cells[i + 1], cells[i + 2]] for i in range(0, len(cells), 3)]
    table = Table(rows, colWidths=[width / 3] * 3)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, LINE),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _quality_line(content: ReportContent) -> str:
    q = content.quality
    blocked = f"; gates blocked {', '.join(q.tables_blocked)}" if q.tables_blocked else ""
    return (
        f"Checks: {q.passed} passed, {q.failed} failed of {q.expectations} expectations{blocked}. "
        f"Meters: {q.meters_reporting} of {q.meters_registered} reporting, {q.meters_missing} missing, "
        f"{q.meters_incomplete} with gaps."
    )


def _footer(title: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(_fonts()[0], 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 8 * mm, title)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, f"page {doc.page}")
        canvas.restoreState()

    return draw


def render_pdf(content: ReportContent, charts: Sequence[Chart]) -> bytes:
    """The A4 PDF of the report."""
    by_name = {chart.name: chart for chart in charts}
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=content.title,
        author="Smart Grid Analytics",
        subject=content.subtitle,
        invariant=1,
    )
    width = doc.width
    story: list = [_p(content.title, "title"), _p(content.subtitle, "sub")]
    if content.incomplete:
        story += [_banner(content, width), Spacer(1, 6)]
    story += [_kpis(content, width), _p("What changed", "h2")]
    story.append(
        ListFlowable(
            [ListItem(_p(line), leftIndent=10) for line in content.changes],
            bulletType="bullet",
            start="•",
            leftIndent=10,
        )
    )
    story += [KeepTogether([_p(by_name["load"].title, "h2"), _image(by_name["load"], width)])]

    r = content.regions
    region_rows = [
        [
            x.region,
            number(x.energy_mwh, "MWh"),
            percent(x.share_pct),
            percent(x.vs_week_pct, signed=True),
            number(x.peak_mw, "MW"),
            clock(x.peak_local),
            number(x.cost_eur, "EUR"),
            count_of(x.meters_reporting, x.meters_registered),
            count_of(x.hours_reported, x.hours_in_day),
            percent(x.forecast_mape_pct),
            percent(x.forecast_bias_pct, signed=True),
        ]
        for x in r
    ]
    story += [
        CondPageBreak(90 * mm),
        _p("Regions", "h2"),
        _image(by_name["regions"], width * 0.85),
        _table(
            [
                "Region",
                "Energy",
                "Share",
                "vs 7-day",
                "Peak",
                "at",
                "Cost",
                "Meters",
                "Hours",
                "MAPE",
                "Bias",
            ],
            region_rows,
            highlight=[i for i, x in enumerate(r) if x.energy_mwh is None],
        ),
        _p(
            f"Bias: forecast energy against actual (positive = over-forecast). Forecast model: "
            f"{content.forecast_model or 'n/a'}.",
            "note",
        ),
    ]
    half = (width - 6 * mm) / 2
    pair = Table(
        [
            [_p(by_name["temperature"].title, "h3"), _p(by_name["price"].title, "h3")],
            [_image(by_name["temperature"], half), _image(by_name["price"], half)],
        ],
        colWidths=[half + 3 * mm, half + 3 * mm],
        hAlign="LEFT",
    )
    pair.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [KeepTogether([pair])]

    story.append(_p("Cost by customer type", "h2"))
    if content.costs:
        story.append(
            _table(
                ["Customer type", "Meters", "Energy", "Cost", "Effective price", "Unpriced energy"],
                [
                    [
                        k.customer_type,
                        number(k.meters),
                        number(k.energy_kwh, "kWh"),
                        number(k.cost_eur, "EUR"),
                        number(k.effective_price_eur_mwh, "EUR/MWh"),
                        number(k.unpriced_energy_kwh, "kWh"),
                    ]
                    for k in content.costs
                ],
            )
        )
    else:
        story.append(_p("n/a: no cost rows for the day.", "note"))

    q = content.quality
    story += [
        _p("Data quality", "h2"),
        _p(_quality_line(content)),
    ]
    if q.checks:
        story.append(
            _table(
                ["Table", "Expectations", "Failed", "Rows", "Gate", "Failed expectations"],
                [
                    [
                        k.table_name,
                        str(k.expectations),
                        str(k.failed_expectations),
                        number(k.unexpected_rows) if k.failed_expectations else "0",
                        k.gate_action,
                        k.failed_expectation_names or "",
                    ]
                    for k in q.checks
                ],
                highlight=[i for i, k in enumerate(q.checks) if k.gate_action in ("blocked", "error")],
            )
        )
    else:
        story.append(_p("n/a: no quality-gate results for the day in the marts.", "note"))
    story.append(_p("Quarantined records by reason", "h3"))
    if q.quarantine:
        story.append(
            _table(
                ["Feed", "Reason", "Records"],
                [[k.source, k.reason, number(k.records)] for k in q.quarantine]
                + [["Total", "", number(q.quarantined_total)]],
            )
        )
    else:
        story.append(_p("None quarantined."))
    if q.missing_meters:
        missing = [[m.region, m.meter_id, m.customer_type or "", m.feeder_id or ""] for m in q.missing_meters]
        story.append(
            KeepTogether(
                [_p("Meters missing", "h3"), _table(["Region", "Meter", "Customer type", "Feeder"], missing)]
            )
        )
        if q.meters_missing > len(q.missing_meters):
            story.append(_p(f"First {len(q.missing_meters)} of {q.meters_missing} shown.", "note"))
    else:
        story += [_p("Meters missing", "h3"), _p("Every registered meter sent readings.")]

    story.append(_p("Top anomalies", "h2"))
    if content.anomalies is None:
        story.append(_p("n/a: meter anomaly detection has not scored this day.", "note"))
    elif not content.anomalies:
        story.append(_p("No meter flagged."))
    else:
        flagged = [
            [a.meter_id, a.region or "", number(a.score, None, 2), (a.reason or "").replace("_", " ")]
            for a in content.anomalies
        ]
        story.append(_table(["Meter", "Region", "Score", "Reason"], flagged))
    story += [
        Spacer(1, 8),
        _p(
            "Figures from the warehouse marts (warehouse.marts) and gold tables, read with the analysts' "
            f"Trino SQL (lakehouse/report/queries). Local time {content.timezone}.",
            "note",
        ),
    ]
    footer = _footer(f"{content.title}{'  ·  DATA INCOMPLETE' if content.incomplete else ''}")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

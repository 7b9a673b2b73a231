"""The report's charts, drawn once with matplotlib (Agg) and exported twice: SVG for the page, PNG
(200 dpi) for the PDF, so both show the same picture.

Missing values are gaps in a line or a "no data" label, never a zero. The x axis of hourly charts
is the local day's hours in order (23, 24 or 25 of them), labelled with the local clock.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display on servers and workers

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from lakehouse.report.content import LoadCurve, RegionRow, ReportContent
from lakehouse.report.formatting import number

PNG_DPI = 200
WIDTH_IN, HEIGHT_IN = 7.2, 3.0
COLORS = {
    "actual": "#1f4e79",
    "forecast": "#d9822b",
    "last_week": "#8a8a8a",
    "bar": "#2e7d9a",
    "avg": "#c0392b",
    "price": "#6a3d9a",
}
REGION_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
_STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "svg.fonttype": "none",  # text stays text in the SVG: half the size, selectable, sharp
}


@dataclass(frozen=True)
class Chart:
    """One chart in both formats."""

    name: str
    title: str
    svg: str  # an <svg> element that scales to its container (no fixed width/height)
    png: bytes


def _values(items: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in items]


def _no_data(ax, text: str = "No data for the day") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=11, color="#9a1c1c")


def _legend_above(ax, columns: int) -> None:
    """The legend in a row above the plot, where it never hides a line or a bar."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=columns, fontsize=7.5, borderaxespad=0.2)


def _hour_axis(ax, curve: LoadCurve) -> None:
    n = len(curve.slots)
    ticks = [i for i, s in enumerate(curve.slots) if s.local.hour % 3 == 0 and "(2nd)" not in s.label]
    ax.set_xticks(ticks, [curve.slots[i].label for i in ticks])
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_xlabel(f"local time ({n} hours)")


def load_curve_figure(content: ReportContent) -> Figure:
    curve = content.curve
    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    x = list(range(len(curve.slots)))
    if any(v is not None for v in curve.last_week):
        label = f"same day last week ({curve.last_week_day.strftime('%a %-d %b')})"
        ax.plot(
            x, _values(curve.last_week), color=COLORS["last_week"], linestyle=":", linewidth=1.6, label=label
        )
    if any(v is not None for v in curve.forecast):
        ax.plot(
            x,
            _values(curve.forecast),
            color=COLORS["forecast"],
            linestyle="--",
            linewidth=1.6,
            label="forecast",
        )
    if any(v is not None for v in curve.actual):
        ax.plot(x, _values(curve.actual), color=COLORS["actual"], linewidth=2.2, marker="o", markersize=2.5,
                label="actual")  # fmt: skip
        peak = content.headline.peak_mw
        if peak is not None:
            i = curve.actual.index(peak)
            ax.annotate(f"peak {number(peak, 'MW')}", (i, peak), textcoords="offset points", xytext=(0, 7),
                        ha="center", fontsize=8, color=COLORS["actual"])  # fmt: skip
    else:
        _no_data(ax)
    _hour_axis(ax, curve)
    ax.set_ylabel("load (MW)")
    ax.set_ylim(bottom=0)
    ax.margins(y=0.15)
    if ax.get_legend_handles_labels()[0]:
        _legend_above(ax, 3)
    return fig


def region_energy_figure(content: ReportContent) -> Figure:
    regions: Sequence[RegionRow] = content.regions
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(1.6, 0.42 * len(regions) + 0.9)), layout="constrained")
    names = [r.region for r in regions]
    y = list(range(len(regions)))[::-1]
    values = [r.energy_mwh for r in regions]
    ax.barh(y, [v if v is not None else 0 for v in values], color=COLORS["bar"], height=0.6,
            label="energy of the day")  # fmt: skip
    averages = [r.trailing_avg_mwh for r in regions]
    if any(a is not None for a in averages):
        ax.scatter([a if a is not None else math.nan for a in averages], y, marker="|", s=260, linewidths=2.2,
                   color=COLORS["avg"], zorder=3, label="7-day average")  # fmt: skip
    known = [v for v in values + averages if v is not None]
    top = max(known) if known else 1.0
    for yi, value, average in zip(y, values, averages, strict=True):
        if value is None:
            ax.text(top * 0.02, yi, "no data", va="center", fontsize=8.5, color="#9a1c1c", fontweight="bold")
        else:
            right = max(value, average or 0.0)  # past the average's marker, never under it
            ax.text(right + top * 0.015, yi, number(value, "MWh"), va="center", fontsize=7.5)
    ax.set_yticks(y, names)
    ax.set_xlim(0, top * 1.22)
    ax.set_xlabel("energy (MWh)")
    ax.grid(axis="y", visible=False)
    _legend_above(ax, 2)
    return fig


def temperature_figure(content: ReportContent) -> Figure:
    curve = content.curve
    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN * 0.85), layout="constrained")
    x = list(range(len(curve.slots)))
    drawn = False
    for i, (region, values) in enumerate(sorted(curve.temperature.items())):
        if any(v is not None for v in values):
            ax.plot(
                x, _values(values), color=REGION_COLORS[i % len(REGION_COLORS)], linewidth=1.5, label=region
            )
            drawn = True
    if not drawn:
        _no_data(ax)
    _hour_axis(ax, curve)
    ax.set_ylabel("temperature (°C)")
    if drawn:
        _legend_above(ax, 5)
    return fig


def price_figure(content: ReportContent) -> Figure:
    curve = content.curve
    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN * 0.85), layout="constrained")
    x = list(range(len(curve.slots)))
    if any(v is not None for v in curve.price):
        ax.step(
            x,
            _values(curve.price),
            where="mid",
            color=COLORS["price"],
            linewidth=1.8,
            label="day-ahead price",
        )
    else:
        _no_data(ax)
    _hour_axis(ax, curve)
    ax.set_ylabel("price (EUR/MWh)")
    ax.margins(y=0.15)
    return fig


CHARTS: tuple[tuple[str, str, Callable[[ReportContent], Figure]], ...] = (
    ("load", "Load: actual, forecast and the same day last week", load_curve_figure),
    ("regions", "Energy per region against its 7-day average", region_energy_figure),
    ("temperature", "Temperature per region", temperature_figure),
    ("price", "Day-ahead price", price_figure),
)

_SIZE_ATTRS = re.compile(r'\s(width|height)="[^"]*pt"')


def _svg(fig: Figure, name: str) -> str:
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": f"grid-report-{name}"}):  # stable, distinct ids per chart
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and doctype: inline in HTML
    head, rest = text.split(">", 1)
    head = _SIZE_ATTRS.sub("", head)
    return f'{head} role="img" aria-label="{name} chart" preserveAspectRatio="xMidYMid meet">{rest}'


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def draw_charts(content: ReportContent) -> tuple[Chart, ...]:
    """Every chart of the report, as SVG and PNG."""
    charts = []
    with plt.rc_context(_STYLE):
        for name, title, draw in CHARTS:
            fig = draw(content)
            try:
                charts.append(Chart(name, title, _svg(fig, name), _png(fig)))
            finally:
                plt.close(fig)
    return tuple(charts)

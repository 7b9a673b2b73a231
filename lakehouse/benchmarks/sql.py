"""Benchmark of the analysts' query library: p50/p95 per query through the Trino-protocol endpoint
(official trino client) and through the embedded engine directly (translation + DuckDB), and the
protocol overhead ratio, over a year of gold for 5 regions and 1,000 meters.

The year of gold is SYNTHESIZED here in the contract schema (pyarrow) and written with delta-rs into a
temporary LAKEHOUSE_ROOT, for this benchmark only: it is not a production write path (the pipeline
writes through lakehouse.storage.tables). The warehouse.marts queries need PostgreSQL and dbt and are
left out; the tests run them.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

REGIONS = ("Prishtina", "Prizren", "Peja", "Gjilan", "Mitrovica")
METERS = 1000
DAYS = 365
RUNS = int(os.environ.get("SQL_BENCH_RUNS", "7"))
QUERIES = Path(__file__).resolve().parents[2] / "trino" / "queries"


def _synthesize(root: Path) -> dict[str, int]:
    from zoneinfo import ZoneInfo

    from deltalake import write_deltalake

    rng = np.random.default_rng(7)
    tz = ZoneInfo("Europe/Belgrade")
    start = datetime(2025, 1, 1, tzinfo=tz).astimezone(UTC)
    hours = int((datetime(2026, 1, 1, tzinfo=tz).astimezone(UTC) - start).total_seconds() // 3600)
    hour_utc = np.array([start + timedelta(hours=h) for h in range(hours)])
    local = [h.astimezone(tz) for h in hour_utc]
    date_local = np.array([t.date() for t in local])
    hour_local = np.array([t.hour for t in local], dtype=np.int32)
    weekday = np.array([t.isoweekday() for t in local], dtype=np.int32)
    day_hours = {d: 24 for d in set(date_local)}
    for d in (date(2025, 3, 30), date(2025, 10, 26)):
        day_hours[d] = 23 if d.month == 3 else 25
    temp = 12 - 10 * np.cos((np.arange(hours) / hours) * 2 * np.pi) + rng.normal(0, 3, hours)
    price = 90 + 30 * np.sin(np.arange(hours) * 2 * np.pi / 24) + rng.normal(0, 10, hours)
    rlh, feats = [], []
    for k, region in enumerate(REGIONS):
        energy = 0.2 * (1 + k / 5) * (1 + 0.3 * np.sin((hour_local - 6) * np.pi / 12)) + 0.01 * np.maximum(
            18 - temp, 0
        )
        energy = energy + rng.normal(0, 0.01, hours)
        region_col = pa.array([region] * hours)
        base = {
            "region": region_col,
            "hour_utc": pa.array(hour_utc, pa.timestamp("us", tz="UTC")),
            "energy_mwh": pa.array(energy),
            "meters_reporting": pa.array(np.full(hours, METERS // 5, dtype=np.int64)),
            "temperature_c": pa.array(temp),
            "price_eur_mwh": pa.array(price),
            "date_local": pa.array(date_local, pa.date32()),
        }
        rlh.append(pa.table(base))
        feats.append(
            pa.table(
                {
                    **{
                        k2: base[k2]
                        for k2 in (
                            "region",
                            "hour_utc",
                            "date_local",
                            "energy_mwh",
                            "temperature_c",
                            "price_eur_mwh",
                        )
                    },
                    "hour_local": pa.array(hour_local),
                    "weekday_local": pa.array(weekday),
                    "is_weekend": pa.array(weekday >= 6),
                    "is_holiday": pa.array(np.zeros(hours, dtype=bool)),
                    "day_hours": pa.array([day_hours[d] for d in date_local], pa.int32()),
                    "is_dst_day": pa.array([day_hours[d] != 24 for d in date_local]),
                    "heating_degree_hours": pa.array(np.maximum(18 - temp, 0)),
                }
            )
        )
    days = sorted(set(date_local))
    meter_ids = np.array([f"KS{i:08d}" for i in range(METERS)])
    n = len(days) * METERS
    ctype = rng.choice(["residential", "commercial", "industrial"], METERS, p=[0.85, 0.12, 0.03])
    expected = np.tile(np.array([day_hours[d] * 4 for d in days], dtype=np.int64), METERS)
    got = expected - (rng.random(n) < 0.05) * rng.integers(1, 8, n)
    kwh = rng.gamma(4, 2.5, n)
    daily = pa.table(
        {
            "meter_id": pa.array(np.repeat(meter_ids, len(days))),
            "region": pa.array(np.repeat(np.array(REGIONS)[np.arange(METERS) % 5], len(days))),
            "customer_type": pa.array(np.repeat(ctype, len(days))),
            "date_local": pa.array(np.tile(np.array(days), METERS), pa.date32()),
            "energy_kwh": pa.array(kwh),
            "cost_eur": pa.array(kwh * 0.1),
            "intervals": pa.array(got),
            "expected_intervals": pa.array(expected),
            "intervals_with_energy": pa.array(got),
        }
    )
    tables = {
        "region_load_hourly": pa.concat_tables(rlh),
        "load_features": pa.concat_tables(feats),
        "meter_daily": daily,
    }
    for name, table in tables.items():
        write_deltalake(str(root / "gold" / name), table, partition_by=None)
    return {name: t.num_rows for name, t in tables.items()}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    import uvicorn

    import trino
    from lakehouse.settings import get_settings, load_settings
    from lakehouse.sql.access import Identity
    from lakehouse.sql.engine import Engine
    from lakehouse.sql.server import create_app

    home = Path(tempfile.mkdtemp(prefix="lakehouse-sql-bench-"))
    t0 = time.perf_counter()
    rows = _synthesize(home / "lakehouse")
    print(f"synthesized gold (bench only, delta-rs): {rows} in {time.perf_counter() - t0:.1f} s")
    os.environ["SQL_PASSWORD_ANALYST"] = password = secrets.token_urlsafe(16)  # this run only
    get_settings.cache_clear()
    settings = load_settings(lakehouse_home=home)
    engine = Engine(settings, warehouse=False)
    analyst = Identity("analyst", frozenset({"analysts"}))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    conn = trino.dbapi.connect(
        host="127.0.0.1",
        port=port,
        user="analyst",
        http_scheme="http",
        auth=trino.auth.BasicAuthentication("analyst", password),
        allow_insecure_auth=True,
    )
    print(
        f"{'query':44s} {'rows':>6s} {'direct p50':>10s} {'p95':>7s} "
        f"{'endpoint p50':>12s} {'p95':>7s} {'ratio':>6s}"
    )
    ratios = []
    for path in sorted(QUERIES.glob("*.sql")):
        if "marts" in path.stem:
            continue
        sql = path.read_text()
        direct, remote = [], []
        n_rows = 0
        for run in range(RUNS + 1):
            t = time.perf_counter()
            n_rows = len(engine.execute(sql, identity=analyst).rows())
            if run:
                direct.append(time.perf_counter() - t)
            cursor = conn.cursor()
            t = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            if run:
                remote.append(time.perf_counter() - t)
        ratio = statistics.median(remote) / statistics.median(direct)
        ratios.append(ratio)
        print(
            f"{path.stem:44s} {n_rows:6d} {statistics.median(direct) * 1000:8.1f}ms "
            f"{_pct(direct, 0.95) * 1000:5.0f}ms {statistics.median(remote) * 1000:10.1f}ms "
            f"{_pct(remote, 0.95) * 1000:5.0f}ms {ratio:6.2f}"
        )
    print(
        f"overhead ratio endpoint/direct: median {statistics.median(ratios):.2f}, "
        f"max {max(ratios):.2f} ({RUNS} runs each)"
    )
    server.should_exit = True
    get_settings.cache_clear()


if __name__ == "__main__":
    main()

"""Injected anomalies are found: recall >= 0.8 at the configured threshold, precision reported.

Data: the simulator's readings model (lakehouse.forecasting.synthetic.meter_readings) for 200
meters over 15 days in silver.meter_readings shape; 40 meters get one known anomaly each on the
last day (lakehouse.anomalies.inject: zero streak, spike, voltage excursion, tamper-like drop with
a power factor change, reverse flow as quarantined NEGATIVE_ENERGY rows)."""

from __future__ import annotations

from datetime import date

import numpy as np

from lakehouse.anomalies import inject
from lakehouse.anomalies.detect import detect
from lakehouse.forecasting import synthetic
from lakehouse.settings import load_settings


def test_injected_anomalies_are_found_with_recall_of_at_least_0_8() -> None:
    day = date(2026, 1, 19)
    readings = synthetic.meter_readings(date(2026, 1, 5), 15, meters=200)
    meters = sorted(readings["meter_id"].unique())
    chosen = [str(m) for m in np.random.default_rng(1).choice(meters, 40, replace=False)]
    on_day, quarantine, truth = inject.inject(readings[readings["date_local"] == day], day, chosen, seed=3)
    threshold = load_settings().anomaly_score_threshold
    rows = detect(
        day,
        on_day,
        readings[readings["date_local"] < day],
        quarantine,
        threshold=threshold,
        tz="Europe/Belgrade",
    )
    flagged = set(rows.loc[rows["is_anomaly"], "meter_id"])
    truth["found"] = truth["meter_id"].isin(flagged)
    recall = truth["found"].mean()
    precision = len(flagged & set(chosen)) / max(len(flagged), 1)
    print(f"\nrecall {recall:.2f}, precision {precision:.2f} at threshold {threshold}")
    print(truth.groupby("kind")["found"].mean().to_string())
    assert recall >= 0.8
    assert len(rows) == 200 and rows["meter_id"].is_unique
    found = rows[rows["meter_id"].isin(chosen) & rows["is_anomaly"]]
    assert (found["reason"] != "normal").all() and found["details"].str.startswith("{").all()
    assert set(rows.loc[~rows["is_anomaly"], "reason"]) <= {"normal"}

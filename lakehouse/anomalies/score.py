"""Score meter-days: explainable rule severities plus an Isolation Forest, one score and a reason each.

Each rule maps one feature to a severity in [0, 1] with a linear ramp (0 below `low`, 1 above
`high`): zero-consumption streak, spike against the meter's own history, voltage excursion beyond
EN 50160's +-10 %, tamper-like pattern (a sustained drop of consumption together with a power
factor change, or reverse flow). The Isolation Forest (scikit-learn) scores how unusual the whole
feature vector is among the day's meters (its anomaly score s in (0, 1), 0.5 = ordinary) and
catches combinations no rule names. score = max(rule severities, s); is_anomaly = score >=
ANOMALY_SCORE_THRESHOLD; `reason` names the strongest signal, `details` all the numbers (JSON).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from lakehouse.anomalies.features import FEATURES


def ramp(values: pd.Series, low: float, high: float) -> pd.Series:
    return ((values.astype(float) - low) / (high - low)).clip(0.0, 1.0).fillna(0.0)


def rule_severities(features: pd.DataFrame) -> pd.DataFrame:
    """Severity in [0, 1] of each named pattern, per meter-day."""
    f = features
    sustained_drop = ramp(f["drop_hours"], 3.0, 8.0)
    pf_change = ramp(f["pf_shift"].abs(), 0.03, 0.08)
    return pd.DataFrame(
        {
            "zero_consumption_streak": ramp(f["zero_streak_hours"], 1.0, 4.0),
            "consumption_spike": ramp(f["spike_ratio"], 1.5, 3.0),
            "voltage_excursion": ramp(f["voltage_dev_pct"], 10.0, 14.0),
            "tamper_suspected": np.maximum(
                np.minimum(sustained_drop, pf_change), (f["reverse_flow_intervals"] > 0).astype(float)
            ),
        },
        index=f.index,
    )


def isolation_scores(features: pd.DataFrame, seed: int = 0) -> pd.Series:
    """Isolation Forest anomaly score s in (0, 1) per row (0.5 ordinary, near 1 isolated at once)."""
    from sklearn.ensemble import IsolationForest

    x = features[list(FEATURES)].astype(float)
    x = x.fillna(x.median()).fillna(0.0)
    if len(x) < 8:
        return pd.Series(0.0, index=features.index)
    x["spike_ratio"] = np.log1p(x["spike_ratio"].clip(lower=0))
    x["energy_ratio"] = np.log1p(x["energy_ratio"].clip(lower=0))
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(x)
    return pd.Series(-forest.score_samples(x), index=features.index)


def score(features: pd.DataFrame, threshold: float, *, seed: int = 0) -> pd.DataFrame:
    """meter_id, score, reason, details, is_anomaly (+ the features) per meter-day."""
    if features.empty:
        return features.assign(score=[], reason=[], details=[], is_anomaly=[])
    rules = rule_severities(features)
    forest = isolation_scores(features, seed)
    signals = rules.assign(unusual_pattern=forest)
    strongest = signals.idxmax(axis=1)
    out = features.copy()
    out["score"] = signals.max(axis=1).round(4)
    out["reason"] = np.where(out["score"] >= threshold, strongest, "normal")
    numbers = features[list(FEATURES)].round(4)
    out["details"] = [
        json.dumps(
            {
                **{k: (None if pd.isna(v) else float(v)) for k, v in numbers.loc[i].items()},
                "severities": {k: round(float(v), 3) for k, v in signals.loc[i].items()},
            }
        )
        for i in features.index
    ]
    out["is_anomaly"] = out["score"] >= threshold
    return out

"""Forecast error measures: MAPE (%), RMSE (MWh) and the pinball loss of a quantile forecast."""

from __future__ import annotations

import numpy as np


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute percentage error in percent, over hours with a positive actual."""
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    ok = (a > 0) & np.isfinite(f)
    return float(np.mean(np.abs(f[ok] - a[ok]) / a[ok]) * 100.0) if ok.any() else float("nan")


def rmse(actual: np.ndarray, forecast: np.ndarray) -> float:
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    ok = np.isfinite(a) & np.isfinite(f)
    return float(np.sqrt(np.mean((f[ok] - a[ok]) ** 2))) if ok.any() else float("nan")


def pinball(actual: np.ndarray, quantile_forecast: np.ndarray, alpha: float) -> float:
    """Mean pinball (quantile) loss of the alpha-quantile forecast, in MWh."""
    a, q = np.asarray(actual, float), np.asarray(quantile_forecast, float)
    ok = np.isfinite(a) & np.isfinite(q)
    diff = a[ok] - q[ok]
    return float(np.mean(np.maximum(alpha * diff, (alpha - 1.0) * diff))) if ok.any() else float("nan")

"""Typed errors of the forecasting package: each says what happened and what to do about it.

Callers (the training DAG, the CLI, the daily forecast step) branch on the type, not on booleans,
in the style of OpenSTEF: too little data is not the same failure as a challenger that lost.
"""

from __future__ import annotations

from typing import Any


class ForecastingError(Exception):
    """Base of every forecasting error."""


class InsufficientDataError(ForecastingError):
    """Not enough history (rows, days or complete lags) to train, backtest or forecast."""


class ChallengerWorseError(ForecastingError):
    """The challenger did not beat the champion and the seasonal naive by the promotion margin.

    `decision` carries the numbers compared (MAPE of challenger, champion and naive, margin), so
    the caller can log them; the challenger stays registered but does not get the champion alias.
    """

    def __init__(self, message: str, *, decision: dict[str, Any]) -> None:
        super().__init__(message)
        self.decision = decision


class NoChampionError(ForecastingError):
    """No model version carries the alias `champion` yet: run `lakehouse train` first."""


class ForecastInputError(ForecastingError):
    """An input table the forecast needs does not exist yet (build gold first)."""


class TrackingServerUnavailableError(ForecastingError):
    """The MLflow tracking server does not answer: start it (`lakehouse up mlflow`) or fix the URI."""

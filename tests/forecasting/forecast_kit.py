"""Helpers of the forecasting tests (a module of its own: `conftest` is not importable by name)."""

from __future__ import annotations

from lakehouse.forecasting.models import ModelConfig

TEST_CONFIG = ModelConfig(n_estimators=60, num_leaves=7, min_child_samples=30)

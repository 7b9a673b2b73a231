"""Day-ahead load forecasting: features from gold, LightGBM models, backtest, MLflow registry, inference.

Modules: `features` (pure pandas, the gold.load_features contract and tomorrow's inputs),
`models` (global LightGBM + P10/P90, baselines), `backtest` (rolling origin, metrics per region),
`metrics`, `tracking` (MLflow runs, registry, promotion), `training` (train = backtest + log +
register + promote), `inference` (forecast_day, score_forecasts), `io` (delta-rs reads, gold
writes), `synthetic` (gold-shaped frames from the simulator for tests and the benchmark),
`errors` (typed errors).
"""

MODEL_NAME = "region_load_forecaster"
CHAMPION_ALIAS = "champion"

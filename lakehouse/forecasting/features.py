"""Load features in pandas: the gold.load_features contract, for training frames and for tomorrow.

Pure functions (pandas in, pandas out, no storage). `build_features` computes exactly the columns
and definitions of spark_jobs/gold_load_features.py (lags looked up by UTC time, rolling windows
that end 24 h back, Kosovo holidays, DST days, heating degree hours at base 18 C), so that the
forecast of a day that has no gold row yet (tomorrow) is made from the same features the model
was trained on. `future_day_inputs` builds tomorrow's input rows: load history from
gold.region_load_hourly, and weather/price for the day from the best source there is, named in
the columns `weather_source` and `price_source`:

- `provided`: silver has the day (the sources already ran for it: a simulated/real forecast);
- `persistence`: the latest day that has data, hour by local hour (yesterday's weather as forecast);
- `climatology`: the mean by region and local hour over the history given;
- `missing`: nothing at all (the model handles NaN, with a worse forecast).

`model_matrix` turns feature rows into the model's inputs: region as a categorical, loads scaled
by the region's level (the mean of its last 168 known hours) so that one global model serves
regions of very different size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

HOLIDAY_COUNTRY = "XK"
HEATING_BASE_C = 18.0
# The 168 h rolling window ends 24 h back, so it reaches 191 h (8 days) back: 9 days cover DST too.
LOOKBACK_DAYS = 9

HOURLY_COLUMNS = ("region", "hour_utc", "date_local", "energy_mwh", "temperature_c", "price_eur_mwh")
WEATHER_COLUMNS = (
    "shortwave_radiation_wm2",
    "relative_humidity_pct",
    "wind_speed_kmh",
    "cloud_cover_pct",
)
# Model inputs (besides `region`); the *_ratio ones are derived in model_matrix.
NUMERIC_FEATURES: tuple[str, ...] = (
    "hour_local",
    "day_type",
    "day_type_lag_24h",
    "day_type_lag_168h",
    "is_dst_day",
    "lag_24h_ratio",
    "lag_168h_ratio",
    "rolling_mean_24h_ratio",
    "rolling_std_24h_ratio",
    "rolling_min_24h_ratio",
    "rolling_max_24h_ratio",
    "lag_similar_day_ratio",
    "temperature_c",
    "heating_degree_hours",
    "shortwave_radiation_wm2",
    "price_eur_mwh",
)
FEATURES: tuple[str, ...] = ("region", *NUMERIC_FEATURES)
LEVEL = "rolling_mean_168h_mwh"
TARGET = "energy_mwh"


# --- calendar --------------------------------------------------------------------------------------
def local_day_hours_utc(day: date, tz: str) -> list[pd.Timestamp]:
    """The UTC hour starts of local day `day`: 23, 24 or 25 of them."""
    zone = ZoneInfo(tz)
    start = pd.Timestamp(datetime.combine(day, time(0), tzinfo=zone)).tz_convert("UTC")
    end = pd.Timestamp(datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)).tz_convert("UTC")
    return list(pd.date_range(start, end, freq="h", inclusive="left"))


def holiday_dates(years: Iterable[int], country: str = HOLIDAY_COUNTRY) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays(country, years=sorted(set(years))))


def day_type(day: date, holidays: dict[date, str]) -> int:
    """0 workday, 1 Saturday, 2 Sunday or public holiday: how the grid's customers use the day."""
    if day in holidays or day.weekday() == 6:
        return 2
    return 1 if day.weekday() == 5 else 0


def _utc(series: pd.Series) -> pd.Series:
    s = pd.to_datetime(series)
    return s.dt.tz_localize("UTC") if s.dt.tz is None else s.dt.tz_convert("UTC")


def _calendar(hour_utc: pd.Series, tz: str) -> pd.DataFrame:
    local = hour_utc.dt.tz_convert(tz)
    date_local = local.dt.date
    days = sorted(set(date_local))
    years = {d.year for d in days} | {(d - timedelta(days=7)).year for d in days}
    names = holiday_dates(years)
    hours_of = {d: len(local_day_hours_utc(d, tz)) for d in days}
    weekday = local.dt.dayofweek + 1  # ISO: Monday 1 .. Sunday 7
    day_hours = date_local.map(hours_of).astype("int64")
    return pd.DataFrame(
        {
            "date_local": date_local,
            "hour_local": local.dt.hour.astype("int64"),
            "weekday_local": weekday.astype("int64"),
            "month_local": local.dt.month.astype("int64"),
            "is_weekend": weekday >= 6,
            "is_holiday": date_local.map(lambda d: d in names),
            "holiday_name": date_local.map(names.get),
            "day_hours": day_hours,
            "is_dst_day": day_hours != 24,
        },
        index=hour_utc.index,
    )


# --- gold.load_features ----------------------------------------------------------------------------
def build_features(hourly: pd.DataFrame, weather: pd.DataFrame | None, *, tz: str) -> pd.DataFrame:
    """gold.region_load_hourly rows (+ silver.weather_hourly) -> gold.load_features rows.

    Same definitions as the Spark job; rows early in the history get NaN lags. `hourly` may hold
    future hours with NaN energy (tomorrow): their features only look at earlier hours.
    """
    frame = hourly.copy()
    frame["hour_utc"] = _utc(frame["hour_utc"])
    frame = frame.sort_values(["region", "hour_utc"]).reset_index(drop=True)
    parts = []
    for _region, group in frame.groupby("region", sort=True):
        grid = pd.date_range(group["hour_utc"].min(), group["hour_utc"].max(), freq="h")
        load = group.set_index("hour_utc")["energy_mwh"].astype(float).reindex(grid)
        back24 = load.shift(24)
        out = pd.DataFrame(
            {
                "lag_24h_mwh": back24,
                "lag_168h_mwh": load.shift(168),
                "rolling_mean_24h_mwh": back24.rolling(24, min_periods=1).mean(),
                "rolling_std_24h_mwh": back24.rolling(24, min_periods=2).std(),
                "rolling_min_24h_mwh": back24.rolling(24, min_periods=1).min(),
                "rolling_max_24h_mwh": back24.rolling(24, min_periods=1).max(),
                "rolling_mean_168h_mwh": back24.rolling(168, min_periods=1).mean(),
                "rolling_hours_168h": back24.rolling(168, min_periods=0).count().astype("int64"),
            },
            index=grid,
        )
        parts.append(group.join(out, on="hour_utc"))
    features = pd.concat(parts, ignore_index=True) if parts else frame
    calendar = _calendar(features["hour_utc"], tz)
    features = features.drop(columns=["date_local"], errors="ignore").join(calendar)
    if weather is not None and len(weather):
        w = weather.rename(columns={"city": "region"}).copy()
        w["hour_utc"] = _utc(w["hour_utc"])
        cols = [c for c in WEATHER_COLUMNS if c in w.columns]
        w = w[["region", "hour_utc", *cols]].drop_duplicates(["region", "hour_utc"])
        features = features.drop(columns=cols, errors="ignore").merge(
            w, on=["region", "hour_utc"], how="left"
        )
    for col in WEATHER_COLUMNS:
        if col not in features.columns:
            features[col] = np.nan
        features[col] = features[col].astype(float)
    features["temperature_c"] = features["temperature_c"].astype(float)
    features["price_eur_mwh"] = features["price_eur_mwh"].astype(float)
    features["heating_degree_hours"] = (HEATING_BASE_C - features["temperature_c"]).clip(lower=0.0)
    return add_similar_day(features.sort_values(["region", "hour_utc"]).reset_index(drop=True))


def add_similar_day(features: pd.DataFrame, max_back_days: int = 14) -> pd.DataFrame:
    """Add `lag_similar_day_mwh`: the load at the same local hour of the latest EARLIER day of the
    same day type (workday, Saturday, Sunday/holiday), at least one day back.

    A holiday on a Tuesday then looks back to last Sunday, not to Monday. Computed from the
    frame's own energy history (gold.load_features rows, or history + tomorrow at inference).
    """
    frame = features.copy()
    days = sorted(set(frame["date_local"]))
    if not days:
        frame["lag_similar_day_mwh"] = pd.Series(dtype=float)
        return frame
    names = holiday_dates({d.year for d in days} | {(d - timedelta(days=max_back_days)).year for d in days})
    known = frame.dropna(subset=["energy_mwh"])
    loads = known.groupby(["region", "date_local", "hour_local"])["energy_mwh"].mean()
    have = set(known["date_local"])
    similar = {}
    for d in days:
        kind = day_type(d, names)
        for back in range(1, max_back_days + 1):
            candidate = d - timedelta(days=back)
            if candidate in have and day_type(candidate, names) == kind:
                similar[d] = candidate
                break
    keys = pd.MultiIndex.from_arrays([frame["region"], frame["date_local"].map(similar), frame["hour_local"]])
    frame["lag_similar_day_mwh"] = loads.reindex(keys).to_numpy(float)
    return frame


# --- tomorrow's inputs -----------------------------------------------------------------------------
def _by_local_hour(
    values: pd.DataFrame, hours: list[pd.Timestamp], regions: Sequence[str], tz: str
) -> pd.DataFrame:
    """Values of `day`'s hours, taken from `values` (region, hour_local, *cols) by local hour."""
    target = pd.DataFrame([(r, h) for r in regions for h in hours], columns=["region", "hour_utc"])
    target["hour_local"] = target["hour_utc"].dt.tz_convert(tz).dt.hour
    return target.merge(values, on=["region", "hour_local"], how="left").drop(columns="hour_local")


def fill_day(
    observed: pd.DataFrame, day: date, regions: Sequence[str], cols: list[str], *, tz: str
) -> tuple[pd.DataFrame, str]:
    """Rows (region, hour_utc, *cols) for every region and hour of `day`, and where they came from.

    `observed` holds (region, hour_utc, *cols) history and perhaps the day itself.
    """
    hours = local_day_hours_utc(day, tz)
    full = pd.DataFrame([(r, h) for r in regions for h in hours], columns=["region", "hour_utc"])
    obs = observed.copy()
    if len(obs):
        obs["hour_utc"] = _utc(obs["hour_utc"])
        obs = obs.dropna(subset=cols, how="all").drop_duplicates(["region", "hour_utc"])
    on_day = (
        full.merge(obs[["region", "hour_utc", *cols]], on=["region", "hour_utc"], how="left")
        if len(obs)
        else None
    )
    if on_day is not None and on_day[cols].notna().all(axis=None):
        return on_day, "provided"
    earlier = obs[obs["hour_utc"] < hours[0]] if len(obs) else obs
    if not len(earlier):
        for col in cols:
            full[col] = np.nan
        return full, "missing"
    earlier = earlier.assign(
        hour_local=earlier["hour_utc"].dt.tz_convert(tz).dt.hour,
        date_local=earlier["hour_utc"].dt.tz_convert(tz).dt.date,
    )
    latest_day = earlier["date_local"].max()
    latest = earlier[earlier["date_local"] == latest_day]
    if set(latest["region"]) >= set(regions) and latest["hour_local"].nunique() >= 23:
        # The latest day by local hour; a 23-hour latest day (spring clock change) has no 02:00,
        # which the day before it lends. A 25-hour day's repeated hour is averaged.
        recent = earlier[earlier["date_local"] >= latest_day - timedelta(days=1)]
        per_day = recent.groupby(["region", "hour_local", "date_local"], as_index=False)[cols].mean()
        values = (
            per_day.sort_values("date_local").groupby(["region", "hour_local"], as_index=False)[cols].last()
        )
        filled = _by_local_hour(values, hours, regions, tz)
        if filled[cols].notna().all(axis=None):
            return filled, "persistence"
    values = earlier.groupby(["region", "hour_local"], as_index=False)[cols].mean()
    return _by_local_hour(values, hours, regions, tz), "climatology"


def future_day_inputs(
    hourly_history: pd.DataFrame,
    weather: pd.DataFrame | None,
    prices: pd.DataFrame | None,
    day: date,
    regions: Sequence[str],
    *,
    tz: str,
) -> pd.DataFrame:
    """Feature rows for every region and hour of local `day` (energy unknown), with their sources.

    hourly_history: gold.region_load_hourly rows up to the day before (at least LOOKBACK_DAYS).
    weather: silver.weather_hourly rows (city, hour_utc, temperature_c, ...) around the day, or None.
    prices: silver.day_ahead_prices_hourly rows (hour_utc, price_eur_mwh) around the day, or None.
    """
    history = hourly_history.copy()
    history["hour_utc"] = _utc(history["hour_utc"])
    first = local_day_hours_utc(day, tz)[0]
    history = history[history["hour_utc"] < first]
    if history.empty:
        from lakehouse.forecasting.errors import InsufficientDataError

        raise InsufficientDataError(
            f"no gold.region_load_hourly history before {day}: build gold for the days before it first."
        )
    weather_cols = ["temperature_c", *WEATHER_COLUMNS]
    w_obs = (
        weather.rename(columns={"city": "region"})[["region", "hour_utc", *weather_cols]]
        if weather is not None and len(weather)
        else pd.DataFrame(columns=["region", "hour_utc", *weather_cols])
    )
    # gold hourly carries the region's temperature too: the fallback when silver weather is gone
    w_obs = pd.concat([w_obs, history[["region", "hour_utc", "temperature_c"]]], ignore_index=True)
    w_obs["hour_utc"] = _utc(w_obs["hour_utc"])
    w_obs = w_obs.drop_duplicates(["region", "hour_utc"], keep="first")
    w_day, weather_source = fill_day(w_obs, day, regions, ["temperature_c"], tz=tz)
    rest = w_obs.dropna(subset=WEATHER_COLUMNS, how="all")
    w_rest, _ = fill_day(rest, day, regions, list(WEATHER_COLUMNS), tz=tz)
    p_obs = history[["region", "hour_utc", "price_eur_mwh"]]
    if prices is not None and len(prices):
        p = prices[["hour_utc", "price_eur_mwh"]].copy()
        p["hour_utc"] = _utc(p["hour_utc"])
        p = pd.concat([p.assign(region=r) for r in regions], ignore_index=True)
        p_obs = pd.concat([p_obs, p], ignore_index=True).drop_duplicates(["region", "hour_utc"], keep="last")
    p_day, price_source = fill_day(p_obs, day, regions, ["price_eur_mwh"], tz=tz)
    future = w_day.merge(p_day, on=["region", "hour_utc"]).assign(energy_mwh=np.nan)
    cols = ["region", "hour_utc", "energy_mwh", "temperature_c", "price_eur_mwh"]
    keep = history[[c for c in cols if c in history.columns]]
    combined = pd.concat([keep, future[cols]], ignore_index=True)
    combined = combined[combined["region"].isin(regions)]
    features = build_features(combined, None, tz=tz)
    features = features[features["date_local"] == day].drop(columns=list(WEATHER_COLUMNS))
    features = features.merge(w_rest, on=["region", "hour_utc"], how="left")
    features["weather_source"] = weather_source
    features["price_source"] = price_source
    return features.reset_index(drop=True)


# --- model inputs ----------------------------------------------------------------------------------
# The columns the pyfunc model (lakehouse.forecasting.pyfunc) takes, with its signature's types.
INPUT_COLUMNS: dict[str, str] = {
    "region": "str",
    "date_local": "datetime64[ns]",
    "hour_local": "int64",
    "is_dst_day": "bool",
    "lag_24h_mwh": "float64",
    "lag_168h_mwh": "float64",
    "rolling_mean_24h_mwh": "float64",
    "rolling_std_24h_mwh": "float64",
    "rolling_min_24h_mwh": "float64",
    "rolling_max_24h_mwh": "float64",
    "rolling_mean_168h_mwh": "float64",
    "lag_similar_day_mwh": "float64",
    "temperature_c": "float64",
    "heating_degree_hours": "float64",
    "shortwave_radiation_wm2": "float64",
    "price_eur_mwh": "float64",
}


def model_input(features: pd.DataFrame) -> pd.DataFrame:
    """The pyfunc input columns of feature rows, with the signature's types."""
    out = pd.DataFrame(index=features.index)
    for col, dtype in INPUT_COLUMNS.items():
        values = features[col]
        if dtype == "datetime64[ns]":
            out[col] = pd.to_datetime(values).astype("datetime64[ns]")
        elif dtype == "str":
            out[col] = values.astype(str)
        else:
            out[col] = values.astype(dtype)
    return out.reset_index(drop=True)


def model_matrix(features: pd.DataFrame, regions: Sequence[str]) -> pd.DataFrame:
    """The model's input columns (FEATURES): region categorical, loads relative to the region's level."""
    level = features[LEVEL].astype(float)
    out = pd.DataFrame(index=features.index)
    out["region"] = pd.Categorical(features["region"], categories=list(regions))
    # day type (holidays count as Sundays), not the weekday: the model must generalise to
    # holidays that its training window did not contain
    out["hour_local"] = features["hour_local"].astype(float)
    out["is_dst_day"] = features["is_dst_day"].astype(float)
    days = pd.to_datetime(features["date_local"]).dt.date
    years = {d.year for d in days} | {(d - timedelta(days=7)).year for d in days}
    names = holiday_dates(years) if len(days) else {}
    for col, back in (("day_type", 0), ("day_type_lag_24h", 1), ("day_type_lag_168h", 7)):
        out[col] = days.map(lambda d, b=back: day_type(d - timedelta(days=b), names)).astype(float)
    for name in (
        "lag_24h",
        "lag_168h",
        "rolling_mean_24h",
        "rolling_std_24h",
        "rolling_min_24h",
        "rolling_max_24h",
        "lag_similar_day",
    ):
        out[f"{name}_ratio"] = features[f"{name}_mwh"].astype(float) / level
    for col in ("temperature_c", "heating_degree_hours", "shortwave_radiation_wm2", "price_eur_mwh"):
        out[col] = features[col].astype(float)
    return out[list(FEATURES)]


def trainable(features: pd.DataFrame) -> pd.DataFrame:
    """Rows usable for training: known target, a full week of lags and a positive level."""
    ok = (
        features[TARGET].notna()
        & features["lag_168h_mwh"].notna()
        & features["lag_24h_mwh"].notna()
        & (features[LEVEL] > 0)
    )
    return features[ok]

"""Per meter and day: how the day's readings differ from the meter's own recent history (pure pandas).

Inputs are silver.meter_readings-shaped rows: the day D and the `history` days before it, plus the
day's silver.quarantine rows (NEGATIVE_ENERGY readings are quarantined, so reverse flow is seen
there). Each measure is relative to the same meter, so a factory and a flat compare fairly:

- zero_streak_hours: longest run of consecutive zero-energy intervals on D;
- spike_ratio: largest ratio of an hour's energy to the meter's largest at that local hour in the history;
- energy_ratio: the day's energy / the meter's median daily energy;
- drop_hours: longest run of hours below 30 % of the meter's mean for that local hour;
- voltage_dev_pct: largest deviation from 230 V nominal, in % (EN 50160 allows +-10 %);
- pf_shift: change of the median power factor against the history's median;
- reverse_flow_intervals: negative-energy readings of the meter in quarantine on D.
"""

from __future__ import annotations

import pandas as pd

NOMINAL_V = 230.0
DROP_LEVEL = 0.3
FEATURES = (
    "zero_streak_hours",
    "spike_ratio",
    "energy_ratio",
    "drop_hours",
    "voltage_dev_pct",
    "pf_shift",
    "reverse_flow_intervals",
)


def longest_runs(keys: pd.Series, flags: pd.Series) -> pd.Series:
    """Longest run of consecutive True flags per key (rows ordered by time within each key)."""
    flags = flags.astype(bool)
    breaks = (~flags | (keys != keys.shift())).cumsum()
    runs = flags.groupby([keys, breaks]).sum()
    return runs.groupby(level=0).max()


def _hourly(readings: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Energy per meter and UTC hour, with the local day and hour."""
    r = readings.dropna(subset=["energy_kwh"])
    hour = pd.to_datetime(r["interval_start_utc"], utc=True).dt.floor("h")
    out = r.assign(hour_utc=hour).groupby(["meter_id", "hour_utc"], as_index=False)["energy_kwh"].sum()
    local = out["hour_utc"].dt.tz_convert(tz)
    out["date_local"] = local.dt.date
    out["hour_local"] = local.dt.hour
    return out


def reverse_flow_counts(quarantine: pd.DataFrame | None) -> pd.Series:
    """NEGATIVE_ENERGY quarantine rows per meter (meter_id is the raw CSV line's first field)."""
    if quarantine is None or quarantine.empty:
        return pd.Series(dtype="int64")
    rows = quarantine[(quarantine["reason"] == "NEGATIVE_ENERGY") & (quarantine["source"] == "meters")]
    meters = rows["raw_record"].astype(str).str.split(",").str[0].str.strip()
    return meters.value_counts()


def meter_day_features(
    day_readings: pd.DataFrame,
    history: pd.DataFrame,
    quarantine: pd.DataFrame | None = None,
    *,
    tz: str = "Europe/Belgrade",
) -> pd.DataFrame:
    """One row per meter with readings on the day: meter_id + FEATURES (+ day_energy_kwh)."""
    if day_readings.empty:
        return pd.DataFrame(columns=["meter_id", *FEATURES])
    day_hourly = _hourly(day_readings, tz)
    hist_hourly = _hourly(history, tz) if len(history) else day_hourly.iloc[0:0]
    hist_hour_max = hist_hourly.groupby(["meter_id", "hour_local"])["energy_kwh"].max()
    hist_daily = (
        hist_hourly.groupby(["meter_id", "date_local"])["energy_kwh"].sum().groupby("meter_id").median()
    )
    hist_by_hour = hist_hourly.groupby(["meter_id", "hour_local"])["energy_kwh"].mean()
    hist_pf = history.groupby("meter_id")["power_factor"].median() if len(history) else pd.Series(dtype=float)
    reverse = reverse_flow_counts(quarantine)

    ordered = day_readings.sort_values(["meter_id", "interval_start_utc"])
    minutes = ordered.groupby("meter_id")["interval_min"].first().astype(float)
    zero = longest_runs(ordered["meter_id"], ordered["energy_kwh"] == 0.0) * minutes / 60.0
    hours = day_hourly.merge(
        hist_by_hour.rename("hist_mean").reset_index(), on=["meter_id", "hour_local"], how="left"
    ).merge(hist_hour_max.rename("hist_max").reset_index(), on=["meter_id", "hour_local"], how="left")
    hours = hours.sort_values(["meter_id", "hour_utc"]).reset_index(drop=True)
    hours["ratio"] = hours["energy_kwh"] / hours["hist_max"].where(hours["hist_max"] > 0)
    low = (hours["energy_kwh"] < DROP_LEVEL * hours["hist_mean"]) & hours["hist_mean"].notna()
    by_meter = hours.groupby("meter_id")
    volts = ordered.groupby("meter_id")["voltage_v"].agg(lambda v: (v - NOMINAL_V).abs().max())
    pf_day = ordered.groupby("meter_id")["power_factor"].median()
    day_energy = by_meter["energy_kwh"].sum()
    out = pd.DataFrame(index=pd.Index(sorted(ordered["meter_id"].unique()), name="meter_id"))
    out["day_energy_kwh"] = day_energy
    out["zero_streak_hours"] = zero
    out["spike_ratio"] = by_meter["ratio"].max()
    out["energy_ratio"] = day_energy / hist_daily.where(hist_daily > 0)
    out["drop_hours"] = longest_runs(hours["meter_id"], low).astype(float)
    out["voltage_dev_pct"] = volts / NOMINAL_V * 100.0
    out["pf_shift"] = pf_day - hist_pf
    out["reverse_flow_intervals"] = reverse.reindex(out.index).fillna(0).astype("int64")
    return out.reset_index()

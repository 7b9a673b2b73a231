"""Pure silver transforms on a few hand-written rows: typing, UTC interval starts across DST, the
registry join, every quarantine reason, duplicates and resent corrections (latest arrival wins)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from spark_jobs import silver_meter_readings as readings
from spark_jobs import silver_meters, silver_prices, silver_weather

INGESTED = datetime(2026, 3, 30, 1, 0)
BRONZE_SCHEMA = (
    "meter_id string, timestamp string, interval_min string, energy_kwh string, voltage_v string, "
    "current_a string, power_factor string, status string, _raw_line string, _parse_error string, "
    "_landing_file string, _line_number long, _landing_date date, _batch_id string, _ingested_at timestamp"
)
F29 = "meters/readings/date=2026-03-29/headend-a.csv"
F30 = "meters/readings/date=2026-03-30/headend-corrections-2026-03-29.csv"


def _line(
    line: int,
    meter="M1",
    stamp="2026-03-29T03:15:00+02:00",
    interval="15",
    energy="0.250",
    voltage="231.0",
    current="1.1",
    pf="0.97",
    status="OK",
    file=F29,
    parse_error=None,
    raw=None,
):
    day = date.fromisoformat(file.split("date=")[1][:10])
    return (
        meter,
        stamp,
        interval,
        energy,
        voltage,
        current,
        pf,
        status,
        raw,
        parse_error,
        file,
        line,
        day,
        "b1",
        INGESTED,
    )


@pytest.fixture
def meters(spark):
    return spark.createDataFrame(
        [("M1", "Prishtina", "residential"), ("M2", "Peja", "industrial")],
        "meter_id string, region string, customer_type string",
    )


def _conform(spark, meters, lines):
    df = spark.createDataFrame(lines, BRONZE_SCHEMA)
    return readings.conform(df, meters, "Europe/Belgrade")


def test_interval_end_with_offset_becomes_utc_start_and_local_day(spark, meters) -> None:
    lines = [
        _line(2),  # 03:15+02:00 on the spring-forward day: the 01:00 UTC quarter (02:00-03:00 local skipped)
        _line(3, stamp="2026-03-29T02:00:00+01:00", interval="60", meter="M2"),  # 00:00-01:00 UTC
        _line(
            4, stamp="2026-03-29T00:15:00+01:00"
        ),  # first quarter of the local day: 23:00 UTC the day before
        _line(
            5, stamp="2026-10-25T02:15:00+01:00", file="meters/readings/date=2026-10-25/x.csv"
        ),  # 2nd 02:00
        _line(
            6, stamp="2026-10-25T02:15:00+02:00", file="meters/readings/date=2026-10-25/x.csv"
        ),  # 1st 02:00
    ]
    got = {r["_line_number"]: r for r in _conform(spark, meters, lines).collect()}
    assert all(r["reason"] is None for r in got.values()), [(r["reason"], r["detail"]) for r in got.values()]
    assert got[2]["interval_start_utc"] == datetime(2026, 3, 29, 1, 0)
    assert got[3]["interval_start_utc"] == datetime(2026, 3, 29, 0, 0)
    assert got[4]["interval_start_utc"] == datetime(2026, 3, 28, 23, 0)
    assert got[4]["date_local"] == date(2026, 3, 29)
    assert got[5]["interval_start_utc"] == datetime(2026, 10, 25, 1, 0)
    assert got[6]["interval_start_utc"] == datetime(2026, 10, 25, 0, 0)
    assert (got[3]["region"], got[3]["customer_type"], got[3]["interval_min"]) == ("Peja", "industrial", 60)
    assert got[2]["energy_kwh"] == 0.25 and got[2]["status"] == "OK"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"parse_error": "expected 8 fields, got 3", "meter": None, "raw": "M1,x,15"}, "MALFORMED_LINE"),
        ({"stamp": "29.03.2026 03:15"}, "BAD_TIMESTAMP"),
        ({"stamp": "2026-03-29T03:15:00"}, "BAD_TIMESTAMP"),  # no offset: ambiguous local time
        ({"interval": "30"}, "BAD_INTERVAL"),
        ({"status": "BAD"}, "BAD_STATUS"),
        ({"energy": "0,25"}, "BAD_NUMBER"),
        ({"meter": "M999"}, "UNKNOWN_METER"),
        ({"energy": ""}, "MISSING_ENERGY"),
        ({"energy": "-0.100"}, "NEGATIVE_ENERGY"),
        ({"energy": "99999.999"}, "OUT_OF_RANGE"),
        ({"voltage": "480.5"}, "OUT_OF_RANGE"),
        ({"pf": "1.370"}, "OUT_OF_RANGE"),
        ({"stamp": "2026-03-29T03:22:00+02:00"}, "CLOCK_SKEW"),  # off the 15-minute grid
        ({"stamp": "2026-03-29T03:15:00+02:00", "interval": "60"}, "CLOCK_SKEW"),  # off the hourly grid
        ({"stamp": "2025-03-29T03:15:00+01:00"}, "CLOCK_SKEW"),  # a year before the file's day
    ],
)
def test_records_that_cannot_be_conformed_get_a_reason(spark, meters, overrides, reason) -> None:
    (row,) = _conform(spark, meters, [_line(2, **overrides)]).collect()
    assert row["reason"] == reason, row["detail"]
    assert row["detail"]
    assert row["raw_record"]


def test_err_readings_without_values_are_kept(spark, meters) -> None:
    (row,) = _conform(
        spark, meters, [_line(2, energy="", voltage="", current="", pf="", status="ERR")]
    ).collect()
    assert row["reason"] is None
    assert row["energy_kwh"] is None and row["status"] == "ERR"


def test_duplicates_collapse_and_a_resent_correction_wins(spark, meters) -> None:
    lines = [
        _line(2, energy="0.250"),
        _line(3, stamp="2026-03-29T03:30:00+02:00", energy="0.300"),
        _line(4, energy="0.250"),  # exact duplicate of line 2
        _line(2, energy="0.275", file=F30),  # resent the next day with a corrected value
    ]
    silver = readings.readings(_conform(spark, meters, lines))
    got = {r["interval_start_utc"]: r for r in silver.collect()}
    assert len(got) == 2
    corrected = got[datetime(2026, 3, 29, 1, 0)]
    assert (corrected["energy_kwh"], corrected["_landing_file"]) == (0.275, F30)
    assert got[datetime(2026, 3, 29, 1, 15)]["energy_kwh"] == 0.3


@pytest.mark.parametrize("listed", [200_000, 1, 0], ids=["listed", "too-many-listed", "lazy-only"])
def test_a_staged_batch_collapses_like_the_pure_transform(spark, meters, monkeypatch, listed) -> None:
    """run() lists the superseded rows in the driver, or falls back to the lazy join: same rows."""
    lines = [
        _line(2, energy="0.250"),
        _line(3, stamp="2026-03-29T03:30:00+02:00", energy="0.300"),
        _line(4, energy="0.250"),
        _line(5, energy="0.260"),
        _line(2, energy="0.275", file=F30),
        _line(6, meter="M2", stamp="not-a-time"),
    ]
    conformed = _conform(spark, meters, lines)
    monkeypatch.setattr(readings, "MAX_LISTED_SUPERSEDED", listed)
    batch = readings.staged_rows(conformed)
    got = sorted(map(repr, readings._latest_good(batch).collect()))
    assert got == sorted(map(repr, readings.readings(conformed).collect()))
    assert len(got) == 2


def test_arrival_orders_by_folder_day_before_file_name(spark, meters) -> None:
    """The corrections file name sorts before the original's ('headend-c' < 'headend-p'): the later
    folder day must still win."""
    original = "meters/readings/date=2026-03-29/headend-prishtina-001.csv"
    lines = [_line(2, energy="0.275", file=F30), _line(9, energy="0.250", file=original)]
    (row,) = readings.readings(_conform(spark, meters, lines)).collect()
    assert row["energy_kwh"] == 0.275


def test_registry_rows_are_typed_and_bad_ones_rejected(spark) -> None:
    schema = (
        "meter_id string, region string, customer_type string, feeder_id string, latitude string, "
        "longitude string, installed_on string, tariff string, _raw_line string, _parse_error string, "
        "_landing_file string, _line_number long, _batch_id string, _ingested_at timestamp"
    )
    base = ["Prishtina", "residential", "PR-F001", "42.66", "21.16", "2020-05-01", "residential-single-rate"]
    f = "meters/registry/meters.csv"
    bronze = spark.createDataFrame(
        [
            ("M1", *base, None, None, f, 2, "b", INGESTED),
            ("M2", base[0], "household", *base[2:], None, None, f, 3, "b", INGESTED),
            ("M3", *base[:3], "north", *base[4:], None, None, f, 4, "b", INGESTED),
            ("M1", "Peja", *base[1:], None, None, f, 5, "b", INGESTED),  # listed again: the last line wins
        ],
        schema,
    )
    meters, rejected = silver_meters.split(silver_meters.conform(bronze))
    got = {r["meter_id"]: r for r in meters.collect()}
    assert list(got) == ["M1"]
    assert got["M1"]["region"] == "Peja"
    assert got["M1"]["latitude"] == 42.66 and got["M1"]["installed_on"] == date(2020, 5, 1)
    reasons = sorted((r["meter_id"], r["reason"]) for r in rejected.collect())
    assert reasons == [("M1", "DUPLICATE_METER"), ("M2", "BAD_CUSTOMER_TYPE"), ("M3", "BAD_NUMBER")]


def _doc(**fields):
    return {
        "city": "Prishtina",
        "_landing_file": "weather/date=2026-03-29/Prishtina.json",
        "_landing_date": date(2026, 3, 29),
        "_ingested_at": INGESTED,
        "_batch_id": "b",
        "_parse_error": None,
        **fields,
    }


def test_weather_documents_become_hourly_rows_or_one_rejection(spark) -> None:
    import json

    hourly = {
        "time": ["2026-03-28T23:00", "2026-03-29T00:00"],
        "temperature_2m": [4.5, 99.0],
        "relative_humidity_2m": [80, 81],
        "wind_speed_10m": [3.0, 2.0],
        "cloud_cover": [10, 20],
        "shortwave_radiation": [0.0, 0.0],
    }
    good = json.dumps({"latitude": 42.6, "longitude": 21.2, "utc_offset_seconds": 0, "hourly": hourly})
    records = silver_weather.parse_documents([_doc(document=good), _doc(document="{oops", city="Peja")])
    conformed = silver_weather.conform(spark.createDataFrame(records, silver_weather.RECORD_SCHEMA))
    got = sorted(conformed.collect(), key=lambda r: (r["city"], r["_line_number"]))
    assert [(r["city"], r["_line_number"], r["reason"]) for r in got] == [
        ("Peja", 0, "MALFORMED_DOCUMENT"),
        ("Prishtina", 1, None),
        ("Prishtina", 2, "OUT_OF_RANGE"),  # 99 C
    ]
    first = got[1]
    assert (first["hour_utc"], first["date_local"], first["temperature_c"]) == (
        datetime(2026, 3, 28, 23, 0),
        date(2026, 3, 29),
        4.5,
    )
    assert silver_weather.hourly(conformed).count() == 1


A44 = """<?xml version="1.0" encoding="UTF-8"?>
<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3">
  <type>A44</type>
  <TimeSeries>
    <currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name>
    <curveType>A01</curveType>
    <Period>
      <timeInterval><start>2026-03-28T23:00Z</start><end>2026-03-29T00:00Z</end></timeInterval>
      <resolution>PT15M</resolution>
      <Point><position>1</position><price.amount>80</price.amount></Point>
      <Point><position>2</position><price.amount>90</price.amount></Point>
      <Point><position>3</position><price.amount>100</price.amount></Point>
      <Point><position>4</position><price.amount>110</price.amount></Point>
    </Period>
  </TimeSeries>
</Publication_MarketDocument>"""


def test_price_documents_become_intervals_and_an_hourly_mean(spark) -> None:
    base = {
        "bidding_zone": "Z",
        "_landing_file": "prices/date=2026-03-29/Z.xml",
        "_landing_date": date(2026, 3, 29),
        "_ingested_at": INGESTED,
        "_batch_id": "b",
        "_parse_error": None,
    }
    parsed, rejected = silver_prices.parse_documents(
        [{**base, "document": A44}, {**base, "document": "<x/>"}]
    )
    assert len(parsed) == 4 and len(rejected) == 1
    assert rejected[0][1] == "MALFORMED_DOCUMENT"
    prices = silver_prices.to_silver(spark.createDataFrame(parsed, silver_prices.PARSED_SCHEMA))
    assert {(r["resolution_min"], r["date_local"]) for r in prices.collect()} == {(15, date(2026, 3, 29))}
    (hour,) = silver_prices.hourly(prices).collect()
    assert (hour["hour_utc"], hour["price_eur_mwh"], hour["intervals"]) == (
        datetime(2026, 3, 28, 23),
        95.0,
        4,
    )

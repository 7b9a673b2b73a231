"""Bronze meter readings transform: records as landed, header-mapped, malformed lines kept with the reason."""

from __future__ import annotations

import gzip
from datetime import date, datetime
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from lakehouse.sources.landing import LandingStore
from spark_jobs.bronze_meter_readings import COLUMNS, EXPECTED_HEADER, first_line, read_lines, to_bronze

DAY = date(2026, 3, 29)
INGESTED = datetime(2026, 3, 30, 0, 5)
GOOD = "M001,2026-03-29T00:15:00+01:00,15,0.412,231.2,1.9,0.97,OK"


def _lines(spark, files: dict[str, list[str]]):
    rows = [(line, name, i) for name, lines in files.items() for i, line in enumerate(lines, start=1)]
    return spark.createDataFrame(rows, "value string, _landing_file string, _line_number long")


def _bronze(spark, files: dict[str, list[str]]) -> list[dict]:
    df = to_bronze(_lines(spark, files), landing_date=DAY, batch_id="batch-1", ingested_at=INGESTED)
    return [row.asDict() for row in df.orderBy("_landing_file", "_line_number").collect()]


def test_records_keep_their_fields_as_strings_and_their_origin(spark) -> None:
    rows = _bronze(spark, {"a.csv": [EXPECTED_HEADER, GOOD, GOOD.replace("M001", "M002")]})
    assert len(rows) == 2  # the header is not a record
    first = rows[0]
    assert [first[c] for c in COLUMNS] == GOOD.split(",")
    assert first["_landing_file"] == "a.csv"
    assert first["_line_number"] == 2
    assert rows[1]["_line_number"] == 3
    assert first["_landing_date"] == DAY
    assert first["_batch_id"] == "batch-1"
    assert first["_ingested_at"] == INGESTED
    assert first["_parse_error"] is None
    assert first["_raw_line"] is None


def test_malformed_lines_are_kept_with_the_reason(spark) -> None:
    lines = [EXPECTED_HEADER, GOOD, "M003,garbage", "", GOOD + ",surplus"]
    rows = _bronze(spark, {"b.csv": lines})
    assert len(rows) == 4
    by_line = {r["_line_number"]: r for r in rows}
    assert by_line[3]["_parse_error"] == "expected 8 fields, got 2"
    assert by_line[3]["_raw_line"] == "M003,garbage"
    assert by_line[3]["meter_id"] is None
    assert by_line[4]["_parse_error"] == "expected 8 fields, got 1"
    assert by_line[4]["_raw_line"] == ""
    assert by_line[5]["_parse_error"] == "expected 8 fields, got 9"
    assert by_line[5]["_raw_line"] == GOOD + ",surplus"
    assert by_line[2]["_parse_error"] is None


def test_fields_follow_each_file_header_and_odd_files_keep_raw_lines(spark) -> None:
    reordered = "timestamp,meter_id,interval_min,energy_kwh,voltage_v,current_a,power_factor,status,firmware"
    line = "2026-03-29T00:15:00+01:00,M009,15,0.5,230.0,2.0,0.9,EST,v2.1\r"
    rows = _bronze(spark, {"c.csv": [reordered, line], "d.csv": [EXPECTED_HEADER + "\r", GOOD + "\r"]})
    c, d = rows
    assert c["meter_id"] == "M009"
    assert c["timestamp"] == "2026-03-29T00:15:00+01:00"
    assert c["status"] == "EST"  # CR of a CRLF file is not part of the last field
    assert c["_parse_error"] is None
    assert c["_raw_line"] == line  # the extra column survives in the raw line
    assert d["status"] == "OK"
    assert d["_raw_line"] is None


def test_read_lines_numbers_plain_and_gzip_files_exactly(spark, tmp_path: Path) -> None:
    """Sail reads a large plain file as byte ranges in no particular order: numbers must stay exact."""
    n = 450_000  # ~25 MB: more than Sail's threshold for splitting a file
    folder = tmp_path / "meters" / "readings" / "date=2026-03-29"
    folder.mkdir(parents=True)
    with (folder / "big.csv").open("w") as out:
        out.write(EXPECTED_HEADER + "\n")
        for i in range(n):
            out.write(f"M{i},2026-03-29T00:15:00+01:00,15,0.5,230,1.2,0.95,OK\n")
    small = EXPECTED_HEADER + "\n" + GOOD + "\n" + "M2,broken\n"
    (folder / "small.csv.gz").write_bytes(gzip.compress(small.encode()))
    (folder / "tiny.csv").write_text(small)  # same content, uncompressed
    files = [f"meters/readings/date=2026-03-29/{name}" for name in ("big.csv", "small.csv.gz", "tiny.csv")]
    lines = read_lines(spark, LandingStore(str(tmp_path)), files)
    big = lines.filter(F.col("_landing_file") == files[0])
    wrong = (
        big.filter(F.col("_line_number") > 1)
        .filter(F.split("value", ",")[0] != F.concat(F.lit("M"), (F.col("_line_number") - 2).cast("string")))
        .count()
    )
    assert wrong == 0, f"{wrong} lines misnumbered"
    assert big.count() == n + 1
    for relpath in files[1:]:
        got = sorted(
            (r["_line_number"], r["value"]) for r in lines.filter(F.col("_landing_file") == relpath).collect()
        )
        assert got == list(enumerate(small.splitlines(), start=1)), relpath


def test_gzip_files_read_together_are_numbered_per_file(spark, tmp_path: Path) -> None:
    """Line numbers come from each file's own row positions, also across many batches and files."""
    folder = tmp_path / "meters" / "readings" / "date=2026-03-29"
    folder.mkdir(parents=True)
    sizes = {"a.csv.gz": 40_000, "b.csv.gz": 25_000, "c.csv.gz": 3}
    for name, n in sizes.items():
        body = "".join(f"M{i},2026-03-29T00:15:00+01:00,15,0.5,230,1.2,0.95,OK\n" for i in range(n))
        (folder / name).write_bytes(gzip.compress((EXPECTED_HEADER + "\n" + body).encode()))
    files = [f"meters/readings/date=2026-03-29/{name}" for name in sizes]
    lines = read_lines(spark, LandingStore(str(tmp_path)), files)
    figures = {
        r["_landing_file"]: (r["n"], r["first"], r["last"], r["wrong"])
        for r in lines.groupBy("_landing_file")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.min("_line_number").alias("first"),
            F.max("_line_number").alias("last"),
            F.sum(
                (
                    (F.col("_line_number") > 1)
                    & (
                        F.split("value", ",")[0]
                        != F.concat(F.lit("M"), (F.col("_line_number") - 2).cast("string"))
                    )
                ).cast("int")
            ).alias("wrong"),
        )
        .collect()
    }
    assert figures == {f: (n + 1, 1, n + 1, 0) for f, n in zip(files, sizes.values(), strict=True)}
    headers = lines.where(F.col("_line_number") == 1).select("value").distinct().collect()
    assert [r["value"] for r in headers] == [EXPECTED_HEADER]


def test_first_line_reads_headers_as_spark_does() -> None:
    assert first_line("x.csv.gz", gzip.compress(b"a,b\r\n1,2\n")) == "a,b\r"  # to_bronze drops the CR
    assert first_line("x.csv", b"a,b\n1,2\n") == "a,b"
    assert first_line("x.csv", b"a,b") == "a,b"
    assert first_line("x.csv", b"") == ""
    assert first_line("x.csv", b"caf\xe9,b\n") == "caf\ufffd,b"
    assert first_line("x.csv.gz", b"not gzip at all") == ""


REORDERED = "timestamp,meter_id,interval_min,energy_kwh,voltage_v,current_a,power_factor,status"
EXPECTED_ONLY = {
    "a.csv": [EXPECTED_HEADER, GOOD, "M3,garbage", ""],
    "b.csv": [EXPECTED_HEADER + "\r", GOOD + "\r", GOOD + ",surplus\r"],
}
MIXED = {
    **EXPECTED_ONLY,
    "c.csv": [REORDERED, "2026-03-29T00:15:00+01:00,M9,15,0.5,230.0,2.0,0.9,EST"],
    "d.csv": ["meter,when", "M1,now"],
}


@pytest.mark.parametrize("files", [EXPECTED_ONLY, MIXED], ids=["expected-headers", "mixed-headers"])
def test_headers_given_by_the_driver_give_the_same_rows(spark, files) -> None:
    lines = _lines(spark, files)
    kwargs = {"landing_date": DAY, "batch_id": "batch-1", "ingested_at": INGESTED}
    derived = to_bronze(lines, **kwargs)
    given = to_bronze(lines, headers={name: content[0] for name, content in files.items()}, **kwargs)
    assert sorted(map(repr, given.collect())) == sorted(map(repr, derived.collect()))
    assert given.count() == sum(len(content) - 1 for content in files.values())

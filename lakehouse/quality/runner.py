"""Validate one new partition of a table against its suite, apply the policies, record the results.

`validate(table, day)` selects only the new data: `date_local = D` for silver and gold tables, the
landing day's rows (`_landing_date = D`) for bronze feeds, the newest registry batch for
bronze.meter_registry and the whole (small) silver.meters. It runs the suite with Great Expectations
on the Spark Connect DataFrame itself (GE 1.24 accepts pyspark.sql.connect DataFrames and its Spark
metrics run on Sail 0.7.2: measured, see lakehouse/quality/__init__.py), then:

1. records one row per expectation in gold.quality_results and stores GE's validation result (Data Docs);
2. `fail` expectations that did not hold -> QualityGateError (nothing is changed, nothing promoted);
3. otherwise `quarantine` expectations that did not hold -> their rows are merged into silver.quarantine
   (reason = the expectation's name) and the partition is rewritten without them (replace_where), so
   gold, which runs after the gate, never sees them.

Queries of `unexpected_rows_expectation`s may use two views the runner registers next to `{batch}`:
`quality_context` (one row: day, day_start_utc, day_end_utc, day_hours (23/24/25), fresh_after_utc,
registered_meters = meters of silver.meters installed on or before D) and `quality_previous` (the same
table's partition D-1, for day-over-day checks). The row count band comes in as the suite parameters
`row_count_min`/`row_count_max`: the average row count of the trailing `trailing_days` partitions
+- `row_count_band` (no history: at least one row).
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lakehouse.quality import context as gxctx
from lakehouse.quality.errors import FailedExpectation, QualityGateError
from lakehouse.quality.predicates import unexpected_predicate
from lakehouse.quality.results import ResultRow, sample_text, write_results
from lakehouse.quality.suites import QUARANTINABLE, Suite, load_suite
from lakehouse.settings import Settings, get_settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)
QUARANTINE = "silver.quarantine"
QUARANTINE_KEYS = ["source", "landing_file", "line_number", "reason"]
SAMPLE_ROWS = 5
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS}


def _spark(spark: SparkSession | None) -> SparkSession:
    if spark is not None:
        return spark
    from lakehouse.spark import session

    return session()


def pin_session(definition: Any, spark: SparkSession) -> None:
    """Make GE's Spark engine run its SQL metrics on the batch's own session.

    GE caches one execution engine per datasource, holding the session of
    `SparkSession.builder.getOrCreate()` when it was built; `unexpected_rows_expectation` runs
    `engine.spark.sql(...)` over a temp view of the batch. With several Spark Connect sessions in a
    process (tests, a CLI next to a server) that can be another session, where the view does not exist.
    """
    engine = definition.batch_definition.data_asset.datasource.get_execution_engine()
    engine.spark = spark


def partition_column(table: str, columns: list[str]) -> str | None:
    """The column whose value D selects the new data, or None (the table is validated whole/latest)."""
    for column in ("date_local", "_landing_date"):
        if column in columns:
            return column
    return None


def select_batch(df: DataFrame, table: str, day: date) -> DataFrame:
    """Only the new data of `table` for day D (see the module docstring)."""
    from pyspark.sql import functions as F

    column = partition_column(table, df.columns)
    if column is not None:
        return df.where(F.col(column) == F.lit(day))
    if "_batch_id" in df.columns and "_ingested_at" in df.columns and table.startswith("bronze."):
        latest = df.orderBy(F.col("_ingested_at").desc()).select("_batch_id").limit(1).collect()
        return df.where(F.col("_batch_id") == latest[0][0]) if latest else df
    return df


def day_bounds(day: date, settings: Settings) -> tuple[datetime, datetime]:
    """UTC start and end of local day D (23, 24 or 25 hours apart)."""
    tz = settings.tz
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
    return start, end


def _register_context(
    spark: SparkSession, df: DataFrame, suite: Suite, day: date, settings: Settings
) -> None:
    from pyspark.sql import functions as F

    from lakehouse.storage import tables

    start, end = day_bounds(day, settings)
    lag = float(suite.meta.get("freshness_lag_hours", 0))
    registered = 0
    if tables.exists("silver.meters"):
        meters = tables.read(spark, "silver.meters")
        if "installed_on" in meters.columns:
            meters = meters.where(F.col("installed_on").isNull() | (F.col("installed_on") <= F.lit(day)))
        registered = meters.count()
    spark.range(1).select(
        F.lit(day).alias("day"),
        F.timestamp_seconds(F.lit(int(start.timestamp()))).alias("day_start_utc"),
        F.timestamp_seconds(F.lit(int(end.timestamp()))).alias("day_end_utc"),
        F.lit(int((end - start).total_seconds() // 3600)).alias("day_hours"),
        F.timestamp_seconds(F.lit(int(end.timestamp() - lag * 3600))).alias("fresh_after_utc"),
        F.lit(registered).cast("bigint").alias("registered_meters"),
    ).createOrReplaceTempView("quality_context")
    column = partition_column(suite.table, df.columns)
    previous = df.where(F.col(column) == F.lit(day - timedelta(days=1))) if column else df.limit(0)
    previous.createOrReplaceTempView("quality_previous")


def row_count_band(df: DataFrame, suite: Suite, day: date) -> dict[str, int | None]:
    """Suite parameters row_count_min/max: trailing average +- band (no history: at least 1 row)."""
    from pyspark.sql import functions as F

    column = partition_column(suite.table, df.columns)
    trailing = int(suite.meta.get("trailing_days", 7))
    band = float(suite.meta.get("row_count_band", 0.5))
    counts: list[int] = []
    if column is not None and trailing > 0:
        history = df.where(
            (F.col(column) >= F.lit(day - timedelta(days=trailing))) & (F.col(column) < F.lit(day))
        )
        counts = [int(r["count"]) for r in history.groupBy(column).count().collect()]
    if not counts:
        return {"row_count_min": 1, "row_count_max": None}
    average = sum(counts) / len(counts)
    return {
        "row_count_min": max(1, math.floor(average * (1 - band))),
        "row_count_max": math.ceil(average * (1 + band)),
    }


def _key_columns(batch: DataFrame, column: str | None) -> list[str]:
    wanted = ["meter_id", "city", "region", "bidding_zone", "interval_start_utc", "hour_utc", "date_local"]
    keys = [c for c in wanted if c in batch.columns]
    if column and column not in keys and column in batch.columns:
        keys.append(column)
    return keys + [c for c in ("_landing_file", "_line_number") if c in batch.columns]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _sample_rows(batch: DataFrame, item: dict[str, Any]) -> list[dict[str, Any]]:
    """A few offending rows (key columns and the checked column) for a failed column expectation."""
    from pyspark.sql import functions as F

    predicate = F.coalesce(F.expr(unexpected_predicate(item)), F.lit(False))
    columns = _key_columns(batch, item["kwargs"].get("column"))
    rows = batch.where(predicate).select(*columns).limit(SAMPLE_ROWS).collect()
    return [_plain(r.asDict()) for r in rows]


def _query_sample(spark: SparkSession, batch: DataFrame, item: dict[str, Any]) -> list[dict[str, Any]]:
    """A few unexpected rows of a failed unexpected_rows_expectation (GE's SUMMARY omits them)."""
    batch.createOrReplaceTempView("quality_batch")
    query = item["kwargs"]["unexpected_rows_query"].format(batch="quality_batch")
    rows = spark.sql(query).limit(SAMPLE_ROWS).collect()
    return [_plain(r.asDict()) for r in rows]


def _result_fields(result: Any) -> dict[str, Any]:
    """Counts and a sample out of one GE ExpectationValidationResult."""
    info = result.result or {}
    kind = result.expectation_config.type
    unexpected, elements = info.get("unexpected_count"), info.get("element_count")
    percent = info.get("unexpected_percent")
    sample: Any = info.get("partial_unexpected_list")
    if kind == "unexpected_rows_expectation":
        unexpected = info.get("observed_value")
        details = info.get("details") or {}
        sample = details.get("unexpected_rows") or None
    elif unexpected is None and "observed_value" in info:
        sample = {"observed_value": info.get("observed_value")}
        kwargs = result.expectation_config.kwargs
        if "min_value" in kwargs or "max_value" in kwargs:
            sample.update({"min_value": kwargs.get("min_value"), "max_value": kwargs.get("max_value")})
    error = result.exception_info or {}
    if isinstance(error, dict) and error.get("raised_exception"):
        sample = {"exception": str(error.get("exception_message"))[:500]}
    elif isinstance(error, dict):
        for value in error.values():  # GE 1.x keys exceptions by metric id
            if isinstance(value, dict) and value.get("raised_exception"):
                sample = {"exception": str(value.get("exception_message"))[:500]}
                break
    return {
        "unexpected_count": None if unexpected is None else int(unexpected),
        "element_count": None if elements is None else int(elements),
        "unexpected_percent": None if percent is None else float(percent),
        "sample": sample,
    }


def _quarantine(
    spark: SparkSession, batch: DataFrame, suite: Suite, items: list[dict[str, Any]], run_id: str, day: date
) -> dict[str, int]:
    """Move the rows of failed quarantine expectations to silver.quarantine; rewrite the partition."""
    from pyspark.sql import functions as F

    from lakehouse.storage import tables

    detected = datetime.now(UTC).replace(tzinfo=None)
    source = suite.meta["quarantine_source"]
    raw = F.to_json(F.struct(*[F.col(c) for c in batch.columns if not c.startswith("_")]))
    parts = []
    any_bad = F.lit(False)
    for item in items:
        name = item["meta"]["name"]
        column = item["kwargs"]["column"]
        bad = F.coalesce(F.expr(unexpected_predicate(item)), F.lit(False))
        any_bad = any_bad | bad
        parts.append(
            batch.where(bad).select(
                F.lit(source).alias("source"),
                F.lit(name).alias("reason"),
                F.concat(
                    F.lit(f"expectation {name}: {column}="),
                    F.coalesce(F.col(column).cast("string"), F.lit("NULL")),
                ).alias("detail"),
                raw.alias("raw_record"),
                F.col("_landing_file").alias("landing_file"),
                F.col("_line_number").cast("long").alias("line_number"),
                F.col("date_local").cast("date").alias("date_local"),
                (F.col("_landing_date") if "_landing_date" in batch.columns else F.lit(None))
                .cast("date")
                .alias("landing_date"),
                F.lit(run_id).alias("_batch_id"),
                F.lit(detected).cast("timestamp").alias("_detected_at"),
            )
        )
    rows = parts[0]
    for part in parts[1:]:
        rows = rows.unionByName(part)
    quarantined = rows.count()
    if quarantined:
        tables.merge(rows, QUARANTINE, keys=QUARANTINE_KEYS)
        column = partition_column(suite.table, batch.columns)
        kept = batch.where(~any_bad)
        tables.replace_where(kept, suite.table, f"{column} = '{day.isoformat()}'", partition_by=[column])
    return {"quarantined_rows": quarantined}


def _action(policy: str, success: bool, errored: bool) -> str:
    if success:
        return "passed"
    if errored and policy != "fail":
        return "error"
    return {"warn": "warned", "quarantine": "quarantined", "fail": "blocked"}[policy]


def validate(
    table: str,
    day: date,
    spark: SparkSession | None = None,
    *,
    settings: Settings | None = None,
    build_docs: bool = True,
) -> dict[str, Any]:
    """Validate the new partition of `table` for local day D; returns a summary, or raises
    QualityGateError (after recording the results) when a `fail` expectation did not hold."""
    from lakehouse.storage import tables

    started = time.perf_counter()
    settings = settings or get_settings()
    suite = load_suite(table, settings)
    if not tables.exists(table):
        return {"table": table, "day": day.isoformat(), "skipped": f"{table} does not exist yet"}
    spark = _spark(spark)
    run_id = f"{table}:{day.isoformat()}:{uuid.uuid4().hex[:12]}"
    validated_at = datetime.now(UTC).replace(tzinfo=None)

    df = tables.read(spark, table)
    batch = select_batch(df, table, day)
    _register_context(spark, df, suite, day, settings)
    parameters = row_count_band(df, suite, day)

    context = gxctx.gx_context(settings)
    definition = gxctx.validation_definition(context, suite.gx_suite(), table)
    pin_session(definition, spark)
    outcome = definition.run(
        batch_parameters={"dataframe": batch},
        expectation_parameters=parameters,
        result_format=RESULT_FORMAT,
    )

    by_name = {item["meta"]["name"]: item for item in suite.expectations}
    rows: list[ResultRow] = []
    failures: list[FailedExpectation] = []
    to_quarantine: list[dict[str, Any]] = []
    for result in outcome.results:
        meta = result.expectation_config.meta or {}
        name = meta.get("name") or result.expectation_config.type
        policy = meta.get("policy", "warn")
        fields = _result_fields(result)
        errored = isinstance(fields["sample"], dict) and "exception" in fields["sample"]
        success = bool(result.success) and not errored
        item = by_name.get(name)
        if not success and not errored and item is not None and item["type"] == "unexpected_rows_expectation":
            fields["sample"] = _query_sample(spark, batch, item)
        if not success and policy == "fail":
            sample = fields["sample"]
            if item is not None and item["type"] in QUARANTINABLE and not errored:
                sample = _sample_rows(batch, item)
            fields["sample"] = sample
            failures.append(
                FailedExpectation(
                    name,
                    fields["unexpected_count"],
                    fields["element_count"],
                    sample if isinstance(sample, list) else [sample],
                )
            )
        if not success and policy == "quarantine" and item is not None and not errored:
            to_quarantine.append(item)
        rows.append(
            ResultRow(
                run_id=run_id,
                validated_at=validated_at,
                table=table,
                date_local=day,
                expectation=name,
                policy=policy,
                success=success,
                unexpected_count=fields["unexpected_count"],
                element_count=fields["element_count"],
                unexpected_percent=fields["unexpected_percent"],
                sample=sample_text(fields["sample"]),
                suite_version=suite.version,
                expectation_type=result.expectation_config.type,
                action=_action(policy, success, errored),
            )
        )
    if failures:  # blocked: nothing moves, nothing is promoted
        for row_index, row in enumerate(rows):
            if row.action == "quarantined":
                rows[row_index] = ResultRow(**{**row.__dict__, "action": "not applied (blocked)"})
    moved = {"quarantined_rows": 0}
    if to_quarantine and not failures:
        moved = _quarantine(spark, batch, suite, to_quarantine, run_id, day)
    write_results(spark, rows)
    docs = None
    if build_docs:
        try:
            docs = str(gxctx.build_data_docs(settings, context))
        except Exception as error:  # the gate's verdict must not depend on rendering HTML
            log.warning("Building Data Docs failed (results are recorded): %s", error)
    summary = {
        "table": table,
        "day": day.isoformat(),
        "run_id": run_id,
        "suite_version": suite.version,
        "expectations": len(rows),
        "failed": [r.expectation for r in rows if not r.success],
        "warned": [r.expectation for r in rows if r.action in ("warned", "error")],
        "quarantined": [r.expectation for r in rows if r.action == "quarantined"],
        "blocked": [f.name for f in failures],
        **moved,
        "data_docs": docs,
        "seconds": round(time.perf_counter() - started, 3),
    }
    log.info("Validated %s for %s: %s", table, day, summary)
    if failures:
        raise QualityGateError(table, day.isoformat(), failures, run_id)
    return summary

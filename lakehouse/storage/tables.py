"""The one write API for Delta tables: `append`, `replace_where(predicate)` and `merge(keys)`.

No other code writes Delta paths. The API is shaped so that the Sail hazards of DESIGN.md cannot happen:

- Overwrites only ever run with `replaceWhere` and `partitionOverwriteMode=static` (Sail's dynamic
  partition overwrite replaces the whole table). The predicate must name at least one column and must
  not simplify to TRUE, and every row of the DataFrame must satisfy it: Sail itself writes rows outside
  the predicate without complaint (measured on 0.7.2), so the API checks every row WHILE writing (an
  `assert_true` in the written projection fails the write before its commit) and refuses. A separate
  counting pass would compute the DataFrame twice (Sail recomputes it for every action).
- Schema evolution never uses `mergeSchema`. On Sail 0.7.2 it adds new columns as NOT NULL (inherited
  from the DataFrame), after which older files cannot be read ("expected Utf8 but found Null"), and once
  a table has a non-nullable column, further new columns are silently dropped. Instead, tables are
  created by delta-rs with every column nullable and new columns are added by delta-rs (nullable) before
  Sail writes the data; the DataFrame is then aligned to the table's columns (missing ones as NULL).
- MERGE runs as SQL (`MERGE INTO delta.`path``) on a temporary view, with explicit column lists, after
  refusing duplicate or NULL keys in the source (which would make the result depend on row order).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from lakehouse.settings import Settings, get_settings
from lakehouse.storage.uri import delta_storage_options, join

if TYPE_CHECKING:
    from deltalake import DeltaTable
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

log = logging.getLogger(__name__)

LAYERS: tuple[str, ...] = ("bronze", "silver", "gold")
# A leading "_" marks an internal table (bronze._ingested_files, the exactly-once file tracker).
_TABLE_NAME = re.compile(r"_?[a-z][a-z0-9_]*")
_SAMPLE_ROWS = 5
# Marks the failure of a write whose guard found a row outside its replace_where predicate.
_GUARD = "lakehouse write API: row outside the replace_where predicate"

Operation = Literal["append", "replace_where", "merge"]


# --- errors ----------------------------------------------------------------------------------------
class TableError(Exception):
    """Base of every error the write API raises; nothing was written when one is raised."""


class TableNameError(TableError, ValueError):
    """The table name is not `<layer>.<name>` with layer bronze/silver/gold and name [a-z][a-z0-9_]*."""


class TableNotFoundError(TableError, LookupError):
    """The table has no Delta log yet (nothing was ever written to it)."""


class PredicateError(TableError, ValueError):
    """A replace_where predicate is empty, unparsable, always true, or names unknown columns."""


class RowsOutsidePredicateError(TableError):
    """The DataFrame holds rows the replace_where predicate does not match (they would escape it)."""

    def __init__(self, message: str, *, rows: int, sample: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.rows = rows
        self.sample = sample


class DuplicateKeyError(TableError):
    """The merge source holds several rows for one key, or rows with a NULL key."""

    def __init__(self, message: str, *, keys: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.keys = keys


class SchemaMismatchError(TableError):
    """The DataFrame cannot be written to the table as it is (types, partitioning, column names)."""


# --- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WriteResult:
    """What a write did: the table version it produced and the rows it wrote."""

    table: str
    operation: Operation
    version: int
    rows_written: int
    created: bool = False
    added_columns: tuple[str, ...] = ()
    rows_inserted: int | None = None
    rows_updated: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict, repr=False)


# --- names and locations ---------------------------------------------------------------------------
def parse_name(name: str) -> tuple[str, str]:
    """'silver.meter_readings' -> ('silver', 'meter_readings'), or TableNameError saying what is wrong."""
    layer, dot, table = str(name).partition(".")
    if not dot or layer not in LAYERS or not _TABLE_NAME.fullmatch(table):
        raise TableNameError(
            f"Invalid table name {name!r}: use '<layer>.<name>' with layer one of {', '.join(LAYERS)} "
            "and name in lower case letters, digits and '_' starting with a letter (e.g. 'silver.meters'; "
            "a leading '_' marks an internal table)."
        )
    return layer, table


def table_uri(name: str, settings: Settings | None = None) -> str:
    """Location of table `name`: LAKEHOUSE_ROOT/<layer>/<name> (local folder or s3://)."""
    layer, table = parse_name(name)
    return join((settings or get_settings()).lakehouse_uri, layer, table)


def exists(name: str, settings: Settings | None = None) -> bool:
    """True when the table has a Delta log."""
    from deltalake import DeltaTable

    settings = settings or get_settings()
    return DeltaTable.is_deltatable(table_uri(name, settings), delta_storage_options(settings))


def read(spark: SparkSession, name: str, version: int | None = None) -> DataFrame:
    """The table as a DataFrame, optionally as of an earlier version (time travel)."""
    uri = table_uri(name)
    if not exists(name):
        raise TableNotFoundError(f"Table {name} does not exist at {uri}: no write has created it yet.")
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", int(version))
    return reader.load(uri)


# --- writes ----------------------------------------------------------------------------------------
def append(df: DataFrame, name: str, partition_by: list[str] | None = None) -> WriteResult:
    """Add the DataFrame's rows to the table (created on first write, new columns added as nullable)."""
    target = _prepare(df, name, partition_by)
    target.aligned.write.format("delta").mode("append").save(target.uri)
    commit = _last_commit(target.uri)
    rows = int(commit["metrics"].get("numOutputRows", 0))
    return _done(target, "append", commit, rows_written=rows)


def replace_where(
    df: DataFrame, name: str, predicate: str, partition_by: list[str] | None = None
) -> WriteResult:
    """Atomically replace the rows matching `predicate` with the DataFrame's rows (idempotent re-runs).

    Rows of the table outside the predicate are never touched. Every DataFrame row must satisfy the
    predicate (RowsOutsidePredicateError otherwise); an empty DataFrame deletes the matching rows.
    """
    _validate_predicate(predicate, df.columns)
    if _adds_columns(df, name):
        # Adding columns is a commit of its own: check the rows before it, so that a refusal leaves
        # the table exactly as it was (one extra pass, on schema changes only).
        _refuse_rows_outside(df, name, predicate)
    target = _prepare(df, name, partition_by)
    try:
        (
            _guarded(target.aligned, predicate)
            .write.format("delta")
            .mode("overwrite")
            .option("replaceWhere", predicate)
            .option("partitionOverwriteMode", "static")
            .save(target.uri)
        )
    except Exception as error:
        if target.created:
            _drop_new_table(target.uri)  # a failed first write leaves no (empty) table behind
        if _GUARD not in str(error):
            raise
        _refuse_rows_outside(df, name, predicate)
        raise  # the guard fired but no row is outside on a second look: not ours to explain
    commit = _last_commit(target.uri)
    rows = int(commit["metrics"].get("numOutputRows", 0))
    return _done(target, "replace_where", commit, rows_written=rows)


def merge(
    df: DataFrame,
    name: str,
    keys: list[str],
    partition_by: list[str] | None = None,
    update_condition: str | None = None,
    target_predicate: str | None = None,
) -> WriteResult:
    """Upsert by `keys`: matching rows get the DataFrame's values, others are inserted. Never deletes.

    Only the DataFrame's columns are set on update; table columns it lacks keep their values (NULL on
    insert). Duplicate or NULL keys in the DataFrame are refused with DuplicateKeyError.
    `update_condition` (SQL over `t.` = table and `s.` = DataFrame columns, e.g. "s._arrival >= t._arrival")
    limits which matched rows are updated, so that replaying an older batch never reverts newer rows.
    `target_predicate` (SQL over the columns, e.g. "date_local IN (DATE'2026-03-29')") limits the table
    rows the MERGE reads and rewrites (Sail scans only those partitions); every DataFrame row must
    satisfy it (RowsOutsidePredicateError otherwise), or it could be inserted next to its own key.
    """
    from pyspark.sql import functions as F

    keys = list(keys)
    if not keys:
        raise SchemaMismatchError(f"merge into {name} needs at least one key column.")
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise SchemaMismatchError(
            f"merge into {name}: key columns {missing} are not in the DataFrame (columns: {df.columns})."
        )
    any_null = F.lit(False)
    for key in keys:
        any_null = any_null | F.col(key).isNull()
    bad = (
        df.groupBy(*keys)
        .agg(F.count(F.lit(1)).alias("rows"))
        .where((F.col("rows") > 1) | any_null)
        .limit(_SAMPLE_ROWS + 1)
        .collect()
    )
    if bad:
        sample = [row.asDict() for row in bad[:_SAMPLE_ROWS]]
        more = " (and more)" if len(bad) > _SAMPLE_ROWS else ""
        raise DuplicateKeyError(
            f"Refusing merge into {name}: the DataFrame has duplicate or NULL keys {keys}; each key must "
            f"appear once and be non-NULL. Offending keys with their row counts: {sample}{more}. "
            "Deduplicate the source first (e.g. keep the latest row per key).",
            keys=sample,
        )

    if target_predicate is not None:
        _check_inside(df, name, target_predicate)
    target = _prepare(df, name, partition_by, align=False)
    if target.created:
        target.aligned.write.format("delta").mode("append").save(target.uri)
        commit = _last_commit(target.uri)
        rows = int(commit["metrics"].get("numOutputRows", 0))
        return _done(target, "merge", commit, rows_written=rows, rows_inserted=rows, rows_updated=0)

    spark = df.sparkSession
    view = f"lakehouse_merge_{uuid.uuid4().hex}"
    target.aligned.createOrReplaceTempView(view)
    columns = target.aligned.columns
    on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in keys)
    if target_predicate is not None:
        on += f" AND ({_qualified(target_predicate, 't')})"
    updates = ", ".join(f"t.{_q(c)} = s.{_q(c)}" for c in columns if c not in keys)
    condition = f" AND ({update_condition})" if update_condition else ""
    matched = f" WHEN MATCHED{condition} THEN UPDATE SET {updates}" if updates else ""
    insert_cols = ", ".join(_q(c) for c in columns)
    insert_vals = ", ".join(f"s.{_q(c)}" for c in columns)
    sql = (
        f"MERGE INTO delta.{_q(target.uri)} AS t USING {view} AS s ON {on}{matched} "
        f"WHEN NOT MATCHED THEN INSERT ({insert_cols}) VALUES ({insert_vals})"
    )
    try:
        spark.sql(sql).collect()
    finally:
        spark.catalog.dropTempView(view)
    commit = _last_commit(target.uri)
    metrics = commit["metrics"]
    return _done(
        target,
        "merge",
        commit,
        rows_written=int(metrics.get("numSourceRows", 0)),
        rows_inserted=int(metrics.get("numTargetRowsInserted", 0)),
        rows_updated=int(metrics.get("numTargetRowsUpdated", 0)),
    )


# --- internals -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    name: str
    uri: str
    aligned: DataFrame
    created: bool
    added_columns: tuple[str, ...]


def _prepare(df: DataFrame, name: str, partition_by: list[str] | None, *, align: bool = True) -> _Target:
    """Create the table or evolve its schema through delta-rs, then align the DataFrame to it."""
    from deltalake import DeltaTable

    settings = get_settings()
    uri = table_uri(name, settings)
    options = delta_storage_options(settings)
    _check_columns(df.schema, name)
    partition_by = list(partition_by or [])
    unknown = [c for c in partition_by if c not in df.columns]
    if unknown:
        raise SchemaMismatchError(
            f"{name}: partition columns {unknown} are not in the DataFrame (columns: {df.columns})."
        )

    created = False
    if not DeltaTable.is_deltatable(uri, options):
        # mode="ignore": a concurrent first write may have created it; we then check compatibility below.
        DeltaTable.create(
            uri,
            _nullable_delta_schema(df.schema),
            mode="ignore",
            partition_by=partition_by or None,
            storage_options=options,
        )
        created = True
        log.info("Created table %s at %s (partitioned by %s)", name, uri, partition_by or "nothing")

    table = DeltaTable(uri, storage_options=options)
    existing = list(table.metadata().partition_columns)
    if partition_by and partition_by != existing:
        raise SchemaMismatchError(
            f"{name} is partitioned by {existing}, not {partition_by}: partitioning is fixed when a table "
            "is created. Pass the same partition_by (or none), or write to a new table."
        )
    table_schema = _spark_schema(df.sparkSession, uri)
    by_lower = {f.name.lower(): f for f in table_schema.fields}
    new_fields = []
    for f in df.schema.fields:
        known = by_lower.get(f.name.lower())
        if known is None:
            new_fields.append(f)
        elif known.name != f.name:
            raise SchemaMismatchError(
                f"{name}: column {f.name!r} differs only by case from the table's {known.name!r}; rename it."
            )
    added: tuple[str, ...] = ()
    if new_fields and not created:
        from pyspark.sql.types import StructType

        table.alter.add_columns(list(_nullable_delta_schema(StructType(new_fields)).fields))
        added = tuple(f.name for f in new_fields)
        log.info("Added nullable columns %s to %s", list(added), name)
        table_schema = _spark_schema(df.sparkSession, uri)

    aligned = _align(df, table_schema, name, fill_missing=align)
    return _Target(name=name, uri=uri, aligned=aligned, created=created, added_columns=added)


def _align(df: DataFrame, table_schema: StructType, name: str, *, fill_missing: bool) -> DataFrame:
    """Select the DataFrame's columns in table order, widening types that widen safely."""
    from pyspark.sql import functions as F

    columns = []
    mismatched = []
    for f in table_schema.fields:
        if f.name not in df.columns:
            if fill_missing:
                columns.append(F.lit(None).cast(f.dataType).alias(f.name))
            continue
        source_type = df.schema[f.name].dataType
        if source_type == f.dataType:
            columns.append(F.col(f.name))
        elif _widens(source_type, f.dataType):
            columns.append(F.col(f.name).cast(f.dataType).alias(f.name))
        else:
            mismatched.append(
                f"{f.name}: table {f.dataType.simpleString()}, DataFrame {source_type.simpleString()}"
            )
    if mismatched:
        raise SchemaMismatchError(
            f"{name}: column types differ from the table ({'; '.join(mismatched)}). Cast the columns "
            "to the table's types; changing a column's type needs a new table."
        )
    return df.select(*columns)


def _widens(source: DataType, target: DataType) -> bool:
    from pyspark.sql import types as T

    integral = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
    rank = {t: i for i, t in enumerate(integral)}
    if isinstance(source, integral) and isinstance(target, integral):
        return rank[type(source)] <= rank[type(target)]
    if isinstance(target, T.DoubleType):
        return isinstance(source, (*integral, T.FloatType))
    return isinstance(source, T.NullType)


def _check_columns(schema: StructType, name: str) -> None:
    seen: dict[str, str] = {}
    for f in schema.fields:
        if f.name.lower() in seen:
            raise SchemaMismatchError(
                f"{name}: the DataFrame has columns {seen[f.name.lower()]!r} and "
                f"{f.name!r}; Delta column names are case-insensitive."
            )
        seen[f.name.lower()] = f.name
        if re.search(r"[ ,;{}()\n\t=]", f.name):
            raise SchemaMismatchError(
                f"{name}: column name {f.name!r} holds a character Delta does not allow "
                "(space , ; { } ( ) = tab newline); rename it."
            )


def _nullable_delta_schema(schema: StructType) -> Any:
    """Spark schema -> delta-rs schema with every column nullable (see the module docstring: why)."""
    import pyarrow as pa
    from deltalake import Schema
    from pyspark.sql.pandas.types import to_arrow_schema

    arrow = to_arrow_schema(schema, timezone="UTC")
    return Schema.from_arrow(pa.schema([f.with_nullable(True) for f in arrow]))


def _spark_schema(spark: SparkSession, uri: str) -> StructType:
    return spark.read.format("delta").load(uri).schema


def _last_commit(uri: str) -> dict[str, Any]:
    """Version and operation metrics of the table's newest commit (read through delta-rs)."""
    table = _delta_table(uri)
    entry = table.history(1)[0]
    return {
        "version": int(entry.get("version", table.version())),
        "metrics": entry.get("operationMetrics") or {},
    }


def _delta_table(uri: str) -> DeltaTable:
    from deltalake import DeltaTable

    return DeltaTable(uri, storage_options=delta_storage_options())


def _done(target: _Target, operation: Operation, commit: dict[str, Any], **counts: Any) -> WriteResult:
    result = WriteResult(
        table=target.name,
        operation=operation,
        version=commit["version"],
        created=target.created,
        added_columns=target.added_columns,
        metrics=commit["metrics"],
        **counts,
    )
    extra = (
        f", inserted {result.rows_inserted}, updated {result.rows_updated}" if operation == "merge" else ""
    )
    log.info(
        "%s %s: %d rows%s -> version %d%s",
        operation,
        target.name,
        result.rows_written,
        extra,
        result.version,
        " (created)" if target.created else "",
    )
    return result


def _validate_predicate(predicate: str, columns: list[str]) -> None:
    """Refuse predicates that could replace more than intended: empty, unparsable, constant, unknown."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.simplify import simplify

    if not predicate or not predicate.strip():
        raise PredicateError("replace_where needs a predicate, e.g. \"date_local = '2026-03-29'\".")
    try:
        parsed = sqlglot.parse_one(predicate, read="spark")
    except SqlglotError as error:
        raise PredicateError(f"Cannot parse the replace_where predicate {predicate!r}: {error}") from None
    referenced = sorted({c.name for c in parsed.find_all(exp.Column)})
    if not referenced:
        raise PredicateError(
            f"The predicate {predicate!r} names no column, so it would replace the whole table. Name the "
            "slice to replace, e.g. \"date_local = '2026-03-29'\"."
        )
    simplified = simplify(parsed.copy())
    if isinstance(simplified, exp.Boolean) and simplified.this:
        raise PredicateError(
            f"The predicate {predicate!r} is always true, so it would replace the whole table. Name the "
            "slice to replace."
        )
    unknown = [c for c in referenced if c not in columns]
    if unknown:
        raise PredicateError(
            f"The predicate {predicate!r} names columns {unknown} that the DataFrame lacks "
            f"(columns: {columns}); the API must check every row against it."
        )


def _adds_columns(df: DataFrame, name: str) -> bool:
    """True when writing `df` to the existing table `name` would add columns to it (see _prepare)."""
    if not exists(name):
        return False
    known = {f.name.lower() for f in _spark_schema(df.sparkSession, table_uri(name)).fields}
    return any(c.lower() not in known for c in df.columns)


def _drop_new_table(uri: str) -> None:
    """Remove a table that this write created and that has no data commit (its first write failed)."""
    from lakehouse.storage.uri import remove_tree

    if _delta_table(uri).version() == 0:  # else someone else wrote to it meanwhile: not ours to remove
        remove_tree(uri)


def _guarded(df: DataFrame, predicate: str) -> DataFrame:
    """`df` with every row checked against `predicate` as it is computed: a row outside fails the query.

    The check rides on a column the predicate names: `coalesce(assert_true(inside, msg), col)` is that
    column's own value when the row is inside (assert_true returns NULL) and raises otherwise, so a
    write of the result fails before its commit and the table is untouched. (A `raise_error` in a CASE
    is no good here: Sail's Delta writer evaluates it on empty selections and fails every write.)
    """
    import sqlglot
    from pyspark.sql import functions as F
    from sqlglot import exp

    referenced = {c.name for c in sqlglot.parse_one(predicate, read="spark").find_all(exp.Column)}
    column = next(c for c in df.columns if c in referenced)
    inside = F.coalesce(F.expr(predicate), F.lit(False))
    message = F.concat(F.lit(f"{_GUARD}: {column}="), F.coalesce(F.col(column).cast("string"), F.lit("NULL")))
    checked = F.coalesce(F.assert_true(inside, message).cast(df.schema[column].dataType), F.col(column))
    return df.select(*[checked.alias(c) if c == column else F.col(c) for c in df.columns])


def _refuse_rows_outside(df: DataFrame, name: str, predicate: str) -> None:
    """RowsOutsidePredicateError with the counts and a sample (the slow path, after the guard fired)."""
    from pyspark.sql import functions as F

    inside = F.coalesce(F.expr(predicate), F.lit(False))
    counts = df.select(
        F.count(F.lit(1)).alias("rows"), F.sum(F.when(inside, 0).otherwise(1)).alias("outside")
    ).first()
    total, outside = int(counts["rows"] or 0), int(counts["outside"] or 0)
    if outside:
        sample = [row.asDict() for row in df.where(~inside).limit(_SAMPLE_ROWS).collect()]
        raise RowsOutsidePredicateError(
            f"Refusing replace_where on {name}: {outside} of {total} rows do not match the predicate "
            f"{predicate!r}, so they would land outside the data being replaced. Filter the DataFrame "
            f"or widen the predicate. Sample: {sample}",
            rows=outside,
            sample=sample,
        ) from None


def _check_inside(df: DataFrame, name: str, predicate: str) -> None:
    """Refuse a DataFrame with rows that do not satisfy `predicate` (see replace_where, merge)."""
    from pyspark.sql import functions as F

    _validate_predicate(predicate, df.columns)
    inside = F.coalesce(F.expr(predicate), F.lit(False))
    outside = df.where(~inside)
    sample = [row.asDict() for row in outside.limit(_SAMPLE_ROWS).collect()]
    if sample:
        rows = outside.count()
        raise RowsOutsidePredicateError(
            f"Refusing the write to {name}: {rows} rows do not match the predicate {predicate!r}. "
            f"Filter the DataFrame or widen the predicate. Sample: {sample}",
            rows=rows,
            sample=sample,
        )


def _qualified(predicate: str, alias: str) -> str:
    """The predicate with every column qualified by `alias` (for MERGE ... ON)."""
    import sqlglot
    from sqlglot import exp

    parsed = sqlglot.parse_one(predicate, read="spark")
    for column in parsed.find_all(exp.Column):
        column.set("table", exp.to_identifier(alias))
    return parsed.sql(dialect="spark")


def _q(identifier: str) -> str:
    """Back-quote an identifier or path for Spark SQL."""
    return "`" + identifier.replace("`", "``") + "`"

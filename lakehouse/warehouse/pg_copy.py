"""Arrow tables into PostgreSQL through COPY: the bulk path of the publish step.

Pure helpers (Arrow type -> PostgreSQL type, DDL text) plus the COPY itself. Rows are streamed as
CSV in record batches, so a large date range never sits in memory as one text blob.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

# Column every published table carries: when the row arrived in PostgreSQL (transaction time).
# dbt's incremental models pick the dates republished since their last run by it.
PUBLISHED_AT = "_published_at"


def pg_type(arrow_type: pa.DataType) -> str:
    """PostgreSQL column type for an Arrow type (text for anything without a closer match)."""
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_int8(arrow_type) or pa.types.is_int16(arrow_type):
        return "smallint"
    if pa.types.is_int32(arrow_type) or pa.types.is_uint8(arrow_type) or pa.types.is_uint16(arrow_type):
        return "integer"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    return "text"


def create_table_sql(schema: str, table: str, arrow_schema: pa.Schema) -> sql.Composed:
    """CREATE TABLE IF NOT EXISTS with the Arrow schema's columns plus `_published_at`."""
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(field.name), sql.SQL(pg_type(field.type)))
        for field in arrow_schema
    ]
    columns.append(sql.SQL("{} timestamptz not null default now()").format(sql.Identifier(PUBLISHED_AT)))
    return sql.SQL("create table if not exists {}.{} ({})").format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(columns)
    )


def existing_columns(cur: Any, schema: str, table: str) -> dict[str, str]:
    cur.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s",
        (schema, table),
    )
    return {name: data_type for name, data_type in cur.fetchall()}


def ensure_table(cur: Any, schema: str, table: str, arrow_schema: pa.Schema) -> list[str]:
    """Create the table, or add the columns gold gained since (gold adds columns, never renames).

    Returns the added column names.
    """
    cur.execute(create_table_sql(schema, table, arrow_schema))
    have = existing_columns(cur, schema, table)
    added = []
    for field in arrow_schema:
        if field.name not in have:
            cur.execute(
                sql.SQL("alter table {}.{} add column {} {}").format(
                    sql.Identifier(schema),
                    sql.Identifier(table),
                    sql.Identifier(field.name),
                    sql.SQL(pg_type(field.type)),
                )
            )
            added.append(field.name)
    return added


def _csv_chunks(data: pa.Table, batch_rows: int) -> Iterable[bytes]:
    for batch in data.to_batches(max_chunksize=batch_rows):
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, write_options=pacsv.WriteOptions(include_header=False))
        yield buffer.getvalue()


def copy_rows(cur: Any, schema: str, table: str, data: pa.Table, batch_rows: int = 50_000) -> int:
    """COPY the Arrow table's rows into schema.table (columns by name); returns the row count."""
    if data.num_rows == 0:
        return 0
    statement = sql.SQL("copy {}.{} ({}) from stdin (format csv)").format(
        sql.Identifier(schema),
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(name) for name in data.column_names),
    )
    with cur.copy(statement) as copy:
        for chunk in _csv_chunks(data, batch_rows):
            copy.write(chunk)
    return data.num_rows

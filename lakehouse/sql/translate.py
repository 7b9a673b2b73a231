"""Trino SQL -> DuckDB SQL (sqlglot, read="trino", write="duckdb") with the column types of the tables
a query reads, so that the answers are Trino's where the two engines differ:

- integer / integer is integer division truncated toward zero (DuckDB's `/` is float division);
- date_diff(unit, a, b) counts whole units (DuckDB's date_diff counts boundaries: date_sub does whole units);
- date + interval, date_add(unit, n, date) and date_trunc(unit, date) stay DATE (DuckDB gives TIMESTAMP);
- format_datetime / parse_datetime take Java patterns (converted to strftime);
- approx_percentile is answered exactly (quantile_disc: a value of the data, within Trino's bounds);
- unnamed output columns are named _col0, _col1, ... as Trino names them.

Pure: SQL text and a column lookup in, DuckDB SQL and the tables read out. Only queries are translated;
statements that would write or touch the engine's own state are refused here, and so are DuckDB's
file-reading and system functions (Trino SQL has none of them; they would bypass the access rules).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError

from lakehouse.sql.errors import (
    AccessDeniedError,
    FunctionNotFoundError,
    NotSupportedError,
    SqlError,
    SqlSyntaxError,
)
from lakehouse.sql.javatime import java_to_strftime


@dataclass(frozen=True, order=True)
class TableRef:
    """A fully qualified table name, lower case as Trino resolves unquoted names."""

    catalog: str
    schema: str
    table: str

    def __str__(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.table}"


@dataclass
class Translation:
    """A translated query: DuckDB SQL and the tables it reads (for the access check)."""

    sql: str
    tables: list[TableRef] = field(default_factory=list)
    typed: bool = True  # False: types were unknown (the query still runs, without typed division)


# Column types of a table ({column: DuckDB type}) or None when it does not exist.
ColumnLookup = Callable[[TableRef], dict[str, str] | None]

_WRITE_VERBS: dict[type[exp.Expression], str] = {
    exp.Insert: "insert into",
    exp.Delete: "delete from",
    exp.Update: "update",
    exp.Merge: "merge into",
    exp.Create: "create",
    exp.Drop: "drop",
    exp.Alter: "alter",
    exp.TruncateTable: "truncate",
}

# DuckDB functions that read files, reach other systems or reveal the engine's configuration: not
# Trino functions, and a way around the access rules, so refused for every user.
_BLOCKED_FUNCTION = re.compile(
    r"^(read_.*|.*_scan|glob|sniff_csv|parquet_.*|delta_.*|iceberg_.*|postgres_.*|pg_.*|query|query_table|"
    r"getenv|current_setting|duckdb_.*|which_secret|load_.*|install_.*|http_.*|"
    r"json_execute_serialized_sql|checkpoint|force_checkpoint|enable_.*|disable_.*|set_.*)$",
    re.IGNORECASE,
)


def parse(sql: str) -> exp.Expression:
    """Parse one Trino statement; a syntax error carries the line and column, as Trino's does."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlSyntaxError("line 1:1: mismatched input '<EOF>'. Expecting: statement", line=1, column=1)
    try:
        statements = sqlglot.parse(text, read="trino", error_level=ErrorLevel.RAISE)
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        line, column = first.get("line") or 1, first.get("col") or 1
        description = first.get("description") or str(error)
        raise SqlSyntaxError(f"line {line}:{column}: {description}", line=line, column=column) from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1:
        raise SqlSyntaxError("line 1:1: one statement at a time, please", line=1, column=1)
    return statements[0]


def write_target(statement: exp.Expression) -> tuple[str, exp.Table | None] | None:
    """(verb, target table) when the statement writes or changes the catalog, else None."""
    for kind, verb in _WRITE_VERBS.items():
        if isinstance(statement, kind):
            target = statement.this if isinstance(statement.this, exp.Table) else statement.find(exp.Table)
            if isinstance(target, exp.Schema):
                target = target.this
            return verb, target if isinstance(target, exp.Table) else None
    return None


def qualify_table(table: exp.Table, catalog: str | None, schema: str | None) -> TableRef:
    """Resolve a table name against the session catalog and schema, as Trino does."""
    name = table.name.lower()
    db = table.db.lower() if table.db else schema
    cat = table.catalog.lower() if table.catalog else catalog
    if not db:
        raise SqlError(f"Schema must be specified when session schema is not set (table {name})")
    if not cat:
        raise SqlError(f"Catalog must be specified when session catalog is not set (table {db}.{name})")
    return TableRef(cat, db, name)


def _cte_names(query: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}


def _check_functions(query: exp.Expression) -> None:
    for node in query.find_all(exp.Anonymous, exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        if name and _BLOCKED_FUNCTION.match(name):
            raise FunctionNotFoundError(f"line 1:1: Function '{name.lower()}' not registered")


def _resolve_tables(query: exp.Expression, catalog: str | None, schema: str | None) -> list[TableRef]:
    """Qualify every table the query reads (in place) and return them; CTE names are left alone."""
    ctes = _cte_names(query)
    refs: set[TableRef] = set()
    for table in list(query.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            raise NotSupportedError(
                f"Table functions are not supported by the embedded engine: {table.this.sql('trino')}"
            )
        if not table.db and table.name.lower() in ctes:
            continue
        ref = qualify_table(table, catalog, schema)
        table.set("catalog", exp.to_identifier(ref.catalog))
        table.set("db", exp.to_identifier(ref.schema))
        table.set("this", exp.to_identifier(ref.table))
        refs.add(ref)
    return sorted(refs)


def _name_unnamed_columns(query: exp.Expression) -> None:
    """Trino names an output column without a name `_col<position>`."""
    select = query
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for position, projection in enumerate(select.expressions):
        if (
            isinstance(projection, exp.Alias | exp.Column | exp.Star)
            or projection.find(exp.Star) is projection
        ):
            continue
        projection.replace(exp.alias_(projection.copy(), f"_col{position}", quoted=False))


def _annotate(query: exp.Expression, tables: list[TableRef], columns: ColumnLookup) -> exp.Expression | None:
    """The query with sqlglot's type annotations, or None when the types cannot be worked out."""
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    schema: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for ref in tables:
        cols = columns(ref)
        if cols is None:
            continue
        schema.setdefault(ref.catalog, {}).setdefault(ref.schema, {})[ref.table] = cols
    try:
        qualified = qualify(
            query.copy(),
            schema=schema or None,
            dialect="trino",
            validate_qualify_columns=False,
            quote_identifiers=True,
        )
        return annotate_types(qualified, schema=schema or None, dialect="trino")
    except Exception:
        return None


def _is(node: exp.Expression, *types: exp.DType) -> bool:
    return node.type is not None and node.is_type(*types)


def _unit(node: exp.Expression) -> str:
    unit = node.args.get("unit")
    return (unit.name if unit is not None else "day").lower()


_DATE_UNITS = {"day", "week", "month", "quarter", "year"}


def _rewrite(query: exp.Expression) -> exp.Expression:
    """Trino semantics for the functions whose DuckDB namesakes differ (see the module docstring)."""

    def transform(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.DateDiff):
            return exp.Anonymous(
                this="DATE_SUB", expressions=[exp.Literal.string(_unit(node)), node.expression, node.this]
            )
        if isinstance(node, exp.Anonymous) and node.name.lower() == "format_datetime":
            value, pattern = node.expressions
            if not isinstance(pattern, exp.Literal):
                raise NotSupportedError("format_datetime needs a literal pattern in the embedded engine")
            return exp.Anonymous(
                this="STRFTIME", expressions=[value, exp.Literal.string(java_to_strftime(pattern.this))]
            )
        if isinstance(node, exp.ParseDatetime):
            pattern = node.args.get("format")
            if not isinstance(pattern, exp.Literal):
                raise NotSupportedError("parse_datetime needs a literal pattern in the embedded engine")
            parsed = exp.Anonymous(
                this="STRPTIME", expressions=[node.this, exp.Literal.string(java_to_strftime(pattern.this))]
            )
            return exp.cast(parsed, exp.DType.TIMESTAMPTZ)
        if isinstance(node, exp.ApproxQuantile):
            return exp.Anonymous(this="QUANTILE_DISC", expressions=[node.this, node.args["quantile"]])
        if (
            isinstance(node, exp.DateAdd | exp.DateSub)
            and _is(node.this, exp.DType.DATE)
            and _unit(node) in _DATE_UNITS
        ):
            return exp.cast(node.copy(), exp.DType.DATE)
        if (
            isinstance(node, exp.Add | exp.Sub)
            and isinstance(node.expression, exp.Interval)
            and _is(node.this, exp.DType.DATE)
            and _unit(node.expression) in _DATE_UNITS
        ):
            return exp.cast(exp.Paren(this=node.copy()), exp.DType.DATE)
        if isinstance(node, exp.TimestampTrunc | exp.DateTrunc) and _is(node.this, exp.DType.DATE):
            return exp.cast(node.copy(), exp.DType.DATE)
        return node

    return query.transform(transform, copy=False)


def translate(
    sql: str | exp.Expression,
    *,
    catalog: str | None = None,
    schema: str | None = None,
    columns: ColumnLookup | None = None,
) -> Translation:
    """Translate one Trino query (SELECT / WITH / VALUES / set operations) to DuckDB SQL."""
    statement = parse(sql) if isinstance(sql, str) else sql.copy()
    written = write_target(statement)
    if written is not None:
        verb, target = written
        name = str(qualify_table(target, catalog, schema)) if target is not None else "?"
        raise AccessDeniedError(f"Access Denied: Cannot {verb} table {name}")
    if not isinstance(statement, exp.Query | exp.Values):
        kind = statement.key.upper() if not isinstance(statement, exp.Command) else statement.name.upper()
        raise NotSupportedError(f"{kind} statements are not supported by the embedded engine")
    _check_functions(statement)
    tables = _resolve_tables(statement, catalog, schema)
    _name_unnamed_columns(statement)
    annotated = _annotate(statement, tables, columns or (lambda _ref: None))
    typed = annotated is not None
    query = annotated if annotated is not None else statement
    return Translation(sql=_rewrite(query).sql(dialect="duckdb"), tables=tables, typed=typed)

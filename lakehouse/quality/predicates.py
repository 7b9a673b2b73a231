"""Spark SQL predicates selecting the rows a column-value expectation finds unexpected (pure).

Great Expectations counts unexpected rows but, on Spark, does not hand them back as a DataFrame; the
quarantine policy needs exactly those rows. These predicates follow GE's semantics: NULLs are not
unexpected except for `not_be_null`, and `row_condition` narrows the domain.
"""

from __future__ import annotations

from typing import Any


def _q(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def row_condition(kwargs: dict[str, Any]) -> str | None:
    """The expectation's row_condition as Spark SQL (GE 1.24 stores it as a pass-through dict)."""
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):
        condition = condition.get("pass_through_filter")
    return str(condition) if condition else None


def unexpected_predicate(expectation: dict[str, Any]) -> str:
    """SQL predicate true for the rows `expectation` (a suite JSON item) finds unexpected."""
    kind, kwargs = expectation["type"], expectation["kwargs"]
    column = _q(kwargs["column"])
    if kind == "expect_column_values_to_not_be_null":
        core = f"{column} IS NULL"
    elif kind == "expect_column_values_to_be_between":
        bounds = []
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        if lo is not None:
            bounds.append(f"{column} {'>' if kwargs.get('strict_min') else '>='} {_literal(lo)}")
        if hi is not None:
            bounds.append(f"{column} {'<' if kwargs.get('strict_max') else '<='} {_literal(hi)}")
        core = f"{column} IS NOT NULL AND NOT ({' AND '.join(bounds) or 'TRUE'})"
    elif kind == "expect_column_values_to_be_in_set":
        values = ", ".join(_literal(v) for v in kwargs["value_set"])
        core = f"{column} IS NOT NULL AND {column} NOT IN ({values})"
    elif kind == "expect_column_values_to_match_regex":
        core = f"{column} IS NOT NULL AND NOT ({column} RLIKE {_literal(kwargs['regex'])})"
    else:
        raise ValueError(f"No row predicate for {kind}: only column-value expectations select rows.")
    condition = row_condition(kwargs)
    return f"({condition}) AND ({core})" if condition else f"({core})"

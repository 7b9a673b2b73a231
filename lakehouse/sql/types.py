"""DuckDB result types -> Trino type names, type signatures and the JSON value encoding of the Trino
client protocol (what the official clients parse: dates and timestamps as strings, decimals as
strings, doubles as numbers or "NaN"/"Infinity", arrays as lists, rows as lists, maps as objects)."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Trino's Delta Lake connector reads Delta timestamps as timestamp(3) with time zone: the embedded
# engine reports the same type so that clients see one schema at both scales.
TIMESTAMP_TZ_PRECISION = 3
TIMESTAMP_PRECISION = 6

_SIMPLE = {
    "boolean": "boolean",
    "tinyint": "tinyint",
    "smallint": "smallint",
    "integer": "integer",
    "bigint": "bigint",
    "utinyint": "smallint",
    "usmallint": "integer",
    "uinteger": "bigint",
    "ubigint": "decimal(20,0)",
    "hugeint": "decimal(38,0)",
    "uhugeint": "decimal(38,0)",
    "float": "real",
    "double": "double",
    "varchar": "varchar",
    "blob": "varbinary",
    "date": "date",
    "time": "time(6)",
    "uuid": "uuid",
    "json": "json",
    "interval": "interval day to second",
    "timestamp": f"timestamp({TIMESTAMP_PRECISION})",
    "timestamp_ms": "timestamp(3)",
    "timestamp_s": "timestamp(0)",
    "timestamp_ns": "timestamp(9)",
    "timestamp with time zone": f"timestamp({TIMESTAMP_TZ_PRECISION}) with time zone",
    "null": "unknown",
}


@dataclass(frozen=True)
class TrinoType:
    """A Trino type: its display name, the client's typeSignature, and how to encode its values."""

    name: str
    signature: dict[str, Any]
    encode: Callable[[Any], Any]


def _long(value: int) -> dict[str, Any]:
    return {"kind": "LONG", "value": value}


def _identity(value: Any) -> Any:
    return value


def _double(value: Any) -> Any:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _decimal(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def _date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _fraction(value: dt.datetime | dt.time, precision: int) -> str:
    if precision == 0:
        return ""
    return "." + f"{value.microsecond:06d}{'000' if precision > 6 else ''}"[:precision]


def _timestamp(precision: int) -> Callable[[Any], Any]:
    def encode(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S") + _fraction(value, precision)
        return str(value)  # infinity timestamps

    return encode


def _timestamp_tz(precision: int) -> Callable[[Any], Any]:
    def encode(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            utc = value.astimezone(dt.UTC) if value.tzinfo else value
            return utc.strftime("%Y-%m-%d %H:%M:%S") + _fraction(utc, precision) + " UTC"
        return str(value)

    return encode


def _time(value: Any) -> Any:
    if value is None:
        return None
    return value.strftime("%H:%M:%S") + _fraction(value, 6)


def _interval(value: Any) -> Any:
    if value is None:
        return None
    total = value.total_seconds()
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{int(days)} {int(hours):02d}:{int(minutes):02d}:{seconds:06.3f}"


def _varbinary(value: Any) -> Any:
    return None if value is None else base64.b64encode(bytes(value)).decode("ascii")


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def trino_type(duck_type: Any) -> TrinoType:
    """The Trino type of a DuckDB result column (a DuckDBPyType from cursor.description)."""
    type_id = duck_type.id
    if type_id == "decimal":
        children = dict(duck_type.children)
        p, s = int(children["precision"]), int(children["scale"])
        return TrinoType(
            f"decimal({p},{s})", {"rawType": "decimal", "arguments": [_long(p), _long(s)]}, _decimal
        )
    if type_id in ("list", "array"):
        element = trino_type(duck_type.children[0][1])

        def encode_list(value: Any) -> Any:
            return None if value is None else [element.encode(v) for v in value]

        return TrinoType(
            f"array({element.name})",
            {"rawType": "array", "arguments": [{"kind": "TYPE", "value": element.signature}]},
            encode_list,
        )
    if type_id == "map":
        key, val = (trino_type(t) for _, t in duck_type.children)

        def encode_map(value: Any) -> Any:
            if value is None:
                return None
            items = (
                value.items() if isinstance(value, dict) else zip(value["key"], value["value"], strict=True)
            )
            return {str(key.encode(k)): val.encode(v) for k, v in items}

        return TrinoType(
            f"map({key.name}, {val.name})",
            {
                "rawType": "map",
                "arguments": [
                    {"kind": "TYPE", "value": key.signature},
                    {"kind": "TYPE", "value": val.signature},
                ],
            },
            encode_map,
        )
    if type_id == "struct":
        fields = [(name, trino_type(t)) for name, t in duck_type.children]

        def encode_row(value: Any) -> Any:
            if value is None:
                return None
            return [f.encode(value.get(name)) for name, f in fields]

        return TrinoType(
            "row(" + ", ".join(f'"{name}" {f.name}' for name, f in fields) + ")",
            {
                "rawType": "row",
                "arguments": [
                    {
                        "kind": "NAMED_TYPE",
                        "value": {"fieldName": {"name": name}, "typeSignature": f.signature},
                    }
                    for name, f in fields
                ],
            },
            encode_row,
        )
    return _simple(str(type_id).lower())


def simple_type(type_id: str) -> TrinoType:
    """The Trino type of a scalar DuckDB type id ('varchar', 'bigint', 'timestamp with time zone', ...)."""
    return _simple(type_id)


def _simple(type_id: str) -> TrinoType:
    name = _SIMPLE.get(type_id, "varchar")
    if name.startswith("decimal("):
        p, s = (int(x) for x in name[8:-1].split(","))
        return TrinoType(name, {"rawType": "decimal", "arguments": [_long(p), _long(s)]}, _decimal)
    if name.startswith("timestamp(") and name.endswith("with time zone"):
        precision = int(name[10 : name.index(")")])
        return TrinoType(
            name,
            {"rawType": "timestamp with time zone", "arguments": [_long(precision)]},
            _timestamp_tz(precision),
        )
    if name.startswith("timestamp("):
        precision = int(name[10:-1])
        return TrinoType(
            name, {"rawType": "timestamp", "arguments": [_long(precision)]}, _timestamp(precision)
        )
    if name == "time(6)":
        return TrinoType(name, {"rawType": "time", "arguments": [_long(6)]}, _time)
    if name == "varchar":
        encode = _identity if type_id == "varchar" else _text
        return TrinoType(name, {"rawType": "varchar", "arguments": [_long(2147483647)]}, encode)
    encoders: dict[str, Callable[[Any], Any]] = {
        "double": _double,
        "real": _double,
        "date": _date,
        "varbinary": _varbinary,
        "interval day to second": _interval,
        "uuid": _text,
        "json": _text,
    }
    return TrinoType(name, {"rawType": name, "arguments": []}, encoders.get(name, _identity))

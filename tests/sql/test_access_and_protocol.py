"""Access rules and the Trino protocol through the official client: analysts read gold and marts only,
nobody writes, errors are Trino's error objects, SHOW/DESCRIBE answer like Trino, paging and cancel work."""

from __future__ import annotations

import pytest
import trino.exceptions


def _run(connect, sql: str, user: str = "analyst", **options):
    cursor = connect(user, **options).cursor()
    cursor.execute(sql)
    return cursor.fetchall(), cursor


@pytest.mark.parametrize(
    "sql",
    ["SELECT * FROM lakehouse.bronze.meter_readings", "SELECT count(*) FROM lakehouse.silver.quarantine"],
)
def test_analyst_refused_on_bronze_and_silver(connect, sql: str) -> None:
    with pytest.raises(trino.exceptions.TrinoUserError) as caught:
        _run(connect, sql)
    error = caught.value
    assert (
        error.error_name == "PERMISSION_DENIED" and error.error_code == 4 and error.error_type == "USER_ERROR"
    )
    table = sql.split("FROM ")[1]
    assert error.message == f"Access Denied: Cannot select from table {table}"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "INSERT INTO lakehouse.gold.meter_daily SELECT * FROM lakehouse.gold.meter_daily",
            "Access Denied: Cannot insert into table lakehouse.gold.meter_daily",
        ),
        (
            "DELETE FROM lakehouse.gold.region_load_hourly",
            "Access Denied: Cannot delete from table lakehouse.gold.region_load_hourly",
        ),
        (
            "DROP TABLE warehouse.marts.fct_daily_cost",
            "Access Denied: Cannot drop table warehouse.marts.fct_daily_cost",
        ),
    ],
)
@pytest.mark.parametrize("user", ["analyst", "engineer"])
def test_nobody_writes(connect, sql: str, message: str, user: str) -> None:
    with pytest.raises(trino.exceptions.TrinoUserError) as caught:
        _run(connect, sql, user=user)
    assert caught.value.error_name == "PERMISSION_DENIED"
    assert caught.value.message == message


def test_engineer_reads_everything(connect, endpoint) -> None:
    from sql_kit import delta_frame

    rows, _ = _run(connect, "SELECT count(*) FROM lakehouse.silver.meter_readings", user="engineer")
    assert rows == [[len(delta_frame(endpoint["settings"], "silver.meter_readings"))]]
    rows, _ = _run(connect, "SELECT count(*) FROM lakehouse.bronze.meter_readings", user="engineer")
    assert rows[0][0] > 0


def test_wrong_password_and_impersonation_refused(connect) -> None:
    with pytest.raises(trino.exceptions.HttpError, match="401"):
        _run(connect, "SELECT 1", password="wrong")


def test_show_and_describe_follow_the_rules(connect) -> None:
    catalogs, _ = _run(connect, "SHOW CATALOGS")
    assert ["lakehouse"] in catalogs and ["warehouse"] in catalogs
    schemas, _ = _run(connect, "SHOW SCHEMAS FROM lakehouse")
    assert [s[0] for s in schemas if s[0] != "information_schema"] == ["gold"]
    engineer_schemas, _ = _run(connect, "SHOW SCHEMAS FROM lakehouse", user="engineer")
    assert {"bronze", "silver", "gold"} <= {s[0] for s in engineer_schemas}
    tables, _ = _run(connect, "SHOW TABLES FROM lakehouse.gold")
    assert {"region_load_hourly", "meter_daily", "load_features"} <= {t[0] for t in tables}
    columns, _ = _run(connect, "DESCRIBE lakehouse.gold.region_load_hourly")
    types = {c[0]: c[1] for c in columns}
    assert types["hour_utc"] == "timestamp(3) with time zone"
    assert types["energy_mwh"] == "double" and types["date_local"] == "date" and types["region"] == "varchar"
    marts, _ = _run(connect, "SHOW TABLES FROM warehouse.marts")
    assert {"fct_daily_cost", "mart_region_daily_summary"} <= {t[0] for t in marts}


def test_session_catalog_schema_version_and_types(connect) -> None:
    rows, cursor = _run(
        connect,
        "SELECT region, hour_utc, date_local, CAST(1.5 AS decimal(10,2)) AS d, 7 / 2 AS q, version() AS v "
        "FROM region_load_hourly ORDER BY region, hour_utc LIMIT 1",
        catalog="lakehouse",
        schema="gold",
    )
    _region, hour_utc, _date_local, dec, q, version = rows[0]
    assert hour_utc.tzinfo is not None and hour_utc.utcoffset().total_seconds() == 0
    assert str(dec) == "1.50" and q == 3 and "476" in version
    assert [d.type_code for d in cursor.description][:4] == [
        "varchar",
        "timestamp(3) with time zone",
        "date",
        "decimal(10,2)",
    ]


def test_syntax_error_and_unknown_table_are_trino_errors(connect) -> None:
    with pytest.raises(trino.exceptions.TrinoUserError) as caught:
        _run(connect, "SELEC 1")
    assert caught.value.error_name == "SYNTAX_ERROR"
    with pytest.raises(trino.exceptions.TrinoUserError) as caught:
        _run(connect, "SELECT * FROM lakehouse.gold.no_such_table")
    assert caught.value.error_name == "TABLE_NOT_FOUND"


def test_file_functions_are_not_available(connect) -> None:
    with pytest.raises(trino.exceptions.TrinoUserError) as caught:
        _run(connect, "SELECT * FROM read_csv('/etc/passwd')", user="engineer")
    assert caught.value.error_name == "FUNCTION_NOT_FOUND"


def test_paging_returns_every_row(connect, endpoint) -> None:
    from sql_kit import delta_frame

    expected = 3 * len(delta_frame(endpoint["settings"], "silver.meter_readings"))
    assert expected > 10_000  # more than one page of the endpoint
    sql = (
        "SELECT r.meter_id, r.interval_start_utc, k.copy FROM lakehouse.silver.meter_readings r "
        "CROSS JOIN (VALUES 1, 2, 3) AS k (copy)"
    )
    rows, _ = _run(connect, sql, user="engineer")
    assert len(rows) == expected
    assert len({tuple(r) for r in rows}) == expected

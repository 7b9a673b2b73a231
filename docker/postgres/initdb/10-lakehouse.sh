#!/usr/bin/env bash
# First start of the compose PostgreSQL (empty data volume): one database per component, each owned
# by its own login role, then the warehouse roles of lakehouse/warehouse/roles.sql (engineer,
# analyst read-only on marts, dbt). Passwords come from the container's environment (.env); none is
# written here. The official image runs this once, as the superuser, before it accepts TCP
# connections, so the healthcheck (pg_isready over TCP) passes only after it is done.
set -euo pipefail

create_database() {  # name password [attributes]: a login role owning a database of the same name
    local name="$1" password="$2" attributes="${3:-}"
    if [[ -z "$password" ]]; then
        echo "10-lakehouse.sh: no password for the $name role: set it in .env" >&2
        exit 1
    fi
    # psql variables (:'name') quote the values; \gexec runs the generated statements.
    psql -v ON_ERROR_STOP=1 -X --username "$POSTGRES_USER" --dbname postgres \
        -v name="$name" -v password="$password" -v attributes="$attributes" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN %s PASSWORD %L', :'name', :'attributes', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
}

create_database airflow "${AIRFLOW_DB_PASSWORD:-}"
# The platform's warehouse user (WAREHOUSE_URL) also administers the warehouse roles below.
create_database warehouse "${WAREHOUSE_DB_PASSWORD:-}" CREATEROLE
create_database mlflow "${MLFLOW_DB_PASSWORD:-}"
create_database metastore "${METASTORE_DB_PASSWORD:-}"

# Warehouse roles (engineer, analyst, dbt) from roles.sql, run by the warehouse's owner: the file
# makes the role that runs it their administrator (a member of every group, the owner of
# lakehouse_gold, default privileges for what it creates), and that must be the user the platform
# connects as (WAREHOUSE_URL), so that it can publish gold and build the marts for the analysts.
# roles.sql reads the login users' passwords from session settings (URL-safe values: no quoting).
roles_sql="${LAKEHOUSE_ROLES_SQL:-/opt/lakehouse/roles.sql}"
if [[ -f "$roles_sql" ]]; then
    options="-c lakehouse.engineer_password=${WAREHOUSE_ENGINEER_PASSWORD:?set WAREHOUSE_ENGINEER_PASSWORD in .env}"
    options+=" -c lakehouse.analyst_password=${WAREHOUSE_ANALYST_PASSWORD:?set WAREHOUSE_ANALYST_PASSWORD in .env}"
    options+=" -c lakehouse.dbt_password=${WAREHOUSE_DBT_PASSWORD:?set WAREHOUSE_DBT_PASSWORD in .env}"
    PGOPTIONS="$options" PGPASSWORD="$WAREHOUSE_DB_PASSWORD" \
        psql -v ON_ERROR_STOP=1 -Xq --username warehouse --dbname warehouse -f "$roles_sql"
else
    echo "10-lakehouse.sh: $roles_sql is not mounted: warehouse roles not created" >&2
fi

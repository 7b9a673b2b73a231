"""The embedded SQL engine: DuckDB 1.5.5 with its delta, postgres and httpfs extensions (loaded from
their wheels, never downloaded), catalogs `lakehouse.{bronze,silver,gold}.<table>` (views over
delta_scan of LAKEHOUSE_ROOT/<layer>/<table>) and `warehouse.<schema>.<table>` (the warehouse
PostgreSQL attached READ_ONLY), taking Trino SQL (lakehouse.sql.translate) and applying the access
rules of trino/rules.json (lakehouse.sql.access) to every statement.
"""

from __future__ import annotations

import contextlib
import glob
import importlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb
from sqlglot import exp

from lakehouse.settings import Settings, get_settings
from lakehouse.sql import errors as E
from lakehouse.sql.access import AccessRules, Identity
from lakehouse.sql.catalog import LAYERS, delta_tables
from lakehouse.sql.translate import TableRef, parse, qualify_table, translate
from lakehouse.sql.types import TrinoType, simple_type, trino_type
from lakehouse.storage.uri import is_s3

# What `SELECT version()` answers: the Trino release whose SQL and protocol the endpoint follows.
TRINO_VERSION = "476"
SERVER_VERSION = f"{TRINO_VERSION}-lakehouse (DuckDB {duckdb.__version__})"
CATALOGS: tuple[str, ...] = ("lakehouse", "warehouse", "system")
ENGINEER = Identity("engineer", frozenset({"engineers"}))
_REFRESH_SECONDS = 2.0
_WAREHOUSE_RETRY_SECONDS = 10.0
# Extension wheels (duckdb-extension-<name>) and the name DuckDB expects in the file name: LOAD
# derives the entry point (<name>_init) from it.
_EXTENSIONS = {"delta": "delta", "postgres": "postgres_scanner", "httpfs": "httpfs"}


class ExtensionMissingError(E.InternalError):
    """A DuckDB extension wheel is not installed (uv sync installs them)."""


def _extension_files() -> dict[str, str]:
    """{entry-point name: path} of each extension file, under names DuckDB's LOAD accepts."""
    folder = Path(tempfile.gettempdir()) / f"lakehouse-duckdb-extensions-{os.getuid()}-{duckdb.__version__}"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for wheel, name in _EXTENSIONS.items():
        try:
            module = importlib.import_module(f"duckdb_extension_{wheel}")
        except ImportError:
            raise ExtensionMissingError(
                f"DuckDB extension wheel duckdb-extension-{wheel} is not installed: run `uv sync`"
            ) from None
        found = glob.glob(
            os.path.join(os.path.dirname(module.__file__), "extensions", "*", "*.duckdb_extension")
        )
        if not found:
            raise ExtensionMissingError(
                f"duckdb-extension-{wheel} holds no .duckdb_extension file: reinstall it"
            )
        link = folder / f"{name}.duckdb_extension"
        if not link.exists():
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(found[0])
            tmp.replace(link)
        files[name] = str(link)
    return files


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _with_connect_timeout(url: str, seconds: int = 5) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("connect_timeout", str(seconds))
    scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@dataclass
class Result:
    """A statement's columns (name, Trino type) and rows (fetched lazily in batches)."""

    columns: list[tuple[str, TrinoType]]
    batches: Iterator[list[tuple[Any, ...]]]
    update_type: str | None = None
    set_catalog: str | None = None
    set_schema: str | None = None
    cursor: Any = None
    translated_sql: str | None = None

    def rows(self) -> list[tuple[Any, ...]]:
        return [row for batch in self.batches for row in batch]

    def encoded(self) -> Iterator[list[list[Any]]]:
        """Batches of rows in Trino's JSON value encoding."""
        encoders = [t.encode for _, t in self.columns]
        for batch in self.batches:
            yield [[enc(v) for enc, v in zip(encoders, row, strict=True)] for row in batch]

    def cancel(self) -> None:
        if self.cursor is not None:
            with contextlib.suppress(duckdb.Error):
                self.cursor.interrupt()


@dataclass
class _Listing:
    delta: dict[str, dict[str, str]] = field(default_factory=dict)
    at: float = 0.0


def _static(columns: list[tuple[str, str]], rows: list[tuple[Any, ...]], **extra: Any) -> Result:
    """A result computed here rather than by DuckDB (SHOW ..., DESCRIBE, USE)."""
    return Result(
        columns=[(name, simple_type(t)) for name, t in columns],
        batches=iter([rows]) if rows else iter([]),
        **extra,
    )


class Engine:
    """One DuckDB database serving Trino SQL over the lakehouse and warehouse catalogs (thread-safe:
    each statement runs on its own cursor)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        rules: AccessRules | None = None,
        warehouse: bool = True,
        warehouse_url: str | None = None,
    ) -> None:
        """`warehouse_url` overrides runtime.database_url("warehouse"); warehouse=False: no such catalog."""
        self.settings = settings or get_settings()
        self.rules = rules or AccessRules.load(self.settings.sql_rules_file)
        self._lock = threading.RLock()
        self._listing = _Listing()
        self._columns: dict[TableRef, tuple[float, dict[str, str] | None]] = {}
        self._warehouse_enabled = warehouse
        self._warehouse_url = warehouse_url
        self._warehouse_attached = False
        self._warehouse_error: tuple[float, str] | None = None
        self.con = duckdb.connect(
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        )
        for path in _extension_files().values():
            self.con.execute(f"LOAD {_quote(path)}")
        self.con.execute("SET TimeZone = 'UTC'")
        if is_s3(self.settings.lakehouse_uri):
            self._s3_secret()
        self.con.execute("ATTACH ':memory:' AS lakehouse")
        for layer in LAYERS:
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS lakehouse.{layer}")
        self.refresh(force=True)

    # --- catalogs ------------------------------------------------------------------------------
    def _s3_secret(self) -> None:
        """S3 credentials for httpfs/delta from the boto3 chain (env, profile, instance role) and settings."""
        import boto3

        creds = boto3.Session().get_credentials()
        options = {"TYPE": "s3", "REGION": self.settings.aws_region}
        if creds is not None:
            frozen = creds.get_frozen_credentials()
            options["KEY_ID"] = frozen.access_key
            options["SECRET"] = frozen.secret_key
            if frozen.token:
                options["SESSION_TOKEN"] = frozen.token
        endpoint = self.settings.aws_endpoint_url
        if endpoint:
            parts = urlsplit(endpoint)
            options["ENDPOINT"] = parts.netloc or endpoint
            options["URL_STYLE"] = "path"
            options["USE_SSL"] = "true" if parts.scheme == "https" else "false"
        body = ", ".join(f"{k} {_quote(v) if k != 'TYPE' else v}" for k, v in options.items())
        self.con.execute(f"CREATE OR REPLACE SECRET lakehouse_s3 ({body})")

    def refresh(self, force: bool = False) -> None:
        """Make the lakehouse views match the Delta tables on storage (at most every 2 s unless forced)."""
        with self._lock:
            if not force and time.monotonic() - self._listing.at < _REFRESH_SECONDS:
                return
            found = delta_tables(self.settings)
            old = self._listing.delta
            for layer in LAYERS:
                for name, uri in found.get(layer, {}).items():
                    if old.get(layer, {}).get(name) != uri:
                        self.con.execute(
                            f"CREATE OR REPLACE VIEW lakehouse.{layer}.{_ident(name)} AS "
                            f"SELECT * FROM delta_scan({_quote(uri)})"
                        )
                for name in set(old.get(layer, {})) - set(found.get(layer, {})):
                    self.con.execute(f"DROP VIEW IF EXISTS lakehouse.{layer}.{_ident(name)}")
            self._listing = _Listing(found, time.monotonic())
            self._columns.clear()
            if self._warehouse_attached:
                with contextlib.suppress(duckdb.Error):
                    self.con.execute("SELECT * FROM pg_clear_cache()")

    def _attach_warehouse(self) -> None:
        """ATTACH the warehouse PostgreSQL READ_ONLY on first use; a failure is retried after 10 s."""
        if self._warehouse_attached:
            return
        if not self._warehouse_enabled:
            raise E.CatalogNotFoundError("Catalog 'warehouse' not found")
        with self._lock:
            if self._warehouse_attached:
                return
            if (
                self._warehouse_error
                and time.monotonic() - self._warehouse_error[0] < _WAREHOUSE_RETRY_SECONDS
            ):
                raise E.CatalogUnavailableError(self._warehouse_error[1])
            try:
                from lakehouse.runtime import database_url

                url = self._warehouse_url or database_url("warehouse", settings=self.settings)
                url = _with_connect_timeout(url)
                self.con.execute(f"ATTACH {_quote(url)} AS warehouse (TYPE postgres, READ_ONLY)")
            except Exception as error:
                message = (
                    f"Catalog 'warehouse' is unavailable: the warehouse PostgreSQL cannot be reached "
                    f"({str(error).splitlines()[0]}). "
                    "Start it with `lakehouse up postgres` or set WAREHOUSE_URL."
                )
                self._warehouse_error = (time.monotonic(), message)
                raise E.CatalogUnavailableError(message) from None
            self._warehouse_attached = True
            self._warehouse_error = None

    def columns(self, ref: TableRef) -> dict[str, str] | None:
        """{column: DuckDB type} of a table, or None when it does not exist (cached between refreshes)."""
        cached = self._columns.get(ref)
        if cached is not None:
            return cached[1]
        if ref.catalog == "warehouse":
            self._attach_warehouse()
        if ref.catalog not in ("lakehouse", "warehouse"):
            return None
        cursor = self.con.cursor()
        try:
            rows = cursor.execute(
                f"DESCRIBE {_ident(ref.catalog)}.{_ident(ref.schema)}.{_ident(ref.table)}"
            ).fetchall()
            result: dict[str, str] | None = {r[0]: r[1] for r in rows}
        except duckdb.CatalogException:
            result = None
        finally:
            cursor.close()
        self._columns[ref] = (time.monotonic(), result)
        return result

    def catalogs(self) -> list[str]:
        return list(CATALOGS if self._warehouse_enabled else ("lakehouse", "system"))

    def schemas(self, catalog: str) -> list[str]:
        if catalog == "lakehouse":
            return [*LAYERS, "information_schema"]
        if catalog == "system":
            return ["information_schema", "runtime"]
        if catalog == "warehouse":
            self._attach_warehouse()
            rows = self.con.execute(
                "SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE database_name = 'warehouse' "
                "AND NOT internal ORDER BY 1"
            ).fetchall()
            return [r[0] for r in rows if r[0] not in ("pg_catalog",)] + ["information_schema"]
        raise E.CatalogNotFoundError(f"Catalog '{catalog}' not found")

    def tables(self, catalog: str, schema: str) -> list[str]:
        if schema not in self.schemas(catalog):
            raise E.SchemaNotFoundError(f"Schema '{catalog}.{schema}' does not exist")
        if catalog == "lakehouse" and schema in LAYERS:
            self.refresh()
            return sorted(self._listing.delta.get(schema, {}))
        if catalog == "warehouse" and schema != "information_schema":
            rows = self.con.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE database_name = 'warehouse' AND schema_name = ? "
                "UNION SELECT view_name FROM duckdb_views() "
                "WHERE database_name = 'warehouse' AND schema_name = ? "
                "ORDER BY 1",
                [schema, schema],
            ).fetchall()
            return [r[0] for r in rows]
        return []

    # --- statements ----------------------------------------------------------------------------
    def execute(
        self,
        sql: str,
        *,
        identity: Identity = ENGINEER,
        catalog: str | None = None,
        schema: str | None = None,
        batch_rows: int = 4096,
    ) -> Result:
        """Run one Trino statement as `identity`; raise a typed SqlError (Trino's name and code)."""
        special = self._special(sql.strip().rstrip(";").strip(), identity, catalog, schema)
        if special is not None:
            return special
        self.refresh()
        statement = parse(sql)
        if isinstance(statement, exp.Describe):
            return self._describe(statement.this, identity, catalog, schema)
        if isinstance(statement, exp.Use):
            return self._use(statement, identity, catalog)
        statement = statement.transform(_version_literal)
        translation = translate(statement, catalog=catalog, schema=schema, columns=self._lookup(identity))
        for ref in translation.tables:
            self._check_table(identity, ref)
        return self._run(translation.sql, batch_rows)

    def _lookup(self, identity: Identity):
        def lookup(ref: TableRef) -> dict[str, str] | None:
            if not self.rules.can_select(identity, ref):
                return None  # refused below with the access error, before any metadata is read
            return self.columns(ref)

        return lookup

    def _check_table(self, identity: Identity, ref: TableRef) -> None:
        if ref.catalog not in self.catalogs():
            raise E.CatalogNotFoundError(f"Catalog '{ref.catalog}' not found")
        self.rules.check_select(identity, ref)
        if ref.catalog == "system" or ref.schema == "information_schema":
            raise E.NotSupportedError(
                f"{ref} is not available in the embedded engine: use SHOW CATALOGS/SCHEMAS/TABLES/COLUMNS"
            )
        if ref.catalog == "lakehouse" and ref.schema not in LAYERS:
            raise E.SchemaNotFoundError(f"Schema '{ref.catalog}.{ref.schema}' does not exist")
        if self.columns(ref) is None:
            raise E.TableNotFoundError(f"Table '{ref}' does not exist")

    def _run(self, sql: str, batch_rows: int) -> Result:
        cursor = self.con.cursor()
        try:
            cursor.execute("SET TimeZone = 'UTC'")
            cursor.execute(sql)
        except duckdb.Error as error:
            cursor.close()
            raise _translate_error(error) from None
        columns = [(d[0], trino_type(d[1])) for d in cursor.description or []]

        def batches() -> Iterator[list[tuple[Any, ...]]]:
            try:
                while True:
                    try:
                        rows = cursor.fetchmany(batch_rows)
                    except duckdb.Error as error:
                        raise _translate_error(error) from None
                    if not rows:
                        return
                    yield rows
            finally:
                cursor.close()

        return Result(columns=columns, batches=batches(), cursor=cursor, translated_sql=sql)

    # SHOW ... and friends: answered from the catalogs, filtered by what the user may see.
    _SHOW = re.compile(
        r"^show\s+(?P<what>catalogs|schemas|tables|columns|session|functions)"
        r"(?:\s+(?:from|in)\s+(?P<target>[\w\".]+))?(?:\s+like\s+'(?P<like>[^']*)')?$",
        re.IGNORECASE,
    )

    def _special(
        self, text: str, identity: Identity, catalog: str | None, schema: str | None
    ) -> Result | None:
        lowered = text.lower()
        if lowered in ("start transaction", "commit", "rollback"):
            return _static([], [], update_type=lowered.upper())
        match = self._SHOW.match(text)
        if not match:
            return None
        what, target, like = match["what"].lower(), match["target"], match["like"]
        parts = [p.strip('"').lower() for p in target.split(".")] if target else []

        def keep(names: list[str]) -> list[tuple[Any, ...]]:
            pattern = re.compile(re.escape(like).replace("%", ".*").replace("_", ".")) if like else None
            return [(n,) for n in names if pattern is None or pattern.fullmatch(n)]

        if what == "catalogs":
            names = [c for c in self.catalogs() if self.rules.can_see_catalog(identity, c)]
            return _static([("Catalog", "varchar")], keep(names))
        if what == "schemas":
            cat = parts[0] if parts else catalog
            if not cat:
                raise E.SqlError("Catalog must be specified when session catalog is not set")
            if cat not in self.catalogs() or not self.rules.can_see_catalog(identity, cat):
                raise E.CatalogNotFoundError(f"Catalog '{cat}' not found")
            names = [s for s in self.schemas(cat) if self.rules.can_see_schema(identity, cat, s)]
            return _static([("Schema", "varchar")], keep(names))
        if what == "tables":
            cat, sch = parts if len(parts) == 2 else [catalog, parts[0]] if parts else [catalog, schema]
            if not cat or not sch:
                raise E.SqlError("Schema must be specified when session schema is not set")
            if cat not in self.catalogs() or not self.rules.can_see_catalog(identity, cat):
                raise E.CatalogNotFoundError(f"Catalog '{cat}' not found")
            if not self.rules.can_see_schema(identity, cat, sch):
                raise E.AccessDeniedError(f"Access Denied: Cannot show tables of schema {cat}.{sch}")
            names = [
                t for t in self.tables(cat, sch) if self.rules.can_select(identity, TableRef(cat, sch, t))
            ]
            return _static([("Table", "varchar")], keep(names))
        if what == "columns":
            if not target:
                raise E.SqlSyntaxError("line 1:1: SHOW COLUMNS needs FROM <table>", line=1, column=1)
            return self._describe(exp.to_table(target, dialect="trino"), identity, catalog, schema)
        if what == "session":
            return _static(
                [
                    ("Name", "varchar"),
                    ("Value", "varchar"),
                    ("Default", "varchar"),
                    ("Type", "varchar"),
                    ("Description", "varchar"),
                ],
                [],
            )
        return _static([("Function", "varchar")], [])

    def _describe(
        self, table: exp.Expression, identity: Identity, catalog: str | None, schema: str | None
    ) -> Result:
        if not isinstance(table, exp.Table):
            raise E.NotSupportedError("DESCRIBE takes a table name")
        ref = qualify_table(table, catalog, schema)
        if ref.catalog not in self.catalogs():
            raise E.CatalogNotFoundError(f"Catalog '{ref.catalog}' not found")
        if not self.rules.can_select(identity, ref):
            raise E.AccessDeniedError(f"Access Denied: Cannot show columns of table {ref}")
        cols = self.columns(ref)
        if cols is None:
            raise E.TableNotFoundError(f"Table '{ref}' does not exist")
        cursor = self.con.cursor()
        try:
            described = cursor.execute(
                f"SELECT * FROM {_ident(ref.catalog)}.{_ident(ref.schema)}.{_ident(ref.table)} LIMIT 0"
            ).description
        finally:
            cursor.close()
        rows = [(d[0], trino_type(d[1]).name, "", "") for d in described]
        return _static(
            [("Column", "varchar"), ("Type", "varchar"), ("Extra", "varchar"), ("Comment", "varchar")], rows
        )

    def _use(self, statement: exp.Use, identity: Identity, catalog: str | None) -> Result:
        target = statement.this
        parts = [p.lower() for p in target.sql("trino").replace('"', "").split(".")]
        cat, sch = parts if len(parts) == 2 else [catalog, parts[0]]
        if not cat or cat not in self.catalogs() or not self.rules.can_see_catalog(identity, cat):
            raise E.CatalogNotFoundError(f"Catalog '{cat}' not found")
        return _static([], [], update_type="USE", set_catalog=cat, set_schema=sch)


def _version_literal(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.CurrentVersion) or (
        isinstance(node, exp.Anonymous) and node.name.lower() == "version"
    ):
        return exp.Literal.string(SERVER_VERSION)
    return node


_DUCK_ERRORS: list[tuple[type[Exception], type[E.SqlError]]] = [
    (duckdb.ParserException, E.SqlSyntaxError),
    (duckdb.InterruptException, E.UserCanceledError),
    (duckdb.ConversionException, E.InvalidCastError),
    (duckdb.PermissionException, E.AccessDeniedError),
]


def _translate_error(error: duckdb.Error) -> E.SqlError:
    message = str(error).split("\n\nLINE")[0].strip()
    if isinstance(error, (duckdb.BinderException, duckdb.CatalogException)):
        if "does not exist" in message and "Function" in message:
            return E.FunctionNotFoundError(message)
        if "Referenced column" in message or "not found in FROM clause" in message or 'Column "' in message:
            return E.ColumnNotFoundError(message)
        if "Table with name" in message:
            return E.TableNotFoundError(message)
        return E.SqlError(message)
    for kind, ours in _DUCK_ERRORS:
        if isinstance(error, kind):
            return ours(message)
    if "Division by zero" in message:
        return E.DivisionByZeroError(message)
    if isinstance(error, duckdb.InvalidInputException | duckdb.OutOfRangeException):
        return E.SqlError(message)
    return E.InternalError(message)

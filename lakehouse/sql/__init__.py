"""SQL for analysts: Trino SQL over the lakehouse (Delta) and warehouse (PostgreSQL) catalogs.

Embedded: `Engine` (DuckDB + sqlglot translation + trino/rules.json access rules) and a Trino client
protocol endpoint (`lakehouse sql serve`). Scale-out: a Trino cluster with the catalogs in trino/.
"""

from lakehouse.sql.access import AccessRules, Identity
from lakehouse.sql.engine import Engine, Result
from lakehouse.sql.errors import SqlError
from lakehouse.sql.translate import TableRef, translate

__all__ = ["AccessRules", "Engine", "Identity", "Result", "SqlError", "TableRef", "translate"]

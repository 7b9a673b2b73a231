"""Trino file-based access control (trino/rules.json), evaluated the way Trino evaluates it, so that
the embedded endpoint and a Trino cluster refuse the same things with the same messages.

Rules are matched top to bottom, first match wins, on `user` / `group` regular expressions (full
match) and `catalog` / `schema` / `table` regular expressions; no matching table rule = no access.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from lakehouse.sql.errors import AccessDeniedError
from lakehouse.sql.translate import TableRef

_PROJECT_RULES = Path(__file__).resolve().parents[2] / "trino" / "rules.json"


class RulesFileError(ValueError):
    """rules.json is missing or malformed; the message names the file and what to fix."""


@dataclass(frozen=True)
class Identity:
    """Who runs a statement: a user and the groups (roles) the settings give them."""

    user: str
    groups: frozenset[str]


def _matches(rule: dict[str, Any], key: str, value: str) -> bool:
    pattern = rule.get(key)
    return pattern is None or re.fullmatch(pattern, value) is not None


def _applies(rule: dict[str, Any], identity: Identity) -> bool:
    if not _matches(rule, "user", identity.user):
        return False
    if "group" in rule:
        return any(re.fullmatch(rule["group"], g) for g in identity.groups)
    return True


class AccessRules:
    """The catalogs/schemas/tables rules of one rules.json."""

    def __init__(self, rules: dict[str, Any], source: str = "rules.json") -> None:
        self.source = source
        self.catalog_rules: list[dict[str, Any]] = rules.get("catalogs", [{"allow": "all"}])
        self.schema_rules: list[dict[str, Any]] = rules.get("schemas", [])
        self.table_rules: list[dict[str, Any]] = rules.get("tables", [])

    @classmethod
    def load(cls, path: str | Path | None = None) -> AccessRules:
        """Load rules.json (default: the project's trino/rules.json, the cluster's rules too)."""
        file = Path(path) if path else _PROJECT_RULES
        try:
            return cls(json.loads(file.read_text()), source=str(file))
        except FileNotFoundError:
            raise RulesFileError(
                f"Access rules file {file} not found: set SQL_RULES_FILE to a rules.json"
            ) from None
        except json.JSONDecodeError as error:
            raise RulesFileError(f"Access rules file {file} is not valid JSON: {error}") from None

    def catalog_access(self, identity: Identity, catalog: str) -> str:
        """'all', 'read-only' or 'none'."""
        for rule in self.catalog_rules:
            if _applies(rule, identity) and _matches(rule, "catalog", catalog):
                return (
                    rule.get("allow", "all")
                    if isinstance(rule.get("allow"), str)
                    else ("all" if rule.get("allow") else "none")
                )
        return "none"

    def table_privileges(self, identity: Identity, ref: TableRef) -> frozenset[str]:
        if self.catalog_access(identity, ref.catalog) == "none":
            return frozenset()
        if ref.schema == "information_schema":
            return frozenset({"SELECT"})
        for rule in self.table_rules:
            if (
                _applies(rule, identity)
                and _matches(rule, "catalog", ref.catalog)
                and _matches(rule, "schema", ref.schema)
                and _matches(rule, "table", ref.table)
            ):
                return frozenset(rule.get("privileges", []))
        return frozenset()

    def can_select(self, identity: Identity, ref: TableRef) -> bool:
        return "SELECT" in self.table_privileges(identity, ref) or "OWNERSHIP" in self.table_privileges(
            identity, ref
        )

    def check_select(self, identity: Identity, ref: TableRef) -> None:
        if not self.can_select(identity, ref):
            raise AccessDeniedError(f"Access Denied: Cannot select from table {ref}")

    def can_see_catalog(self, identity: Identity, catalog: str) -> bool:
        return self.catalog_access(identity, catalog) != "none"

    def can_see_schema(self, identity: Identity, catalog: str, schema: str) -> bool:
        """Trino shows a schema to whoever has some privilege on a table in it."""
        if not self.can_see_catalog(identity, catalog):
            return False
        if schema == "information_schema":
            return True
        for rule in self.table_rules:
            if (
                _applies(rule, identity)
                and _matches(rule, "catalog", catalog)
                and _matches(rule, "schema", schema)
                and rule.get("privileges")
            ):
                return True
        return False

    @cached_property
    def groups(self) -> set[str]:
        named = {r.get("group") for r in self.catalog_rules + self.table_rules}
        return {g for g in named if g}

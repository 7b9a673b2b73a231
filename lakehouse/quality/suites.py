"""The Great Expectations suites of expectations/ (one GE 1.x suite JSON per table), and their policies.

Each expectation carries `meta.name` (stable; the quarantine reason and the results-table key) and
`meta.policy`, as Delta Live Tables has them:

- `warn`: recorded in gold.quality_results and the Data Docs; the data is promoted.
- `quarantine`: the offending rows move to silver.quarantine with the expectation's name as reason and
  leave the table before gold reads it (column-value expectations only, on suites whose meta names a
  `quarantine_source`).
- `fail`: the batch is not promoted: the gate raises QualityGateError naming it, with sample rows.

The suite's `meta` also drives the runner: `trailing_days` and `row_count_band` (the row count band),
`freshness_lag_hours`, `quarantine_source`. `version` (meta.version + the file's content hash) is stored
with every result, so a result always says which suite text judged it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.quality.errors import SuiteError
from lakehouse.settings import Settings, get_settings

POLICIES: tuple[str, ...] = ("warn", "quarantine", "fail")
# Expectations whose unexpected rows the runner can select itself (see lakehouse.quality.predicates).
QUARANTINABLE: frozenset[str] = frozenset(
    {
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_match_regex",
    }
)


@dataclass(frozen=True)
class Suite:
    """One suite file: the GE JSON document plus what the runner reads from it."""

    table: str
    path: Path
    document: dict[str, Any]
    version: str

    @property
    def meta(self) -> dict[str, Any]:
        return self.document.get("meta") or {}

    @property
    def expectations(self) -> list[dict[str, Any]]:
        return self.document["expectations"]

    def policy(self, name: str) -> str:
        for item in self.expectations:
            if item["meta"]["name"] == name:
                return item["meta"]["policy"]
        raise KeyError(name)

    def gx_suite(self) -> Any:
        """The suite as a great_expectations ExpectationSuite (GE validates the document here)."""
        from great_expectations.core.expectation_suite import ExpectationSuite

        doc = {k: v for k, v in self.document.items() if k in {"name", "expectations", "meta", "notes"}}
        return ExpectationSuite(**json.loads(json.dumps(doc)))


def expectations_dir(settings: Settings | None = None) -> Path:
    """EXPECTATIONS_DIR, else the project's expectations/ folder."""
    settings = settings or get_settings()
    if settings.expectations_dir is not None:
        folder = settings.expectations_dir.expanduser().resolve()
    else:
        folder = Path(__file__).resolve().parents[2] / "expectations"
        if not folder.is_dir():
            from lakehouse.orchestration.project import repo_root

            root = repo_root()
            folder = (root / "expectations") if root else Path.cwd() / "expectations"
    if not folder.is_dir():
        raise SuiteError(
            f"No expectations folder at {folder}: set EXPECTATIONS_DIR to the folder holding the suite "
            "JSON files (the project's expectations/)."
        )
    return folder


def suite_tables(settings: Settings | None = None) -> list[str]:
    """Tables that have a suite file, sorted."""
    return sorted(p.stem for p in expectations_dir(settings).glob("*.json"))


def load_suite(table: str, settings: Settings | None = None) -> Suite:
    """Read and check expectations/<table>.json; SuiteError says what is wrong with it."""
    path = expectations_dir(settings) / f"{table}.json"
    if not path.is_file():
        raise SuiteError(
            f"No suite for {table}: expected {path}. Known suites: {', '.join(suite_tables(settings))}."
        )
    return _load(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load(path: Path, _mtime: int) -> Suite:
    raw = path.read_bytes()
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise SuiteError(f"{path} is not valid JSON: {error}") from None
    table = path.stem
    if document.get("name") != table:
        raise SuiteError(f"{path}: suite name {document.get('name')!r} must equal the file name {table!r}.")
    meta = document.get("meta") or {}
    seen: set[str] = set()
    for index, item in enumerate(document.get("expectations") or []):
        info = item.get("meta") or {}
        name, policy = info.get("name"), info.get("policy")
        where = f"{path} expectation #{index} ({item.get('type')})"
        if not name or name in seen:
            raise SuiteError(f"{where}: meta.name must be set and unique within the suite (got {name!r}).")
        seen.add(name)
        if policy not in POLICIES:
            raise SuiteError(f"{where}: meta.policy must be one of {POLICIES}, not {policy!r}.")
        if policy == "quarantine":
            if item.get("type") not in QUARANTINABLE:
                raise SuiteError(
                    f"{where}: policy quarantine needs a column-value expectation "
                    f"({', '.join(sorted(QUARANTINABLE))}); use warn or fail."
                )
            if not meta.get("quarantine_source"):
                raise SuiteError(f"{where}: quarantine needs the suite meta 'quarantine_source'.")
    version = f"{meta.get('version', '0')}+{hashlib.sha256(raw).hexdigest()[:12]}"
    return Suite(table=table, path=path, document=document, version=version)

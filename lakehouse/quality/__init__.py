"""Data quality gates: Great Expectations 1.x suites (expectations/), policies, results, Data Docs.

Engine: Great Expectations validates the partition as a Spark Connect DataFrame on Sail. Checked,
not assumed: GE 1.24's Spark datasource accepts `pyspark.sql.connect.dataframe.DataFrame`
(great_expectations.compatibility.pyspark.ConnectDataFrame) and its Spark metrics (column maps with
row conditions, compound uniqueness, row counts, `unexpected_rows_expectation` SQL) run on Sail 0.7.2;
Sail only logs that `persist` is a no-op. So the data never leaves the engine that wrote it; only
aggregates and a few sample rows come back. The quarantine policy selects the offending rows itself
(lakehouse.quality.predicates), because GE on Spark reports counts and values, not the rows.

Public API: `validate(table, day)` (lakehouse.quality.runner), `QualityGateError`, `load_suite`,
`build_data_docs`, `data_docs_dir`, `FAILED_YESTERDAY_SQL`; the DAG's gate steps are in
lakehouse.pipeline.quality_steps.
"""

from lakehouse.quality.context import build_data_docs, data_docs_dir
from lakehouse.quality.errors import FailedExpectation, QualityError, QualityGateError, SuiteError
from lakehouse.quality.results import FAILED_YESTERDAY_SQL
from lakehouse.quality.runner import validate
from lakehouse.quality.suites import load_suite, suite_tables

__all__ = [
    "FAILED_YESTERDAY_SQL",
    "FailedExpectation",
    "QualityError",
    "QualityGateError",
    "SuiteError",
    "build_data_docs",
    "data_docs_dir",
    "load_suite",
    "suite_tables",
    "validate",
]

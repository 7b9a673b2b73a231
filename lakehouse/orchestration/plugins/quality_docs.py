"""Airflow plugin: serve the Great Expectations Data Docs and link them from the UI.

- a FastAPI app at <airflow>/quality-docs/ serving $LAKEHOUSE_HOME/quality/data_docs (static HTML);
- a "Data Docs" entry in the navigation bar (Browse; shown inside the Airflow UI);
- a "Data Docs" extra link on every validation task (task ids starting with `validate_`, also inside
  task groups such as `quality.validate_silver`).
The docs are read-only HTML built by the gates; the API server serves them like its own static files.
"""

from __future__ import annotations

from pathlib import Path

from airflow.plugins_manager import AirflowPlugin

from lakehouse.orchestration.plugins.static_docs import StaticSite, TaskLink
from lakehouse.orchestration.ui import QUALITY_DOCS_PREFIX

URL_PREFIX = QUALITY_DOCS_PREFIX


def _folder() -> Path:
    from lakehouse.quality.context import data_docs_dir

    return data_docs_dir()


SITE = StaticSite(
    name="Data Docs",
    url_prefix=URL_PREFIX,
    url_route="quality_docs",
    folder=_folder,
    hint="The quality gates (validate_* tasks) build it on every run; `lakehouse quality docs` rebuilds it.",
)


def is_validation_task(task_id: str) -> bool:
    return task_id.rsplit(".", 1)[-1].startswith("validate_")


class DataDocsLink(TaskLink):
    """Extra link from a validation task to the Data Docs index."""

    name = "Data Docs"

    def url_for(self, dag_id: str, task_id: str) -> str | None:
        return SITE.url() if is_validation_task(task_id) else None


class QualityDocsPlugin(AirflowPlugin):
    name = "lakehouse_quality_docs"
    fastapi_apps = [SITE.fastapi_app()]  # noqa: RUF012 (Airflow reads these class attributes)
    external_views = [SITE.nav_view()]  # noqa: RUF012
    global_operator_extra_links = [DataDocsLink()]  # noqa: RUF012

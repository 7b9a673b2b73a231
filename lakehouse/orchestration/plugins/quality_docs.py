"""Airflow plugin: serve the Great Expectations Data Docs and link them from the UI.

- a FastAPI app at <airflow>/quality-docs/ serving $LAKEHOUSE_HOME/quality/data_docs (static HTML);
- a "Data Docs" entry in the navigation bar (external view, shown inside the Airflow UI);
- a "Data Docs" extra link on every validation task (task ids starting with `validate_`, also inside
  task groups such as `quality.validate_silver`).
The docs are read-only HTML built by the gates; the API server serves them like its own static files.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from airflow.sdk import BaseOperatorLink

URL_PREFIX = "/quality-docs"


def _docs_app():
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from lakehouse.quality.context import data_docs_dir

    folder = data_docs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="Lakehouse Data Docs")
    app.mount("/", StaticFiles(directory=str(folder), html=True, check_dir=False), name="data_docs")
    return app


def is_validation_task(task_id: str) -> bool:
    return task_id.rsplit(".", 1)[-1].startswith("validate_")


class DataDocsLink(BaseOperatorLink):
    """Extra link from a validation task to the Data Docs index."""

    name = "Data Docs"

    def get_link(self, operator, *, ti_key) -> str:
        if not is_validation_task(ti_key.task_id):
            return ""
        from airflow.configuration import conf

        base = conf.get("api", "base_url", fallback="").rstrip("/")
        return f"{base}{URL_PREFIX}/index.html"


class QualityDocsPlugin(AirflowPlugin):
    name = "lakehouse_quality_docs"
    fastapi_apps = [{"app": _docs_app(), "url_prefix": URL_PREFIX, "name": "Data Docs"}]  # noqa: RUF012
    external_views = [  # noqa: RUF012
        {
            "name": "Data Docs",
            "href": "quality-docs/index.html",
            "destination": "nav",
            "category": "browse",
            "url_route": "quality_docs",
        }
    ]
    global_operator_extra_links = [DataDocsLink()]  # noqa: RUF012

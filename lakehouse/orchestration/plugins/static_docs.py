"""Shared by the platform's Airflow UI plugins: a static docs site served by the API server, and
extra links that appear only on the tasks they concern.

Not a plugin itself (it defines no AirflowPlugin): quality_docs.py (Great Expectations Data Docs),
dbt_docs.py (dbt docs) and mlflow_links.py (MLflow) build on it.

    SITE = StaticSite("dbt docs", "/dbt-docs", "dbt_docs", folder, "run `lakehouse dbt docs`")
    fastapi_apps = [SITE.fastapi_app()]; external_views = [SITE.nav_view()]
    class MyLink(TaskLink): name = "dbt docs"; def url_for(self, dag_id, task_id): ...
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperatorLink


def api_base_url() -> str:
    """The API server's public base URL (AIRFLOW__API__BASE_URL), without a trailing slash."""
    from airflow.configuration import conf

    return conf.get("api", "base_url", fallback="").rstrip("/")


def missing_page(title: str, folder: Path, hint: str) -> str:
    """The page shown instead of a 404 while a site has not been generated yet: says how to make it."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body style='font-family: sans-serif; margin: 2em'><h1>{html.escape(title)}: not generated yet</h1>"
        f"<p>The site is built into <code>{html.escape(str(folder))}</code>, which has no index.html yet.</p>"
        f"<p>{html.escape(hint)}</p></body></html>"
    )


@dataclass(frozen=True)
class StaticSite:
    """A folder of static HTML (index.html at its root) served inside the Airflow API server.

    `url_prefix` is where the API server mounts it ("/dbt-docs"); `url_route` names the page that
    shows it inside the Airflow UI (<airflow>/plugin/<url_route>); `hint` says how to build it.
    """

    name: str
    url_prefix: str
    url_route: str
    folder: Callable[[], Path]
    hint: str

    def url(self, fragment: str = "") -> str:
        """Absolute URL of the site's index page, with an optional `#...` fragment (deep link)."""
        return f"{api_base_url()}{self.url_prefix}/index.html{fragment}"

    def fastapi_app(self) -> dict[str, Any]:
        """The plugin's `fastapi_apps` entry: the folder as static files, a helpful page until it exists."""
        from fastapi import FastAPI
        from fastapi.responses import FileResponse, HTMLResponse
        from fastapi.staticfiles import StaticFiles

        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True)
        app = FastAPI(title=f"Lakehouse {self.name}")

        @app.get("/", include_in_schema=False)
        @app.get("/index.html", include_in_schema=False)
        def index() -> Any:
            page = folder / "index.html"
            if page.is_file():
                return FileResponse(page)
            return HTMLResponse(missing_page(self.name, folder, self.hint), status_code=404)

        app.mount("/", StaticFiles(directory=str(folder), html=True, check_dir=False), name=self.url_route)
        return {"app": app, "url_prefix": self.url_prefix, "name": self.name}

    def nav_view(self, category: str = "browse") -> dict[str, str]:
        """The plugin's `external_views` entry: a navigation item showing the site inside the UI."""
        return {
            "name": self.name,
            "href": f"{self.url_prefix.lstrip('/')}/index.html",
            "destination": "nav",
            "category": category,
            "url_route": self.url_route,
        }


class TaskLink(BaseOperatorLink):
    """An extra link on every task (a plugin's global link) with a URL only where `url_for` gives one.

    The UI hides a link whose URL is empty, so each task shows just the links that concern it.
    """

    name = ""

    def url_for(self, dag_id: str, task_id: str) -> str | None:
        """The link's target for this task, or None where the link does not apply."""
        raise NotImplementedError

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return self.url_for(ti_key.dag_id, ti_key.task_id) or ""

"""Airflow plugin: serve the dbt docs site and link each dbt task to its own page in it.

- a FastAPI app at <airflow>/dbt-docs/ serving $LAKEHOUSE_HOME/dbt/docs, which
  `lakehouse.warehouse.dbt_project.generate_docs()` fills (`lakehouse airflow` at start, the daily
  DAG after the marts);
- a "dbt docs" entry in the navigation bar (Browse; shown inside the Airflow UI);
- a "dbt docs" extra link on the Cosmos tasks of the marts group, straight to the model, seed,
  snapshot or test the task runs (e.g. marts.fct_hourly_load_model_build -> the fct_hourly_load page), and
  on publish_gold, to the `lakehouse_gold` sources that dbt reads, and on dbt_docs (the task that
  regenerates the site), to its overview.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from airflow.plugins_manager import AirflowPlugin

from lakehouse.orchestration.plugins.static_docs import StaticSite, TaskLink
from lakehouse.orchestration.ui import DBT_DOCS_PREFIX

URL_PREFIX = DBT_DOCS_PREFIX
MARTS_GROUP = "marts"  # lakehouse.pipeline.dbt_group.GROUP_ID (not imported: that pulls in Cosmos)
PUBLISH_TASK = "publish_gold"
DOCS_TASK = "dbt_docs"  # the DAG task that regenerates the site after the marts (generate_docs)
GOLD_SOURCE = "lakehouse_gold"  # the dbt source publish_gold writes (dbt/models/staging)
# Cosmos task ids: "<node>_<type>_build" (TestBehavior.BUILD, lakehouse.pipeline.dbt_group) and
# "<test>_test" (tests detached after several parents); runs recorded before the switch to BUILD
# keep their AFTER_EACH ids, "<model>.run" / "<model>.test" / "<seed>.seed" and "<node>_<type>".
_GROUPED = (".run", ".test", ".seed", ".snapshot")
_SUFFIXED = ("_model_build", "_seed_build", "_snapshot_build", "_snapshot", "_seed", "_test", "_run")
_ROUTED = {"model", "seed", "snapshot", "test", "source"}


def _folder() -> Path:
    from lakehouse.warehouse.dbt_project import docs_dir

    return docs_dir()


SITE = StaticSite(
    name="dbt docs",
    url_prefix=URL_PREFIX,
    url_route="dbt_docs",
    folder=_folder,
    hint="`lakehouse airflow` generates it at start (in the background) and smartgrid_daily after the "
    "marts; `lakehouse dbt docs` does it by hand (needs the warehouse).",
)


def node_name(task_id: str) -> str | None:
    """The dbt node name a Cosmos task of the marts group runs, or None for other tasks."""
    group, _, rest = task_id.partition(".")
    if group != MARTS_GROUP or not rest:
        return None
    for suffix in _GROUPED:
        if rest.endswith(suffix) and "." not in rest.removesuffix(suffix):
            return rest.removesuffix(suffix)
    for suffix in _SUFFIXED:
        if rest.endswith(suffix):
            return rest.removesuffix(suffix)
    return rest


def docs_route(task_id: str, nodes: Mapping[str, str]) -> str | None:
    """The dbt docs fragment (`#!/model/model.smartgrid.x`) for a task; None where no link applies.

    `nodes` maps node names to unique ids (from the docs' manifest); an unknown node links to the
    project overview rather than to nothing.
    """
    if task_id == PUBLISH_TASK:
        return f"#!/source_list/{GOLD_SOURCE}"
    if task_id == DOCS_TASK:
        return "#!/overview"
    name = node_name(task_id)
    if name is None:
        return None
    unique_id = nodes.get(name)
    if unique_id is None:
        return "#!/overview"
    return f"#!/{unique_id.split('.', 1)[0]}/{unique_id}"


def manifest_nodes(manifest: Mapping) -> dict[str, str]:
    """Node name -> unique id for the models, seeds, snapshots and tests of a dbt manifest."""
    nodes: dict[str, str] = {}
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") in _ROUTED:
            nodes.setdefault(node["name"], unique_id)
    return nodes


@lru_cache(maxsize=4)
def _nodes_cached(path: str, mtime_ns: int) -> dict[str, str]:
    return manifest_nodes(json.loads(Path(path).read_text()))


def _published_nodes() -> dict[str, str]:
    """Nodes of the manifest the served site shows (re-read only when it changes)."""
    path = SITE.folder() / "manifest.json"
    try:
        return _nodes_cached(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return {}


class DbtDocsLink(TaskLink):
    """Extra link from a dbt task (and publish_gold) to its page in the dbt docs."""

    name = "dbt docs"

    def url_for(self, dag_id: str, task_id: str) -> str | None:
        if task_id not in {PUBLISH_TASK, DOCS_TASK} and node_name(task_id) is None:
            return None
        route = docs_route(task_id, _published_nodes())
        return SITE.url(route or "")


class DbtDocsPlugin(AirflowPlugin):
    name = "lakehouse_dbt_docs"
    fastapi_apps = [SITE.fastapi_app()]  # noqa: RUF012 (Airflow reads these class attributes)
    external_views = [SITE.nav_view()]  # noqa: RUF012
    global_operator_extra_links = [DbtDocsLink()]  # noqa: RUF012

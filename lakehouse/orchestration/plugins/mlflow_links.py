"""Airflow plugin: link the forecasting tasks to MLflow, and MLflow from the navigation bar.

- an "MLflow" extra link on the tasks that use the model registry: smartgrid_daily's
  forecasting.* tasks (forecast with the champion, score it) and smartgrid_training's train (logs
  the run and registers the version), to the registered model's page, which lists every version
  with the run that produced it and the alias `champion`;
- an "MLflow" entry in the navigation bar (Browse), opening the tracking server's UI in a new tab
  (it is a separate web app on its own port).
The URL is the tracking server of `lakehouse.runtime.mlflow_tracking_uri()` (MLFLOW_TRACKING_URI or
the platform's own server); with a local store (sqlite:, file:) there is no UI, so no links.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from lakehouse.orchestration.plugins.static_docs import TaskLink
from lakehouse.orchestration.ui import mlflow_ui_url

MODEL_NAME = "region_load_forecaster"  # lakehouse.forecasting.MODEL_NAME (a test keeps them equal)
# (dag_id, task id or task group prefix ending in ".")
MODEL_TASKS = (("smartgrid_daily", "forecasting."), ("smartgrid_training", "train"))


def uses_model_registry(dag_id: str, task_id: str) -> bool:
    return any(
        dag_id == dag and (task_id.startswith(task) if task.endswith(".") else task_id == task)
        for dag, task in MODEL_TASKS
    )


def _ui_url() -> str | None:
    from lakehouse.runtime import mlflow_tracking_uri

    return mlflow_ui_url(mlflow_tracking_uri())


class MlflowLink(TaskLink):
    """Extra link from a forecasting or training task to the registered model in MLflow."""

    name = "MLflow"

    def url_for(self, dag_id: str, task_id: str) -> str | None:
        base = _ui_url()
        if base is None or not uses_model_registry(dag_id, task_id):
            return None
        return f"{base}/#/models/{MODEL_NAME}"


def _nav_views() -> list[dict[str, str]]:
    base = _ui_url()
    if base is None:
        return []
    # No url_route: the UI opens an external view without one as a link in a new tab.
    return [{"name": "MLflow", "href": f"{base}/", "destination": "nav", "category": "browse"}]


class MlflowLinksPlugin(AirflowPlugin):
    name = "lakehouse_mlflow"
    external_views = _nav_views()
    global_operator_extra_links = [MlflowLink()]  # noqa: RUF012 (Airflow reads this class attribute)

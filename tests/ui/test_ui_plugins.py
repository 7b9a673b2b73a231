"""The UI plugins as Airflow loads them: Data Docs, dbt docs and MLflow links and the docs sites.

Airflow reads its configuration when imported, so the plugins are loaded in a subprocess with the
platform's Airflow environment (as the API server loads them), from the plugins folder by Airflow's
own plugins manager; the links are asked for real task ids of the platform's DAGs, and the docs
apps answer through FastAPI's test client.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lakehouse.orchestration.ui import links, mlflow_ui_url
from lakehouse.settings import get_settings, load_settings

PROBE = r"""
import json, sys
from airflow import plugins_manager
from airflow.models.taskinstancekey import TaskInstanceKey
from fastapi.testclient import TestClient

errors = plugins_manager.get_import_errors()
tasks = json.loads(sys.argv[1])
links = {}
for link in plugins_manager.get_global_operator_extra_links():
    for dag_id, task_id in tasks:
        key = TaskInstanceKey(dag_id=dag_id, task_id=task_id, run_id="manual__x", try_number=1)
        url = link.get_link(None, ti_key=key)
        if url:
            links.setdefault(f"{dag_id}/{task_id}", {})[link.name] = url
apps, _ = plugins_manager.get_fastapi_plugins()
pages = {}
for entry in apps:
    client = TestClient(entry["app"])
    for path in ("/", "/index.html", "/manifest.json", "/nothing.html"):
        response = client.get(path)
        pages[entry["url_prefix"] + path] = [response.status_code, response.text[:400]]
views = [v for p in plugins_manager.get_plugin_info() for v in p.get("external_views", [])]
print("RESULT" + json.dumps({"errors": errors, "links": links, "pages": pages, "views": views}))
"""

TASKS = [
    ("smartgrid_daily", "validate_silver"),
    ("smartgrid_daily", "quality.validate_gold"),
    ("smartgrid_daily", "gold.build"),
    ("smartgrid_daily", "publish_gold"),
    ("smartgrid_daily", "dbt_docs"),
    ("smartgrid_daily", "marts.fct_hourly_load_model_build"),
    ("smartgrid_daily", "marts.kosovo_holidays_seed_build"),
    ("smartgrid_daily", "marts.snap_meters_snapshot_build"),
    # Task ids of runs recorded before the group switched to TestBehavior.BUILD.
    ("smartgrid_daily", "marts.fct_hourly_load.run"),
    ("smartgrid_daily", "marts.fct_hourly_load.test"),
    ("smartgrid_daily", "marts.kosovo_holidays.seed"),
    ("smartgrid_daily", "marts.snap_meters_snapshot"),
    ("smartgrid_daily", "marts.relationships_dim_meter_region__region__ref_dim_region__test"),
    ("smartgrid_daily", "marts.assert_daily_cost_reconciles_with_consumption_test"),
    ("smartgrid_daily", "marts.no_such_model_model_build"),
    ("smartgrid_daily", "forecasting.forecast_next_day"),
    ("smartgrid_daily", "forecasting.score_forecasts"),
    ("smartgrid_training", "train"),
    ("smartgrid_maintenance", "maintain"),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LAKEHOUSE_HOME whose dbt docs site holds the real project's manifest (from `dbt parse`)."""
    from lakehouse.warehouse.dbt_project import docs_dir, ensure_manifest

    home = tmp_path_factory.mktemp("ui-home")
    settings = load_settings(lakehouse_home=home)
    manifest = ensure_manifest(settings, wait=True)
    site = docs_dir(settings)
    site.mkdir(parents=True)
    shutil.copyfile(manifest, site / "manifest.json")
    (site / "index.html").write_text("<html><title>dbt Docs</title></html>")
    return home


@pytest.fixture(scope="module")
def probe(published: Path) -> dict:
    from airflow_probe import probe_env, run_probe

    tracker = "http://tracker:s3cret@127.0.0.1:5999/"  # pragma: allowlist secret
    env = probe_env(published, MLFLOW_TRACKING_URI=tracker)
    return {**run_probe(["-c", PROBE, json.dumps(TASKS)], env), "base": env["AIRFLOW__API__BASE_URL"]}


def test_plugins_load_without_errors(probe: dict) -> None:
    assert probe["errors"] == {}


def test_each_task_shows_only_the_links_that_concern_it(probe: dict) -> None:
    from lakehouse.forecasting import MODEL_NAME

    links_by_task = dict(probe["links"])
    base = probe["base"]
    dbt = f"{base}/dbt-docs/index.html#!"
    models = f"{dbt}/model/model.smartgrid"
    mlflow = f"http://127.0.0.1:5999/#/models/{MODEL_NAME}"
    # A generic test's unique id ends in a hash: the link names that test node.
    generic = links_by_task.pop(
        "smartgrid_daily/marts.relationships_dim_meter_region__region__ref_dim_region__test"
    )
    assert generic["dbt docs"].startswith(
        f"{dbt}/test/test.smartgrid.relationships_dim_meter_region__region__ref_dim_region_."
    )
    assert links_by_task == {
        "smartgrid_daily/validate_silver": {"Data Docs": f"{base}/quality-docs/index.html"},
        "smartgrid_daily/quality.validate_gold": {"Data Docs": f"{base}/quality-docs/index.html"},
        "smartgrid_daily/publish_gold": {"dbt docs": f"{dbt}/source_list/lakehouse_gold"},
        "smartgrid_daily/dbt_docs": {"dbt docs": f"{dbt}/overview"},
        "smartgrid_daily/marts.fct_hourly_load_model_build": {"dbt docs": f"{models}.fct_hourly_load"},
        "smartgrid_daily/marts.kosovo_holidays_seed_build": {
            "dbt docs": f"{dbt}/seed/seed.smartgrid.kosovo_holidays"
        },
        "smartgrid_daily/marts.snap_meters_snapshot_build": {
            "dbt docs": f"{dbt}/snapshot/snapshot.smartgrid.snap_meters"
        },
        "smartgrid_daily/marts.fct_hourly_load.run": {"dbt docs": f"{models}.fct_hourly_load"},
        "smartgrid_daily/marts.fct_hourly_load.test": {"dbt docs": f"{models}.fct_hourly_load"},
        "smartgrid_daily/marts.kosovo_holidays.seed": {
            "dbt docs": f"{dbt}/seed/seed.smartgrid.kosovo_holidays"
        },
        "smartgrid_daily/marts.snap_meters_snapshot": {
            "dbt docs": f"{dbt}/snapshot/snapshot.smartgrid.snap_meters"
        },
        "smartgrid_daily/marts.assert_daily_cost_reconciles_with_consumption_test": {
            "dbt docs": f"{dbt}/test/test.smartgrid.assert_daily_cost_reconciles_with_consumption"
        },
        # A node the published docs do not know (yet): the overview, not a dead link.
        "smartgrid_daily/marts.no_such_model_model_build": {"dbt docs": f"{dbt}/overview"},
        "smartgrid_daily/forecasting.forecast_next_day": {"MLflow": mlflow},
        "smartgrid_daily/forecasting.score_forecasts": {"MLflow": mlflow},
        "smartgrid_training/train": {"MLflow": mlflow},
    }  # gold.build and the maintenance DAG's task: no link at all


def test_docs_sites_are_served_and_say_how_to_build_a_missing_one(probe: dict) -> None:
    pages = probe["pages"]
    # dbt docs: published (fixture) -> served, with the manifest the page loads next to it.
    assert pages["/dbt-docs/"][0] == 200 and "dbt Docs" in pages["/dbt-docs/"][1]
    assert pages["/dbt-docs/index.html"][0] == 200
    assert pages["/dbt-docs/manifest.json"][0] == 200
    assert pages["/dbt-docs/nothing.html"][0] == 404
    # Data Docs: nothing validated yet -> a 404 page that says where the site goes and how to build it.
    status, text = pages["/quality-docs/index.html"]
    assert status == 404
    assert "not generated yet" in text and "lakehouse quality docs" in text


def test_nav_entries_for_the_docs_sites_and_mlflow_without_credentials(probe: dict) -> None:
    views = {view["name"]: view for view in probe["views"]}
    assert views["Data Docs"]["href"] == "quality-docs/index.html"
    assert views["dbt docs"]["href"] == "dbt-docs/index.html"
    assert views["dbt docs"]["url_route"] == "dbt_docs"  # shown inside the Airflow UI
    assert views["MLflow"]["href"] == "http://127.0.0.1:5999/"  # no url_route: a new tab
    assert "url_route" not in views["MLflow"]
    assert "s3cret" not in json.dumps(probe)


def test_mlflow_ui_url_only_for_a_tracking_server() -> None:
    assert mlflow_ui_url("http://127.0.0.1:5055") == "http://127.0.0.1:5055"
    assert mlflow_ui_url("https://u:p@mlflow.example.com/prefix/") == "https://mlflow.example.com/prefix"
    assert mlflow_ui_url("http://[::1]:5055/") == "http://[::1]:5055"
    assert mlflow_ui_url("sqlite:///tmp/mlflow.db") is None
    assert mlflow_ui_url("file:///tmp/mlruns") is None
    assert mlflow_ui_url("databricks") is None


def test_links_printed_by_lakehouse_airflow(lakehouse_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_PORT", "18080")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///tmp/mlflow.db")
    get_settings.cache_clear()
    assert links(get_settings()) == {
        "Data Docs": "http://127.0.0.1:18080/quality-docs/index.html",
        "dbt docs": "http://127.0.0.1:18080/dbt-docs/index.html",
    }

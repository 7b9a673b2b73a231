"""The manifest cache behind the Cosmos group: DAG parsing never waits on dbt.

The decision logic is tested on a copy of the project (so the checkout's files are not touched);
the background parse itself is recorded instead of run (the real parse is exercised by
test_cosmos_group through `ensure_manifest(wait=True)`).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from lakehouse.settings import Settings
from lakehouse.warehouse import dbt_project
from lakehouse.warehouse.errors import DbtRunError

DBT = Path(__file__).resolve().parents[2] / "dbt"


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lakehouse_env: Settings) -> dict:
    copy = tmp_path / "dbt"
    shutil.copytree(DBT, copy, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setattr(dbt_project, "project_dir", lambda: copy)
    spawned: list[Path] = []
    monkeypatch.setattr(dbt_project, "_refresh_in_background", lambda settings: spawned.append(settings.home))
    return {"copy": copy, "spawned": spawned, "settings": lakehouse_env}


def test_missing_manifest_starts_a_background_parse_and_says_so(project_copy: dict) -> None:
    with pytest.raises(DbtRunError, match="lakehouse dbt parse"):
        dbt_project.ensure_manifest(project_copy["settings"], wait=False)
    assert project_copy["spawned"] == [project_copy["settings"].home]


def test_fresh_manifest_is_used_and_a_changed_model_refreshes_it_in_the_background(
    project_copy: dict,
) -> None:
    settings = project_copy["settings"]
    manifest = dbt_project.manifest_path(settings)
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}")
    assert dbt_project.ensure_manifest(settings, wait=False) == manifest
    assert project_copy["spawned"] == []

    model = project_copy["copy"] / "models" / "marts" / "dim_region.sql"
    later = time.time() + 5
    os.utime(model, (later, later))
    assert not dbt_project.manifest_is_fresh(settings)
    started = time.perf_counter()
    assert dbt_project.ensure_manifest(settings, wait=False) == manifest  # the stale one, at once
    assert time.perf_counter() - started < 1.0
    assert project_copy["spawned"] == [settings.home]

"""`generate_docs()`: the dbt docs site the Airflow UI serves, built against real PostgreSQL."""

from __future__ import annotations

import json

from lakehouse.settings import Settings


def test_generate_docs_publishes_the_site_and_leaves_the_cosmos_manifest_alone(
    lakehouse_env: Settings, warehouse_url: str
) -> None:
    from lakehouse.warehouse.dbt_project import docs_dir, ensure_manifest, generate_docs

    rendered = ensure_manifest(lakehouse_env, wait=True)  # what the DAG's Cosmos group renders from
    before = rendered.stat().st_mtime_ns

    index = generate_docs(lakehouse_env, url=warehouse_url, in_process=False)

    site = docs_dir(lakehouse_env)
    assert index == site / "index.html"
    assert sorted(p.name for p in site.iterdir()) == ["catalog.json", "index.html", "manifest.json"]
    manifest = json.loads((site / "manifest.json").read_text())
    assert "model.smartgrid.fct_hourly_load" in manifest["nodes"]
    assert "source.smartgrid.lakehouse_gold.region_load_hourly" in manifest["sources"]
    # Compiled against the warehouse (docs show the SQL that runs), not just parsed.
    assert manifest["nodes"]["model.smartgrid.fct_hourly_load"].get("compiled_code")
    assert "nodes" in json.loads((site / "catalog.json").read_text())
    assert rendered.stat().st_mtime_ns == before

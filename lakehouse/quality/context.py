"""The Great Expectations file data context under $LAKEHOUSE_HOME/quality and its Data Docs site.

Validation results accumulate in $LAKEHOUSE_HOME/quality/gx (GE's own stores), and the static Data Docs
site is built into $LAKEHOUSE_HOME/quality/data_docs (index.html), which the Airflow plugin
(lakehouse/orchestration/plugins/quality_docs.py) serves at <airflow>/quality-docs/.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lakehouse.settings import Settings, get_settings

SITE = "lakehouse"
DATASOURCE = "lakehouse_spark"
log = logging.getLogger(__name__)


def quality_home(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).home / "quality"


def data_docs_dir(settings: Settings | None = None) -> Path:
    """Folder of the static Data Docs site ($LAKEHOUSE_HOME/quality/data_docs; open index.html)."""
    return quality_home(settings) / "data_docs"


def gx_context(settings: Settings | None = None) -> Any:
    """The file data context (created on first use) with the `lakehouse` Data Docs site configured."""
    import great_expectations as gx

    home = quality_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(home))
    docs = str(data_docs_dir(settings))
    site = {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": docs},
    }
    current = context.get_config().data_docs_sites or {}
    if current.get(SITE, {}).get("store_backend", {}).get("base_directory") != docs:
        if SITE in current:
            context.update_data_docs_site(SITE, site)
        else:
            context.add_data_docs_site(SITE, site)
    return context


def validation_definition(context: Any, suite: Any, asset_name: str) -> Any:
    """A ValidationDefinition for `suite` on a Spark DataFrame asset (the partition is passed per run)."""
    import great_expectations as gx

    suite = context.suites.add_or_update(suite)
    source = context.data_sources.add_or_update_spark(DATASOURCE)
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch = asset.get_batch_definition("partition")
    except (KeyError, LookupError):
        batch = asset.add_batch_definition_whole_dataframe("partition")
    definition = gx.ValidationDefinition(name=asset_name, data=batch, suite=suite)
    return context.validation_definitions.add_or_update(definition)


def build_data_docs(settings: Settings | None = None, context: Any = None) -> Path:
    """Render every stored validation into the static site; returns its index.html."""
    context = context or gx_context(settings)
    context.build_data_docs(site_names=[SITE])
    index = data_docs_dir(settings) / "index.html"
    log.info("Data Docs at %s", index)
    return index

"""The committed dbt project: the holidays seed equals the holidays package, the profile holds no
secret, every model and column has a description, and the URL -> profile variables mapping."""

from __future__ import annotations

from pathlib import Path

import yaml

from lakehouse.warehouse import dbt_project, holidays_seed

DBT = Path(__file__).resolve().parents[2] / "dbt"


def test_committed_holidays_seed_equals_the_holidays_package() -> None:
    committed = (DBT / "seeds" / "kosovo_holidays.csv").read_text()
    assert committed == holidays_seed.seed_csv()
    assert "2026-02-17,Independence Day" in committed
    assert committed.splitlines()[1].startswith("2020-") and committed.splitlines()[-1].startswith("2035-")


def test_profile_reads_everything_from_the_environment() -> None:
    text = (DBT / "profiles.yml").read_text()
    outputs = yaml.safe_load(text)["smartgrid"]["outputs"]["warehouse"]
    for key in ("host", "port", "user", "password", "dbname"):
        assert "env_var(" in str(outputs[key]), key
    assert outputs["schema"] == "marts"


def test_profile_env_from_url_decodes_credentials() -> None:
    env = dbt_project.profile_env("postgresql://ana%40grid:p%2Fss%3Aw@db.example:6543/warehouse")
    assert env == {
        "DBT_WAREHOUSE_HOST": "db.example",
        "DBT_WAREHOUSE_PORT": "6543",
        "DBT_WAREHOUSE_USER": "ana@grid",
        "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": "p/ss:w",
        "DBT_WAREHOUSE_DBNAME": "warehouse",
    }


def test_every_model_and_column_is_described() -> None:
    """Descriptions in the YAML files, and every column a model selects is documented."""
    described: dict[str, set[str]] = {}
    for path in (DBT / "models").rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            assert model.get("description"), model["name"]
            for column in model.get("columns", []):
                assert column.get("description"), f"{model['name']}.{column['name']}"
            described[model["name"]] = {c["name"] for c in model.get("columns", [])}
    sql_models = {p.stem for p in (DBT / "models").rglob("*.sql")}
    assert sql_models == set(described)

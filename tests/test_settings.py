from __future__ import annotations

import pytest

from lakehouse.settings import SettingsError, load_settings


def test_defaults_live_under_lakehouse_home(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path))
    monkeypatch.delenv("LAKEHOUSE_ROOT", raising=False)
    monkeypatch.delenv("LANDING_ROOT", raising=False)
    settings = load_settings()
    assert settings.lakehouse_uri == str(tmp_path / "lakehouse")
    assert settings.landing_uri == str(tmp_path / "landing")
    assert settings.spark_engine == "sail"


def test_s3_roots_are_kept_as_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_ROOT", "s3://grid-lake/tables/")
    assert load_settings().lakehouse_uri == "s3://grid-lake/tables"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SPARK_REMOTE", "http://spark:15002", "SPARK_REMOTE='http://spark:15002'"),
        ("WAREHOUSE_URL", "mysql://x", "WAREHOUSE_URL='mysql://x'"),
        ("POSTGRES_PORT", "five", "POSTGRES_PORT='five'"),
        ("LOCAL_TIMEZONE", "Mars/Olympus", "LOCAL_TIMEZONE='Mars/Olympus'"),
        ("LAKEHOUSE_ROOT", "gs://bucket/x", "LAKEHOUSE_ROOT='gs://bucket/x'"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=expected.replace("(", r"\(")):
        load_settings()


def test_spark_remote_selects_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPARK_REMOTE", "sc://spark:15002")
    assert load_settings().spark_engine == "connect"


def test_connect_without_remote_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setenv("SPARK_ENGINE", "connect")
    with pytest.raises(SettingsError, match="SPARK_REMOTE"):
        load_settings()

"""Secrets in settings never reach output: `lakehouse config`, settings errors, masked()."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from lakehouse.settings import SettingsError, get_settings, is_secret_setting, load_settings, mask_url, masked


def _secret() -> str:
    return "s" + secrets.token_hex(12)  # made at run time: the repository holds no secret


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("webhook_secret", "abc", "***"),
        ("entsoe_token", "abc", "***"),
        ("smtp_password", "abc", "***"),
        ("aws_access_key", "abc", "***"),
        ("warehouse_analyst_password", SecretStr("abc"), "***"),
        ("warehouse_analyst_password", None, "None"),
        ("webhook_secret", "", ""),
        ("sql_tls_keyfile", "/etc/tls/key.pem", "/etc/tls/key.pem"),
        ("simulator_seed", 42, "42"),
        ("warehouse_url", "postgresql://a:pw@db/wh", "postgresql://a:***@db/wh"),  # pragma: allowlist secret
        ("warehouse_url", "postgresql://ana@db/wh", "postgresql://ana@db/wh"),
        ("entsoe_url", "https://e/api?securityToken=t1&documentType=A44", "https://e/api?securityToken=***&documentType=A44"),
        ("open_meteo_url", "https://o/v1?apikey=k&latitude=42.6", "https://o/v1?apikey=***&latitude=42.6"),
        ("webhook_url", "https://hooks/x?sig=a&key=b&keyword=c", "https://hooks/x?sig=***&key=***&keyword=c"),
        ("mlflow_tracking_uri", "http://u:p@[::1:80/x", "***"),  # unparsable: hide all of it
    ],
)  # fmt: skip
def test_masked(name: str, value: object, shown: str) -> None:
    assert masked(name, value) == shown


def test_secret_settings_are_recognised_by_name_and_type() -> None:
    assert is_secret_setting("WEBHOOK_SECRET") and is_secret_setting("entsoe_token")
    assert is_secret_setting("warehouse_dbt_password")  # SecretStr field
    assert not is_secret_setting("sql_tls_keyfile") and not is_secret_setting("spark_jars_dir")
    assert mask_url("s3://bucket/prefix") == "s3://bucket/prefix"


def test_config_prints_no_secret(lakehouse_env, monkeypatch: pytest.MonkeyPatch) -> None:
    from lakehouse.cli import app

    planted = {name: _secret() for name in ("WEBHOOK_SECRET", "ENTSOE_TOKEN", "WAREHOUSE_ANALYST_PASSWORD")}
    url_password, query_token = _secret(), _secret()
    for name, value in planted.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://wh:{url_password}@db.internal:5432/warehouse")
    monkeypatch.setenv("ENTSOE_URL", f"https://proxy.internal/api?securityToken={query_token}")
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    for secret in [*planted.values(), url_password, query_token]:
        assert secret not in result.output
    assert "postgresql://wh:***@db.internal:5432/warehouse" in result.output
    assert "securityToken=***" in result.output
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in result.output.splitlines()
            if line.count("│") >= 3}  # fmt: skip
    assert rows["WEBHOOK_SECRET"] == rows["ENTSOE_TOKEN"] == rows["WAREHOUSE_ANALYST_PASSWORD"] == "***"


def test_settings_errors_name_the_variable_and_hide_the_value(lakehouse_env) -> None:
    short = "x" + secrets.token_hex(3)
    with pytest.raises(SettingsError) as error:
        load_settings(warehouse_engineer_password=short)
    message = str(error.value)
    assert "WAREHOUSE_ENGINEER_PASSWORD='***'" in message and "at least 12 characters" in message
    assert "secrets.token_urlsafe" in message and short not in message

    password = _secret()
    with pytest.raises(SettingsError) as error:
        load_settings(warehouse_url=f"mysql://u:{password}@db/x")
    assert "WAREHOUSE_URL='mysql://u:***@db/x'" in str(error.value) and password not in str(error.value)

    webhook = _secret()
    with pytest.raises(SettingsError) as error:  # a rule across settings: no inputs echoed
        load_settings(spark_engine="connect", webhook_secret=webhook)
    assert "SPARK_ENGINE=connect needs SPARK_REMOTE" in str(error.value) and webhook not in str(error.value)


def test_role_passwords_unset_or_empty_mean_generate(lakehouse_env) -> None:
    assert load_settings(warehouse_dbt_password="").warehouse_dbt_password is None
    long_enough = "z" * 12
    assert load_settings(warehouse_dbt_password=long_enough).warehouse_dbt_password == SecretStr(long_enough)

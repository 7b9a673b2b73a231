"""`lakehouse status` fails when something configured is down; `down` with nothing running is fine."""

from __future__ import annotations

from typer.testing import CliRunner

from lakehouse.cli import app
from lakehouse.settings import Settings


def test_status_exit_code_and_down_when_nothing_runs(runtime_env: Settings) -> None:
    runner = CliRunner()

    status = runner.invoke(app, ["status"])
    assert status.exit_code == 1, status.output
    assert "sail" in status.output and "stopped" in status.output

    down = runner.invoke(app, ["down"])
    assert down.exit_code == 0, down.output
    assert "nothing was running" in down.output


def test_up_with_an_unknown_service_fails_with_the_list(runtime_env: Settings) -> None:
    result = CliRunner().invoke(app, ["up", "spark"])
    assert result.exit_code == 1
    assert "choose from sail, postgres, airflow-db, mlflow" in result.output

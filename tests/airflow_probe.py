"""Load Airflow in a subprocess with the platform's Airflow environment and read what it printed.

Airflow reads its configuration when imported, so DAG and plugin checks run a small probe script in
a subprocess that has the environment every Airflow process of the platform gets
(`lakehouse.orchestration.airflow.airflow_env`). Parsing needs no metadata database: the env names
an unreachable one, so that airflow_env() starts nothing. The probe prints one line
`RESULT<json>`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.settings import get_settings

UNUSED_DB = "postgresql://nobody@127.0.0.1:9/unused"


def probe_env(home: Path, **extra: str) -> dict[str, str]:
    """os.environ + airflow_env() for a LAKEHOUSE_HOME and `extra` settings; os.environ is left alone."""
    from lakehouse.orchestration.airflow import airflow_env

    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"LAKEHOUSE_HOME": str(home), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": UNUSED_DB,
                            **extra}.items():  # fmt: skip
            patch.setenv(name, value)
        get_settings.cache_clear()
        try:
            return {**os.environ, **airflow_env(get_settings())}
        finally:
            get_settings.cache_clear()


def run_probe(args: list[str], env: dict[str, str], timeout: float = 240) -> dict:
    """`python <args>` in `env`; its RESULT line as JSON (stderr's tail in the failure message)."""
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, f"the probe printed no RESULT line:\n{result.stdout[-2000:]}"
    return json.loads(line.removeprefix("RESULT"))

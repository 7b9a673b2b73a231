"""Homes, ports and a private PostgreSQL for tests that start the platform's own services.

A module of its own so that fixtures anywhere can use it (conftest modules are not importable).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lakehouse.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def service_home(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A LAKEHOUSE_HOME the embedded services can use.

    As root, PostgreSQL runs as the unprivileged account `lakehouse`, which cannot enter pytest's
    basetemp (/tmp/pytest-of-root is 0700) and the runtime never loosens permissions above
    LAKEHOUSE_HOME; so for root the home is a fresh folder under the system temp dir, removed after.
    """
    if os.geteuid() != 0:
        yield tmp_path_factory.mktemp(name)
        return
    home = Path(tempfile.mkdtemp(prefix=f"lakehouse-pytest-{name}-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def platform_postgres(
    tmp_path_factory: pytest.TempPathFactory, name: str, **overrides: Any
) -> Iterator[Settings]:
    """Settings of a private embedded PostgreSQL on a free port, started by the runtime as
    `lakehouse up postgres` does (warehouse roles applied, their passwords generated); stopped after."""
    from lakehouse import runtime

    with service_home(tmp_path_factory, name) as home:
        settings = load_settings(
            lakehouse_home=home, postgres_port=free_port(), warehouse_url=None, **overrides
        )
        try:
            runtime.up(["postgres"], settings=settings)
            yield settings
        finally:
            runtime.down(settings=settings)

"""Fixtures of the security tests: a private database and a unique role prefix per test.

Roles are cluster-wide, so each test uses its own prefix (t<hex>_) and drops its roles afterwards;
its database is created empty and dropped with (force) at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from security_roles_kit import RolesDb, roles_database


@pytest.fixture
def roles_db(warehouse_url: str) -> Iterator[RolesDb]:
    with roles_database(warehouse_url) as db:
        yield db

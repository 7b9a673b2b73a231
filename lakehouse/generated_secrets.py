"""Passwords the platform generates once and keeps in a private JSON file (0600, atomic replace)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def generated_secrets(path: Path, names: list[str], *, nbytes: int, create: bool = True) -> dict[str, str]:
    """{name: secret} for `names` kept in `path`; with `create`, missing ones are generated and saved.

    Raises OSError or ValueError when the file cannot be read or parsed (callers say what to do).
    """
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if create and any(name not in stored for name in names):
        for name in names:
            stored.setdefault(name, secrets.token_urlsafe(nbytes))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle, indent=2)
        tmp.replace(path)
    return {name: stored[name] for name in names if name in stored}

"""Write the compose stack's .env from .env.example, with a fresh random value for every empty secret.

    python3 docker/make_env.py [--example .env.example] [--output .env]

Standard library only, so that it runs with any Python 3 before anything is installed. It never
overwrites an existing file (delete it first to rotate everything) and writes it readable by its
owner only. Values are URL-safe (they end up inside database URLs); AIRFLOW_FERNET_KEY is a real
Fernet key (32 random bytes, url-safe base64), which Airflow requires.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")


class EnvFileError(Exception):
    """The .env file cannot be written as asked; the message says what to do."""


def fernet_key(token_bytes: Callable[[int], bytes] = secrets.token_bytes) -> str:
    return base64.urlsafe_b64encode(token_bytes(32)).decode()


def secret_value(name: str, token_bytes: Callable[[int], bytes] = secrets.token_bytes) -> str:
    """A random value fit for the variable `name`."""
    if name == "AIRFLOW_FERNET_KEY":
        return fernet_key(token_bytes)
    return token_bytes(24).hex()


def fill(example: str, token_bytes: Callable[[int], bytes] = secrets.token_bytes) -> tuple[str, list[str]]:
    """The example's text with every empty `NAME=` given a random value; also the names filled."""
    lines, filled = [], []
    for line in example.splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if match and match["value"] == "":
            name = match["name"]
            line = f"{name}={secret_value(name, token_bytes)}"
            filled.append(name)
        lines.append(line)
    return "\n".join(lines) + "\n", filled


def write_env(example: Path, output: Path) -> list[str]:
    """Create `output` (mode 0600) from `example`; return the names of the generated secrets."""
    if output.exists():
        raise EnvFileError(f"{output} exists: keep it, or delete it to generate new secrets")
    try:
        text, filled = fill(example.read_text())
    except OSError as error:
        raise EnvFileError(f"cannot read {example}: {error.strerror}") from None
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return filled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", type=Path, default=ROOT / ".env.example")
    parser.add_argument("--output", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    try:
        filled = write_env(args.example, args.output)
    except EnvFileError as error:
        print(f"make_env: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.output} (mode 0600) with new values for: {', '.join(filled) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

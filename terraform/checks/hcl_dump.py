"""Print every .tf and .tfvars file under a folder, parsed, as one JSON object (path -> document).

Runs in the checks tool environment (terraform/checks/.venv), which has checkov's HCL2 parser;
tests/deploy/test_terraform.py reads the JSON in the project environment.
Usage: python hcl_dump.py TERRAFORM_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import hcl2

SKIP_PARTS = {".terraform", ".venv", "checks"}


def dump(root: Path) -> dict[str, object]:
    """Parse each Terraform file below root; a file that does not parse stops with its name."""
    documents: dict[str, object] = {}
    for path in sorted([*root.rglob("*.tf"), *root.rglob("*.tfvars")]):
        relative = path.relative_to(root)
        if SKIP_PARTS.intersection(relative.parts):
            continue
        try:
            with path.open(encoding="utf-8") as handle:
                documents[relative.as_posix()] = hcl2.load(handle)
        except Exception as error:
            raise SystemExit(f"{relative}: cannot parse HCL: {error}") from error
    return documents


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(json.dumps(dump(Path(sys.argv[1])), default=str))

"""Secret scan of the tree: detect-secrets over every git-tracked file, against the audited baseline.

A finding that is not in `.secrets.baseline` fails the test with its file:line and type. The
baseline holds only audited false positives (`is_secret: false`: documentation placeholders, test
fixtures, names of secrets). To accept a new false positive, either mark its line with
`# pragma: allowlist secret`, or refresh and audit the baseline:

    .venv/bin/detect-secrets scan --baseline .secrets.baseline
    .venv/bin/detect-secrets audit .secrets.baseline
"""

from __future__ import annotations

import json
import random
import shutil
import string
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / ".secrets.baseline"
DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    type: str
    hashed_secret: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}  {self.type}"


def _results(baseline: dict) -> list[Finding]:
    return sorted(
        Finding(item["filename"], item["line_number"], item["type"], item["hashed_secret"])
        for items in baseline["results"].values()
        for item in items
    )


def scan(paths: list[str], cwd: Path, baseline: Path, work: Path) -> list[Finding]:
    """`detect-secrets scan` of `paths` (relative to `cwd`) with the plugins and filters of `baseline`.

    The scan updates a copy of the baseline, never the file itself.
    """
    copy = work / "scan.baseline"
    shutil.copyfile(baseline, copy)
    result = subprocess.run(
        [str(DETECT_SECRETS), "scan", "--baseline", str(copy), *paths],
        cwd=cwd, capture_output=True, text=True, timeout=170, check=False,
    )  # fmt: skip
    assert result.returncode == 0, (
        f"detect-secrets scan failed ({result.returncode}):\n{result.stderr[-3000:]}"
    )
    return _results(json.loads(copy.read_text()))


def new_findings(found: list[Finding], baseline: dict) -> list[Finding]:
    """What `found` has that the baseline does not (same file, type and secret; lines may move)."""
    known = {(f.file, f.type, f.hashed_secret) for f in _results(baseline)}
    return [f for f in found if (f.file, f.type, f.hashed_secret) not in known]


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"the secret scan covers git-tracked files, and {REPO} is not a git checkout ({error})")
    return [name for name in out.decode().split("\0") if name and (REPO / name).is_file()]


def test_baseline_holds_only_audited_false_positives() -> None:
    baseline = json.loads(BASELINE.read_text())
    unaudited = [
        f"{item['filename']}:{item['line_number']}  {item['type']}  is_secret={item.get('is_secret')}"
        for items in baseline["results"].values()
        for item in items
        if item.get("is_secret") is not False
    ]
    assert not unaudited, (
        "entries of .secrets.baseline that are not audited false positives (a real secret must leave the "
        "repository: rotate it and read it from the environment or an Airflow connection; a false "
        "positive is marked with `detect-secrets audit .secrets.baseline`):\n  " + "\n  ".join(unaudited)
    )
    assert any(f["path"].endswith("should_exclude_file") for f in baseline["filters_used"]), (
        "the baseline must exclude itself (--exclude-files '^\\.secrets\\.baseline$'): "
        "its hashes look like secrets"
    )


def test_tracked_files_hold_no_secret_beyond_the_baseline(tmp_path: Path) -> None:
    files = _tracked_files()
    assert ".secrets.baseline" in files, "commit .secrets.baseline: the scan compares against it"
    found = scan(files, REPO, BASELINE, tmp_path)
    fresh = new_findings(found, json.loads(BASELINE.read_text()))
    assert not fresh, (
        f"detect-secrets found {len(fresh)} possible secret(s) not in the audited baseline:\n  "
        + "\n  ".join(map(str, fresh))
        + "\nA real secret: remove it, rotate it, and read it from the environment or an Airflow "
        "connection. A false positive: add `# pragma: allowlist secret` to the line, or refresh and audit "
        "the baseline (`detect-secrets scan --baseline .secrets.baseline && detect-secrets audit "
        ".secrets.baseline`)."
    )


def test_the_scan_catches_planted_secrets(tmp_path: Path) -> None:
    rng = random.Random()
    # Built at run time, so that the repository never contains a key-shaped string.
    aws_key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    pem = "-----BEGIN " + "RSA PRIVATE KEY-----"
    tree = tmp_path / "tree"
    (tree / "lakehouse").mkdir(parents=True)
    (tree / "lakehouse" / "creds.py").write_text(
        f'"""Oops."""\n\nAWS_ACCESS_KEY_ID = "{aws_key}"\n\nKEY = """{pem}\nMIIEpAIBAAKCAQEA\n"""\n'
    )
    (tree / "clean.py").write_text("password = os.environ['WAREHOUSE_ANALYST_PASSWORD']\n")
    found = scan(["lakehouse/creds.py", "clean.py"], tree, BASELINE, tmp_path)
    fresh = new_findings(found, json.loads(BASELINE.read_text()))
    shown = sorted(str(f) for f in fresh)
    assert shown == ["lakehouse/creds.py:3  AWS Access Key", "lakehouse/creds.py:5  Private Key"], shown

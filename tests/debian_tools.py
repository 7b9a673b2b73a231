"""Debian programs some tests drive (pdftoppm, Chromium): installed by the test set-up when missing.

`make test` on a fresh Debian machine installs them with apt-get (as root, or with password-less
sudo); where that is impossible the calling test skips and says why, instead of failing for a
reason that is not the code's.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

_APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
# Wait for another apt-get (a parallel session, unattended upgrades) instead of failing at once.
_APT = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-q"]


def _privileged(command: list[str]) -> list[str] | None:
    if os.geteuid() == 0:
        return command
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n", "-E", *command]
    return None


def install_reason(packages: tuple[str, ...]) -> str | None:
    """Install Debian packages; None on success, else why they could not be installed."""
    if not shutil.which("apt-get"):
        return f"apt-get is not available to install {' '.join(packages)}"
    install = _privileged([*_APT, "install", "--no-install-recommends", *packages])
    update = _privileged([*_APT, "update"])
    if install is None or update is None:
        return f"installing {' '.join(packages)} needs root or password-less sudo"
    done = subprocess.run(install, env=_APT_ENV, capture_output=True, text=True)
    if done.returncode != 0:  # stale package lists on a fresh machine: refresh once and retry
        subprocess.run(update, env=_APT_ENV, capture_output=True, text=True)
        done = subprocess.run(install, env=_APT_ENV, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return f"apt-get install {' '.join(packages)} failed: {' | '.join(tail)}"
    return None


def require_program(program: str, *packages: str) -> str:
    """Path of `program`, installing its Debian packages first when it is missing; else skip."""
    found = shutil.which(program)
    if found:
        return found
    reason = install_reason(packages or (program,))
    found = shutil.which(program)
    if found:
        return found
    pytest.skip(reason or f"{program} is still missing after installing {' '.join(packages)}")

"""Where the project's own folders are (dags/, spark_jobs/), whatever the current directory."""

from __future__ import annotations

from pathlib import Path

from lakehouse.settings import Settings, get_settings

DAG_FILE = "smartgrid_daily.py"


class ProjectLayoutError(RuntimeError):
    """The project's dags/ folder cannot be found; the message says which setting fixes it."""


def repo_root() -> Path | None:
    """The checkout holding dags/ and spark_jobs/ next to the lakehouse package, if there is one.

    The package is installed editable from the checkout (uv sync), so the folder above it is the
    project; a non-editable install has no dags/ beside it, hence the current directory fallback.
    """
    candidates = [Path(__file__).resolve().parents[2], *Path.cwd().resolve().parents]
    candidates.insert(1, Path.cwd().resolve())
    for folder in candidates:
        if (folder / "dags" / DAG_FILE).is_file() and (folder / "lakehouse").is_dir():
            return folder
    return None


def dags_folder(settings: Settings | None = None) -> Path:
    """AIRFLOW_DAGS_FOLDER when set, else the project's dags/ folder."""
    settings = settings or get_settings()
    if settings.airflow_dags_folder is not None:
        folder = settings.airflow_dags_folder.expanduser().resolve()
        if not folder.is_dir():
            raise ProjectLayoutError(
                f"AIRFLOW_DAGS_FOLDER={folder} is not a folder: point it at the dags/ folder"
            )
        return folder
    root = repo_root()
    if root is None:
        raise ProjectLayoutError(
            "cannot find the project's dags/ folder: run from the project checkout or set "
            "AIRFLOW_DAGS_FOLDER=/path/to/project/dags"
        )
    return root / "dags"

"""The `lakehouse` command.

Each module in this package that defines `register(app)` adds its commands, so that areas of
the platform (runtime, sources, pipeline, SQL, ...) own their CLI code without a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from lakehouse.settings import SettingsError

app = typer.Typer(
    name="lakehouse",
    help="Smart Grid Analytics: run and inspect the lakehouse platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Smart Grid Analytics: run and inspect the lakehouse platform."""


def _register_all() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    try:
        app()
    except SettingsError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None

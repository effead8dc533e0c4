"""Command line: ``river-lite info`` and ``river-lite demo`` (a console script, so the current
directory does not matter), or ``python -m river_lite info`` / ``demo`` from outside a checkout."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import platform
import sys
from typing import Any

from . import _SUBPACKAGES as MODULES
from . import __version__
from ._native import load, native_modules

# The import name of this package (``__name__`` is "__main__" under ``python -m``).
PACKAGE = __spec__.parent if __spec__ else __package__


def native_build_info() -> dict[str, dict[str, Any]]:
    """How each compiled extension was built, as the extension itself reports it."""
    report = {}
    for name in native_modules():
        info = dict(load(name).build_info())
        if info["language"] == "Rust":
            info["optimized"] = info["profile"] == "release" and info["opt_level"] != "0"
        report[name] = info
    return report


def info() -> None:
    import numpy as np

    print(f"{PACKAGE} {__version__}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.platform})"
    )
    print(f"NumPy {np.__version__} at run time")
    for name, build in native_build_info().items():
        kind = "optimised release build" if build["optimized"] else "DEBUG build (not optimised)"
        details = ", ".join(
            f"{key} {value}" for key, value in build.items() if key not in ("language", "optimized")
        )
        print(f"{PACKAGE}.{name}: {build['language']}, {kind}; {details}")


def demo() -> None:
    """Runs each module's demo: the ``demo()`` function of its ``_demo`` submodule, if it has
    one (found, not listed, so a module brings or takes its demo with its folder)."""
    for name in MODULES:
        if importlib.util.find_spec(f"{PACKAGE}.{name}._demo") is not None:
            importlib.import_module(f"{PACKAGE}.{name}._demo").demo()
            print()


def main(argv: list[str] | None = None) -> int:
    # Under `python -m` argparse would call the program "__main__.py"; as the console script
    # its default (the script's own name) is right.
    prog = f"python -m {PACKAGE}" if __name__ == "__main__" else None
    parser = argparse.ArgumentParser(prog=prog, description=f"{PACKAGE} {__version__}")
    parser.add_argument("command", choices=["info", "demo"], help="what to run")
    args = parser.parse_args(argv)
    try:
        {"info": info, "demo": demo}[args.command]()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``python -m river_lite info | head``): not an error. Point
        # stdout at devnull so that the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())

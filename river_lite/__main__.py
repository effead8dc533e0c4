"""Command line: ``river-lite info`` and ``river-lite demo`` (a console script, so the current
directory does not matter), or ``python -m river_lite info`` / ``demo`` from outside a checkout."""

from __future__ import annotations

import argparse
import os
import platform
import sys

from . import __version__
from ._native import NATIVE_MODULES, load

# The import name of this package (``__name__`` is "__main__" under ``python -m``).
PACKAGE = __spec__.parent if __spec__ else __package__


def native_build_info() -> dict[str, dict]:
    """How each compiled extension was built, as the extension itself reports it."""
    report = {}
    for name in NATIVE_MODULES:
        info = dict(load(name).build_info())
        if info["language"] == "Rust":
            info["optimized"] = info["profile"] == "release" and info["opt_level"] != "0"
        report[name] = info
    return report


def info() -> None:
    import numpy

    print(f"{PACKAGE} {__version__}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.platform})")
    print(f"NumPy {numpy.__version__} at run time")
    for name, build in native_build_info().items():
        kind = "optimised release build" if build["optimized"] else "DEBUG build (not optimised)"
        details = ", ".join(
            f"{key} {value}" for key, value in build.items() if key not in ("language", "optimized")
        )
        print(f"{PACKAGE}.{name}: {build['language']}, {kind}; {details}")


def demo() -> None:
    import numpy as np

    from . import stats

    rng = np.random.default_rng(0)
    values = rng.standard_t(df=3, size=200_000) * 2.0 + 10.0
    print(f"Online statistics over {values.size:,} Student-t values (update_many), vs NumPy:")
    exact = {
        "Mean": values.mean(),
        "Var": values.var(ddof=1),
        "Min": values.min(),
        "Max": values.max(),
        "PeakToPeak": np.ptp(values),
        "Quantile": np.quantile(values, 0.5),
        "IQR": np.subtract(*np.quantile(values, [0.75, 0.25])),
        "RollingQuantile": np.quantile(values[-10_000:], 0.9),
    }
    for name, reference in exact.items():
        stat = getattr(stats, name)
        stat = stat(q=0.9, window_size=10_000) if name == "RollingQuantile" else stat()
        stat.update_many(values)
        print(f"  {stat!r:<55} numpy: {reference:.6g}")
    skew = stats.Skew()
    for x in values[:1000]:
        skew.update(x)
    print(f"  {skew!r:<55} (one update(x) call per value, first 1,000 values)")

    from .sampler import ScaledTModel

    data = -3.14 + np.sqrt(30.0) * rng.standard_t(df=6, size=500)
    result = ScaledTModel(data, nu=6).run(burn_in=1000, sample_size=2000, chains=4, seed=0)
    print("\nGibbs sampler, scaled Student-t model (nu=6, mu=-3.14, sigma2=30, n=500; 4 chains in")
    print("parallel Rust threads):")
    for line in result.summary().splitlines():
        print(f"  {line}")

    import time

    from .classifier import MLPClassifier, SGDClassifier

    # Three classes split by a curved boundary: a linear model cannot follow it, a network can.
    X = rng.normal(size=(20_000, 10)).astype(np.float32)
    score = np.sin(2.0 * X[:, 0]) + X[:, 1] * X[:, 2]
    y = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    print("\nClassifiers on 16,000 x 10 float32 rows (3 classes, curved boundary), 4,000 held out:")
    for model in (SGDClassifier(random_state=0), MLPClassifier((64,), max_iter=15, random_state=0)):
        started = time.perf_counter()
        model.fit(X[:16_000], y[:16_000])
        elapsed = time.perf_counter() - started
        accuracy = model.score(X[16_000:], y[16_000:])
        print(f"  {type(model).__name__:<14} accuracy {accuracy:.3f}, fit {elapsed:.2f} s")


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

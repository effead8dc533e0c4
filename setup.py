"""The part of the build that must be code: the Cython extensions and a Rust toolchain check.

Everything declarative (metadata, the Rust extension, package data) is in pyproject.toml.
Cython extensions are discovered from the ``.pyx`` files of the package, so this file names no
package and no module: adding a ``.pyx`` file is enough to build it.
"""

import os
import shutil
import sys
from pathlib import Path

import Cython
import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
# The one top-level package of this distribution, whatever it is called.
(PACKAGE,) = [name for name in find_packages(exclude=["tests*", "benchmarks*"]) if "." not in name]

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "binding": True,
    "embedsignature": True,
    "freethreading_compatible": True,
}


def cython_extensions():
    macros = [
        ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
        # Built against NumPy 2, usable with NumPy >= 1.23 at run time (see pyproject.toml).
        ("NPY_TARGET_VERSION", "NPY_1_23_API_VERSION"),
        # Read back by build_info() in every Cython module.
        ("NATIVE_CYTHON_VERSION", f'"{Cython.__version__}"'),
        ("NATIVE_NUMPY_VERSION", f'"{np.__version__}"'),
    ]
    extensions = []
    for source in sorted((HERE / PACKAGE).rglob("*.pyx")):
        relative = source.relative_to(HERE).with_suffix("")
        extensions.append(
            Extension(
                ".".join(relative.parts),
                [relative.with_suffix(".pyx").as_posix()],
                include_dirs=[np.get_include()],
                define_macros=macros,
                # Python's default flags keep debug symbols; drop them to keep wheels small.
                extra_link_args=["-s"] if sys.platform.startswith("linux") else [],
            )
        )
    return cythonize(extensions, compiler_directives=COMPILER_DIRECTIVES)


class BuildExtRequiringRust(build_ext):
    """Fails at once, with advice, when there is no Rust toolchain, instead of after compiling
    the Cython extensions. setuptools-rust wraps this class and builds the Rust extension."""

    def run(self):
        cargo = os.environ.get("CARGO", "cargo")
        if shutil.which(cargo) is None:
            raise SystemExit(
                "error: building this package from source needs a Rust toolchain, and "
                f"'{cargo}' was not found on PATH.\n"
                "Install Rust (https://rustup.rs) and retry, or install a published wheel "
                "instead of the source distribution (pip install --only-binary=:all: ...)."
            )
        super().run()


setup(
    ext_modules=cython_extensions(),
    cmdclass={"build_ext": BuildExtRequiringRust},
)

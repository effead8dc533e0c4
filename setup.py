"""The part of the build that must be code: the Cython extensions, a Rust toolchain check, and
what makes a release trustworthy (RELEASING.md, "Trustworthy artifacts").

Everything declarative (metadata, the Rust extension, package data) is in pyproject.toml.
Cython extensions are discovered from the ``.pyx`` files of the package, so this file names no
package and no module: adding a ``.pyx`` file is enough to build it.

* **Reproducible builds.** ``SOURCE_DATE_EPOCH`` (the release sets it to the tagged commit's
  time) defaults to the time of the checkout's last commit, or, when building from an sdist, to
  the timestamp the sdist carries; the build says which it used. The paths of the build
  machine (the Cargo and rustup homes, the source directory) are remapped out of the compiled
  code, and the sdist is normalised (member order, times, owners, gzip header), so that two
  builds of one commit are byte-identical wherever they run.
* **SBOM (PEP 770).** Every wheel carries ``.dist-info/sboms/<crate>.cdx.json``, the CycloneDX
  list of the Rust crates in the extension (rust_src/sbom.py). A build that cannot write it
  warns and goes on, except a release build (cibuildwheel, or RIVER_LITE_REQUIRE_SBOM=1), which
  fails.
* **Stable ABI.** ``RIVER_LITE_LIMITED_API=3.12`` builds every extension against the limited C
  API of that CPython and tags the wheel ``cp312-abi3``: one wheel for CPython 3.12 and later.
"""

import gzip
import importlib.metadata
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import Cython
import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = Path(__file__).parent
# The one top-level package of this distribution, whatever it is called.
(PACKAGE,) = [name for name in find_packages(exclude=["tests*", "benchmarks*"]) if "." not in name]

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "binding": True,
    "embedsignature": True,
    "freethreading_compatible": True,
}


def say(message: str) -> None:
    # stderr: build frontends show it (pip with -v), and it never mixes with a hook's output.
    print(f"{PACKAGE} build: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------- the build's epoch
def source_date_epoch() -> tuple[int | None, str]:
    """The build's timestamp (seconds since 1970) and where it came from."""
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if given:
        if not given.isdigit():
            raise SystemExit(
                f"error: SOURCE_DATE_EPOCH={given!r} is not a whole number of seconds since "
                "1970-01-01 UTC (e.g. the output of `git log -1 --format=%ct`)"
            )
        return int(given), "set by the environment"
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            check=False,
            cwd=HERE,
            capture_output=True,
            text=True,
        )
        if top.returncode == 0 and Path(top.stdout.strip()).resolve() == HERE.resolve():
            committed = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                check=False,
                cwd=HERE,
                capture_output=True,
                text=True,
            )
            if committed.returncode == 0 and committed.stdout.strip():
                return int(committed.stdout), "the time of the last commit"
    except OSError:
        pass  # no git: maybe an sdist
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.exists():
        # Every member of this project's sdists carries its SOURCE_DATE_EPOCH (normalise_sdist).
        return int(pkg_info.stat().st_mtime), "the sdist's timestamp (PKG-INFO)"
    return None, "unknown: no SOURCE_DATE_EPOCH, git commit or sdist"


EPOCH, EPOCH_SOURCE = source_date_epoch()
if EPOCH is not None:
    # Read by the wheel writer (member times) and by Cargo and the compilers' tools.
    os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)
    say(f"SOURCE_DATE_EPOCH={EPOCH} ({EPOCH_SOURCE})")
else:
    say(f"SOURCE_DATE_EPOCH is {EPOCH_SOURCE}; archive timestamps are the build time")


# ------------------------------------------------------------- paths out of the compiled code
def remap_rust_paths() -> None:
    """Panic messages embed the source path of every crate, the Cargo home's included:
    rewrite the machine's paths to fixed ones. Added to the user's own RUSTFLAGS, if any, in
    the encoded form (paths with spaces survive); note that an environment variable takes
    precedence over rustflags set in a Cargo config file."""
    home = Path.home()
    prefixes = {
        Path(os.environ.get("CARGO_HOME") or home / ".cargo"): "/cargo",
        Path(os.environ.get("RUSTUP_HOME") or home / ".rustup"): "/rustup",
        HERE: "/source",
    }
    flags = []
    for path, replacement in prefixes.items():
        for spelling in dict.fromkeys([str(path.absolute()), str(path.resolve())]):
            flags.append(f"--remap-path-prefix={spelling}={replacement}")
    if "CARGO_ENCODED_RUSTFLAGS" in os.environ:
        existing = [f for f in os.environ["CARGO_ENCODED_RUSTFLAGS"].split("\x1f") if f]
    else:
        existing = os.environ.get("RUSTFLAGS", "").split()
    # Idempotent: a second run of this file in one process adds nothing.
    os.environ["CARGO_ENCODED_RUSTFLAGS"] = "\x1f".join(
        existing + [flag for flag in flags if flag not in existing]
    )


remap_rust_paths()


# ------------------------------------------------------------------------------- stable ABI
LIMITED_API_FLOORS = ("3.11", "3.12")  # 3.11: typed memoryviews need it (Cython docs)
LIMITED_API_VARIABLE = "RIVER_LITE_LIMITED_API"


def limited_api() -> tuple[int, int] | None:
    """The CPython floor of an abi3 build, from RIVER_LITE_LIMITED_API, or None."""
    value = os.environ.get(LIMITED_API_VARIABLE, "").strip()
    if not value:
        return None
    if value not in LIMITED_API_FLOORS:
        raise SystemExit(
            f"error: {LIMITED_API_VARIABLE}={value!r} is not supported: set it to one of "
            f"{', '.join(LIMITED_API_FLOORS)} (the oldest CPython the abi3 wheel runs on), or "
            "leave it unset for a wheel of this interpreter's version only."
        )
    floor = tuple(int(part) for part in value.split("."))
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        say(
            f"{LIMITED_API_VARIABLE}={value} ignored: this free-threaded interpreter has no "
            "stable ABI (abi3t comes with CPython 3.15 and is not supported by Cython yet); "
            "building a version-specific wheel"
        )
        return None
    if sys.version_info[:2] < floor:
        raise SystemExit(
            f"error: {LIMITED_API_VARIABLE}={value} needs CPython {value} or newer to build, "
            f"and this is {sys.version_info[0]}.{sys.version_info[1]}."
        )
    say(f"stable ABI: limited API of CPython {value}, wheel tagged cp{value.replace('.', '')}-abi3")
    return floor


LIMITED_API = limited_api()


# ------------------------------------------------------------------------- Cython extensions
def cython_extensions():
    macros = [
        ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
        # Built against NumPy 2, usable with NumPy >= 1.23 at run time (see pyproject.toml).
        ("NPY_TARGET_VERSION", "NPY_1_23_API_VERSION"),
        # Read back by build_info() in every Cython module.
        ("NATIVE_CYTHON_VERSION", f'"{Cython.__version__}"'),
        ("NATIVE_NUMPY_VERSION", f'"{np.__version__}"'),
    ]
    if LIMITED_API:
        # Cython generates limited-API code when Py_LIMITED_API is defined.
        macros.append(("Py_LIMITED_API", f"0x{LIMITED_API[0]:02X}{LIMITED_API[1]:02X}0000"))
    extensions = []
    for source in sorted((HERE / PACKAGE).rglob("*.pyx")):
        relative = source.relative_to(HERE).with_suffix("")
        extensions.append(
            Extension(
                ".".join(relative.parts),
                [relative.with_suffix(".pyx").as_posix()],
                include_dirs=[np.get_include()],
                define_macros=macros,
                py_limited_api=LIMITED_API is not None,
                # Python's default flags keep debug symbols; drop them to keep wheels small.
                extra_link_args=["-s"] if sys.platform.startswith("linux") else [],
            )
        )
    return cythonize(extensions, compiler_directives=COMPILER_DIRECTIVES)


class BuildExtRequiringRust(build_ext):
    """Fails at once, with advice, when there is no Rust toolchain, instead of after compiling
    the Cython extensions; keeps the build machine's paths out of the C objects. setuptools-rust
    wraps this class and builds the Rust extension."""

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

    def build_extensions(self):
        if self.compiler.compiler_type == "msvc":
            # Deterministic object files and links (no timestamps) with MSVC.
            compile_flags, link_flags = ["/Brepro"], ["/Brepro"]
        else:
            # GCC and Clang: paths in debug info and __FILE__ relative to the source directory.
            # No errno from sqrt and no FP traps (none is ever enabled): both only let the
            # compiler vectorise loops with square roots and selects (the running skewness, the
            # NaN count); results are the same bits. No fused multiply-adds formed behind the
            # code's back (GCC's default where the target has them, as on arm64): a statistic's
            # scalar get() and its vectorised running loop must round alike.
            compile_flags = [
                f"-ffile-prefix-map={HERE.resolve()}=.",
                "-fno-math-errno",
                "-fno-trapping-math",
                "-ffp-contract=off",
            ]
            link_flags = []
        for extension in self.extensions:
            extension.extra_compile_args = [*extension.extra_compile_args, *compile_flags]
            extension.extra_link_args = [*extension.extra_link_args, *link_flags]
        super().build_extensions()


# ------------------------------------------------------------------------------ the sdist
def normalise_sdist(path: Path, epoch: int) -> None:
    """Rewrites a .tar.gz so that it depends on its contents and ``epoch`` only: members in
    name order, each dated ``epoch``, owned by root, mode 644 or 755, and a gzip header with
    no file name and a fixed time (setuptools dates generated members and the gzip header with
    the build time: setuptools#2133)."""
    with tarfile.open(path) as archive:
        members = [
            (member, archive.extractfile(member).read() if member.isfile() else None)
            for member in archive.getmembers()
        ]
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member, data in sorted(members, key=lambda pair: pair[0].name):
            member.mtime = epoch
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            member.mode = 0o755 if member.isdir() or member.mode & 0o111 else 0o644
            member.pax_headers = {}
            archive.addfile(member, io.BytesIO(data) if data is not None else None)
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=epoch) as compressed:
        compressed.write(tar.getvalue())


class ReproducibleSdist(sdist):
    def make_distribution(self):
        super().make_distribution()
        if EPOCH is None:
            say("sdist left as setuptools wrote it: no SOURCE_DATE_EPOCH to date it with")
            return
        for archive in self.archive_files:
            if archive.endswith(".tar.gz"):
                normalise_sdist(Path(archive), EPOCH)
                say(f"normalised {Path(archive).name} (every member dated {EPOCH})")


# ---------------------------------------------------------------------------- the SBOM
def sbom_required() -> bool:
    """Release builds must not ship a wheel without its SBOM; a user's build is never
    blocked by SBOM tooling."""
    return os.environ.get("CIBUILDWHEEL") == "1" or os.environ.get(
        "RIVER_LITE_REQUIRE_SBOM", ""
    ) not in ("", "0")


# A release build checks for the SBOM's writer before compiling anything.
if sbom_required() and importlib.util.find_spec("cyclonedx") is None:
    raise SystemExit(
        "error: this release build (cibuildwheel, or RIVER_LITE_REQUIRE_SBOM=1) writes an "
        "SBOM into the wheel and needs cyclonedx-python-lib, which is not installed. Build "
        "in an isolated environment (the default of pip, build and cibuildwheel: it "
        "installs the build requirements of pyproject.toml), or install it."
    )


def rust_target(build_rust) -> str:
    """The target triple the Rust extension was built for: setuptools-rust's (from
    CARGO_BUILD_TARGET or the wheel's platform, as on an ARM64 runner with an x86_64 rustc),
    without the glibc version cargo-zigbuild appends (x86_64-unknown-linux-gnu.2.17); else
    rustc's host."""
    target = getattr(build_rust, "target", None)
    if isinstance(target, str) and target.strip():
        return re.sub(r"\.\d+(\.\d+)*$", "", target.strip())
    rustc = os.environ.get("RUSTC", "rustc")
    verbose = subprocess.run([rustc, "-vV"], cwd=HERE, capture_output=True, text=True, check=True)
    return re.search(r"^host: (\S+)", verbose.stdout, re.MULTILINE).group(1)


def build_tools() -> dict[str, str]:
    """The versions of the tools that shape the binaries: what a rebuild has to match."""
    tools = {}
    for distribution in (
        "setuptools",
        "setuptools-rust",
        "Cython",
        "numpy",
        "cyclonedx-python-lib",
    ):
        tools[distribution] = importlib.metadata.version(distribution)
    rustc = os.environ.get("RUSTC", "rustc")
    version = subprocess.run([rustc, "-V"], cwd=HERE, capture_output=True, text=True, check=True)
    tools["rustc"] = version.stdout.split()[1]
    tools["python"] = ".".join(map(str, sys.version_info[:3]))
    return tools


class BdistWheelWithSbom(bdist_wheel):
    """Writes the SBOM of the Rust extension into ``.dist-info/sboms/`` (PEP 770), next to
    the WHEEL file, before the wheel is zipped, so that RECORD lists it. The name is the Cargo
    package's, so it cannot clash with auditwheel's own ``auditwheel.cdx.json``."""

    def write_wheelfile(self, wheelfile_base, *args, **kwargs):
        super().write_wheelfile(wheelfile_base, *args, **kwargs)
        try:
            self.write_sbom(Path(wheelfile_base) / "sboms")
        except Exception as error:
            cause = getattr(error, "stderr", None) or error
            advice = (
                "the build requirements include cyclonedx-python-lib: build in an isolated "
                "environment (the default of pip and build), or install it"
            )
            if sbom_required():
                raise SystemExit(
                    f"error: a release build must carry an SBOM, and writing it failed: "
                    f"{cause}\n{advice}."
                ) from error
            say(f"warning: this wheel has no SBOM ({type(error).__name__}: {cause}); {advice}")

    def write_sbom(self, directory: Path) -> None:
        sys.path.insert(0, str(HERE / "rust_src"))
        try:
            import sbom
        finally:
            sys.path.pop(0)
        (extension,) = self.distribution.rust_extensions
        manifest = Path(extension.path).resolve()
        cargo = os.environ.get("CARGO", "cargo")
        crate = sbom.package_name(manifest)
        document, linked = sbom.cyclonedx_json(
            tool=cargo,
            manifest=manifest,
            features=extension.features,
            target=rust_target(self.distribution.get_command_obj("build_rust")),
            distribution=(self.distribution.get_name(), self.distribution.get_version()),
            tools=build_tools(),
            epoch=EPOCH,
        )
        directory.mkdir(exist_ok=True)
        # Bytes, so that Windows writes the same file (no CRLF translation).
        (directory / f"{crate}.cdx.json").write_bytes(document.encode("utf-8"))
        say(f"SBOM: {directory.name}/{crate}.cdx.json lists {linked} crates linked")


setup(
    ext_modules=cython_extensions(),
    cmdclass={
        "build_ext": BuildExtRequiringRust,
        "sdist": ReproducibleSdist,
        "bdist_wheel": BdistWheelWithSbom,
    },
    options={"bdist_wheel": {"py_limited_api": f"cp{LIMITED_API[0]}{LIMITED_API[1]}"}}
    if LIMITED_API
    else {},
)

"""The installed package as a user meets it: metadata, CLI, stubs, doctests, broken installs."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import river_lite
from river_lite._native import native_modules

PACKAGE_DIR = Path(river_lite.__file__).parent
MODULES = [name for name in river_lite.__all__ if name != "__version__"]
NATIVE = native_modules()
# The compiled modules written in Cython: every one but the Rust extension.
CYTHON = [name for name in NATIVE if name != "_core"]
# Subprocesses run from here: `python -m`/`-c` put the working directory first on sys.path, and
# from a checkout that would import the source tree instead of the installed package.
OUTSIDE = tempfile.gettempdir()


def run_module(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "river_lite", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=OUTSIDE,
        env=env,
    )
    return result.stdout


def test_version_is_a_string():
    assert isinstance(river_lite.__version__, str) and river_lite.__version__


def test_info_reports_every_native_extension_build():
    out = run_module("info")
    assert river_lite.__version__ in out
    assert "_core" in NATIVE and CYTHON  # one Rust extension, Cython ones
    for name in NATIVE:
        assert f"river_lite.{name}: " in out
    assert "pyo3 0." in out and "rust_numpy 0." in out and "cython 3." in out
    assert "numpy 2." in out  # the NumPy the Cython modules were compiled against


def test_info_piped_into_a_closed_reader_is_quiet(tmp_path):
    # `python -m river_lite info | head`: the reader may close the pipe before the output is
    # written. `true` closes it at once, before the slow imports are done.
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {shlex.quote(sys.executable)} -m river_lite info | true"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "BrokenPipeError" not in done.stderr, done.stderr


def test_build_info_comes_from_the_extensions():
    from river_lite.__main__ import native_build_info

    info = native_build_info()
    assert info["_core"]["language"] == "Rust"
    assert all(info[name]["language"] == "Cython" for name in CYTHON)
    for build in info.values():
        assert isinstance(build["optimized"], bool)


def test_demo_runs_every_module_demo():
    out = run_module("demo")
    demos = [m for m in MODULES if importlib.util.find_spec(f"river_lite.{m}._demo")]
    assert demos and len(out.strip().split("\n\n")) == len(demos), out


def test_the_installed_wheel_lists_its_rust_crates_in_an_sbom():
    # PEP 770: <dist-info>/sboms/ holds the CycloneDX SBOM setup.py writes into every wheel.
    import importlib.metadata
    import json

    (name,) = importlib.metadata.packages_distributions()[river_lite.__name__]
    direct_url = json.loads(
        importlib.metadata.distribution(name).read_text("direct_url.json") or "{}"
    )
    if direct_url.get("dir_info", {}).get("editable"):
        pytest.skip("an editable install is not a wheel, which is what carries the SBOM")
    sboms = [
        f
        for f in importlib.metadata.files(name) or []
        if f.parent.name == "sboms" and f.name.endswith(".cdx.json")
    ]
    ours = [f for f in sboms if f.name != "auditwheel.cdx.json"]
    assert len(ours) == 1, f"expected one SBOM of the Rust crates in the dist-info, found {sboms}"
    document = json.loads(ours[0].read_text(encoding="utf-8"))
    assert document["bomFormat"] == "CycloneDX"
    assert document["metadata"]["component"]["version"] == river_lite.__version__
    linked = {c["name"] for c in document["components"] if c["scope"] == "required"}
    assert "pyo3" in linked, linked  # the bindings' crate, at least
    assert all(c["purl"].startswith("pkg:cargo/") and c["licenses"] for c in document["components"])


def test_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "river_lite", "nope"],
        capture_output=True,
        text=True,
        cwd=OUTSIDE,
        check=False,
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_typing_marker_and_stubs_are_installed():
    assert (PACKAGE_DIR / "py.typed").exists()
    for extension in PACKAGE_DIR.rglob("*.so"):
        assert extension.with_name(extension.name.split(".")[0] + ".pyi").exists(), extension
    assert not list(PACKAGE_DIR.rglob("*.pyx")) and not list(PACKAGE_DIR.rglob("*.c"))


@pytest.mark.parametrize("module", MODULES)
def test_subpackages_load_lazily(module):
    code = (
        f"import sys, river_lite; assert 'river_lite.{module}' not in sys.modules; "
        f"river_lite.{module}; assert 'river_lite.{module}' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=OUTSIDE)


@pytest.mark.parametrize("module", MODULES)
def test_public_namespaces_hold_public_names_only(module):
    namespace = importlib.import_module(f"river_lite.{module}")
    submodules = {
        info.name
        for info in pkgutil.iter_modules(namespace.__path__)
        if not info.name.startswith("_")
    }
    assert set(dir(namespace)) == set(namespace.__all__) | submodules
    for name in namespace.__all__:
        assert hasattr(namespace, name), name


def test_the_package_namespace_lists_its_modules():
    assert dir(river_lite) == sorted(["__version__", *MODULES])
    assert MODULES  # found on disk: every public subpackage


def public_classes() -> list[type]:
    """The public classes of every module, but exceptions and warnings (their docstring is
    the message's meaning, with nothing to run)."""
    found = []
    for module in MODULES:
        namespace = importlib.import_module(f"river_lite.{module}")
        found += [
            obj
            for obj in map(namespace.__dict__.get, namespace.__all__)
            if isinstance(obj, type) and not issubclass(obj, BaseException)
        ]
    return found


@pytest.mark.parametrize("cls", public_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_docstring_examples(cls):
    assert cls.__doc__ and "Examples" in cls.__doc__, f"{cls.__name__} has no examples"
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(cls.__doc__, cls.__name__, globs={})
    assert tests and tests[0].examples
    for test in tests:
        runner.run(test)
    assert runner.failures == 0


def test_a_missing_native_module_is_a_clear_import_error(tmp_path):
    # A broken install: copy the package and delete one compiled (Cython) module.
    broken = tmp_path / "river_lite"
    shutil.copytree(PACKAGE_DIR, broken)
    module = CYTHON[0]
    *folders, stem = module.split(".")
    (compiled,) = broken.joinpath(*folders).glob(f"{stem}.*[!i]")  # not the stub, .pyi
    compiled.unlink()
    code = f"import river_lite.{folders[0]}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert result.returncode != 0
    assert f"compiled extension 'river_lite.{module}' is missing" in result.stderr
    assert "reinstall" in result.stderr


def console_script() -> str:
    """The installed ``river-lite`` command, beside this Python (a venv's bin or Scripts)."""
    found = shutil.which("river-lite", path=str(Path(sys.executable).parent))
    assert found, f"the console script river-lite is not installed beside {sys.executable}"
    return found


def unbuilt_checkout(root: Path) -> Path:
    """A source checkout as a fresh clone has it: the package without compiled modules, beside
    the build files."""
    shutil.copytree(
        PACKAGE_DIR, root / "river_lite", ignore=shutil.ignore_patterns("*.so", "*.pyd")
    )
    for build_file in ("pyproject.toml", "setup.py"):
        (root / build_file).write_text("# a checkout's build file\n")
    return root


def test_console_script_works_from_the_root_of_a_checkout(tmp_path):
    checkout = unbuilt_checkout(tmp_path)
    done = subprocess.run(
        [console_script(), "info"], capture_output=True, text=True, cwd=checkout, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"river_lite {river_lite.__version__}" in done.stdout


def test_python_m_in_an_unbuilt_checkout_names_the_cause_and_the_fix(tmp_path):
    checkout = unbuilt_checkout(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "river_lite", "demo"],
        capture_output=True,
        text=True,
        cwd=checkout,
        check=False,
    )
    assert done.returncode == 1
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("ImportError: 'river_lite' was imported from its source checkout")
    assert str(checkout) in message
    assert "'river-lite demo'" in message and "pip install -e ." in message  # the fixes
    assert "reinstall" not in message  # not the advice for a broken installation
    assert "Traceback" in done.stderr and done.stderr.count("File ") <= 6  # stops at once


def test_a_broken_install_is_not_taken_for_a_checkout(tmp_path):
    broken = tmp_path / "site-packages"
    shutil.copytree(PACKAGE_DIR, broken / "river_lite")
    (core,) = broken.glob("river_lite/_core.*[!i]")  # not the stub, _core.pyi
    core.unlink()
    result = subprocess.run(
        [sys.executable, "-c", "from river_lite._native import load; load('_core')"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(broken), "PATH": ""},
        check=False,
    )
    assert "compiled extension 'river_lite._core' is missing" in result.stderr
    assert "reinstall" in result.stderr and "source checkout" not in result.stderr


def test_the_distribution_installs_the_package_only():
    # Package discovery once took docs/ (and build/ or target/ of an earlier build) for
    # namespace packages and shipped them into site-packages.
    from importlib import metadata

    distribution = metadata.distribution(metadata.packages_distributions()["river_lite"][0])
    tops = {
        path.parts[0]
        for path in distribution.files or []
        if not path.parts[0].endswith(".dist-info") and path.parts[0] != ".."  # scripts
    }
    assert tops == {"river_lite"}, tops

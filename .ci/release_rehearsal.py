"""Release rehearsal: publish the built artifacts to a package index on 127.0.0.1, install from it.

What release.yml does on GitHub against PyPI, done here against a local index:

1. Take the sdist in ``dist/`` and the repaired wheels in ``wheelhouse/`` (``.ci/packaging_proof.py``
   makes them) and run ``twine check --strict`` on them.
2. Start pypiserver on 127.0.0.1, on a free port, with no fallback to any other index.
3. ``twine upload`` the sdist and every wheel to it, then download each file back through the
   index's simple API and compare its SHA-256 with the local artifact.
4. In a fresh venv, ``pip install <name>[test]==<version> --index-url <local index>`` with no
   other index, no find-links and no pip configuration file, wheels only; pip's ``--report`` must
   show every installed distribution coming from the local index, and our own package coming
   from the very wheel that was uploaded.
5. Run the test suite against what was installed, from the ``tests/`` and pyproject.toml (for the
   pytest settings) of the uploaded sdist, unpacked outside the checkout: the same snapshot as
   the wheel, as cibuildwheel's test-sources are.

The test dependencies (pytest, NumPy, SciPy, hypothesis, River) are of course not ours to upload.
Before the server starts they are fetched from the default index with ``pip download`` into the
directory the local index serves, next to what twine uploads. So the install in step 4 resolves
*everything* from the local index alone: our package's metadata (its dependencies, its ``test``
extra and their markers, ``Requires-Python``) and its wheel tags are exercised exactly as on a real
index, and only our own files travel through ``twine upload``.

The server is stopped when the rehearsal ends, also on failure or timeout; every step runs under
one overall deadline (``--timeout``, default 30 minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11 on

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WHEELHOUSE = ROOT / "wheelhouse"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from release_guard import sdist_metadata

# Environment variables that could add an index or a local directory of packages to pip.
PIP_SOURCES = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_CONFIG_FILE",
    "PIP_TRUSTED_HOST",
)


class Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the rehearsal ran out of time")
        return remaining


def run(*command, deadline: Deadline, **kwargs) -> None:
    """Runs a command to completion within the deadline; on timeout its whole process group
    (pip's and pytest's children included) is killed."""
    print("+", " ".join(str(c) for c in command), flush=True)
    process = subprocess.Popen([str(c) for c in command], start_new_session=True, **kwargs)
    try:
        process.wait(timeout=deadline.left())
    except (subprocess.TimeoutExpired, TimeoutError):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise TimeoutError(
            f"the rehearsal ran out of time in: {' '.join(map(str, command))}"
        ) from None
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Links(html.parser.HTMLParser):
    """The file links of a PEP 503 simple-API project page."""

    def __init__(self):
        super().__init__()
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links[urllib.parse.unquote(href.split("#")[0].rsplit("/", 1)[-1])] = href


def fetch(url: str, timeout: float = 30) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


class LocalIndex:
    """pypiserver on 127.0.0.1 serving one directory; a context manager that always stops it."""

    def __init__(self, packages: Path, log: Path, deadline: Deadline):
        self.packages, self.log, self.deadline = packages, log, deadline
        self.process: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> Self:
        for _ in range(3):  # the free port could be taken between probing and binding
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "pypiserver",
                        "run",
                        "--interface",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--authenticate",
                        ".",
                        "--passwords",
                        ".",
                        "--disable-fallback",
                        "--hash-algo",
                        "sha256",
                        str(self.packages),
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                up = self._wait_until_up()
            except BaseException:  # out of time or interrupted: __exit__ will not run
                self._stop()
                raise
            if up:
                print(f"local index up: {self.url}/simple/ (pid {self.process.pid})", flush=True)
                return self
            self._stop()
        raise RuntimeError(f"pypiserver did not start:\n{self.log.read_text()[-3000:]}")

    def _wait_until_up(self) -> bool:
        started = time.monotonic()
        while time.monotonic() - started < min(30, self.deadline.left()):
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                fetch(f"{self.url}/simple/", timeout=2)
                return True
            except OSError:
                time.sleep(0.3)
        return False

    def _stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            print(
                f"local index stopped (pid {self.process.pid}, exit {self.process.returncode})",
                flush=True,
            )

    def __exit__(self, *exc) -> None:
        self._stop()


def import_package() -> str:
    """The import package: the one top-level directory with an __init__.py besides tests/."""
    (package,) = [p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]
    return package


def python_tag(python: Path) -> str:
    out = subprocess.run(
        [str(python), "-c", "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        type=Path,
        default=Path(sys.executable),
        help="interpreter of the fresh venv (default: this one)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="overall limit in seconds")
    args = parser.parse_args()
    deadline = Deadline(args.timeout)
    started = time.monotonic()

    sdists = sorted(DIST.glob("*.tar.gz"))
    wheels = sorted(WHEELHOUSE.glob("*.whl"))
    if len(sdists) != 1 or not wheels:
        print(
            f"error: need one sdist in {DIST} and wheels in {WHEELHOUSE} "
            "(run .ci/packaging_proof.py, or `nox -s packaging`, first)",
            file=sys.stderr,
        )
        return 2
    artifacts = [*sdists, *wheels]
    name, version = sdist_metadata(DIST)
    tag = python_tag(args.python)
    if not any(f"-{tag}-" in w.name for w in wheels):
        print(f"error: no {tag} wheel in {WHEELHOUSE} for {args.python}", file=sys.stderr)
        return 2
    print(f"rehearsing {name} {version}: {len(artifacts)} artifacts, installing with {args.python}")
    run(sys.executable, "-m", "twine", "check", "--strict", *artifacts, deadline=deadline)

    with tempfile.TemporaryDirectory(
        prefix="release-rehearsal-", ignore_cleanup_errors=True
    ) as tmp_name:
        tmp = Path(tmp_name)
        packages, deps = tmp / "packages", tmp / "deps"
        packages.mkdir()
        venv = tmp / "venv"
        run(args.python, "-m", "venv", venv, deadline=deadline)
        venv_python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"

        # The dependencies, for this interpreter, from the default index (see the docstring).
        run(
            venv_python,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--dest",
            deps,
            "--find-links",
            WHEELHOUSE,
            f"{name}[test]=={version}",
            deadline=deadline,
        )
        ours_prefix = re.sub(r"[-_.]+", "_", name).lower() + "-"
        for path in deps.iterdir():  # only twine brings our own files to the index
            if not path.name.lower().startswith(ours_prefix):
                shutil.move(path, packages / path.name)
        print(f"served dependencies: {len(list(packages.iterdir()))} files", flush=True)

        with LocalIndex(packages, tmp / "pypiserver.log", deadline) as index:
            run(
                sys.executable,
                "-m",
                "twine",
                "upload",
                "--non-interactive",
                "--disable-progress-bar",
                "--repository-url",
                f"{index.url}/",
                "--username",
                "rehearsal",
                "--password",
                "rehearsal",
                *artifacts,
                deadline=deadline,
            )

            # Every uploaded file comes back byte-identical through the simple API.
            page = Links()
            page.feed(fetch(f"{index.url}/simple/{name}/").decode())
            for artifact in artifacts:
                assert artifact.name in page.links, f"{artifact.name} is not on the index"
                served = fetch(
                    urllib.parse.urljoin(f"{index.url}/simple/{name}/", page.links[artifact.name])
                )
                assert hashlib.sha256(served).hexdigest() == sha256(artifact), (
                    f"{artifact.name} came back different from what was uploaded"
                )
            print(f"index round trip OK: {len(artifacts)} files listed and byte-identical")

            # The install: the local index and nothing else.
            env = {k: v for k, v in os.environ.items() if k not in PIP_SOURCES}
            env["PIP_CONFIG_FILE"] = os.devnull
            report = tmp / "install-report.json"
            run(
                venv_python,
                "-m",
                "pip",
                "install",
                "--no-cache-dir",
                "--only-binary=:all:",
                "--index-url",
                f"{index.url}/simple/",
                "--report",
                report,
                f"{name}[test]=={version}",
                env=env,
                deadline=deadline,
            )

        installed = json.loads(report.read_text())["install"]
        foreign = [
            i["download_info"]["url"]
            for i in installed
            if not i["download_info"]["url"].startswith(index.url)
        ]
        assert not foreign, f"pip installed from somewhere else than the local index: {foreign}"
        (ours,) = [i for i in installed if i["metadata"]["name"] == name]
        wheel = ours["download_info"]["url"].rsplit("/", 1)[-1].split("#")[0]
        wheel = urllib.parse.unquote(wheel)
        assert wheel in {w.name for w in wheels}, f"pip installed {wheel}, not an uploaded wheel"
        digest = ours["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
        if digest:  # present when the index gives hashes (it does: --hash-algo sha256)
            assert digest == sha256(WHEELHOUSE / wheel), f"{wheel} is not the uploaded file"
        print(
            f"installed {len(installed)} distributions, all from the local index; "
            f"{name} {ours['metadata']['version']} from {wheel}"
        )

        # The tests, from outside the checkout, against the installed wheel.
        # tests/ and pyproject.toml (for the pytest settings) come from the uploaded sdist, so
        # they are the same snapshot as the wheel even while the checkout moves on.
        work = tmp / "run"
        with tarfile.open(sdists[0]) as archive:
            members = [
                m
                for m in archive.getmembers()
                if m.name.split("/", 1)[-1].startswith(("tests/", "pyproject.toml"))
            ]
            archive.extractall(tmp / "sdist", members=members, filter="data")
        (top,) = (tmp / "sdist").iterdir()
        top.rename(work)
        run(venv_python, "-m", import_package(), "info", cwd=work, deadline=deadline)
        run(venv_python, "-m", "pytest", "-p", "no:cacheprovider", cwd=work, deadline=deadline)

    print(
        f"\nrelease rehearsal passed in {time.monotonic() - started:.0f} s: twine upload to a "
        f"local index, install from it alone, full tests against the installed {wheel}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

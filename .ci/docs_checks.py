"""Checks of the built documentation, beyond Sphinx's own (run by ``nox -s docs``).

1. Every internal link and image of the HTML output resolves: the file exists and, for a link
   with a ``#fragment``, the target page has that id. (External links are not checked: CI here
   has no internet.)
2. Every public name (each module's ``__all__``) has its API page.
3. A build without the package installed stops with an instruction, not a traceback.

Usage: python .ci/docs_checks.py HTML_DIR   (with the Python the docs were built with)
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = next(p.parent.name for p in ROOT.glob("*/_native.py"))


class Page(HTMLParser):
    """The ids a page defines and the local links and sources it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if identifier := attributes.get("id"):
            self.ids.add(identifier)
        if tag == "a" and (name := attributes.get("name")):
            self.ids.add(name)
        for key in ("href", "src"):
            value = attributes.get(key)
            if value and not urlsplit(value).scheme and not value.startswith("//"):
                self.links.append(value)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(html: Path) -> tuple[list[str], int]:
    # _static holds the theme's files, its *.html Jinja templates among them: not pages.
    pages = {
        p: parse(p) for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts
    }
    broken, checked = [], 0
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            checked += 1
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(html)}: {link} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(html)}: {link} (no id {parts.fragment!r})")
    return broken, checked


def missing_api_pages(html: Path) -> tuple[list[str], int]:
    package = importlib.import_module(PACKAGE)
    missing, names = [], 0
    for module in (name for name in package.__all__ if not name.startswith("_")):
        namespace = importlib.import_module(f"{PACKAGE}.{module}")
        for name in namespace.__all__:
            names += 1
            page = html / module / "generated" / f"{PACKAGE}.{module}.{name}.html"
            if not page.exists():
                missing.append(f"{PACKAGE}.{module}.{name} (expected {page.relative_to(html)})")
    return missing, names


def uninstalled_build_is_refused() -> str | None:
    """Builds with the package hidden by one that fails to import, as a missing one does."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = Path(tmp) / "shadow" / PACKAGE
        fake.mkdir(parents=True)
        (fake / "__init__.py").write_text("raise ImportError('simulated: not installed')\n")
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(ROOT / "docs"), f"{tmp}/out"],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(fake.parent)},
        )
    output = done.stdout + done.stderr
    if done.returncode == 0 or "Install it first" not in output or "Traceback" in output:
        return f"exit code {done.returncode}, output:\n{output}"
    print(f"docs: a build without the package stops with: {output.strip().splitlines()[-1]}")
    return None


def main() -> None:
    html = Path(sys.argv[1]).resolve()
    failures = []
    broken, checked = broken_links(html)
    pages = len([p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts])
    print(
        f"docs: {checked} internal links and images in {pages} pages, all resolve"
        if not broken
        else f"docs: {len(broken)} of {checked} internal links are broken"
    )
    failures += broken
    missing, names = missing_api_pages(html)
    print(f"docs: {names} public names, {names - len(missing)} with an API page")
    failures += missing
    if refused := uninstalled_build_is_refused():
        failures.append(f"a build without the package did not stop with an instruction: {refused}")
    if failures:
        print("docs checks FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("docs checks passed")


if __name__ == "__main__":
    main()

"""Renames a fresh fork of this template in one command, checked in full before anything is written.

    python .ci/rename.py acme_stats --dist-name acme-stats \\
        [--author "Jane Doe <jane@example.com>"] [--url https://github.com/jane/acme-stats] \\
        [--dry-run] [--force]
    nox -s rename -- acme_stats --dist-name acme-stats ...

The current names are read from the tree, never written here: the import package is the one
top-level directory with an ``__init__.py`` (besides tests/ and benchmarks/), the distribution
name is ``[project] name`` in pyproject.toml. Every file ``git ls-files`` lists is rewritten,
whoever added it, and every tracked path is moved:

* the import name in every spelling (``pkg_name``, ``PKG_NAME``, ``Pkg_name``, ``Pkg_Name``,
  ``PkgName``, ``pkgname``, ``pkg name``, ``Pkg Name``) becomes the new import name in the same
  spelling; the distribution name (``pkg-name``, ``PKG-NAME``, ``Pkg-Name``) becomes the new
  distribution name. Only these compound names are touched: a word that merely shares a part
  of them (``river`` in ``import river``) is left alone;
* the Cargo package name (Cargo.toml and Cargo.lock, whose package list is re-sorted as Cargo
  writes it, so the first cargo run leaves the file alone) becomes the distribution name, lower
  case, with ``-`` for ``.``;
* ``--url`` replaces the project URL (``[project.urls] Homepage``) everywhere it is written,
  including README links and badges; ``--author`` replaces the authors in pyproject.toml and the
  copyright holder wherever the old holder is named;
* LICENSE keeps the template's copyright notice, as its terms require, on one line that starts
  with "Derived from": the only place the old names remain, and the mark of a renamed tree.

Refused, with a message and nothing written: names that are not a lower-case Python identifier or
not a PEP 508 distribution name, keywords, names of standard-library modules, of installed
packages or of modules the project imports (``river``, ``numpy`` ...), a new name containing the
old one, a dirty working tree (unless ``--force``), a tree already renamed (renaming to the name
it already has is a no-op), any file or spelling the script could not rewrite completely. The
whole plan is computed and checked first; should writing still fail (a full disk), what was
written is undone. The result is staged (``git mv``-like): review ``git diff --cached -M``, then
commit.
"""

from __future__ import annotations

import argparse
import functools
import importlib.machinery
import importlib.metadata
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

if sys.version_info < (3, 11):
    sys.exit("rename.py needs Python 3.11 or newer (tomllib); run it with a newer python")
import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import strip

# Marks the one line per copyright notice that keeps the template's names (see LICENSE).
DERIVED = "Derived from"
# Top-level directories that hold Python files but are not the package.
NOT_THE_PACKAGE = {"tests", "benchmarks", "docs", "examples"}
IMPORT_NAME = re.compile(r"[a-z_][a-z0-9_]*")
PEP508_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
COPYRIGHT_LINE = re.compile(r"\s*(copyright\b|\(c\)|©)", re.IGNORECASE)


class Refused(Exception):
    """The rename cannot be done; the message says why and what to do instead."""


# --------------------------------------------------------------------------------------- git
def git(*args: str, root: Path = ROOT, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise Refused(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def tracked_files(root: Path) -> list[str]:
    return [p for p in git("ls-files", "-z", root=root).split("\0") if p]


# ------------------------------------------------------------------------------ the names now
@dataclass
class Names:
    package: str  # import name, e.g. "pkg_name"
    dist: str  # distribution name, e.g. "pkg-name"
    cargo: str  # Cargo [package] name
    url: str | None  # [project.urls] Homepage (or the first URL)
    authors: list[str] = field(default_factory=list)  # [project] authors' names


def current_names(root: Path, files: list[str]) -> Names:
    packages = sorted(
        {p.split("/")[0] for p in files if p.count("/") == 1 and p.endswith("/__init__.py")}
        - NOT_THE_PACKAGE
    )
    if len(packages) != 1:
        raise Refused(
            f"expected one top-level package directory with an __init__.py, found {packages}"
        )
    with open(root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    with open(root / "Cargo.toml", "rb") as f:
        cargo = tomllib.load(f)["package"]["name"]
    urls = project.get("urls", {})
    url = urls.get("Homepage") or next(iter(urls.values()), None)
    authors = [a["name"] for a in project.get("authors", []) if "name" in a]
    return Names(packages[0], project["name"], cargo, url, authors)


def cargo_name(dist: str) -> str:
    return dist.replace(".", "-").lower()


# ------------------------------------------------------------------------ spellings of a name
def words(name: str) -> list[str]:
    return re.split(r"[-_.]", name)


def spelled_like(found: str, separator: str, plain: str, new_words: list[str]) -> str | None:
    """The new name (``plain`` in lower case) spelled as ``found`` spells the old one: same case
    pattern and separator. None for a spelling of no known kind (``pKG_name``)."""
    letters = [c for c in found if c.isalpha()]
    if all(c.islower() for c in letters):
        return plain
    if all(c.isupper() for c in letters):
        return plain.upper()
    parts = found.split(separator) if separator else re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", found)

    def capitalised(word: str) -> bool:
        return word[:1].isupper() and word[1:] == word[1:].lower()

    if len(parts) > 1 and all(capitalised(p) for p in parts):  # Pkg_Name, Pkg Name, PkgName
        return separator.join(w[:1].upper() + w[1:] for w in new_words)
    if capitalised(found):  # Pkg_name, Pkg name, Pkgname
        return plain[:1].upper() + plain[1:]
    return None


class Spellings:
    """Finds the old names in every spelling and gives the new name in the same spelling.

    ``a_b`` (and ``a b``, ``ab``, ``AB``...) is the import name, ``a-b`` the distribution name."""

    def __init__(self, old: Names, package: str, dist: str):
        old_words, new_words, dist_words = words(old.package), words(package), words(dist)
        # (old spelling as a regex, separator, the new name in lower case, its words)
        self.rules = [
            ("_".join(old_words), "_", package, new_words),
            ("-".join(old_words), "-", dist, dist_words),
            (" ".join(old_words), " ", " ".join(new_words), new_words),
            ("".join(old_words), "", "".join(new_words), new_words),
        ]
        if words(old.dist) != old_words:  # a distribution name made of other words
            self.rules.insert(0, (old.dist, "-", dist, dist_words))
        self.pattern = re.compile(
            "|".join(f"({re.escape(r[0])})" for r in self.rules), re.IGNORECASE
        )
        # What must not remain afterwards: the old words with any separator or none.
        self.leftover = re.compile(
            "|".join([r"[-_ .]?".join(map(re.escape, old_words)), re.escape(old.dist)]),
            re.IGNORECASE,
        )

    def replace(self, text: str, where: str, problems: list[str]) -> tuple[str, int]:
        count = 0

        def substitute(match: re.Match) -> str:
            nonlocal count
            assert match.lastindex is not None  # every alternative of the pattern is a group
            _, separator, plain, new_words = self.rules[match.lastindex - 1]
            new = spelled_like(match.group(0), separator, plain, new_words)
            if new is None:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(
                    f"{where}:{line}: cannot tell how to spell the new name like "
                    f"{match.group(0)!r}; change it by hand first"
                )
                return match.group(0)
            count += 1
            return new

        return self.pattern.sub(substitute, text), count


# ------------------------------------------------------------------------------ validation
def imported_modules(root: Path, files: list[str]) -> set[str]:
    """Top-level modules the project's own Python and Cython files import, and its dependencies."""
    found: set[str] = set()
    statement = re.compile(r"^\s*(?:from|c?import)\s+([A-Za-z_]\w*)", re.MULTILINE)
    for path in files:
        if path.endswith((".py", ".pyx", ".pxd", ".pyi")) and (root / path).is_file():
            found.update(statement.findall((root / path).read_text(errors="replace")))
    with open(root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9._-]+", requirement)
        if match:
            found.add(re.sub(r"[-.]+", "_", match.group(0)).lower())
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_elsewhere(name: str, dist: str, root: Path) -> str | None:
    """Where ``import name`` would find something other than this checkout, or this project
    itself installed under the new name (a fork's developer has it installed): None."""
    if name in sys.builtin_module_names:
        return "built into Python"
    here = {str(root), str(Path(__file__).resolve().parent), "", "."}
    path = [p for p in sys.path if p not in here and Path(p or ".").resolve() != root]
    spec = importlib.machinery.PathFinder.find_spec(name, path)
    if spec is None:
        return None
    providers = importlib.metadata.packages_distributions().get(name, [])
    folder = Path(next(iter(spec.submodule_search_locations or []), "/nonexistent"))
    if (
        providers
        and all(canonical(p) == canonical(dist) for p in providers)
        and (folder / "_native.py").exists()
        and any(folder.glob("_core.*"))
    ):
        return None  # a renamed copy of this template, installed under the new names
    location = spec.origin or next(iter(spec.submodule_search_locations or []), "?")
    return f"{location}" + (f" (distribution {', '.join(providers)})" if providers else "")


def check_names(old: Names, package: str, dist: str, root: Path, files: list[str]) -> list[str]:
    problems = []
    if not IMPORT_NAME.fullmatch(package):
        problems.append(
            f"{package!r} is not a valid import name here: use lower-case ASCII letters, digits and "
            "underscores, not starting with a digit (PEP 8 package names), e.g. acme_stats"
        )
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        problems.append(f"{package!r} is a Python keyword: `import {package}` would not work")
    elif package in sys.stdlib_module_names:
        problems.append(f"{package!r} is the name of a standard-library module: it would shadow it")
    elif found := installed_elsewhere(package, dist, root):
        problems.append(
            f"{package!r} is the name of a module installed in this Python "
            f"({sys.executable}), at {found}: the two would shadow each other"
        )
    elif package in imported_modules(root, files) - {old.package}:
        problems.append(
            f"{package!r} is a module this project imports or depends on: the renamed "
            "package would shadow it"
        )
    if not PEP508_NAME.fullmatch(dist):
        problems.append(
            f"{dist!r} is not a valid distribution name (PEP 508): letters, digits, '-', '_', '.', "
            "starting and ending with a letter or digit, e.g. acme-stats"
        )
    elif not re.match(r"[A-Za-z_]", dist):
        problems.append(
            f"{dist!r} starts with a digit: the Cargo package name (the distribution "
            "name) must start with a letter"
        )
    for new, what in ((package, "import name"), (dist, "distribution name")):
        for old_name in {old.package, old.dist}:
            squash = lambda s: re.sub(r"[-_. ]", "", s.lower())
            if squash(old_name) in squash(new) or squash(new) in squash(old_name):
                problems.append(
                    f"the new {what} {new!r} must not contain the old name {old_name!r} "
                    "(or be part of it): leftovers could not be told from new names"
                )
                break
    if IMPORT_NAME.fullmatch(package) and (root / package).exists():
        problems.append(f"{package}/ already exists in the checkout: move it away first")
    return problems


def check_url(url: str) -> list[str]:
    if not re.fullmatch(r"https?://[^\s\"'<>`]+", url):
        return [f"--url {url!r} is not an http(s) URL without spaces or quotes"]
    return []


def check_author(author: str) -> tuple[str, str, list[str]]:
    """('Name', 'email' or '', problems) from 'Name' or 'Name <email>'."""
    match = re.fullmatch(
        r"\s*([^<>\"\\\n]*[^<>\"\\\s])\s*(?:<([^<>\"\\\s]+@[^<>\"\\\s]+)>)?\s*", author
    )
    if not match:
        return "", "", [f"--author {author!r}: give 'Name' or 'Name <email>', without quotes"]
    return match.group(1), match.group(2) or "", []


# ---------------------------------------------------------------------------------- planning
@dataclass
class Plan:
    moves: list[tuple[str, str]] = field(default_factory=list)  # tracked path -> new path
    edits: dict[str, str] = field(default_factory=dict)  # new path -> new text
    counts: dict[str, int] = field(default_factory=dict)  # new path -> replacements
    problems: list[str] = field(default_factory=list)


def sort_cargo_lock(text: str) -> str:
    """Cargo writes Cargo.lock with its packages sorted by name (bytewise; equal names stay in
    version order): the renamed package moves to where cargo itself would put it."""
    head, *blocks = text.split("[[package]]\n")
    if not blocks:
        return text
    blocks = [b if b.endswith("\n\n") else b.rstrip("\n") + "\n\n" for b in blocks]
    tail = ""
    last = blocks[-1]
    extra = re.search(r"^\[(?!\[package\]\])", last, re.MULTILINE)  # e.g. [metadata]
    if extra:
        blocks[-1], tail = last[: extra.start()], last[extra.start() :]

    def name(block: str) -> bytes:
        found = re.search(r'^name = "([^"]+)"', block, re.MULTILINE)
        assert found, f"a Cargo.lock package without a name: {block[:80]!r}"
        return found.group(1).encode()

    ordered = sorted(blocks, key=name)  # stable: equal names keep Cargo's version order
    body = "".join("[[package]]\n" + b for b in ordered)
    return head + (body if tail else body.rstrip("\n") + "\n") + tail


def make_plan(
    root: Path,
    old: Names,
    package: str,
    dist: str,
    author: str | None,
    url: str | None,
    files: list[str],
) -> Plan:
    plan = Plan()
    spell = Spellings(old, package, dist)
    new_cargo = cargo_name(dist)
    new_holder = authors_line = None
    if author:
        name, address, problems = check_author(author)
        plan.problems += problems
        new_holder = name
        authors_line = (
            f'authors = [{{ name = "{name}"' + (f', email = "{address}"' if address else "") + " }]"
        )

    def rewrite(text: str, path: str) -> tuple[str, int]:
        count = 0
        if url and old.url and old.url != url:
            count += text.count(old.url)
            text = text.replace(old.url, url)
        if new_holder:
            for holder in old.authors:
                count += text.count(holder)
                text = text.replace(holder, new_holder)
        if path in ("Cargo.toml", "Cargo.lock"):
            text, n = re.subn(
                rf'^name = "{re.escape(old.cargo)}"$',
                f'name = "{new_cargo}"',
                text,
                flags=re.MULTILINE,
            )
            count += n
        text, n = spell.replace(text, path, plan.problems)
        return text, count + n

    for path in files:
        new_path, _ = spell.replace(path, f"path {path}", plan.problems)
        if new_path != path:
            plan.moves.append((path, new_path))
        full = root / path
        if full.is_symlink():
            if spell.leftover.search(os.readlink(full)):
                plan.problems.append(
                    f"{path}: a symbolic link to a path naming the package: replace it by hand"
                )
            continue
        if not full.is_file():
            continue  # deleted in the working tree (only possible with --force)
        raw = full.read_bytes()
        try:
            original = raw.decode("utf-8")
        except UnicodeDecodeError:
            if spell.leftover.search(raw.decode("latin-1")):
                plan.problems.append(
                    f"{path}: a binary file that names the package: regenerate it "
                    "after the rename, or remove it first"
                )
            continue
        is_license = "/" not in path and path.upper().startswith(("LICENSE", "COPYING"))
        if is_license:
            # A changed copyright notice stays as it was, marked, below the new one: the
            # template's license requires its notice to be kept.
            text, count = "", 0
            for line in original.splitlines(keepends=True):
                new_line, n = rewrite(line, path)
                text, count = text + new_line, count + n
                if COPYRIGHT_LINE.match(line) and new_line != line:
                    source = f" ({old.url})" if old.url else ""
                    text += f"{DERIVED} {old.package}{source}: {line.strip()}\n"
        else:
            text, count = rewrite(original, path)
        if path == "pyproject.toml" and authors_line:
            text, n = re.subn(
                r"^authors = \[.*\]$", lambda m: authors_line, text, count=1, flags=re.MULTILINE
            )
            if n == 0:
                plan.problems.append(
                    "pyproject.toml: [project] authors is not one line "
                    "'authors = [...]': set it by hand, and rename without --author"
                )
        if path == "Cargo.lock":
            text = sort_cargo_lock(text)
        for number, line in enumerate(text.splitlines(), 1):
            if spell.leftover.search(line) and not (is_license and line.startswith(DERIVED)):
                plan.problems.append(
                    f"{new_path}:{number}: the old name would remain: {line.strip()[:100]}"
                )
        if text != original:
            plan.edits[new_path] = text
            plan.counts[new_path] = count

    # No move may land on something that exists, or on another move's target.
    targets = [new for _, new in plan.moves]
    for new in sorted({t for t in targets if targets.count(t) > 1}):
        plan.problems.append(f"two tracked files would both become {new}")
    for old_path, new in plan.moves:
        if (root / new).exists() or (root / new).is_symlink():
            plan.problems.append(f"{old_path} would move onto {new}, which exists")
    for old_path, new in directory_moves(plan.moves):
        parent = (root / new).parent
        while parent != root and not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            plan.problems.append(f"{old_path} would move under {parent.relative_to(root)}, a file")
    return plan


def directory_moves(moves: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The renames to do on disk, outermost first: a directory whose name changes moves whole
    (with the ignored build products in it), then whatever changes name inside it. Each step is
    (where it is by then, where it goes)."""
    steps: dict[str, str] = {}
    for old, new in moves:
        old_parts, new_parts = PurePosixPath(old).parts, PurePosixPath(new).parts
        for depth in range(1, len(old_parts) + 1):
            if old_parts[depth - 1] != new_parts[depth - 1]:
                here = "/".join(new_parts[: depth - 1] + old_parts[depth - 1 : depth])
                steps[here] = "/".join(new_parts[:depth])
    return sorted(steps.items(), key=lambda step: step[0].count("/"))


# ----------------------------------------------------------------------------------- writing
def restore(target: Path, content: bytes, mode: int) -> None:
    """Puts back a file's content and permission bits (undoing one edit of apply())."""
    target.write_bytes(content)
    os.chmod(target, mode & 0o7777)


def apply(root: Path, plan: Plan) -> None:
    """Writes the plan; on any error undoes what was written, restoring the index too."""
    index = Path(git("rev-parse", "--git-path", "index", root=root).strip())
    index = index if index.is_absolute() else root / index
    saved_index = index.read_bytes() if index.exists() else None
    undo: list[Callable[[], object]] = []
    try:
        for old, new in directory_moves(plan.moves):
            missing = [d for d in (root / new).parents if not d.exists()]
            for directory in reversed(missing):  # outermost first
                directory.mkdir()
                undo.append(directory.rmdir)
            os.rename(root / old, root / new)
            undo.append(functools.partial(os.rename, root / new, root / old))
        for path, text in plan.edits.items():
            target = root / path
            before = target.read_bytes()
            mode = target.stat().st_mode
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".rename-")
            try:
                with os.fdopen(handle, "wb") as f:
                    f.write(text.encode("utf-8"))
                os.chmod(temporary, mode & 0o7777)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            undo.append(functools.partial(restore, target, before, mode))
        strip.stage(root, {p for move in plan.moves for p in move} | set(plan.edits))
    except BaseException:
        for step in reversed(undo):
            step()
        if saved_index is not None:
            index.write_bytes(saved_index)
        raise


# -------------------------------------------------------------------------------------- main
def rename(
    root: Path,
    package: str,
    dist: str | None,
    author: str | None,
    url: str | None,
    force: bool,
    dry_run: bool,
    out=print,
) -> Plan | None:
    top = git("rev-parse", "--show-toplevel", root=root).strip()
    if Path(top).resolve() != root.resolve():
        raise Refused(f"{root} is not the top of a git work tree: run from a git checkout")
    dist = dist or package.replace("_", "-")
    files = tracked_files(root)
    old = current_names(root, files)
    if (package, dist) == (old.package, old.dist):
        out(f"already named {package} (distribution {dist}): nothing to do")
        return None
    license_files = [
        root / p for p in files if "/" not in p and p.upper().startswith(("LICENSE", "COPYING"))
    ]
    derived = [
        line
        for f in license_files
        if f.is_file()
        for line in f.read_text(errors="replace").splitlines()
        if line.startswith(DERIVED)
    ]
    if derived:
        raise Refused(
            f"this tree was already renamed (to {old.package}, distribution {old.dist}; "
            f"LICENSE: {derived[0]!r}). Renaming it again is not supported: run the script on "
            "the template's own names (undo the rename commit, or start from a fresh fork), or "
            f"rename to {old.package} --dist-name {old.dist} for a no-op"
        )
    problems = check_names(old, package, dist, root, files)
    if url:
        problems += check_url(url)
    if author:
        problems += check_author(author)[2]
    if problems:
        raise Refused("\n".join(problems))
    dirty = git(
        "--no-optional-locks", "status", "--porcelain", "--untracked-files=normal", root=root
    )
    if dirty and not force:
        raise Refused(
            "the working tree has uncommitted changes or untracked files; commit or "
            "stash them, so the rename is one reviewable change, or pass --force:\n"
            + dirty.rstrip()
        )
    plan = make_plan(root, old, package, dist, author, url, files)
    if plan.problems:
        raise Refused("nothing was changed, because:\n" + "\n".join(plan.problems))
    out(
        f"{old.package} -> {package}, distribution {old.dist} -> {dist}, Cargo package "
        f"{old.cargo} -> {cargo_name(dist)}" + (f", URL {old.url} -> {url}" if url else "")
    )
    moved = dict(plan.moves)
    for path in sorted(set(files) | set(moved)):
        new = moved.get(path, path)
        if new in plan.edits or path in moved:
            what = f"{plan.counts.get(new, 0):3d} replacements"
            out(f"  {what}  {path}" + (f" -> {new}" if path in moved else ""))
    out(f"{len(plan.edits)} files rewritten, {len(plan.moves)} paths moved")
    if not url:
        out(f"note: no --url: project links now read {spell_url(old, package, dist)}")
    if dry_run:
        out("dry run: nothing was written")
        return plan
    apply(root, plan)
    reformat(root, sorted(p for p in plan.edits if p.endswith((".py", ".pyi"))), out)
    out("done, and staged: review with `git diff --cached -M --stat`, then commit the rename alone")
    return plan


def reformat(root: Path, paths: list[str], out: Callable[[str], object]) -> None:
    """A name longer than the old one can push a line past the line length; ruff format (the
    ``lint`` and ``dev`` groups' formatter, which the fork's lint checks) wraps it again, and
    the result is staged with the rename. Without ruff installed, say what to run."""
    ruff = shutil.which("ruff")
    if ruff is None:
        out("note: ruff is not installed: run `ruff format` before committing (a longer name can")
        out("      push a line past the line length, which the lint session checks)")
        return
    formatted = subprocess.run(
        [ruff, "format", "--quiet", "--force-exclude", "--", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    strip.stage(root, set(paths))
    if formatted.returncode != 0:  # a file ruff cannot parse: the rename stands, say so
        out("note: `ruff format` failed on the renamed files; fix and rerun it:")
        out(formatted.stdout + formatted.stderr)


def spell_url(old: Names, package: str, dist: str) -> str:
    if not old.url:
        return "(no URL)"
    text, _ = Spellings(old, package, dist).replace(old.url, "url", [])
    return text


@dataclass
class Stripped:
    removed: list[str]  # the modules removed
    undo: Callable[[], None]  # undoes the strip (files and index)


def strip_modules(
    root: Path, keep: str | None, minimal: bool, force: bool, dry_run: bool, out=print
) -> Stripped | None:
    """Removes the modules --keep leaves out (or all, for --minimal: see strip.py), staged.
    None when nothing was written."""
    top = git("rev-parse", "--show-toplevel", root=root).strip()
    if Path(top).resolve() != root.resolve():
        raise Refused(f"{root} is not the top of a git work tree: run from a git checkout")
    files = tracked_files(root)
    package = current_names(root, files).package
    try:
        removing, kept = strip.choose(root, package, keep, minimal)
    except strip.Refused as refusal:
        raise Refused(str(refusal)) from None
    if not removing and not (
        minimal and strip.EXAMPLE_MODULE not in strip.present_modules(root, package)
    ):
        out(f"nothing to strip: the modules are {', '.join(kept)}")
        return None
    dirty = git(
        "--no-optional-locks", "status", "--porcelain", "--untracked-files=normal", root=root
    )
    if dirty and not force:
        raise Refused(
            "the working tree has uncommitted changes or untracked files; commit or stash "
            "them, so the strip is one reviewable change, or pass --force:\n" + dirty.rstrip()
        )
    plan = strip.make_plan(root, package, files, removing, kept, minimal)
    if plan.problems:
        raise Refused("nothing was changed, because:\n" + "\n".join(plan.problems))
    out(f"modules removed: {', '.join(removing) or 'none'}; kept: {', '.join(kept)}")
    for path in sorted(plan.deletions):
        out(f"  deleted  {path}")
    for path in sorted(plan.edits):
        out(f"  edited   {path}")
    for path in sorted(plan.additions):
        out(f"  added    {path}")
    out(
        f"{len(plan.deletions)} files deleted, {len(plan.edits)} edited, {len(plan.additions)} added"
    )
    if dry_run:
        out("dry run: nothing was written")
        return None
    undo = strip.apply(root, plan, git)
    # The lock file cargo pruned must be one cargo accepts as it is, offline.
    checked = subprocess.run(
        ["cargo", "metadata", "--locked", "--offline", "--format-version", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode != 0:
        undo()
        raise Refused(
            f"the pruned Cargo.lock does not satisfy cargo: {checked.stderr.strip()[-500:]}"
        )
    return Stripped(removing, undo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python .ci/rename.py",
        description=__doc__.split("\n\n")[0],
        epilog="Everything is checked before anything is written; see TEMPLATE.md.",
    )
    parser.add_argument(
        "package",
        nargs="?",
        help="new import name, e.g. acme_stats (optional with --keep/--minimal)",
    )
    parser.add_argument(
        "--dist-name",
        help="new distribution (PyPI) name; default: the import name with '-' for '_'",
    )
    parser.add_argument("--author", help="'Name <email>' for pyproject.toml and the copyright line")
    parser.add_argument("--url", help="project URL, e.g. https://github.com/you/acme-stats")
    parser.add_argument(
        "--keep",
        metavar="MODULE[,MODULE...]",
        help="keep only these modules (e.g. 'stats' or 'classifier,sampler'); remove the others "
        "with their tests, benchmarks, docs, dependencies and Cargo.lock entries",
    )
    parser.add_argument(
        "--minimal",
        action="store_true",
        help="keep no module: leave the smallest complete example instead (TEMPLATE.md "
        "section 3: one Rust class and one Cython function)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="rename a working tree with "
        "uncommitted changes or untracked files (they are left as they are)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be deleted, edited and moved; write nothing",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.package is None and args.keep is None and not args.minimal:
        parser.error("give the new import name, --keep MODULE[,MODULE...] or --minimal")
    root = args.root.resolve()
    try:
        stripped = None
        if args.keep is not None or args.minimal:
            stripped = strip_modules(root, args.keep, args.minimal, args.force, args.dry_run)
        if args.package is not None:
            try:
                rename(
                    root,
                    args.package,
                    args.dist_name,
                    args.author,
                    args.url.rstrip("/") if args.url else None,
                    args.force or stripped is not None,  # the strip's own changes are staged
                    args.dry_run,
                )
            except BaseException:
                if stripped is not None:
                    stripped.undo()
                raise
        if stripped is not None:
            package = current_names(root, tracked_files(root)).package
            strip.remove_module_folders(root, package, stripped.removed)
    except Refused as refusal:
        print(f"rename refused: {refusal}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

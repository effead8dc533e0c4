"""Removes modules from a fork of the template: ``--keep`` and ``--minimal`` of .ci/rename.py.

A module ``M`` is a public subpackage of the package. Stripping it removes, from the files
``git ls-files`` lists:

* its own paths: ``rust_src/engine/M/``, ``rust_src/bindings/M.rs`` (or ``M/``),
  ``<package>/M/``, ``tests/M/``, ``docs/M/``, ``benchmarks/M.*``, ``benchmarks/M_*.py`` and
  ``rust_src/benches/M_*.rs``;
* what shared files mark as its own, in their comment syntax (``#``, ``//``, ``<!-- -->``,
  ``..``): a line ending in ``module: M`` (or ``module: A, M``), a block from a line
  ``begin module: M`` to a line ``end module: M``, a file whose first line is ``module: M``,
  and its sections of benchmarks/RESULTS.md (``<!-- M:start -->`` to ``<!-- M:end -->``). A
  line or block naming several modules goes when none of them is left;
* from Cargo.lock, the crates no remaining dependency needs: cargo itself prunes the lock file,
  offline, from the local registry, in a scratch copy of the manifest.

``--minimal`` removes every module and adds the example module of TEMPLATE.md section 3 (one
Rust class, one Cython function), from the blocks of TEMPLATE.md, as a reader would type them.

Everything is planned and checked before anything is written; a failure while writing undoes
what was written. The result is staged, for one reviewable commit.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The marker grammar (TEMPLATE.md section 4).
_NAMES = r"(?P<names>[a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)"
_OPEN = r"(?:#|//|<!--|\.\.)"
_CLOSE = r"\s*(?:-->)?\s*$"
LINE_MARKER = re.compile(rf"{_OPEN}\s*module:\s*{_NAMES}{_CLOSE}")
FILE_MARKER = re.compile(rf"^\s*{_OPEN}\s*module:\s*{_NAMES}{_CLOSE}")
BLOCK_MARKER = re.compile(rf"^\s*{_OPEN}\s*(?P<kind>begin|end) module:\s*{_NAMES}{_CLOSE}")
RESULTS_SECTION = re.compile(r"^<!-- (?P<name>[\w-]+):(?P<kind>start|end) -->\s*$")

# The module --minimal leaves: TEMPLATE.md section 3.
EXAMPLE_MODULE = "tally"
# A TEMPLATE.md block says where it goes on its first line.
BLOCK_HEADER = re.compile(
    r"^(?://|#|<!--|\.\.) (?:new file: (?P<new>\S+)|append to: (?P<append>\S+)|"
    r"in (?P<file>\S+), after: (?P<anchor>.+?))(?: -->)?$"
)


class Refused(Exception):
    """The strip cannot be done; the message says why."""


@dataclass
class StripPlan:
    removed: list[str]  # modules removed
    kept: list[str]  # modules left (the example module included, for --minimal)
    deletions: list[str] = field(default_factory=list)  # tracked paths
    edits: dict[str, str] = field(default_factory=dict)  # path -> new text
    additions: dict[str, str] = field(default_factory=dict)  # new path -> text
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------ the modules
def present_modules(root: Path, package: str) -> list[str]:
    """The modules of the tree: the public subpackages of the package."""
    return sorted(
        entry.name
        for entry in (root / package).iterdir()
        if entry.is_dir()
        and not entry.name.startswith(("_", "."))
        and (entry / "__init__.py").is_file()
    )


def removed_earlier(root: Path, package: str, module: str) -> str | None:
    """The commit that deleted ``module``, if the history has one."""
    done = subprocess.run(
        [
            "git",
            "log",
            "-1",
            "--format=%h %s",
            "--diff-filter=D",
            "--",
            f"{package}/{module}/__init__.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def choose(
    root: Path, package: str, keep: str | None, minimal: bool
) -> tuple[list[str], list[str]]:
    """(modules to remove, modules kept), or Refused with the reason."""
    present = present_modules(root, package)
    if keep is not None and minimal:
        raise Refused("--keep and --minimal exclude each other: --minimal keeps no module")
    if minimal:
        return [m for m in present if m != EXAMPLE_MODULE], [EXAMPLE_MODULE]
    wanted = sorted({name.strip() for name in (keep or "").split(",") if name.strip()})
    if not wanted:
        raise Refused(
            f"--keep needs at least one module, comma-separated, of: {', '.join(present)} "
            "(to keep none, use --minimal)"
        )
    unknown = [name for name in wanted if name not in present]
    if unknown:
        reasons = []
        for name in unknown:
            commit = removed_earlier(root, package, name)
            reasons.append(
                f"{name!r} was removed by an earlier strip (commit {commit}); it cannot be kept"
                if commit
                else f"{name!r} is not a module of this tree"
            )
        raise Refused("; ".join(reasons) + f". The modules are: {', '.join(present)}")
    return [m for m in present if m not in wanted], wanted


def owned_prefixes(package: str, module: str) -> tuple[str, ...]:
    return (
        f"rust_src/engine/{module}/",
        f"rust_src/bindings/{module}/",
        f"{package}/{module}/",
        f"tests/{module}/",
        f"docs/{module}/",
    )


def owns(path: str, package: str, module: str) -> bool:
    return (
        path.startswith(owned_prefixes(package, module))
        or path == f"rust_src/bindings/{module}.rs"
        or any(
            path.startswith((f"{folder}{module}.", f"{folder}{module}_"))
            and "/" not in path[len(folder) :]
            for folder in ("benchmarks/", "rust_src/benches/")
        )
    )


# ------------------------------------------------------------------------------ the markers
def names(match: re.Match[str]) -> set[str]:
    return {name.strip() for name in match["names"].split(",")}


def goes(listed: set[str], removing: set[str], kept: set[str]) -> bool:
    """A marked line or block goes when none of its modules stays and one of them goes now (a
    module neither kept nor removed, absent from the tree, leaves it alone: TEMPLATE.md's
    examples name the module they add)."""
    return not (listed & kept) and bool(listed & removing)


def stripped_text(
    text: str, path: str, removing: set[str], kept: set[str], problems: list[str]
) -> str:
    """``text`` without the lines and blocks of the removed modules."""
    out: list[str] = []
    open_blocks: list[tuple[set[str], int]] = []  # (its modules, its line), innermost last
    cut = False  # lines were removed since the last line kept

    def keep(line: str) -> None:
        nonlocal cut
        # A removed block between two blank lines leaves one blank line, not two (formatters
        # such as ruff's would flag two).
        if not (cut and not line.strip() and out and not out[-1].strip()):
            out.append(line)
        cut = False

    for number, line in enumerate(text.splitlines(keepends=True), 1):
        block = BLOCK_MARKER.match(line)
        section = RESULTS_SECTION.match(line) if path.endswith("RESULTS.md") else None
        block_names: set[str] = set()
        kind: str | None = None
        if section:  # a benchmark's section: "stats" or "stats-dask" belongs to stats
            block_names = {section["name"].split("-")[0]}
            kind = "begin" if section["kind"] == "start" else "end"
        elif block:
            block_names, kind = names(block), block["kind"]
        inside_removed = any(goes(m, removing, kept) for m, _ in open_blocks)
        if kind == "begin":
            open_blocks.append((block_names, number))
            if not (inside_removed or goes(block_names, removing, kept)):
                keep(line)
            else:
                cut = True
            continue
        if kind == "end":
            if not open_blocks or open_blocks[-1][0] != block_names:
                problems.append(f"{path}:{number}: 'end module' without its 'begin module'")
                continue
            ended, _ = open_blocks.pop()
            if not (inside_removed or goes(ended, removing, kept)):
                keep(line)
            else:
                cut = True
            continue
        if inside_removed:
            cut = True
            continue
        marker = LINE_MARKER.search(line)
        if marker and goes(names(marker), removing, kept):
            cut = True
            continue
        keep(line)
    for block_names, number in open_blocks:
        problems.append(
            f"{path}:{number}: 'begin module: {', '.join(sorted(block_names))}' never ends"
        )
    result = "".join(out)
    # Lines removed at the end leave no blank lines there (a file ends with one newline).
    if text.endswith("\n") and not text.endswith("\n\n") and result.endswith("\n\n"):
        result = result.rstrip("\n") + "\n"
    return result


# ------------------------------------------------------------------------------ Cargo.lock
def pruned_cargo_lock(root: Path, manifest: str) -> str:
    """Cargo.lock as cargo writes it for ``manifest``: the crates nothing needs any more gone.
    Cargo runs offline in a scratch copy (manifest, lock, empty sources), so the tree is not
    touched and no network is needed: the lock's crates are in the local registry."""
    with tempfile.TemporaryDirectory(prefix="strip-cargo-") as scratch:
        scratch_root = Path(scratch)
        (scratch_root / "Cargo.toml").write_text(manifest)
        shutil.copy2(root / "Cargo.lock", scratch_root / "Cargo.lock")
        for extra in ("rust-toolchain.toml",):
            if (root / extra).exists():
                shutil.copy2(root / extra, scratch_root / extra)
        for target in re.findall(r'^(?:path|build) = "([^"]+)"', manifest, re.MULTILINE):
            (scratch_root / target).parent.mkdir(parents=True, exist_ok=True)
            (scratch_root / target).write_text("fn main() {}\n" if "build" in target else "")
        done = subprocess.run(
            # --workspace: re-resolve only the workspace's own package, keeping every locked
            # version, which drops what nothing needs; offline, only the index cache is read.
            ["cargo", "update", "--workspace", "--offline", "--quiet"],
            cwd=scratch_root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise Refused(
                "cargo could not prune Cargo.lock offline (run `cargo fetch` once, online, "
                f"then retry): {done.stderr.strip()[-500:]}"
            )
        return (scratch_root / "Cargo.lock").read_text()


# ------------------------------------------------------------------ the example, from TEMPLATE.md
@dataclass
class ExampleBlock:
    kind: str  # "new", "append" or "after"
    path: str
    body: str
    anchor: str = ""


def example_blocks(template_md: str) -> list[ExampleBlock]:
    """The blocks of TEMPLATE.md that say where they go (section 3's example module)."""
    blocks = []
    for block in re.findall(r"^```\w*\n(.*?)^```$", template_md, re.MULTILINE | re.DOTALL):
        first, _, body = block.partition("\n")
        match = BLOCK_HEADER.match(first)
        if not match:
            continue
        if match["new"]:
            blocks.append(ExampleBlock("new", match["new"], body.lstrip("\n")))
        elif match["append"]:
            blocks.append(ExampleBlock("append", match["append"], body))
        else:
            blocks.append(ExampleBlock("after", match["file"], body, match["anchor"]))
    return blocks


def add_example(
    read: Callable[[str], str | None], blocks: list[ExampleBlock], package: str
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Applies ``blocks`` to the files ``read`` gives (None: no such file), with the template's
    package name replaced by ``package``. Returns (edited files, new files, problems)."""
    edits: dict[str, str] = {}
    additions: dict[str, str] = {}
    problems: list[str] = []

    def current(path: str) -> str | None:
        return additions.get(path, edits.get(path, read(path)))

    for block in blocks:
        path = re.sub(r"^river_lite/", f"{package}/", block.path)
        body = block.body
        text = current(path)
        if block.kind == "new":
            if text is not None:
                problems.append(f"TEMPLATE.md: {path} exists already")
                continue
            additions[path] = body
            continue
        if text is None:
            problems.append(f"TEMPLATE.md: {path} does not exist")
            continue
        if block.kind == "append":
            new = text.rstrip("\n") + "\n" + body
        else:
            lines = text.splitlines(keepends=True)
            found = [i for i, line in enumerate(lines) if line.strip() == block.anchor.strip()]
            if len(found) != 1:
                problems.append(f"TEMPLATE.md: {block.anchor!r} found {len(found)} times in {path}")
                continue
            lines[found[0] + 1 : found[0] + 1] = [body]
            new = "".join(lines)
        (additions if path in additions else edits)[path] = new
    return edits, additions, problems


# ------------------------------------------------------------------------------ the plan
def make_plan(
    root: Path, package: str, files: list[str], removing: list[str], kept: list[str], minimal: bool
) -> StripPlan:
    plan = StripPlan(removed=removing, kept=kept)
    remove, keep = set(removing), set(kept)
    for path in files:
        if any(owns(path, package, module) for module in removing):
            plan.deletions.append(path)
            continue
        full = root / path
        if full.is_symlink() or not full.is_file():
            continue
        try:
            text = full.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        first = text.partition("\n")[0]
        marker = FILE_MARKER.match(first)
        if marker and goes(names(marker), remove, keep):
            plan.deletions.append(path)
            continue
        new = stripped_text(text, path, remove, keep, plan.problems)
        if new != text:
            plan.edits[path] = new
    if "Cargo.toml" in plan.edits:
        try:
            lock = pruned_cargo_lock(root, plan.edits["Cargo.toml"])
        except Refused as refusal:
            plan.problems.append(str(refusal))
        else:
            if lock != (root / "Cargo.lock").read_text():
                plan.edits["Cargo.lock"] = lock
    if minimal and EXAMPLE_MODULE not in present_modules(root, package):
        deleted = set(plan.deletions)

        def read(path: str) -> str | None:
            if path in plan.edits:
                return plan.edits[path]
            if path in deleted or not (root / path).is_file():
                return None
            return (root / path).read_text(encoding="utf-8")

        blocks = example_blocks((root / "TEMPLATE.md").read_text(encoding="utf-8"))
        edits, additions, problems = add_example(read, blocks, package)
        plan.edits.update(edits)
        plan.additions.update(additions)
        plan.problems += problems
    return plan


# ------------------------------------------------------------------------------ writing
def restore(target: Path, content: bytes, mode: int) -> None:
    """Puts back a deleted or edited file with its content and permission bits (an undo step)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    os.chmod(target, mode & 0o7777)


def apply(root: Path, plan: StripPlan, git: Callable[..., str]) -> Callable[[], None]:
    """Writes the plan and stages it; returns a function that undoes it all. On an error while
    writing, undoes what was written and re-raises."""
    index = Path(git("rev-parse", "--git-path", "index", root=root).strip())
    index = index if index.is_absolute() else root / index
    saved_index = index.read_bytes() if index.exists() else None
    undo: list[Callable[[], None]] = []

    def undo_all() -> None:
        for step in reversed(undo):
            step()
        if saved_index is not None:
            index.write_bytes(saved_index)

    try:
        for path in plan.deletions:
            target = root / path
            if target.is_file() or target.is_symlink():
                before, mode = target.read_bytes(), target.stat().st_mode
                target.unlink()
                undo.append(functools.partial(restore, target, before, mode))
        for path, text in plan.edits.items():
            target = root / path
            before, mode = target.read_bytes(), target.stat().st_mode
            target.write_text(text, encoding="utf-8")
            undo.append(functools.partial(restore, target, before, mode))
        for path, text in plan.additions.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            undo.append(functools.partial(target.unlink, missing_ok=True))
        stage(root, {*plan.deletions, *plan.edits, *plan.additions})
    except BaseException:
        undo_all()
        raise
    return undo_all


def stage(root: Path, paths: set[str]) -> None:
    """Stages the current state of ``paths`` (written, moved or deleted) in git's index."""
    subprocess.run(
        ["git", "add", "--all", "--force", "--pathspec-from-file=-", "--pathspec-file-nul"],
        cwd=root,
        input="\0".join(sorted(paths)).encode(),
        capture_output=True,
        check=True,
    )


def remove_module_folders(root: Path, package: str, removed: list[str]) -> None:
    """After a successful strip: the removed modules' folders, with any build products left
    in them (ignored files), and folders the deletions emptied."""
    for module in removed:
        for prefix in owned_prefixes(package, module):
            shutil.rmtree(root / prefix, ignore_errors=True)

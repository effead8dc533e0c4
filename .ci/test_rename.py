"""Tests of .ci/rename.py on temporary copies of the repository (no build): what it replaces and
what it leaves, the inputs it refuses with nothing changed on disk, and the fork-and-rename and
upstream-merge recipes of TEMPLATE.md, run as written there.

Run by ``nox -s template`` (``python -m pytest .ci/test_rename.py``); not part of tests/, which
tests the installed package.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))
import rename
import strip
from template_proof import GIT_IDENTITY, make_fork

# The template's names, read from the tree like the script does (never written here).
OLD = rename.current_names(ROOT, rename.tracked_files(ROOT))
WORDS = OLD.package.split("_")
NEW, NEW_DIST = "acme_stats", "acme-stats"
ENV = {
    **os.environ,
    **GIT_IDENTITY,
    "GIT_MERGE_AUTOEDIT": "no",
    "GIT_EDITOR": "true",
    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
}


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """One fork of the repository (committed), copied afresh for each test."""
    base = tmp_path_factory.mktemp("template") / "repo"
    make_fork(base)  # HEAD: a consistent state, whatever else is being edited in the checkout
    # ... with the scripts under test as they are now, committed or not.
    for script in ("rename.py", "strip.py"):
        shutil.copy2(ROOT / ".ci" / script, base / ".ci" / script)
    git(base, "add", "-A")
    git(base, "commit", "-q", "--allow-empty", "-m", "the scripts of the working tree")
    return base


@pytest.fixture
def fork(template: Path, tmp_path: Path) -> Path:
    destination = tmp_path / "fork"
    shutil.copytree(template, destination, symlinks=True)
    return destination


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env=ENV, capture_output=True, text=True, check=True
    ).stdout


def run_rename(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(repo / ".ci" / "rename.py"), *args],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )


def snapshot(repo: Path) -> dict[str, str]:
    """Every file of the working tree and the git index, hashed: "no change on disk"."""
    state = {}
    for path in sorted(repo.rglob("*")):
        relative = path.relative_to(repo).as_posix()
        if relative.startswith(".git/") and relative != ".git/index":
            continue
        if path.is_file() or path.is_symlink():
            state[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            state[relative] = "dir"
    return state


def leftovers(repo: Path) -> list[str]:
    pattern = rename.Spellings(OLD, NEW, NEW_DIST).leftover.pattern
    found = subprocess.run(
        ["git", "grep", "-n", "-i", "-P", pattern],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,  # git grep exits 1 when nothing matches
    ).stdout.splitlines()
    return [line for line in found if not line.split(":", 2)[2].startswith(rename.DERIVED)]


def commit_file(repo: Path, path: str, content: str | bytes) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", f"add {path}")


def template_block(name: str) -> str:
    """The bash block of TEMPLATE.md marked ``<!-- tested: name -->``."""
    text = (ROOT / "TEMPLATE.md").read_text()
    match = re.search(rf"<!-- tested: {name} -->\n```bash\n(.*?)\n```", text, re.DOTALL)
    assert match, f"TEMPLATE.md has no block marked 'tested: {name}'"
    return match.group(1)


def bash(repo: Path, script: str) -> None:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{script}\n---\n{result.stdout}\n{result.stderr}"


# ------------------------------------------------------------------------------ what it does
def test_every_spelling_is_renamed_in_a_file_added_later_and_river_alone_is_kept(fork):
    title = [w.capitalize() for w in WORDS]
    spellings = {
        "_".join(WORDS): NEW,
        "-".join(WORDS): NEW_DIST,
        "_".join(WORDS).upper(): NEW.upper(),
        "_".join(WORDS).capitalize(): "Acme_stats",
        "_".join(title): "Acme_Stats",
        "".join(title): "AcmeStats",
        " ".join(title): "Acme Stats",
        "-".join(title): "Acme-Stats",
        "".join(WORDS): "acmestats",
    }
    kept = [
        f"import {WORDS[0]}",
        f"{WORDS[0].capitalize()} parity",
        f"{WORDS[0]}.stats",
        f"{WORDS[1]}weight",
    ]
    # A subpackage another engineer adds later, naming the package in every spelling.
    lines = [f"{old} = 1  # {old}" for old in spellings] + kept
    commit_file(fork, f"{OLD.package}/later/__init__.py", "\n".join(lines) + "\n")

    def bare_word_count(repo):  # occurrences of the first word alone, outside the compound names
        text = "".join(
            (repo / p).read_text(errors="replace")
            for p in rename.tracked_files(repo)
            if (repo / p).is_file()
        )
        text = rename.Spellings(OLD, NEW, NEW_DIST).leftover.sub("", text)
        return len(re.findall(rf"\b{WORDS[0]}\b", text, re.IGNORECASE))

    before = bare_word_count(fork)
    assert before > 10  # the upstream library is named all over the project
    result = run_rename(fork, NEW, "--dist-name", NEW_DIST)
    assert result.returncode == 0, result.stderr

    renamed = (fork / NEW / "later" / "__init__.py").read_text().splitlines()
    assert renamed == [f"{new} = 1  # {new}" for new in spellings.values()] + kept
    assert bare_word_count(fork) == before
    assert not (fork / OLD.package).exists()
    assert leftovers(fork) == []
    derived = [
        line
        for line in (fork / "LICENSE").read_text().splitlines()
        if line.startswith(rename.DERIVED)
    ]
    assert len(derived) == 1 and OLD.package in derived[0]
    # Staged as renames, nothing left unstaged or untracked.
    assert git(fork, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        line for line in git(fork, "status", "--porcelain").splitlines() if line[1] == " "
    ]
    assert f"R  {OLD.package}/__init__.py -> {NEW}/__init__.py" in git(
        fork, "status", "--porcelain"
    )


def test_author_url_and_distinct_distribution_name(fork):
    result = run_rename(
        fork,
        NEW,
        "--dist-name",
        "acme-statistics",
        "--author",
        "Jane Doe <jane@example.com>",
        "--url",
        "https://github.com/jane/acme/",
    )
    assert result.returncode == 0, result.stderr
    pyproject = (fork / "pyproject.toml").read_text()
    assert 'name = "acme-statistics"' in pyproject
    assert 'authors = [{ name = "Jane Doe", email = "jane@example.com" }]' in pyproject
    assert 'Issues = "https://github.com/jane/acme/issues"' in pyproject
    assert f'target = "{NEW}._core"' in pyproject
    assert 'name = "acme-statistics"' in (fork / "Cargo.toml").read_text()
    license_text = (fork / "LICENSE").read_text()
    assert (
        "Jane Doe" in license_text and f"{rename.DERIVED} {OLD.package} ({OLD.url})" in license_text
    )


def test_cargo_lock_is_what_cargo_itself_writes(fork, tmp_path):
    assert run_rename(fork, NEW).returncode == 0
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    before = (fork / "Cargo.lock").read_text()
    subprocess.run(
        ["cargo", "metadata", "--offline", "--format-version", "1"],
        cwd=fork,
        env={**ENV, "CARGO_TARGET_DIR": str(tmp_path / "target")},
        capture_output=True,
        check=True,
    )
    assert (fork / "Cargo.lock").read_text() == before  # cargo found nothing to rewrite
    assert f'name = "{NEW_DIST}"' in before


def test_a_long_name_leaves_the_python_formatted(fork):
    """A longer name pushes lines past the line length; the rename wraps them again with ruff
    (the template session has it), or, without ruff, says to run it."""
    long_name = "acme_streaming_statistics_toolkit"
    result = run_rename(fork, long_name)
    assert result.returncode == 0, result.stderr
    ruff = shutil.which("ruff", path=ENV["PATH"])
    if ruff is None:
        assert "run `ruff format`" in result.stdout
        return
    check = subprocess.run(
        [ruff, "format", "--check", "."], cwd=fork, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert not git(fork, "diff").strip()  # the reformatting is staged with the rename


def test_the_same_name_again_is_a_no_op(fork):
    assert run_rename(fork, NEW, "--dist-name", NEW_DIST).returncode == 0
    before = snapshot(fork)
    again = run_rename(fork, NEW, "--dist-name", NEW_DIST)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert snapshot(fork) == before


def test_dry_run_writes_nothing(fork):
    before = snapshot(fork)
    result = run_rename(fork, NEW, "--dry-run")
    assert result.returncode == 0 and "dry run" in result.stdout
    assert f"{OLD.package}/__init__.py -> {NEW}/__init__.py" in result.stdout
    assert snapshot(fork) == before


# ----------------------------------------------------------------- refused, nothing changed
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Acme_stats"], "not a valid import name"),
        (["1acme"], "not a valid import name"),
        (["acme-stats"], "not a valid import name"),
        (["acme.stats"], "not a valid import name"),
        (["class"], "keyword"),
        (["match"], "keyword"),
        (["json"], "standard-library"),
        (["pluggy"], "installed in this Python"),  # pytest's dependency: installed here
        ([WORDS[0]], "imports or depends on|installed in this Python"),  # the upstream library
        (["scipy"], "imports or depends on|installed in this Python"),
        (["tests"], "already exists"),
        ([OLD.package + "_two"], "must not contain the old name"),
        ([NEW, "--dist-name", "acme stats"], "not a valid distribution name"),
        ([NEW, "--dist-name=-acme"], "not a valid distribution name"),
        ([NEW, "--dist-name", "9acme"], "starts with a digit"),
        ([NEW, "--dist-name", "x" + "-".join(WORDS)], "must not contain the old name"),
        ([NEW, "--url", "not a url"], "not an http"),
        ([NEW, "--author", 'Jane "JD" Doe'], "without quotes"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_bad_names_are_refused_with_nothing_changed(fork, args, message):
    before = snapshot(fork)
    result = run_rename(fork, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(message, result.stderr), result.stderr
    assert snapshot(fork) == before


def test_a_dirty_tree_is_refused_unless_forced(fork):
    readme = fork / "README.md"
    readme.write_text(readme.read_text() + f"\nlocal note on {OLD.package}\n")
    (fork / "notes.txt").write_text("untracked\n")
    before = snapshot(fork)
    result = run_rename(fork, NEW)
    assert result.returncode == 2 and "uncommitted changes" in result.stderr
    assert "README.md" in result.stderr and "notes.txt" in result.stderr
    assert snapshot(fork) == before

    forced = run_rename(fork, NEW, "--force")
    assert forced.returncode == 0, forced.stderr
    assert readme.read_text().endswith(f"\nlocal note on {NEW}\n")  # the edit kept, renamed
    assert (fork / "notes.txt").read_text() == "untracked\n"
    assert git(fork, "status", "--porcelain", "notes.txt").startswith("??")


def test_an_already_renamed_tree_is_refused(fork):
    assert run_rename(fork, NEW).returncode == 0
    git(fork, "commit", "-q", "-m", "rename")
    before = snapshot(fork)
    result = run_rename(fork, "other_name")
    assert result.returncode == 2 and "already renamed" in result.stderr
    assert snapshot(fork) == before


def test_a_spelling_it_cannot_map_is_refused(fork):
    odd = WORDS[0][0] + WORDS[0][1:].upper() + "_" + "_".join(WORDS[1:])  # e.g. aBCD_efgh
    commit_file(fork, "docs/odd.md", f"see {odd}\n")
    before = snapshot(fork)
    result = run_rename(fork, NEW)
    assert result.returncode == 2 and "cannot tell how to spell" in result.stderr
    assert "docs/odd.md:1" in result.stderr
    assert snapshot(fork) == before


def test_a_binary_file_naming_the_package_is_refused(fork):
    commit_file(fork, "benchmarks/blob.bin", b"\x00\xff\xfe" + OLD.package.encode() + b"\x00")
    before = snapshot(fork)
    result = run_rename(fork, NEW)
    assert result.returncode == 2 and "binary file" in result.stderr
    assert snapshot(fork) == before


def test_a_failure_while_writing_undoes_everything(fork, monkeypatch):
    before = snapshot(fork)
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 5:
            raise OSError(28, "No space left on device (simulated)")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated"):
        rename.rename(fork, NEW, None, None, None, force=False, dry_run=False, out=lambda *a: None)
    monkeypatch.undo()
    assert len(calls) == 5
    assert snapshot(fork) == before


# ----------------------------------------------------------------- TEMPLATE.md, as written
def test_template_md_fork_rename_and_upstream_merge(template, tmp_path):
    """Section 1 (rename) and section 5 (pull template changes) of TEMPLATE.md, run as written,
    with a fork change and a template change that both touch files naming the package."""
    upstream = tmp_path / "upstream"
    shutil.copytree(template, upstream, symlinks=True)
    mine = tmp_path / "mine"
    subprocess.run(["git", "clone", "-q", str(upstream), str(mine)], env=ENV, check=True)

    bash(mine, template_block("rename"))
    assert leftovers(mine) == []
    assert git(mine, "log", "-1", "--format=%s").startswith("Rename the template")
    readme = mine / "README.md"
    readme.write_text(readme.read_text() + "\nOur fork's own note.\n")
    git(mine, "commit", "-q", "-am", "our change")

    # The template moves on: a new module, and an edit to a line that names the package.
    init = upstream / OLD.package / "__init__.py"
    first, rest = init.read_text().split("\n", 1)
    init.write_text(first.replace(f"{OLD.package}:", f"{OLD.package} (updated):") + "\n" + rest)
    git(upstream, "commit", "-q", "-am", "template: docstring")
    commit_file(
        upstream,
        f"{OLD.package}/stats/extra.py",
        f'"""Added upstream; see {OLD.package}.stats."""\n',
    )

    git(mine, "remote", "add", "upstream", str(upstream))
    bash(mine, template_block("upstream"))
    assert git(mine, "status", "--porcelain", "--untracked-files=all") == ""
    assert (
        mine / NEW / "stats" / "extra.py"
    ).read_text() == f'"""Added upstream; see {NEW}.stats."""\n'
    assert f"{NEW} (updated):" in (mine / NEW / "__init__.py").read_text()
    assert readme.read_text().endswith("\nOur fork's own note.\n")
    assert leftovers(mine) == []
    assert not (mine.parent / "upstream-sync").exists()
    parents = git(mine, "log", "-1", "--format=%P").split()
    assert len(parents) == 2  # a merge of upstream-renamed


# ------------------------------------------------------------------- --keep and --minimal
MODULES = strip.present_modules(ROOT, OLD.package)


def test_the_template_has_the_three_modules():
    assert MODULES == ["classifier", "sampler", "stats"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--keep", "foo"],
            "'foo' is not a module of this tree. The modules are: classifier, sampler, stats",
        ),
        (["--keep", ""], "--keep needs at least one module"),
        (["--keep", " , "], "--keep needs at least one module"),
        (["--keep", "stats", "--minimal"], "--keep and --minimal exclude each other"),
        ([NEW, "--keep", "stats,foo"], "'foo' is not a module of this tree"),
    ],
)
def test_bad_strips_are_refused_with_nothing_changed(fork, args, message):
    before = snapshot(fork)
    result = run_rename(fork, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert snapshot(fork) == before


def test_keeping_a_module_an_earlier_strip_removed_is_refused(fork):
    assert run_rename(fork, "--keep", "stats,sampler").returncode == 0
    git(fork, "commit", "-q", "-m", "strip")
    before = snapshot(fork)
    result = run_rename(fork, "--keep", "classifier")
    assert result.returncode == 2, result.stderr
    assert "'classifier' was removed by an earlier strip (commit" in result.stderr
    assert "The modules are: sampler, stats" in result.stderr
    assert snapshot(fork) == before
    # ... while what is left can be stripped further, and renamed later.
    assert run_rename(fork, "--keep", "stats").returncode == 0
    git(fork, "commit", "-q", "-m", "strip again")
    renamed = run_rename(fork, NEW)
    assert renamed.returncode == 0, renamed.stderr
    assert strip.present_modules(fork, NEW) == ["stats"]


def test_a_strip_of_a_dirty_tree_is_refused_unless_forced(fork):
    (fork / "notes.txt").write_text("untracked\n")
    before = snapshot(fork)
    result = run_rename(fork, "--keep", "stats")
    assert result.returncode == 2 and "uncommitted changes" in result.stderr
    assert snapshot(fork) == before
    assert run_rename(fork, "--keep", "stats", "--force").returncode == 0
    assert (fork / "notes.txt").read_text() == "untracked\n"


def test_the_dry_run_lists_what_a_strip_deletes_and_edits_and_writes_nothing(fork):
    before = snapshot(fork)
    result = run_rename(fork, NEW, "--keep", "stats", "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "modules removed: classifier, sampler; kept: stats" in out
    assert f"  deleted  {OLD.package}/classifier/sgd.py" in out
    assert "  deleted  rust_src/engine/sampler/mod.rs" in out and "  deleted  tests/sampler/" in out
    for edited in (
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "pyproject.toml",
        "rust_src/bindings/mod.rs",
    ):
        assert f"  edited   {edited}\n" in out
    assert "dry run: nothing was written" in out
    assert snapshot(fork) == before


def test_keep_removes_a_module_everywhere_and_prunes_cargo_lock(fork):
    result = run_rename(fork, "--keep", "classifier")
    assert result.returncode == 0, result.stderr
    assert strip.present_modules(fork, OLD.package) == ["classifier"]
    for gone in (
        f"{OLD.package}/stats",
        "tests/sampler",
        "rust_src/engine/stats",
        "docs/sampler",
        "rust_src/bindings/stats.rs",
        "benchmarks/sampler.py",
        "rust_src/benches/stats_rolling_quantile.rs",
    ):
        assert not (fork / gone).exists(), gone
    assert "[[bench]]" not in (fork / "Cargo.toml").read_text()  # the harness's entry too
    assert "stats" not in (fork / "rust_src" / "engine" / "mod.rs").read_text()
    assert "pub mod classifier;" in (fork / "rust_src" / "engine" / "mod.rs").read_text()
    pyproject = (fork / "pyproject.toml").read_text()
    assert "river>=" not in pyproject and "hypothesis" not in pyproject  # stats and sampler only
    assert "scikit-learn>=" in pyproject
    lock = (fork / "Cargo.lock").read_text()
    assert 'name = "rand_distr"' not in lock and 'name = "proptest"' not in lock
    assert 'name = "matrixmultiply"' in lock and 'name = "rayon"' in lock
    assert "<!-- stats:start -->" not in (fork / "benchmarks" / "RESULTS.md").read_text()
    assert git(fork, "status", "--porcelain", "--untracked-files=all").strip()  # staged
    assert not git(fork, "diff").strip()  # ... all of it


def test_minimal_leaves_the_template_md_example(fork):
    result = run_rename(fork, NEW, "--minimal")
    assert result.returncode == 0, result.stderr
    assert strip.present_modules(fork, NEW) == [strip.EXAMPLE_MODULE]
    assert (fork / NEW / "tally" / "_kernels.pyx").exists()
    assert "tally, // module: tally" in (fork / "rust_src" / "bindings" / "mod.rs").read_text()
    assert "class Tally:" in (fork / NEW / "_core.pyi").read_text()
    assert (fork / "tests" / "tally" / "test_tally.py").exists()
    assert (fork / "docs" / "tally" / "api.rst").exists()
    # Again: already minimal, nothing to do.
    git(fork, "commit", "-q", "-m", "minimal")
    again = run_rename(fork, "--minimal")
    assert again.returncode == 0 and "nothing to strip" in again.stdout


def test_markers_remove_lines_and_blocks_of_removed_modules_only():
    text = (
        "keep\n"
        "only stats  # module: stats\n"
        "both  # module: sampler, stats\n"
        "an example's  // module: tally\n"
        "\n"
        "<!-- begin module: sampler -->\n"
        "sampler text\n"
        "<!-- end module: sampler -->\n"
        "\n"
        "tail\n"
    )
    problems: list[str] = []
    out = strip.stripped_text(text, "x.md", {"sampler", "stats"}, {"classifier"}, problems)
    assert out == "keep\nan example's  // module: tally\n\ntail\n" and not problems
    kept_stats = strip.stripped_text(text, "x.md", {"sampler"}, {"stats"}, problems)
    assert "only stats" in kept_stats and "both" in kept_stats and "sampler text" not in kept_stats


def test_unbalanced_markers_are_problems():
    problems: list[str] = []
    strip.stripped_text("# begin module: stats\nx\n", "f.toml", {"stats"}, set(), problems)
    strip.stripped_text("x\n# end module: stats\n", "g.toml", {"stats"}, set(), problems)
    assert problems == [
        "f.toml:1: 'begin module: stats' never ends",
        "g.toml:2: 'end module' without its 'begin module'",
    ]

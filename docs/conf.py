"""Sphinx configuration: the user guide (MyST Markdown), the API reference (autosummary +
numpydoc) and the examples gallery (sphinx-gallery), for the INSTALLED package.

Each module of the package has its own folder here, as on every other side of the project:
``docs/<module>/index.md`` (its guide), ``api.rst`` (its reference) and ``examples/`` (its
gallery, run at build time). Modules are found from those folders, never listed here.

Build: ``nox -s docs`` (installs the package and the ``docs`` dependency group, builds with
warnings as errors, checks internal links and runs the pages' doctests).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import tomllib

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE = next(p.parent.name for p in ROOT.glob("*/_native.py"))

# The API pages document the installed package, never the source tree: its compiled modules are
# there only after an install. Say what to do instead of showing a traceback.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == str(ROOT):
    sys.path.pop(0)
try:
    package = __import__(PACKAGE)
except ImportError as error:
    sys.stderr.write(
        f"error: the docs document the installed {PACKAGE!r} package, and importing it failed:"
        f"\n  {error}\nInstall it first, from the repository root: 'pip install . --group docs' "
        "(pip >= 25.1), then rerun the build; or run 'nox -s docs', which does both.\n"
    )
    sys.stderr.flush()
    # Not SystemExit or ConfigError: Sphinx 9 turns both into a "Configuration error!" report
    # with a traceback that hides this instruction. Nothing is open yet, so nothing is lost.
    os._exit(2)

project = PACKAGE
author = PYPROJECT["project"]["authors"][0]["name"]
copyright = f"%Y, {author}"
release = package.__version__
version = ".".join(release.split(".")[:2])
SOURCE_URL = PYPROJECT["project"]["urls"]["Source"]

MODULES = sorted(
    p.parent.name for p in DOCS.glob("*/index.md") if not p.parent.name.startswith("_")
)

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "**/examples/README.rst", "**/auto_examples/*.ipynb"]
templates_path = ["_templates"]
nitpicky = True
# Types named in numpydoc "Parameters"/"Returns" sections that have no page of their own.
nitpick_ignore_regex = [
    (
        "py:class",
        r"(numpy\.|np\.|array|array-like|array_like|optional|default|callable|iterable).*",
    ),
    ("py:class", r"(int|float|str|bool|bytes|dict|list|tuple|None|object|type|Any)"),
    ("py:class", r"(sklearn|pandas|scipy)\..*"),
]

# MyST: `$...$` math, definition lists, heading anchors for in-page links.
myst_enable_extensions = ["dollarmath", "deflist", "colon_fence", "substitution"]
myst_substitutions = {"release": release}
myst_heading_anchors = 3

# API reference: autosummary writes one page per public name; numpydoc renders the docstrings.
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": True, "member-order": "groupwise"}
autodoc_typehints = "none"  # the signatures and numpydoc sections say it
autodoc_docstring_signature = True  # Cython's embedsignature: the first docstring line
numpydoc_show_class_members = False  # the class template lists members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# The gallery: every module's examples/ folder, executed at build time.
sphinx_gallery_conf = {
    "examples_dirs": [f"{m}/examples" for m in MODULES if (DOCS / m / "examples").is_dir()],
    "gallery_dirs": [f"{m}/auto_examples" for m in MODULES if (DOCS / m / "examples").is_dir()],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = PACKAGE
html_theme_options = {
    "github_url": SOURCE_URL,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "auto"}
html_static_path: list[str] = []
html_show_sourcelink = False


# The Markdown files included from the repository root (README.md, TEMPLATE.md, RELEASING.md,
# benchmarks/RESULTS.md) link to each other and to repository files, as they should on GitHub.
# Here a link to an included file goes to its page, any other repository file to its source.
INCLUDED = {
    "README.md": "index",
    "TEMPLATE.md": "template",
    "RELEASING.md": "releasing",
    "benchmarks/RESULTS.md": "benchmarks",
}


def link_repository_files(app):
    """A post-transform, run just before MyST resolves its links (priority 9)."""
    from docutils import nodes
    from sphinx import addnodes
    from sphinx.transforms.post_transforms import SphinxPostTransform
    from sphinx.util.nodes import make_refnode

    class LinkRepositoryFiles(SphinxPostTransform):
        default_priority = 8

        def run(self, **kwargs):
            for node in list(self.document.findall(addnodes.pending_xref)):
                if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                    continue
                target = node["reftarget"].split("#")[0].removeprefix("./")
                if target in INCLUDED:
                    new = make_refnode(
                        app.builder, node["refdoc"], INCLUDED[target], "", node[0].deepcopy()
                    )
                elif target and (ROOT / target).exists():
                    new = nodes.reference(
                        "", "", internal=False, refuri=f"{SOURCE_URL}/blob/HEAD/{target}"
                    )
                    new += node[0].deepcopy()
                else:
                    continue
                node.replace_self(new)

    app.add_post_transform(LinkRepositoryFiles)


# Cython's embedsignature writes C types ("double q=0.5"); its "python" format would write
# "q: float = 0.5" but then leaves class signatures out (Cython 3.3). Show the Python spelling.
C_TYPES = {
    "double": "float",
    "float": "float",
    "long long": "int",
    "long": "int",
    "int": "int",
    "Py_ssize_t": "int",
    "size_t": "int",
    "bint": "bool",
    "str": "str",
}
C_ARGUMENT = re.compile(
    r"(?P<type>" + "|".join(sorted(map(re.escape, C_TYPES), key=len, reverse=True)) + r")\s+"
    r"(?P<name>\w+)(?:\s*=\s*(?P<default>[^,]+))?"
)


def python_spelling(app, what, name, obj, options, signature, return_annotation):
    if not signature:
        return None

    def spell(match: re.Match) -> str:
        text = f"{match['name']}: {C_TYPES[match['type']]}"
        return f"{text} = {match['default'].strip()}" if match["default"] else text

    return C_ARGUMENT.sub(spell, signature), return_annotation


def setup(app):
    link_repository_files(app)
    # Before numpydoc's handler: the first result of this event wins.
    app.connect("autodoc-process-signature", python_spelling, priority=100)

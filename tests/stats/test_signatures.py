"""Every statistic shows its constructor's real signature (help(), the API docs): Cython writes
``__init__``'s signature as the first line of the class docstring, and ``__init__`` must agree
with ``__cinit__``, which does the work, on every default."""

from __future__ import annotations

import ast
import re

import pytest
from stats_catalog import PUBLIC_CLASSES

from river_lite import stats

# Values for the parameters without a default.
REQUIRED = {"q": 0.3, "window_size": 5, "stat": stats.Mean}
ARGUMENT = re.compile(r"^(?:(?:double|bint|long long|long|int)\s+)?(\w+)(?:=(.+))?$")


def documented_parameters(cls) -> list[tuple[str, str | None]]:
    """The parameters of the signature the docstring starts with; none if it starts with
    text, as for the classes whose constructor takes no argument (no ``__init__`` to embed)."""
    first_line = cls.__doc__.splitlines()[0]
    match = re.fullmatch(rf"{cls.__name__}\((.*)\)", first_line)
    if match is None:
        assert "(" not in first_line.split()[0], first_line
        return []
    arguments = [a.strip() for a in match.group(1).split(",") if a.strip()]
    parsed = [ARGUMENT.match(a) for a in arguments if not a.startswith("**")]
    assert all(parsed), arguments
    return [(m.group(1), m.group(2)) for m in parsed]


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda c: c.__name__)
def test_the_docstring_signature_is_the_constructor(cls):
    parameters = documented_parameters(cls)
    required = {name: REQUIRED[name] for name, default in parameters if default is None}
    stat = cls(**required)  # the documented names are accepted as keywords
    for name, default in parameters:
        if default is not None and hasattr(stat, name):
            assert getattr(stat, name) == ast.literal_eval(default), (cls.__name__, name)
    with pytest.raises(TypeError):
        cls(**required, not_a_parameter=1)

"""The examples in the sampler's docstrings run and say what they print."""

from __future__ import annotations

import doctest
import inspect

import pytest

from river_lite import sampler
from river_lite.sampler import _diagnostics, model, numpy_reference, python_reference, result


def documented():
    """Every public function and class of the sampler with examples, and the modules."""
    objects = {"river_lite.sampler": sampler}
    for module in (sampler, model, result, numpy_reference, python_reference, _diagnostics):
        for name, value in vars(module).items():
            if name.startswith("_") or not (inspect.isclass(value) or callable(value)):
                continue
            objects[f"{module.__name__}.{name}"] = value
            if inspect.isclass(value):
                for attribute, member in vars(value).items():
                    # Class methods (SamplerResult.concat) are documented too.
                    if not attribute.startswith("_") and (
                        callable(member) or isinstance(member, classmethod)
                    ):
                        objects[f"{module.__name__}.{name}.{attribute}"] = member
    unique = {}
    for name, obj in objects.items():
        if ">>>" in (obj.__doc__ or "") and id(obj) not in {id(o) for o in unique.values()}:
            unique[name] = obj
    return unique


EXAMPLES = documented()


def test_the_sampler_has_examples():
    for name in (
        "ScaledTModel",
        "ScaledTModel.run",
        "SamplerResult",
        "SamplerResult.concat",
        "ess",
        "rhat",
        "autocovariance",
    ):
        assert any(key.endswith(name) for key in EXAMPLES), name


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_docstring_examples(name):
    obj = EXAMPLES[name]
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    test = parser.get_doctest(obj.__doc__, {}, name, None, 0)
    failures, _ = runner.run(test)
    assert failures == 0, f"{name}: {failures} example(s) failed (see the output above)"

"""Mutated pickled states, for the modules' ``test_state_mutations.py``: a few bytes or one
number of a state changed. Loading one must either refuse it with ValueError/TypeError, leaving
the object as it was, or give an object whose every method works or fails with a built-in
exception. A Rust panic (PyO3's PanicException is not an Exception) or an abort fails the test.
Such a mutation once loaded an SGD model that claimed averaging without its averaged weights,
and its next ``partial_fit`` panicked."""

from __future__ import annotations

import contextlib
import copy
import math
import random

MUTATIONS = 500
TOLERATED = (ValueError, TypeError, ArithmeticError)


def mutated_bytes(blob: bytes, rng: random.Random) -> bytes:
    data = bytearray(blob)
    for _ in range(rng.choice([1, 1, 2, 4])):
        i = rng.randrange(len(data))
        data[i] = rng.randrange(256) if rng.random() < 0.7 else data[i] ^ (1 << rng.randrange(8))
    return bytes(data)


def mutated_number(value, rng: random.Random):
    return rng.choice([math.nan, math.inf, -math.inf, -1, 0, 2**63, -value, value * 1e300, 1e-320])


def mutations(state, rng: random.Random):
    """States that differ from ``state`` in one bytes entry or one number."""
    entries = (
        list(state.items())
        if isinstance(state, dict)
        else list(enumerate(state))
        if isinstance(state, tuple)
        else [(None, state)]
    )
    targets = [
        (key, value)
        for key, value in entries
        if isinstance(value, (bytes, int, float)) and not isinstance(value, bool)
    ]
    for _ in range(MUTATIONS):
        key, value = rng.choice(targets)
        new = mutated_bytes(value, rng) if isinstance(value, bytes) else mutated_number(value, rng)
        if key is None:
            yield new
        elif isinstance(state, dict):
            yield {**state, key: new}
        else:
            yield tuple(new if i == key else v for i, v in enumerate(state))


def accepted_mutations(original, state, rng: random.Random, unchanged):
    """Loads each mutation of ``state`` into a copy of ``original`` and yields the copies that
    accept theirs; a refusal must be a ValueError/TypeError that passes ``unchanged(copy)``."""
    for bad in mutations(state, rng):
        target = copy.deepcopy(original)
        try:
            target.__setstate__(bad)
        except (ValueError, TypeError):
            unchanged(target)
            continue
        yield target


def call_all(target, *calls) -> None:
    """Runs every ``call(target)``; each may fail with a built-in exception, and only with one."""
    for call in calls:
        with contextlib.suppress(TOLERATED):
            call(target)

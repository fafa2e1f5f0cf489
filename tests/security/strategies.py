"""Hypothesis strategies for hostile input: JSON of any shape, text of any kind, and real
captured payloads with parts of them replaced (so the parser behind the first checks is
reached, not only its front door).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from tests.security.hostile import HOSTILE

SHORT_HOSTILE = [text for text in HOSTILE.values() if len(text) < 2000]

# Text: anything Unicode (lone surrogates too, as JSON can carry them), and the hostile table.
any_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30),
    st.sampled_from(SHORT_HOSTILE),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "²", "١٢٣", "\x00", "\ud800", "null"]),
)
numbers = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, 10**40, -(10**40)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_scalars = st.one_of(st.none(), st.booleans(), numbers, any_text)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(any_text, children, max_size=4),
    ),
    max_leaves=12,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += _paths(value, (*prefix, index))
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn, doc: Any, *, max_changes: int = 3) -> Any:
    """`doc` with 0..max_changes parts replaced by any JSON value, or removed."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(0, max_changes))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        # Replacing the whole document is allowed but rare: most changes are deep inside.
        if not path and draw(st.integers(0, 9)):
            continue
        doc = _set(doc, path, draw(json_values), draw(st.booleans()))
    return doc


def dumps(doc: Any) -> bytes:
    """JSON bytes as a sender would write them (lone surrogates escaped, NaN allowed)."""
    return json.dumps(doc).encode()


# Bytes that are almost JSON, almost a form, or nothing at all.
garbage = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[]",
            b"null",
            b'"x"',
            b"\xff\xfe{}",
            b"payload=",
            b"payload=%7B",
            b"payload=null",
            b"payload=%5B%5D",
            b"payload=%7B%22type%22%3A%22block_actions%22%7D",
            b"command=/horch&text=",
            b"a=1&a=2&a=3",
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b"%" * 100,
            "ü=ö&text=\u202e".encode(),
        ]
    ),
)

r"""Docs-build helper: show docstring ``>>>`` examples as code in the API reference.

custtier's docstrings hold doctest examples (they run as tests). Markdown would
read a ``>>>`` line as a nested block quote, so this griffe extension wraps each
run of example lines in a fenced ``pycon`` block before mkdocstrings renders it.
Only the rendered page changes; the source docstrings stay plain doctest.

>>> fence_examples("Split.\n\n>>> 1 + 1\n2\n\nDone.").splitlines()
['Split.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_examples(text: str) -> str:
    """Wrap every run of lines that starts with ``>>>`` (up to a blank line) in a fence."""
    out: list[str] = []
    in_example = False
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```") and not in_example:
            in_fence = not in_fence
        elif not in_fence and not in_example and stripped.startswith(">>>"):
            out.append("```pycon")
            in_example = True
        elif in_example and not stripped:
            out.append("```")
            in_example = False
        out.append(line)
    if in_example:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence doctest examples in every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_examples(obj.docstring.value)

"""Which Markdown lines are fenced code (`ingest.markdown_syntax.code_lines`), as CommonMark
reads them: the loaders' passes and the chunker leave code alone by it."""

from __future__ import annotations

import pytest

from ingest.markdown_syntax import code_lines


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (["text", "```python", "x = 1", "```", "text"], [False, True, True, True, False]),
        # a list item opening with a fence, its code indented under it (pip's configuration)
        (["- ```", "  PIP_X=1", "  ```", "", "## Next"], [True, True, True, False, False]),
        (["1. ~~~sh", "   ls", "   ~~~", "after"], [True, True, True, False]),
        # backticks after three are a code span on the line, not a fence
        (["```x``` is code", "## Heading", "- ```y``` too"], [False, False, False]),
        (["~~~", "a ``` inside", "~~~", "b"], [True, True, True, False]),
    ],
)
def test_fenced_code_lines(lines: list[str], code: list[bool]) -> None:
    assert code_lines(lines) == code

"""Page furniture: lines that are navigation, footers or site chrome rather than content.

Loaders drop furniture by structure (HTML landmarks, repeated PDF headers); this is the last
check before chunks are stored: a chunk made only of such lines is not content.
"""

from __future__ import annotations

import re

_FURNITURE = re.compile(
    r"""^(?:[-*•]\s+)?(?:
        table\ of\ contents|contents|navigation|quick\ search|search|go|
        next(?:\ topic|\ page)?|previous(?:\ topic|\ page)?|prev|up|home|top|
        back\ to\ top|skip\ to\ (?:main\ )?content|this\ page|show\ source|view\ source|
        edit\ (?:on\ github|this\ page)|report\ a\ bug|improve\ this\ page|
        on\ this\ page|in\ this\ article|related\ topics|index|modules|
        theme|auto|light|dark|menu|toggle\ navigation|
        created\ using\ sphinx.*|built\ with\ mkdocs.*|generated\ by\ .*|
        last\ (?:updated|modified)(?:\ on)?\b.*|
        (?:copyright\ )?(?:©|\(c\)|copyright)\s.*|all\ rights\ reserved\.?|
        page\ \d+(?:\ of\ \d+)?|\d+\ ?/\ ?\d+|
        [|»«›‹·•\s]+
    )\s*[|:»›]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_furniture_line(line: str) -> bool:
    return bool(_FURNITURE.match(line.strip()))


def is_furniture(text: str) -> bool:
    """True when every non-empty line of `text` is page furniture."""
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(is_furniture_line(line) for line in lines)


def furniture_share(text: str) -> float:
    """Share of the non-empty lines of `text` that are page furniture."""
    lines = [line for line in text.split("\n") if line.strip()]
    return sum(is_furniture_line(line) for line in lines) / len(lines) if lines else 0.0

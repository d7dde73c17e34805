"""Text a browser would not show: removed before extraction, and reported.

Hidden text is a known carrier of prompt injection (a page says one thing to the reader and
another to the model), so it never reaches the index. What counts as hidden: the `hidden`
attribute, inline or `<style>` rules (simple `.class`, `#id` and `tag` selectors) with
`display:none`, `visibility:hidden`, a zero or tiny font size, zero opacity, text pushed far off
screen, and text whose colour is the background's (white on white included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")
_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?(?:([.#])([\w-]+))?$", re.IGNORECASE)
_SIZE = re.compile(r"^(\d*\.?\d+)(px|pt|em|rem|%|vw|vh)?$")
# Font sizes no one can read: at most 1 px or pt, a tenth of an em, 10 %.
_TINY = {"px": 1.0, "pt": 1.0, "em": 0.1, "rem": 0.1, "%": 10.0, "vw": 0.1, "vh": 0.1, "": 0.0}
_OFF_SCREEN = re.compile(r"^-\d{4,}(\.\d+)?(px|pt|em|rem)?$")
_WHITES = frozenset(["white", "#fff", "#ffffff", "rgb(255,255,255)", "rgba(255,255,255,1)"])
_EXCERPT_CHARS = 60


@dataclass(slots=True)
class HiddenText:
    """What was removed: counts per reason and the first words of it."""

    reasons: dict[str, int] = field(default_factory=dict)
    chars: int = 0
    excerpt: str = ""

    def add(self, reason: str, text: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        self.chars += len(text)
        if not self.excerpt:
            self.excerpt = text[:_EXCERPT_CHARS] + ("…" if len(text) > _EXCERPT_CHARS else "")

    def warning(self) -> str | None:
        """One line for the ingest report, or None when nothing readable was hidden."""
        if not self.chars:
            return None
        how = ", ".join(f"{reason} ×{count}" for reason, count in sorted(self.reasons.items()))
        return f"hidden text dropped ({self.chars} characters; {how}): {self.excerpt!r}"


def remove_hidden(root: HtmlElement) -> HiddenText:
    """Remove every element a browser would not show; returns what held readable text."""
    found = HiddenText()
    rules = _style_rules(root)
    doomed: list[tuple[HtmlElement, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        reason = _hidden_reason(element, rules)
        if reason is not None:
            doomed.append((element, reason))
    removed: set[int] = set()
    for element, reason in doomed:
        if any(id(a) in removed for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if text:
            found.add(reason, text)
        removed.add(id(element))
        element.drop_tree()
    return found


def _hidden_reason(element: HtmlElement, rules: dict[str, dict[str, str]]) -> str | None:
    if element.get("hidden") is not None:
        return "hidden attribute"
    if element.tag == "input" and (element.get("type") or "").lower() == "hidden":
        return None
    style = _declarations(_matching(element, rules))
    style.update(_parse(element.get("style") or ""))
    if not style:
        return _same_colour(element, rules, {})
    display = style.get("display", "")
    if display == "none":
        return "display:none"
    if style.get("visibility", "") in ("hidden", "collapse"):
        return "visibility:hidden"
    if _tiny(style.get("font-size", "")):
        return "tiny font size"
    if style.get("opacity", "1").strip() in ("0", "0.0", ".0", "0%"):
        return "zero opacity"
    for side in ("left", "top", "text-indent", "margin-left"):
        if _OFF_SCREEN.match(style.get(side, "")):
            return "off screen"
    return _same_colour(element, rules, style)


def _tiny(size: str) -> bool:
    match = _SIZE.match(size.replace(" ", ""))
    return match is not None and float(match.group(1)) <= _TINY[match.group(2) or ""]


def _same_colour(
    element: HtmlElement, rules: dict[str, dict[str, str]], style: dict[str, str]
) -> str | None:
    """'text colour = background' when the element's colour matches the nearest background."""
    colour = _colour(style.get("color", ""))
    if not colour:
        return None
    background = _colour(style.get("background-color", "") or style.get("background", ""))
    for ancestor in element.iterancestors():
        if background:
            break
        theirs = _declarations(_matching(ancestor, rules))
        theirs.update(_parse(ancestor.get("style") or ""))
        background = _colour(theirs.get("background-color", "") or theirs.get("background", ""))
        if not background and ancestor.get("bgcolor"):
            background = _colour(ancestor.get("bgcolor") or "")
    if colour == (background or "white"):
        return "text colour = background"
    return None


def _colour(value: str) -> str:
    value = value.replace(" ", "").lower().removesuffix("!important")
    if value in _WHITES:
        return "white"
    return value.split(",url(")[0] if value and not value.startswith(("url(", "none")) else ""


def _parse(style: str) -> dict[str, str]:
    return {
        name.lower(): value.strip().lower().removesuffix("!important").strip()
        for name, value in _DECLARATION.findall(style)
    }


def _style_rules(root: HtmlElement) -> dict[str, dict[str, str]]:
    """Declarations of `<style>` rules with one simple selector, keyed by that selector."""
    rules: dict[str, dict[str, str]] = {}
    for style in root.iter("style"):
        css = re.sub(r"/\*.*?\*/", "", style.text or "", flags=re.DOTALL)
        css = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)[^{}]*\}", "", css)
        for selectors, body in _RULE.findall(css):
            declarations = _parse(body)
            for selector in selectors.split(","):
                key = selector.strip().lower()
                if _SIMPLE_SELECTOR.match(key):
                    rules.setdefault(key, {}).update(declarations)
    return rules


def _matching(element: HtmlElement, rules: dict[str, dict[str, str]]) -> Iterable[dict[str, str]]:
    if not rules:
        return
    tag = str(element.tag).lower()
    keys = [tag]
    for name in (element.get("class") or "").split():
        keys += [f".{name.lower()}", f"{tag}.{name.lower()}"]
    if element.get("id"):
        ident = element.get("id", "").lower()
        keys += [f"#{ident}", f"{tag}#{ident}"]
    for key in keys:
        if key in rules:
            yield rules[key]


def _declarations(found: Iterable[dict[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for declarations in found:
        merged.update(declarations)
    return merged

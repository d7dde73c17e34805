"""Exact answers to arithmetic, percentage and unit questions, without a model and without eval.

The question must be *only* a calculation ("What is 17% of 2350?", "what's 2+2",
"convert 5 km to miles", "how many MiB in 3 GiB"); anything else returns None, so a question
that merely contains numbers ("What did the 2019 report say about Q3?") goes to retrieval.
Precision matters more than recall here: a wrong exact-looking answer is worse than none.

Arithmetic is parsed with `ast` and evaluated over a whitelist (numbers, + - * / // % **,
parentheses, unary signs, sqrt and abs) in `Decimal`, so 0.1 + 0.2 is 0.3. Limits on the
question length, number length, tree size, nesting, exponent and result size make
"9**9**9**9" a quick refusal.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import (
    ROUND_FLOOR,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

_MAX_QUESTION_CHARS = 200
_MAX_LITERAL_CHARS = 30
_MAX_NODES = 60
_MAX_NESTING = 10
_MAX_EXPONENT = 10_000
_SHOWN_DECIMALS = Decimal("1e-12")
_CONTEXT = Context(prec=40, Emax=1000, Emin=-1000, traps=[InvalidOperation, Overflow])
_CONTEXT.traps[DivisionByZero] = True

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_PERCENT = r"\s*(?:%|percent|per\s+cent)"
_LEAD_IN = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|please|quick\s+question)[,:!]?\s+)*"
    r"(?:(?:can|could|would)\s+you\s+(?:please\s+)?(?:tell\s+me|calculate|compute|work\s+out)\s+"
    r"|what\s+(?:is|are|'s|s)\s+|what's\s+|whats\s+|calculate\s+|compute\s+|evaluate\s+"
    r"|work\s+out\s+|how\s+much\s+is\s+|solve\s+)?(?:the\s+)?"
)
_TRAILER = re.compile(r"\s*(?:,?\s*please)?\s*[?.!=]*\s*$")

_PERCENT_OF = re.compile(rf"^(?P<p>{_NUM}){_PERCENT}\s+of\s+(?P<cur>[$€£])?(?P<x>{_NUM})$")
_PERCENT_OFF = re.compile(
    rf"^(?P<p>{_NUM}){_PERCENT}\s+off\s+(?:of\s+)?(?P<cur>[$€£])?(?P<x>{_NUM})$"
)
_CHANGE_BY = re.compile(
    rf"^(?P<verb>increase|raise|decrease|reduce|lower|cut)\s+(?P<cur>[$€£])?(?P<x>{_NUM})"
    rf"\s+by\s+(?P<p>{_NUM}){_PERCENT}$"
)
_PLUS_PERCENT = re.compile(
    rf"^(?P<cur>[$€£])?(?P<x>{_NUM})\s*(?P<verb>\+|-|plus|minus)\s*(?P<p>{_NUM}){_PERCENT}$"
)
_WHAT_PERCENT = re.compile(
    rf"^(?P<y>{_NUM})\s+(?:is\s+what\s+(?:percent|percentage|%)|as\s+a\s+(?:percent|percentage))"
    rf"\s+of\s+(?P<x>{_NUM})$"
    rf"|^what\s+(?:percent|percentage)\s+of\s+(?P<x2>{_NUM})\s+is\s+(?P<y2>{_NUM})$"
)

_WORD_OPERATORS = (
    (re.compile(r"\bsquare\s+root\s+of\s+(\d+(?:\.\d+)?)"), r"sqrt(\1)"),
    (re.compile(r"\s+multiplied\s+by\s+|\s+times\s+|(?<=\d)\s*[x×]\s*(?=[\d(.])"), " * "),
    (re.compile(r"\s+divided\s+by\s+|÷"), " / "),
    (re.compile(r"\s+plus\s+"), " + "),
    (re.compile(r"\s+minus\s+"), " - "),
    (re.compile(r"\s+mod(?:ulo)?\s+"), " % "),
    (re.compile(r"\s+squared\b"), " ** 2"),
    (re.compile(r"\s+cubed\b"), " ** 3"),
    (re.compile(r"\^"), " ** "),
)
_THOUSANDS = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_PERCENT_LITERAL = re.compile(r"(\d+(?:\.\d+)?)\s*%(?!\s*[\d(.])")
_PERCENT_ADDED = re.compile(r"[\d)]\s*[+-]\s*\d+(?:\.\d+)?\s*%(?!\s*[\d(.])")
_ALLOWED = re.compile(r"^(?:[\d\s.+\-*/%()]|sqrt|abs)+$")
_DATE_OR_PHONE = re.compile(r"^\d{1,4}(?:[/-]\d{1,4}){2,}$")
# A calculation has an operation; "100%" or "-5" alone is a value, not a question.
_OPERATION = re.compile(r"[\d)]\s*(?:\*\*|//|[-+*/%])\s*[\d(.+-]|sqrt|abs")
# Fractions that name things: "What is 24/7?" asks about the phrase, not the quotient.
_IDIOMS = frozenset({"24/7", "9/11", "7/11", "50/50", "80/20", "20/20", "4/20", "9/5"})

# unit name -> (dimension, symbol, size in the dimension's base unit); temperatures are scales.
_UNIT_TABLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("length", "m", "1", ("m", "metre", "metres", "meter", "meters")),
    ("length", "km", "1000", ("km", "kilometre", "kilometres", "kilometer", "kilometers")),
    ("length", "cm", "0.01", ("cm", "centimetre", "centimetres", "centimeter", "centimeters")),
    ("length", "mm", "0.001", ("mm", "millimetre", "millimetres", "millimeter", "millimeters")),
    ("length", "mi", "1609.344", ("mi", "mile", "miles")),
    ("length", "yd", "0.9144", ("yd", "yard", "yards")),
    ("length", "ft", "0.3048", ("ft", "foot", "feet")),
    ("length", "in", "0.0254", ("in", "inch", "inches")),
    ("mass", "kg", "1000", ("kg", "kilogram", "kilograms", "kilo", "kilos")),
    ("mass", "g", "1", ("g", "gram", "grams", "gramme", "grammes")),
    ("mass", "mg", "0.001", ("mg", "milligram", "milligrams")),
    ("mass", "t", "1000000", ("tonne", "tonnes")),
    ("mass", "lb", "453.59237", ("lb", "lbs", "pound", "pounds")),
    ("mass", "oz", "28.349523125", ("oz", "ounce", "ounces")),
    ("data", "B", "1", ("byte", "bytes")),
    ("data", "KB", "1e3", ("kb", "kilobyte", "kilobytes")),
    ("data", "MB", "1e6", ("mb", "megabyte", "megabytes")),
    ("data", "GB", "1e9", ("gb", "gigabyte", "gigabytes")),
    ("data", "TB", "1e12", ("tb", "terabyte", "terabytes")),
    ("data", "KiB", "1024", ("kib", "kibibyte", "kibibytes")),
    ("data", "MiB", "1048576", ("mib", "mebibyte", "mebibytes")),
    ("data", "GiB", "1073741824", ("gib", "gibibyte", "gibibytes")),
    ("data", "TiB", "1099511627776", ("tib", "tebibyte", "tebibytes")),
    ("time", "ms", "0.001", ("ms", "millisecond", "milliseconds")),
    ("time", "s", "1", ("s", "sec", "secs", "second", "seconds")),
    ("time", "min", "60", ("min", "mins", "minute", "minutes")),
    ("time", "h", "3600", ("h", "hr", "hrs", "hour", "hours")),
    ("time", "d", "86400", ("day", "days")),
    ("time", "wk", "604800", ("week", "weeks")),
    ("temperature", "°C", "0", ("c", "celsius", "centigrade")),
    ("temperature", "°F", "0", ("f", "fahrenheit")),
    ("temperature", "K", "0", ("k", "kelvin", "kelvins")),
)
_UNITS = {
    name: (dimension, symbol, Decimal(size))
    for dimension, symbol, size, names in _UNIT_TABLE
    for name in names
}
_UNIT = "|".join(sorted((re.escape(name) for name in _UNITS), key=len, reverse=True))
_CONVERT = re.compile(
    rf"^(?:convert\s+)?(?P<n>-?{_NUM})\s*(?P<a>{_UNIT})\s+(?:to|in|into|as)\s+(?P<b>{_UNIT})$"
)
_HOW_MANY = re.compile(
    rf"^how\s+many\s+(?P<b>{_UNIT})\s+(?:are\s+|is\s+)?(?:there\s+)?in\s+"
    rf"(?P<n>{_NUM}|an?|one)\s*(?P<a>{_UNIT})$"
)
_DEGREES = re.compile(r"°\s*|\bdeg(?:ree)?s?\s+")

_BINARY: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: lambda a, b: (a / b).to_integral_value(rounding=ROUND_FLOOR),
    ast.Mod: lambda a, b: a - b * (a / b).to_integral_value(rounding=ROUND_FLOOR),
}
_FUNCTIONS: dict[str, Callable[[Decimal], Decimal]] = {"sqrt": Decimal.sqrt, "abs": abs}


@dataclass(frozen=True, slots=True)
class Calculation:
    expression: str  # what was computed, normalised: "17 / 100 * 2350", "5 km -> mi"
    result: Decimal
    text: str  # the one-line answer: "17% of 2350 = 399.5"


class _Refused(Exception):
    """The expression is outside the whitelist or its limits."""


def try_calculate(question: str) -> Calculation | None:
    """The exact answer if `question` is only a calculation or unit conversion, else None."""
    if len(question) > _MAX_QUESTION_CHARS:
        return None
    text = question.strip().lower().replace("’", "'")
    text = _TRAILER.sub("", _LEAD_IN.sub("", text, count=1))
    if not any(char.isdigit() for char in text) and not text.startswith("how many "):
        return None
    for solver in (_percentages, _convert_units, _arithmetic):
        try:
            with localcontext(_CONTEXT):
                answer = solver(text)
        except (_Refused, ArithmeticError, ValueError):
            return None
        if answer is not None:
            return answer
    return None


def format_number(value: Decimal) -> tuple[str, bool]:
    """`value` as a person writes it, and whether that text is exact (else it was rounded)."""
    if value == value.to_integral_value() and abs(value) < Decimal("1e30"):
        return str(int(value)), True
    if abs(value) >= Decimal("1e15") or abs(value) < Decimal("1e-6"):
        mantissa, exponent = f"{value:.12e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        scientific = f"{mantissa}e{int(exponent)}"
        return scientific, Decimal(scientific) == value
    rounded = value.quantize(_SHOWN_DECIMALS).normalize()
    return f"{rounded:f}", rounded == value


def _percentages(text: str) -> Calculation | None:
    if match := _PERCENT_OF.match(text) or _PERCENT_OFF.match(text):
        percent, base = _number(match["p"]), _number(match["x"])
        off = match.re is _PERCENT_OFF
        result = base * (100 - percent) / 100 if off else percent * base / 100
        expression = f"{base} * (1 - {percent} / 100)" if off else f"{percent} / 100 * {base}"
        words = "off" if off else "of"
        currency = match["cur"] or ""
        label = f"{percent}% {words} {currency}{base}"
        return _answer(expression, result, label, currency=currency)
    if match := _CHANGE_BY.match(text) or _PLUS_PERCENT.match(text):
        percent, base = _number(match["p"]), _number(match["x"])
        sign = -1 if match["verb"] in ("decrease", "reduce", "lower", "cut", "-", "minus") else 1
        result = base * (100 + sign * percent) / 100
        symbol = "-" if sign < 0 else "+"
        expression = f"{base} * (1 {symbol} {percent} / 100)"
        currency = match["cur"] or ""
        label = f"{currency}{base} {symbol} {percent}%"
        return _answer(expression, result, label, currency=currency)
    if match := _WHAT_PERCENT.match(text):
        part, whole = _number(match["y"] or match["y2"]), _number(match["x"] or match["x2"])
        result = part / whole * 100
        label = f"{part} as a percentage of {whole}"
        shown, exact = format_number(result)
        return Calculation(
            f"{part} / {whole} * 100", result, f"{label} {'=' if exact else '≈'} {shown}%"
        )
    return None


def _convert_units(text: str) -> Calculation | None:
    text = _DEGREES.sub("", text)
    match = _CONVERT.match(text) or _HOW_MANY.match(text)
    if match is None:
        return None
    (dimension, source, size), (target_dimension, target, target_size) = (
        _UNITS[match["a"]],
        _UNITS[match["b"]],
    )
    if dimension != target_dimension:
        return None
    amount = Decimal(1) if match["n"] in ("a", "an", "one") else _number(match["n"])
    if dimension == "temperature":
        result = _from_kelvin(_to_kelvin(amount, source), target)
    else:
        result = amount * size / target_size
    return _answer(f"{amount} {source} -> {target}", result, f"{amount} {source}", unit=target)


def _to_kelvin(value: Decimal, scale: str) -> Decimal:
    if scale == "°C":
        return value + Decimal("273.15")
    if scale == "°F":
        return (value - 32) * 5 / 9 + Decimal("273.15")
    return value


def _from_kelvin(value: Decimal, scale: str) -> Decimal:
    if scale == "°C":
        return value - Decimal("273.15")
    if scale == "°F":
        return (value - Decimal("273.15")) * 9 / 5 + 32
    return value


def _arithmetic(text: str) -> Calculation | None:
    expression = text
    for pattern, replacement in _WORD_OPERATORS:
        expression = pattern.sub(replacement, expression)
    expression = _THOUSANDS.sub(lambda m: m.group().replace(",", ""), expression).strip()
    if _DATE_OR_PHONE.match(expression) or _PERCENT_ADDED.search(expression):
        return None
    if expression in _IDIOMS or not _OPERATION.search(_PERCENT_LITERAL.sub(r"\1", expression)):
        return None
    if _nesting(expression) > _MAX_NESTING:
        raise _Refused("too deeply nested")
    expression = _PERCENT_LITERAL.sub(r"(\1 / 100)", expression)
    if not _ALLOWED.match(expression):
        return None
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return None
    if sum(1 for _node in ast.walk(tree)) > _MAX_NODES:
        return None
    result = _evaluate(tree.body, expression)
    normalised = ast.unparse(tree)
    return _answer(normalised, result, normalised)


def _evaluate(node: ast.expr, source: str) -> Decimal:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        literal = ast.get_source_segment(source, node) or ""
        if len(literal) > _MAX_LITERAL_CHARS or not re.fullmatch(r"\d*\.?\d+|\d+\.", literal):
            raise _Refused(literal)
        return Decimal(literal)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand, source)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base, exponent = _evaluate(node.left, source), _evaluate(node.right, source)
        if abs(exponent) > _MAX_EXPONENT:
            raise _Refused("exponent too large")
        return base**exponent
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, source), _evaluate(node.right, source)
        return _BINARY[type(node.op)](left, right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and len(node.args) == 1
        and not node.keywords
    ):
        return _FUNCTIONS[node.func.id](_evaluate(node.args[0], source))
    raise _Refused(type(node).__name__)


def _nesting(expression: str) -> int:
    deepest = depth = 0
    for char in expression:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


def _answer(
    expression: str, result: Decimal, label: str, *, unit: str = "", currency: str = ""
) -> Calculation:
    shown, exact = format_number(result)
    suffix = f" {unit}" if unit else ""
    text = f"{label} {'=' if exact else '≈'} {currency}{shown}{suffix}"
    return Calculation(expression, result, text)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))

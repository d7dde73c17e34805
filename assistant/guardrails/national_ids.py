"""National identity and social-security numbers, checked by `python-stdnum`.

Each scheme has the shape it is written in and the validator of `python-stdnum` (check digits,
embedded dates, issuing rules). Schemes whose check lets through about one random number in
ten or more (a Dutch BSN passes 1 in 11, an Aadhaar 1 in 10) are kept only when the scheme is
named shortly before the number ("BSN: 111222333"), because nine or twelve digits alone are as
often an order number or a row of years.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from assistant.guardrails.spans import Span

_CONTEXT_CHARS = 60
# Every number of these schemes but the Italian one holds a run of six or more digits
# (separators allowed), starting at most two characters after the number does and ending
# at most two before; the schemes are tried only around such runs, which is much faster
# than scanning all text once per scheme.
_DIGIT_RUN = re.compile(r"\d(?:[ .+-]?\d){5,}")
_AROUND = 4


@dataclass(frozen=True, slots=True)
class _Scheme:
    validator: str  # a python-stdnum module, e.g. "fr.nir"
    shape: re.Pattern[str]
    named_as: re.Pattern[str] | None = None  # must appear just before the number
    kind: str = "national_id"


def _scheme(
    validator: str, shape: str, named_as: str | None = None, kind: str = "national_id"
) -> _Scheme:
    named = re.compile(rf"\b(?:{named_as})\b", re.IGNORECASE) if named_as else None
    return _Scheme(validator, re.compile(rf"(?<![\w.-]){shape}(?![\w-]|\.\d)"), named, kind)


_OMOCODE = "[0-9LMNPQRSTUV]"  # Italian codes replace digits by letters when two collide
_NIR = r"[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}"
# What a weakly checked number must be called just before it.
_STEUER_ID = "steuer-?id|steueridentifikationsnummer|idnr|identifikationsnummer|tax id|tin"
_BSN = "bsn|burgerservicenummer|sofinummer|citizen service number"
_SIN = "social insurance number|numéro d'assurance sociale"
_SCHEMES = (
    _scheme("us.ssn", r"\d{3}([- ])\d{2}\1\d{4}", kind="ssn"),
    _scheme("fr.nir", _NIR),
    _scheme("es.dni", r"\d{8}[- ]?[A-Z]"),
    _scheme("es.nie", r"[XYZ][- ]?\d{7}[- ]?[A-Z]"),
    _scheme("de.idnr", r"[1-9]\d ?\d{3} ?\d{3} ?\d{3}", _STEUER_ID),
    _scheme("nl.bsn", r"\d{4}\.?\d{2}\.?\d{3}", _BSN),
    _scheme("in_.aadhaar", r"[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}", "aadhaa?r|uidai"),
    _scheme("ch.ssn", r"756\.?\d{4}\.?\d{4}\.?\d{2}"),
    _scheme("be.nn", r"\d{2}\.\d{2}\.\d{2}[- ]\d{3}\.\d{2}"),
    _scheme("se.personnummer", r"(?:19|20)?\d{6}[-+]\d{4}"),
    _scheme("fi.hetu", r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]"),
    _scheme("no.fodselsnummer", r"\d{6} ?\d{5}", "fødselsnummer|fodselsnummer|personnummer"),
    _scheme("dk.cpr", r"\d{6}-?\d{4}", "cpr|cpr-nummer|personnummer"),
    _scheme("pl.pesel", r"\d{11}", "pesel"),
    _scheme("br.cpf", r"\d{3}\.\d{3}\.\d{3}-\d{2}"),
    _scheme("ca.sin", r"\d{3}[- ]?\d{3}[- ]?\d{3}", _SIN),
    _scheme("ie.pps", r"\d{7}[A-W][A-IW]?"),
    _scheme("gb.nhs", r"\d{3}[- ]?\d{3}[- ]?\d{4}", "nhs|nhs number"),
)  # fmt: skip


_CODICE_FISCALE = _scheme(
    "it.codicefiscale",
    rf"[A-Za-z]{{6}}{_OMOCODE}{{2}}[A-Za-z]{_OMOCODE}{{2}}[A-Za-z]{_OMOCODE}{{3}}[A-Za-z]",
)


def find_national_ids(text: str) -> Iterator[Span]:
    """Numbers of the schemes above that pass their scheme's validation."""
    found: set[tuple[int, int]] = set()
    for run in _DIGIT_RUN.finditer(text):
        start, end = max(0, run.start() - _AROUND), min(len(text), run.end() + _AROUND)
        for scheme in _SCHEMES:
            for match in scheme.shape.finditer(text, start, end):
                if match.span() not in found and _holds(scheme, text, match):
                    found.add(match.span())
                    yield Span(match.start(), match.end(), scheme.kind)
    for match in _CODICE_FISCALE.shape.finditer(text):
        if _holds(_CODICE_FISCALE, text, match):
            yield Span(match.start(), match.end(), _CODICE_FISCALE.kind)


def _holds(scheme: _Scheme, text: str, match: re.Match[str]) -> bool:
    """Named just before, when the scheme needs it, and valid."""
    if scheme.named_as is not None and not scheme.named_as.search(
        text, max(0, match.start() - _CONTEXT_CHARS), match.start()
    ):
        return False
    return _validator(scheme.validator)(match.group())


@cache
def _validator(name: str) -> Callable[[str], bool]:
    """`is_valid` of the python-stdnum module, imported on first use."""
    module = importlib.import_module(f"stdnum.{name}")
    check: Callable[[str], bool] = module.is_valid
    return check

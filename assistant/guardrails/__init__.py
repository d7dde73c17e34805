"""Guardrails of the ask pipeline: pure functions over text, each tested on its own.

Input: `check_input`. Retrieved text: `scan_injection`, `neutralise`, `Redactor`, put
together per question by `context.guard_context` (what may reach which model, masked how).
Model output: `restore.StreamRestorer` (masked placeholders put back as the answer streams),
`check_citations`, `support.check_support` (each sentence against the sources, split by
`sentences.split_sentences`). `events` turns findings into `GuardrailEvent`s.
"""

from assistant.guardrails.citations import CitationCheck, check_citations
from assistant.guardrails.injection import InjectionFinding, neutralise, scan_injection
from assistant.guardrails.input_check import InputCheck, check_input
from assistant.guardrails.pii import Redaction, Redactor

__all__ = [
    "CitationCheck",
    "InjectionFinding",
    "InputCheck",
    "Redaction",
    "Redactor",
    "check_citations",
    "check_input",
    "neutralise",
    "scan_injection",
]

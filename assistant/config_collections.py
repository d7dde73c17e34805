"""Collection policies: the `[collections.NAME]` tables of config.toml.

A policy says which model profiles may receive a collection's text (`models`, default all;
`local_only = true` is shorthand for the local profiles only), whether answers drawing on it
are verbatim quotes only (`answer = "quote"`), and whether its text is masked before it
leaves (`redact`, overriding `[privacy] redact_for_remote`). The rule itself is applied in
one place, `assistant.guardrails.withholding`. Profiles may carry a `region` label, shown
with their name wherever a profile is named (`profile_label`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from assistant.errors import ConfigError

AnswerPolicy = Literal["generate", "quote"]
ANSWER_POLICIES: tuple[AnswerPolicy, ...] = ("generate", "quote")
POLICY_KEYS = ("answer", "local_only", "models", "redact")


@dataclass(frozen=True, slots=True)
class CollectionPolicy:
    name: str
    models: tuple[str, ...] | None = None  # the profiles allowed; None: every profile
    local_only: bool = False  # only profiles that run on this machine
    answer: AnswerPolicy = "generate"
    redact: bool | None = None  # None: [privacy] redact_for_remote decides

    @property
    def is_default(self) -> bool:
        return self == CollectionPolicy(self.name)

    def refusal(self, profile: str, remote: bool) -> str | None:
        """Why a model of profile `profile` may not receive this collection's text, written
        as the rule that says so, or None when it may."""
        if self.local_only and remote:
            return f"[collections.{self.name}] local_only = true"
        if self.models is not None and profile not in self.models:
            return f"[collections.{self.name}] models = {list(self.models)!r}"
        return None

    def describe(self) -> str:
        """The policy in one line, for listings: 'models: eu; answer: quote; redact: on'."""
        if self.models is not None:
            models = ", ".join(self.models) or "none"
        else:
            models = "local only" if self.local_only else "all"
        if self.local_only and self.models is not None:
            models += " (local only)"
        parts = [f"models: {models}", f"answer: {self.answer}"]
        if self.redact is not None:
            parts.append(f"redact: {'on' if self.redact else 'off'}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.name,
            "models": None if self.models is None else list(self.models),
            "local_only": self.local_only,
            "answer": self.answer,
            "redact": self.redact,
        }

    def to_table(self) -> dict[str, Any]:
        """The keys that differ from the defaults, as config.toml holds them."""
        table: dict[str, Any] = {}
        if self.models is not None:
            table["models"] = list(self.models)
        if self.local_only:
            table["local_only"] = True
        if self.answer != "generate":
            table["answer"] = self.answer
        if self.redact is not None:
            table["redact"] = self.redact
        return table


def profile_label(name: str, region: str) -> str:
    """A profile's name as shown to a person, with its region when one is set:
    'eu (region eu)'."""
    return f"{name} (region {region})" if region else name


def policy_of(policies: Mapping[str, CollectionPolicy], collection: str) -> CollectionPolicy:
    """The policy of `collection`: its table, or the defaults (every profile, generate)."""
    return policies.get(collection) or CollectionPolicy(collection)


def build_policy(
    name: str,
    table: Any,
    profiles: Collection[str],
    where: Callable[[str | None], str],
) -> CollectionPolicy:
    """The policy of a `[collections.NAME]` table; `where(key)` names the file and line.
    Every profile named in `models` must exist in `profiles`."""
    section = f"collections.{name}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where(None)}: [{section}] must be a table")
    for key in table:
        if key not in POLICY_KEYS:
            raise ConfigError(
                f"{where(key)}: unknown key {key!r} in [{section}]; "
                f"known keys: {', '.join(POLICY_KEYS)}"
            )
    models = table.get("models")
    if models is not None:
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise ConfigError(
                f"{where('models')}: {section}.models should be a list of profile names "
                f'like ["local", "eu"], got {models!r}'
            )
        unknown = [m for m in models if m not in profiles]
        if unknown:
            raise ConfigError(
                f"{where('models')}: {section}.models names no profile {unknown[0]!r}; "
                f"known profiles: {', '.join(sorted(profiles))}"
            )
        models = tuple(dict.fromkeys(models))
    answer = table.get("answer", "generate")
    if answer not in ANSWER_POLICIES:
        raise ConfigError(
            f"{where('answer')}: {section}.answer = {answer!r} is not allowed; "
            f"use {' or '.join(map(repr, ANSWER_POLICIES))}"
        )
    for key in ("local_only", "redact"):
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(
                f"{where(key)}: {section}.{key} should be true or false, got {table[key]!r}"
            )
    return CollectionPolicy(
        name=name,
        models=models,
        local_only=table.get("local_only", False),
        answer=answer,
        redact=table.get("redact"),
    )


def with_policy_table(text: str, policy: CollectionPolicy) -> str:
    """config.toml `text` with the `[collections.NAME]` table of `policy` in place of the one
    it had (the rest of the file untouched); no table when the policy is the default."""
    header = f"[collections.{_toml_key(policy.name)}]"
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped.replace('"', "") == header.replace('"', "")
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    table = policy.to_table()
    if table:
        kept += ["", header, *(f"{key} = {_toml_value(value)}" for key, value in table.items())]
    return "\n".join(kept).lstrip("\n") + "\n"


def _toml_key(name: str) -> str:
    return name if all(c.isalnum() or c in "_-" for c in name) else f'"{_escaped(name)}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return f'"{_escaped(str(value))}"'


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')

"""config.toml: typed settings with defaults, and errors that name the file, line and key."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal, get_args

from assistant.config_collections import (
    CollectionPolicy,
    build_policy,
    policy_of,
    profile_label,
)
from assistant.config_limits import check_value, ranged, table, text
from assistant.errors import ConfigError
from ingest.store_location import setting_problem
from models.errors import RegistryError
from models.registry import REGISTRY_FILE, RegistryState, read_registry

ModelKind = Literal["llama-cpp", "openai"]
BUNDLED = "bundled"
DefaultSource = Literal["built-in", "config.toml", "margin models use"]


_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_URL = r"https?://\S+"
_ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True, slots=True)
class ModelProfile:
    name: str = text(MISSING, 64, _NAME, "a profile name of letters, digits, '.', '_' or '-'")
    kind: ModelKind = "llama-cpp"
    # llama-cpp
    path: str = text(BUNDLED, 4096)
    context: int = ranged(4096, 256, 1_048_576)  # tokens
    threads: int = ranged(0, 0, 1024)  # 0 = all cores
    # openai
    base_url: str = text("", 2048, _URL, "an http:// or https:// address")
    model: str = text("", 256)
    key_env: str = text("", 128, _ENV_NAME, "an environment variable name")
    input_usd_per_mtok: float = ranged(0.0, 0, 10_000)
    output_usd_per_mtok: float = ranged(0.0, 0, 10_000)
    connect_timeout_s: float = ranged(5.0, 0.1, 600)
    read_timeout_s: float = ranged(60.0, 1, 3600)
    max_retries: int = ranged(3, 0, 20)
    retry_budget_s: float = ranged(30.0, 0, 3600)
    # where the model runs, shown wherever the profile is named ("eu"); "": not said
    region: str = text("", 32, _NAME, "a label of letters, digits, '.', '_' or '-'")

    @property
    def is_remote(self) -> bool:
        return self.kind == "openai"

    @property
    def label(self) -> str:
        """The name as shown to a person, with the region when one is set: 'eu (region eu)'."""
        return profile_label(self.name, self.region)


@dataclass(frozen=True, slots=True)
class Defaults:
    model: str = text("local", 64, _NAME, "a profile name of letters, digits, '.', '_' or '-'")


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    request_usd: float = ranged(0.05, 0, 10_000)
    daily_usd: float = ranged(1.00, 0, 10_000)
    fallback: Literal["refuse", "local"] = "refuse"


@dataclass(frozen=True, slots=True)
class PrivacyConfig:
    redact_for_remote: bool = True
    redact_for_mcp: bool = True  # PII and secrets masked in everything `margin mcp` returns
    log_text: bool = True


@dataclass(frozen=True, slots=True)
class IngestConfig:
    max_file_mb: float = ranged(50.0, 0.01, 4096)
    include_hidden: bool = False
    # Word pieces per chunk; MiniLM reads at most 256. On eval/real-tune.jsonl (indexes built
    # afresh 2026-12-01) 200 ranks and quotes best of the sizes tried: hit@1 0.841, quote
    # containment 0.659; 128 (overlap 24): 0.829, 0.585; 248 (overlap 40): 0.805, 0.634.
    chunk_tokens: int = ranged(200, 16, 2048)
    overlap_tokens: int = ranged(32, 0, 1024)  # less than chunk_tokens
    batch_size: int = ranged(32, 1, 1024)
    file_timeout_s: float = ranged(60.0, 1, 3600)
    file_memory_mb: int = ranged(1024, 64, 65_536)


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    k: int = ranged(6, 1, 100)
    # The ranking weights below: plain reciprocal-rank fusion (equal shares, no document or
    # evidence share) plus the code-token bonus. On the index built afresh 2026-12-01,
    # cross-validation on eval/real-tune.jsonl (eval/ranking_grid.py) says choosing the vector,
    # document and evidence shares there does not carry over to questions it was not chosen on
    # (2-fold hit@1 0.79, below plain fusion's 0.817), while choosing the code bonus alone
    # does (0.824; leave-one-out 0.829). Against the shares chosen on an older index (vector
    # 0.3, document 0.5, evidence 0.25): real-tune hit@1 0.829 -> 0.841, MRR 0.910 both;
    # docs/golden.jsonl 0.900 -> 0.940 (docs/ask.md, "How retrieval ranks"). Held out,
    # eval/real-report.jsonl: 0.807 -> 0.831, MRR 0.893 -> 0.906 (plain fusion 0.819, 0.897).
    vector_weight: float = ranged(0.5, 0, 1)  # share of the vector ranking in the fused score
    pool: int = ranged(50, 1, 1000)  # candidates taken from each ranking before fusion
    # fused candidates scored on their evidence (or by the reranker)
    rerank_depth: int = ranged(20, 1, 200)
    per_document: int = ranged(3, 1, 100)  # at most this many chunks of one file in the top k
    # The share of a chunk's document's fused rank against its own (assistant.ask.ranking)
    document_weight: float = ranged(0.0, 0, 1)
    # added to the relevance of a chunk holding every code token of the question (`os.walk`,
    # `$RANDOM`, `-a`) verbatim, before it is scaled back to 0..1
    code_weight: float = ranged(0.3, 0, 1)
    # the share of a chunk's best evidence window against its fused score in its relevance
    evidence_weight: float = ranged(0.0, 0, 1)
    # Sentences of the candidates embedded per question to score evidence windows (the best
    # by coverage; assistant.ask.evidence), each about as costly as embedding the question;
    # 0: windows are scored on the IDF-weighted coverage of the question's terms alone (the
    # dense signal stays in the chunk ranking and the gate, which read chunk vectors). On
    # indexes built afresh 2026-12-01, 4 -> 0: eval/real-tune.jsonl hit@1 0.805 -> 0.829,
    # MRR 0.895 -> 0.910, quote containment 0.610 -> 0.634, unanswerable refused 16 -> 17 of
    # 20; docs/golden.jsonl hit@1 0.880 -> 0.900, containment 0.820 both; +38 -> +12 ms p50
    # over plain fusion (bench/evidence_overhead.py, load 1.3). Held out,
    # eval/real-report.jsonl: hit@1 0.819 -> 0.807, containment 0.434 -> 0.422 (one question
    # each).
    dense_sentences: int = ranged(0, 0, 50)
    # Below this gate score nothing counts as found: 0.4 x the sources' best chunk cosine with
    # the question + 0.6 x the best evidence window's IDF-weighted coverage of its terms
    # (assistant.ask.retrieval). 0.29: with the two rules below, the threshold that refuses
    # the most unanswerable questions of both tune sets while refusing at most 2% of their
    # answerable ones (`python -m eval.calibrate_gate`, indexes built afresh 2026-12-01):
    # eval/real-tune.jsonl 17 of 20 and 1 of 82 (the names rule's; the same from 0.27 to
    # 0.34), docs/golden.jsonl 4 of 6 and 1 of 50 (0.28 and 0.29; 0.30 refuses 5 of 6 but 2
    # of 50). Held out, eval/real-report.jsonl: 16 of 20 and 2 of 83 (both the names rule's).
    min_relevance: float = ranged(0.29, 0, 1)
    # The best window must also hold this share of the question's weighted terms: a guard for
    # a question near a chunk in meaning that shares none of its words. No unanswerable
    # question of real-tune or golden is refused by it from 0 to 0.3 (indexes of extraction
    # 14), while golden's answerable ones asked in other words than the documents use are:
    # "What is the longest question margin accepts?" holds 0.0999 at extraction 14 (0.101 at
    # 13), so 0.1 refused it; 0.05 refuses none by coverage, 0.2 four of 50.
    min_coverage: float = ranged(0.05, 0, 1)
    # An answer whose gate score is below this is marked a weak match (`evidence.weak`): the
    # passages found may not answer it. 0.5, chosen on eval/real-tune.jsonl (extraction 14,
    # quote answers): 5 of the 12 answerable questions answered below it held the expected
    # answer, 50 of the 70 above it, and its 3 answered unanswerable ones were below it;
    # docs/golden.jsonl 3 of 10 and 37 of 39. Held out, eval/real-report.jsonl: 2 of 13 and 39
    # of 69, 4 of 5. 0 marks none.
    confident_relevance: float = ranged(0.5, 0, 1)
    # The sources must mention the names the question asks about (pyenv, `--slurp`, Excel;
    # see assistant.ask.names), unless the index mentions the name in more than this many
    # chunks (then ranking missed it, and the evidence decides); -1: names are not checked.
    # 5: refuses 16 of real-tune's 20 unanswerable questions (8 without the rule) and 4 of
    # golden's 6 (2 without), at the cost of 1 of real-tune's 82 answerable ones ("subfolder",
    # a word no document uses); 3 to 10 decide the same there, 20 refuses 3 of 82. Held out,
    # eval/real-report.jsonl: 16 of 20 (5 without) and 2 of 83 answerable (none without).
    passing_mentions: int = ranged(5, -1, 1000)
    reranker: str = text("", 4096)  # a local folder holding a sentence-transformers CrossEncoder


# "generate": a model writes the answer; "quote": the best supporting sentences, verbatim, no
# model; "auto": chooses per question (see assistant.ask.quote)
AskMode = Literal["auto", "generate", "quote"]
ASK_MODES: tuple[str, ...] = get_args(AskMode)


@dataclass(frozen=True, slots=True)
class AskConfig:
    k: int = ranged(3, 1, 50)  # sources given to the model; the bundled 135M model: few
    mode: AskMode = "auto"
    max_question_chars: int = ranged(2000, 10, 20_000)
    # A ceiling on answer tokens under the room the context leaves (0: that room alone). Not 0
    # by default: the bundled 135M model can repeat itself until the context is full.
    max_tokens: int = ranged(512, 0, 1_048_576)
    temperature: float = ranged(0.2, 0, 2)
    history_turns: int = ranged(4, 0, 50)


@dataclass(frozen=True, slots=True)
class EmbeddingConfig:
    model: str = text(BUNDLED, 4096)  # or the path of a local sentence-transformers folder


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where the index lives (`ingest.store_location`): "" is the data folder."""

    uri: str = text("", 2048)
    options: dict[str, str] = table(64, r"[a-z][a-z0-9_]{0,63}", 2048)  # LanceDB storage options


@dataclass(frozen=True, slots=True)
class Config:
    defaults: Defaults = field(default_factory=Defaults)
    models: dict[str, ModelProfile] = field(default_factory=dict)
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    ask: AskConfig = field(default_factory=AskConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    collections: dict[str, CollectionPolicy] = field(default_factory=dict)
    store: StoreConfig = field(default_factory=StoreConfig)
    default_source: DefaultSource = "built-in"  # who chose defaults.model

    def policy(self, collection: str) -> CollectionPolicy:
        """The rules of `collection`: its [collections.NAME] table, or the defaults."""
        return policy_of(self.collections, collection)

    def profile(self, name: str | None = None) -> ModelProfile:
        wanted = name or self.defaults.model
        try:
            return self.models[wanted]
        except KeyError:
            known = ", ".join(sorted(self.models))
            raise ConfigError(
                f"No model profile named {wanted!r}. Known profiles: {known}. "
                f"Add a [models.{wanted}] table to config.toml."
            ) from None


_SECTIONS: dict[str, type] = {
    "defaults": Defaults,
    "budget": BudgetConfig,
    "privacy": PrivacyConfig,
    "ingest": IngestConfig,
    "retrieval": RetrievalConfig,
    "ask": AskConfig,
    "embedding": EmbeddingConfig,
    "store": StoreConfig,
}


def builtin_local_profile() -> ModelProfile:
    return ModelProfile(name="local")


def load_config(path: Path) -> Config:
    """Read config.toml if it exists (no file means all defaults), with the models registered
    by `margin models add|pull|use` in models.json beside it."""
    try:
        registered = read_registry(path.with_name(REGISTRY_FILE))
    except RegistryError as exc:
        raise ConfigError(str(exc)) from None
    if not path.exists():
        return parse_config("", path, registered=registered)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from exc
    return parse_config(text, path, registered=registered)


def parse_config(text: str, path: Path, *, registered: RegistryState | None = None) -> Config:
    """The config in `text`. Registered models are profiles too; a [models.NAME] table in
    config.toml overrides the fields it sets, and an explicit [defaults] model wins over the
    default chosen with `margin models use`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    locate = _KeyLocator(text, path)
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ("models", "collections"):
            continue
        if name not in _SECTIONS:
            raise ConfigError(
                locate.unknown(name, None, sorted([*_SECTIONS, "models", "collections"]))
            )
        sections[name] = _build(_SECTIONS[name], value, name, locate)
    models = {"local": builtin_local_profile()}
    registered = registered or RegistryState()
    for name, entry in registered.models.items():
        models[name] = ModelProfile(name=name, path=str(entry.path))
    raw_models = raw.get("models", {})
    if not isinstance(raw_models, dict):
        raise ConfigError(f"{path}: 'models' must be a table of profiles like [models.local]")
    for name, profile in raw_models.items():
        models[name] = _build_profile(name, profile, locate, models.get(name))
    source: DefaultSource = "built-in"
    raw_defaults = raw.get("defaults")
    if isinstance(raw_defaults, dict) and "model" in raw_defaults:
        source = "config.toml"
    elif registered.default in models:
        sections["defaults"] = replace(
            sections.get("defaults", Defaults()), model=registered.default
        )
        source = "margin models use"
    collections = _build_collections(raw.get("collections", {}), models, locate)
    config = Config(models=models, collections=collections, default_source=source, **sections)
    if config.defaults.model not in models:
        raise ConfigError(
            f"{locate.where('defaults', 'model')}: defaults.model = {config.defaults.model!r} "
            f"names no profile; known: {', '.join(sorted(models))}"
        )
    return config


def _build_collections(
    raw: Any, models: dict[str, ModelProfile], locate: _KeyLocator
) -> dict[str, CollectionPolicy]:
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{locate.where('collections', None)}: 'collections' must be a table of policies "
            "like [collections.clients]"
        )
    return {
        name: build_policy(name, table, models, partial(locate.where, f"collections.{name}"))
        for name, table in raw.items()
    }


def _build_profile(
    name: str, table: Any, locate: _KeyLocator, base: ModelProfile | None
) -> ModelProfile:
    section = f"models.{name}"
    if not isinstance(table, dict):
        raise ConfigError(_not_a_table(locate, section))
    check_value(ModelProfile, "name", name, name="profile name", where=locate.where(section, None))
    base = base or ModelProfile(name=name)
    profile = replace(_build(ModelProfile, table, section, locate, base=base), name=name)
    if profile.kind == "openai" and not (profile.base_url and profile.model):
        raise ConfigError(
            f"{locate.where(section, None)}: an 'openai' profile needs base_url and model"
        )
    return profile


def _build(cls: type, table: Any, section: str, locate: _KeyLocator, base: Any = None) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(_not_a_table(locate, section))
    known = {f.name: f for f in fields(cls) if f.name != "name"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(locate.unknown(key, section, sorted(known)))
        default = getattr(base if base is not None else cls(), key)
        values[key] = _coerce(value, default, section, key, locate)
        where = locate.where(section, key)
        check_value(cls, key, values[key], name=f"{section}.{key}", where=where)
    built = replace(base, **values) if base is not None else cls(**values)
    if isinstance(built, IngestConfig) and built.overlap_tokens >= built.chunk_tokens:
        raise ConfigError(
            f"{locate.where(section, 'overlap_tokens')}: ingest.overlap_tokens = "
            f"{built.overlap_tokens} must be less than ingest.chunk_tokens = {built.chunk_tokens}"
        )
    if isinstance(built, StoreConfig):
        return _checked_store(built, locate)
    return built


def _checked_store(store: StoreConfig, locate: _KeyLocator) -> StoreConfig:
    """Refuse an unknown scheme and credentials in clear; options become the strings LanceDB
    takes (true/false in lower case)."""
    problem = setting_problem(store.uri, store.options)
    if problem is not None:
        key, message = problem
        where = locate.where("store.options", key) if key else locate.where("store", "uri")
        raise ConfigError(f"{where}: {message}")
    options = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in store.options.items()
    }
    return replace(store, options=options)


def _coerce(value: Any, default: Any, section: str, key: str, locate: _KeyLocator) -> Any:
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    raise ConfigError(
        f"{locate.where(section, key)}: {section}.{key} should be {_KINDS[expected]}, "
        f"not {_toml(value)}"
    )


# What each setting type is called in an error message, in the words of config.toml.
_KINDS = {
    bool: "true or false (without quotes)",
    int: "a whole number (an integer, like 5)",
    float: "a number (like 0.5)",
    str: 'text in quotes (like "local")',
}


def _toml(value: Any) -> str:
    """`value` as it was written in config.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _not_a_table(locate: _KeyLocator, section: str) -> str:
    return (
        f"{locate.where(section, None)}: {section} should be a section with its settings "
        f"under a [{section}] line, not a single value"
    )


class _KeyLocator:
    """Finds the line of a table or key in the TOML text, for error messages."""

    _header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    _key = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")

    def __init__(self, text: str, path: Path):
        self._lines = text.splitlines()
        self._path = path

    def line_of(self, section: str | None, key: str | None) -> int | None:
        current: str | None = None
        for number, line in enumerate(self._lines, start=1):
            header = self._header.match(line)
            if header:
                current = header.group(1).replace('"', "").replace("'", "")
                if key is None and current == section:
                    return number
                continue
            found = self._key.match(line)
            if found and current == section and found.group(1).strip("\"'") == key:
                return number
        return None

    def where(self, section: str | None, key: str | None) -> str:
        line = self.line_of(section, key)
        return f"{self._path}, line {line}" if line else str(self._path)

    def unknown(self, key: str, section: str | None, known: list[str]) -> str:
        place = f"[{section}]" if section else "the top level"
        line = self.line_of(section, key) if section else self.line_of(key, None)
        where = f"{self._path}, line {line}" if line else str(self._path)
        return f"{where}: unknown key {key!r} in {place}; known keys: {', '.join(known)}"

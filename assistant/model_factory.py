"""Turn a config profile into a ready chat model: the one place that wires the real backends."""

from __future__ import annotations

from assistant.config import ModelProfile
from assistant.local_models import gguf_path
from models.base import ChatModel, Pricing
from models.errors import KeyStoreError
from models.keys import KeyStore
from models.llama_cpp import LlamaCppModel
from models.openai_compat import OpenAICompatibleModel


def build_model(
    profile: ModelProfile, *, keys: KeyStore | None = None, verbose: bool = False
) -> ChatModel:
    """The model a profile describes. Nothing loads or connects until the first question."""
    if profile.kind == "llama-cpp":
        path = gguf_path(profile)
        return LlamaCppModel(
            profile.name, path, context=profile.context, threads=profile.threads, verbose=verbose
        )
    return OpenAICompatibleModel(
        profile.name,
        profile.base_url,
        profile.model,
        api_key=_api_key(profile, keys if keys is not None else KeyStore()),
        connect_timeout_s=profile.connect_timeout_s,
        read_timeout_s=profile.read_timeout_s,
        max_retries=profile.max_retries,
        retry_budget_s=profile.retry_budget_s,
        pricing=Pricing(profile.input_usd_per_mtok, profile.output_usd_per_mtok),
        context_tokens=profile.context,
    )


def _api_key(profile: ModelProfile, keys: KeyStore) -> str | None:
    """The profile's key. A profile with no key_env and no stored key talks to a server that
    needs none (llama.cpp's server, Ollama); if it does need one, its 401 says how to add it."""
    try:
        return keys.resolve(profile.name, profile.key_env)
    except KeyStoreError:
        if profile.key_env:
            raise
        return None

"""`margin models pull` and `add`: a GGUF file becomes a registered model only once it is
complete, verified and readable, so a failure at any step registers nothing.

Sources: `https://…` (or `http://…`), and `hf:OWNER/REPO/FILE.gguf` (optionally
`hf:OWNER/REPO@REVISION/path/FILE.gguf`), which is Hugging Face's download address
`https://huggingface.co/OWNER/REPO/resolve/REVISION/FILE.gguf`. A folder of files (`margin
models pull-reranker`) is `hf:OWNER/REPO[@REVISION]` or its `https://…` address. Nothing is
contacted unless the person runs `pull` or `pull-reranker`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, urlsplit

from durable.private_files import sync_folder
from models.download import Downloader, Progress
from models.errors import DownloadError, DownloadRefusedError, ModelFileError, RegistryError
from models.gguf_info import GGUFInfo, describe_start, looks_like_gguf, read_gguf_info
from models.registry import LocalModels, RegisteredModel

HF_BASE = "https://huggingface.co"
_HF_REPO = r"hf:(?P<owner>[^/@\s]+)/(?P<repo>[^/@\s]+)(?:@(?P<rev>[^/\s]+))?"
_HF_SOURCE = re.compile(_HF_REPO + r"/(?P<file>\S+)")
_HF_FOLDER = re.compile(_HF_REPO + "/?")


def resolve_source(source: str) -> str:
    """The download address for `source`; DownloadError names the accepted forms."""
    text = source.strip()
    if text.startswith("hf:"):
        found = _HF_SOURCE.fullmatch(text)
        folder = _hf_folder(found) if found else None
        if found is None or folder is None or ".." in found["file"].split("/"):
            raise DownloadError(
                f"{source!r} is not a Hugging Face file: write hf:OWNER/REPO/FILE.gguf, for "
                "example hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf."
            )
        return f"{folder}/{'/'.join(quote(part) for part in found['file'].split('/'))}"
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.hostname:
        return text
    raise DownloadError(
        f"{source!r} is not an address margin can download from: use https://… or "
        "hf:OWNER/REPO/FILE.gguf."
    )


def resolve_folder(source: str) -> str:
    """The address of the folder `source` names, with no slash at the end (a file in it is
    `ADDRESS/FILE`); DownloadError names the accepted forms."""
    text = source.strip()
    found = _HF_FOLDER.fullmatch(text)
    folder = _hf_folder(found) if found else None
    if folder:
        return folder
    parts = urlsplit(text)
    plain = not (parts.query or parts.fragment or ".." in parts.path.split("/"))
    if parts.scheme in ("http", "https") and parts.hostname and plain:
        return text.rstrip("/")
    raise DownloadError(
        f"{source!r} is not a folder margin can download from: write hf:OWNER/REPO (a Hugging "
        "Face repository, or hf:OWNER/REPO@REVISION), for example "
        "hf:cross-encoder/ms-marco-MiniLM-L6-v2, or the https://… address of a folder."
    )


def _hf_folder(found: re.Match[str]) -> str | None:
    """Hugging Face's download folder `https://huggingface.co/OWNER/REPO/resolve/REVISION`
    (revision main unless given); None when a part is `.` or `..`."""
    parts = (found["owner"], found["repo"], found["rev"] or "main")
    if any(part in (".", "..") for part in parts):
        return None
    owner, repo, revision = (quote(part, safe="") for part in parts)
    return f"{HF_BASE}/{owner}/{repo}/resolve/{revision}"


def gguf_start(head: bytes) -> str | None:
    """Why the first bytes of a download are not a GGUF model, or None when they are."""
    return None if looks_like_gguf(head) else f"not a GGUF model file ({describe_start(head)})"


def usable_gguf(path: Path) -> GGUFInfo:
    """The header of a file margin can run; ModelFileError says what is wrong with it."""
    info = read_gguf_info(path)
    if info.split_count > 1:
        raise ModelFileError(
            f"{path} is part of a GGUF split into {info.split_count} files, which margin does "
            "not load: choose a single-file quantisation, or merge the parts with llama.cpp's "
            "`llama-gguf-split --merge`."
        )
    return info


def add_model(path: Path, name: str, registry: LocalModels) -> RegisteredModel:
    """Register a GGUF file where it is (margin never moves or deletes it)."""
    registry.check_free(name)
    info = usable_gguf(path.expanduser().resolve())
    model = RegisteredModel.from_info(name, info, managed=False)
    registry.add(model)
    return model


def pull_model(
    source: str,
    name: str,
    registry: LocalModels,
    downloader: Downloader,
    *,
    sha256: str | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> RegisteredModel:
    """Download `source` into the models folder and register it as `name`."""
    registry.check_free(name)
    url = resolve_source(source)
    target = registry.models_dir / f"{name}.gguf"
    partial = target.with_name(target.name + ".partial")
    try:
        done = downloader.download(
            url, partial, sha256=sha256, check_start=gguf_start, progress=progress
        )
    except DownloadRefusedError as exc:
        raise DownloadRefusedError(
            f"{exc} Download it in a browser, then register it with `margin models add PATH "
            "--name NAME`."
        ) from None
    try:
        info = usable_gguf(partial)
    except ModelFileError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(
            f"{url} is not a usable GGUF model: {exc} Nothing was registered."
        ) from None
    try:
        os.replace(partial, target)
        sync_folder(target.parent)
    except OSError as exc:
        raise DownloadError(
            f"Cannot move the download into place as {target}: {exc.strerror}. Nothing was "
            "registered."
        ) from None
    model = RegisteredModel.from_info(
        name, replace(info, path=target), sha256=done.sha256, source=url, managed=True
    )
    try:
        registry.add(model)
    except RegistryError:
        target.unlink(missing_ok=True)
        raise
    return model

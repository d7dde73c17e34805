from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail

from assistant.cli import cli


def run_doctor() -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    return result.exit_code, json.loads(result.stdout)


def by_name(report: dict) -> dict[str, dict]:
    return {check["name"]: check for check in report["checks"]}


def test_fresh_install_is_healthy_when_a_keyring_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import null

    monkeypatch.setattr(keyring, "get_keyring", lambda: null.Keyring())
    code, report = run_doctor()
    checks = by_name(report)
    assert checks["embedding model"]["ok"] and checks["model local"]["ok"]
    assert "SmolLM2" in checks["model local"]["detail"]
    assert checks["index"]["detail"].startswith("empty")
    assert checks["config"]["ok"] and "the defaults are in use" in checks["config"]["detail"]
    assert code == 0 and report["ok"]


def test_problems_are_named_with_fixes_and_exit_1(
    margin_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[models.gpu]\npath = "/nowhere/model.gguf"\n' + REMOTE)
    data = margin_home / "data"
    data.mkdir(parents=True)
    data.chmod(0o755)
    code, report = run_doctor()
    checks = by_name(report)
    assert code == 1 and not report["ok"]
    assert not checks["keyring"]["ok"] and "key_env" in checks["keyring"]["fix"]
    assert "needed by cloud" in checks["keyring"]["detail"]
    assert not checks["model gpu"]["ok"] and "/nowhere/model.gguf" in checks["model gpu"]["detail"]
    assert not checks["data folder"]["ok"] and checks["data folder"]["fix"].startswith("chmod 700")


REMOTE = '[models.cloud]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'


@pytest.mark.parametrize(
    "profiles",
    ["", REMOTE + 'key_env = "CLOUD_KEY"\n'],
    ids=["local profiles only", "remote key exported"],
)
def test_no_keyring_is_no_problem_when_no_profile_reads_a_key_from_it(
    margin_home: Path, monkeypatch: pytest.MonkeyPatch, profiles: str
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(profiles)
    code, report = run_doctor()
    check = by_name(report)["keyring"]
    assert check["ok"] and "not needed" in check["detail"], check
    assert by_name(report)["config"]["detail"] == str(config)
    assert code == 0, report


def test_bad_config_is_reported_with_its_line(margin_home: Path) -> None:
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[budget]\nrequest_usd = 0.05\ndayly_usd = 2\n")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1
    assert "line 3" in result.output and "dayly_usd" in result.output
    assert "Traceback" not in result.output


def test_doctor_names_the_embedding_backends(seeded_embedding_cache: Path) -> None:
    _, report = run_doctor()
    check = by_name(report)["embedding backend"]
    assert check["ok"], check
    assert check["detail"].startswith("queries: onnx (checked against torch); documents: ")
    assert "chunks/s" in check["detail"]


def test_doctor_reports_an_export_that_does_not_match_torch(seeded_embedding_cache: Path) -> None:
    (manifest,) = seeded_embedding_cache.glob("onnx/*/manifest.json")
    recorded = json.loads(manifest.read_text())
    detail = "the ONNX export differs from torch (cosine 0.981234 < 0.9999 on the probe texts)"
    manifest.unlink()  # a hard link to the session's copy: replace it, never write through it
    manifest.write_text(json.dumps({**recorded, "status": "mismatch", "detail": detail}))
    code, report = run_doctor()
    check = by_name(report)["embedding backend"]
    assert code == 1 and not check["ok"]
    assert check["detail"].startswith("queries: torch;") and "0.981234" in check["detail"]
    assert "remove" in check["fix"] and "embedding" in check["fix"]


def test_doctor_checks_the_configured_reranker_and_unfinished_pulls(
    margin_home: Path, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    """A real CrossEncoder folder passes (it loads and scores a passage); a folder that is not
    one fails with the fix; an unfinished `pull-reranker` is named with how to resume it."""
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[retrieval]\nreranker = "{tiny_cross_encoder}"\n')
    _, report = run_doctor()
    assert by_name(report)["reranker"]["ok"], by_name(report)["reranker"]
    assert str(tiny_cross_encoder) in by_name(report)["reranker"]["detail"]

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    config.write_text(f'[retrieval]\nreranker = "{broken}"\n')
    partial = margin_home / "data" / "models" / "rerankers" / "minilm.partial"
    partial.mkdir(parents=True)
    source = "https://huggingface.co/cross-encoder/ms-marco-MiniLM-L6-v2/resolve/main"
    (partial.parent / "minilm.partial.source").write_text(source)
    code, report = run_doctor()
    checks = by_name(report)
    assert code == 1 and not checks["reranker"]["ok"]
    assert str(broken) in checks["reranker"]["detail"]
    assert "pull-reranker" in checks["reranker"]["fix"]
    unfinished = checks["download reranker minilm"]
    assert unfinished["ok"] and str(partial) in unfinished["detail"]
    assert unfinished["fix"] == (
        f"resume with `margin models pull-reranker {source} --name minilm`, or discard with "
        "`margin models remove minilm`"
    )

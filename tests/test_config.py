from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import load_config
from arxiv_digest.errors import ConfigError


def test_defaults() -> None:
    config, source = load_config(environ={})
    assert source is None
    assert config.language == "Chinese" and config.summarizer.backend == "extractive"


def test_file_then_env_then_flags(tmp_path: Path) -> None:
    path = tmp_path / "arxiv-digest.toml"
    path.write_text(
        'categories = ["cs.CL", "cs.AI"]\nlanguage = "English"\n'
        'output_dir = "out"\n[summarizer]\nbackend = "extractive"\n'
    )
    config, source = load_config(environ={})
    assert source == path and config.categories == ["cs.CL", "cs.AI"]
    config, _ = load_config(
        environ={"ARXIV_DIGEST_LANGUAGE": "Japanese", "ARXIV_DIGEST_CATEGORIES": "cs.IR, cs.LG"}
    )
    assert config.language == "Japanese" and config.categories == ["cs.IR", "cs.LG"]
    config, _ = load_config(
        environ={"ARXIV_DIGEST_LANGUAGE": "Japanese"}, flags={"language": "German"}
    )
    assert (
        config.language == "German" and config.output_dir == tmp_path / "out"
    )  # relative to the file


def test_explicit_path_and_env_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other.toml"
    other.write_text('language = "French"\n')
    assert load_config(other, environ={})[0].language == "French"
    monkeypatch.setenv("ARXIV_DIGEST_CONFIG", str(other))
    assert load_config(environ={})[0].language == "French"
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", environ={})


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("language = \n", "malformed TOML"),
        ("colour = 'blue'\n", "unknown setting 'colour'"),
        ("[summarizer]\nbakend = 'x'\n", "unknown setting 'summarizer.bakend'"),
        ("[summarizer]\nbackend = 'gpt'\n", "key 'summarizer.backend': expected 'extractive'"),
        ("categories = 'cs.LG'\n", "key 'categories': expected a valid list"),
        ("categories = []\n", "key 'categories': expected at least one category"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, runner: CliRunner, text: str, needle: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = runner.invoke(cli, ["--config", str(path), "config", "show"])
    assert result.exit_code == ConfigError.exit_code
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr and needle in result.stderr


def test_bad_env_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="ARXIV_DIGEST_SUMMARIZER__NOPE"):
        load_config(environ={"ARXIV_DIGEST_SUMMARIZER__NOPE": "1"})


def test_config_show(tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARXIV_DIGEST_LANGUAGE", "English")
    result = runner.invoke(cli, ["config", "show"])
    assert result.exit_code == 0
    assert 'language = "English"' in result.output
    assert "[summarizer]" in result.output and 'backend = "extractive"' in result.output


def test_config_show_round_trips_and_refuses_url_passwords(tmp_path: Path) -> None:
    import tomllib

    from arxiv_digest.config import Config
    from arxiv_digest.config_text import render_config

    settings = {
        "categories": ["cs.IR", "cs.CL"],
        "site_url": "https://me.example/arxiv",
        "summarizer": {
            "backend": "openai",
            "model": "qwen-plus",
            "prices": {"qwen-plus": {"input": 0.4, "output": 1.2}},
        },
        "rank": {"keywords": {"retrieval": 2.0, "survey": -1.0}, "min_score": 0.5},
        "email": {"host": "smtp.example", "sender": "me@example", "recipients": ["a@example"]},
        "webhooks": [{"name": "lab", "kind": "feishu", "url_env": "LAB_HOOK"}],
    }
    config = Config.model_validate(settings)
    assert Config.model_validate(tomllib.loads(render_config(config, environ={}))) == config

    with pytest.raises(ValueError, match="user name or password"):  # refused, not masked
        Config.model_validate({"summarizer": {"base_url": "https://bob:hunter2@llm.lan/v1"}})
    plain = Config.model_validate({"summarizer": {"base_url": "https://llm.lan/v1"}})
    text = render_config(plain, environ={"OPENAI_API_KEY": "sk-x"})
    assert "sk-x" not in text
    assert "# OPENAI_API_KEY (summarizer.api_key_env): set in the environment" in text


def test_language_names_people_write_map_to_the_language() -> None:
    from arxiv_digest.config import load_config
    from arxiv_digest.textutil import is_cjk_language

    for written, meant in [
        ("简体中文", "Chinese"),
        ("中文", "Chinese"),
        ("zh-CN", "Chinese"),
        ("繁體中文", "Traditional Chinese"),
        ("日本語", "Japanese"),
        ("en", "English"),
        ("Klingon", "Klingon"),
    ]:
        config, _ = load_config(environ={}, flags={"language": written})
        assert config.language == meant, written
    assert is_cjk_language("简体中文") and is_cjk_language("Traditional Chinese")
    assert not is_cjk_language("en")


def test_paths_in_a_config_file_are_relative_to_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arxiv_digest.config import load_config

    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "arxiv-digest.toml").write_text(
        'db = "data/digest.db"\noutput_dir = "site-out"\n'
        '[rank]\nlibrary = ["refs.bib", "/abs/papers.txt"]\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a scheduler runs it from anywhere
    config, _ = load_config(folder / "arxiv-digest.toml", environ={})
    assert config.db == folder / "data" / "digest.db"
    assert config.output_dir == folder / "site-out"
    assert config.rank.library == [folder / "refs.bib", Path("/abs/papers.txt")]
    # a flag is relative to where the command runs, as on any command line
    flagged, _ = load_config(folder / "arxiv-digest.toml", environ={}, flags={"db": "x.db"})
    assert flagged.db == Path("x.db")


def test_init_writes_a_config_that_loads_as_the_defaults(tmp_path: Path, runner: CliRunner) -> None:
    from arxiv_digest.config import Config, load_config

    result = runner.invoke(cli, ["init"])
    assert (
        result.exit_code == 0
        and "next: arxiv-digest --config arxiv-digest.toml run" in result.output
    )
    written = tmp_path / "arxiv-digest.toml"
    config, source = load_config(environ={})
    assert source == written
    defaults = Config()
    assert config.model_dump(exclude={"output_dir"}) == defaults.model_dump(exclude={"output_dir"})
    assert config.output_dir == tmp_path / "digests"  # relative to the file
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 2 and "exists already" in again.stderr


@pytest.mark.parametrize(
    ("setting", "toml"),
    [
        ("summarizer.base_url", '[summarizer]\nbase_url = "http://user:pa55@llm.example/v1"'),
        ("site_url", 'site_url = "https://deploy:tok3n@me.github.io/arxiv"'),
        ("rank.zotero.base_url", '[rank.zotero]\nbase_url = "https://u:p@api.zotero.org"'),
        ("arxiv.api_url", '[arxiv]\napi_url = "https://token@export.arxiv.org/api/query"'),
    ],
)
def test_credentials_in_a_url_are_refused_naming_the_setting(
    tmp_path: Path, setting: str, toml: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml + "\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    said = str(caught.value)
    assert setting in said and "user name or password" in said
    assert "pa55" not in said and "tok3n" not in said and "u:p@" not in said


def test_a_config_nested_without_end_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path, environ={})
    with pytest.raises(ConfigError, match="expected a JSON list"):
        load_config(None, environ={"ARXIV_DIGEST_CATEGORIES": "[" * 100_000})

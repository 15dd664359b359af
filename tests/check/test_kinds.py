"""One list of warning kinds, each worded for readers in every language: every kind renders on
the site, in the feed, in email and in Slack and Feishu, and only the kinds judged precise
enough reach a reader (check/kinds.py, measured by bench/quality.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arxiv_digest.check import KIND, KINDS, READER_KINDS
from arxiv_digest.check.kinds import LANGUAGES
from arxiv_digest.config import EmailConfig
from arxiv_digest.deliver.email import build_message
from arxiv_digest.deliver.webhook import feishu_payload, slack_payload
from arxiv_digest.models import Digest, DigestEntry, Summary, SummaryFields
from arxiv_digest.render.feeds import render_atom
from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.render.i18n import reader_warning
from arxiv_digest.store import Store
from tests.helpers import make_paper

FIELDS = SummaryFields(
    "提出ThingNet，一种稀疏专家混合模型。",
    "大模型训练成本高。",
    "使用学习到的门控路由词元。",
    "ThingNet比基线高12%。",
    "稀疏性是有前景的方向。",
)


def _warning(kind: str) -> str:
    detail = {"number": "97.3% is not in the title or abstract", "repeat": "repeats tldr"}
    detail["derived"] = "97.6% is not stated (the F1 of 96.9 and 98.3)"
    detail["swap"] = "44 and 20 are exchanged"
    return f"{kind}: result: {detail.get(kind, 'what is wrong')}: “ThingNet比基线高12%。”"


def _digest(kind: str) -> Digest:
    paper = make_paper()
    summary = Summary(
        paper.id, 1, "openai", "m", "Chinese", "p3", "ok", FIELDS, warnings=(_warning(kind),)
    )
    return Digest("2026-01-06", (DigestEntry(1, "cs.LG", paper, summary, 2.0, ("starred",)),))


def test_every_kind_has_words_for_readers_in_every_language() -> None:
    assert set(KINDS) == set(KIND) and len(KINDS) == len(set(KINDS))
    for name in KINDS:
        for lang in LANGUAGES:
            text = KIND[name].texts.get(lang)
            assert text, f"kind {name!r} has no reader's words in {lang!r}"
            said = reader_warning(_warning(name), lang, kinds=frozenset(KINDS))
            assert said and "{" not in said and f"{name}:" not in said


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_everywhere(kind: str, tmp_path: Path, store: Store) -> None:
    digest = _digest(kind)
    said = reader_warning(_warning(kind), "zh")
    assert (said is not None) == (kind in READER_KINDS)
    site = SiteBuilder(store, tmp_path / "site").render_day(digest)
    feed = render_atom([digest])
    config = EmailConfig(host="localhost", sender="a@example.org", recipients=["b@example.org"])
    mail = build_message(digest, config, "b@example.org", for_you=1)
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    slack = json.dumps(slack_payload(digest, list(digest.entries), None), ensure_ascii=False)
    feishu = json.dumps(feishu_payload(digest, list(digest.entries), None), ensure_ascii=False)
    for name, out in [
        ("site", site),
        ("feed", feed),
        ("email", text),
        ("email html", html),
        ("slack", slack),
        ("feishu", feishu),
    ]:
        assert f"{kind}: result" not in out, name  # never the raw code
        if said is not None:
            assert said in out, name  # the reader's sentence, in the digest's language

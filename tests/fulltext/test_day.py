"""A day with `[fulltext] top = 5`, end to end: `run --deliver` against the loopback arXiv (the
feeds, the API, LaTeXML's HTML, the TeX sources, the PDFs), the loopback LLM and a real SMTP
server; the deep reads show on the site (in a real browser), in the feed, in the email and in
the Markdown, whose reference part stays byte for byte what it is without them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import sync_playwright

from arxiv_digest.cli import cli
from arxiv_digest.config import load_config
from arxiv_digest.fetch import arxiv_today
from arxiv_digest.rank.on import for_you
from arxiv_digest.render.markdown import render_markdown
from arxiv_digest.store import Store
from tests.fakes.arxiv import FakeArxiv, SynthPaper
from tests.fakes.llm_server import LLMServer
from tests.fakes.smtp import CERT, PASSWORD, Inbox
from tests.fakes.webhook import Hook
from tests.fulltext.papers import Built
from tests.render.test_browser import ARGS, ARTIFACTS, CHROMIUM, css_id

HTML, TAR, PDF = "text/html", "application/gzip", "application/pdf"


@pytest.fixture
def day_arxiv(built: list[Built]) -> Iterator[FakeArxiv]:
    """A day of seven cs.CL papers: the three built ones (with full text) and four without."""
    papers = [
        SynthPaper(
            b.paper.paper_id,
            1,
            b.paper.title,
            f"We study {b.paper.title}. Long contexts are costly.",
            ["A. Author", "B. Author"],
            "cs.CL",
            ["cs.CL"],
        )
        for b in built
    ]
    papers += [
        SynthPaper(
            f"2601.3000{i}", 1, f"Plain paper {i}", "An abstract.", ["C."], "cs.CL", ["cs.CL"]
        )
        for i in range(4)
    ]
    fake = FakeArxiv(papers, day=arxiv_today())
    for b in built:
        pid = b.paper.paper_id
        fake.fulltext[f"/html/{pid}v1"] = (200, HTML, b.html)
        fake.fulltext[f"/e-print/{pid}v1"] = (200, TAR, b.tar_gz)
        fake.fulltext[f"/pdf/{pid}v1"] = (200, PDF, b.pdf)
    with fake.running():
        yield fake


def test_a_day_with_deep_reads_on_the_site_feed_email_and_markdown(
    day_arxiv: FakeArxiv,
    llm: LLMServer,
    smtp: tuple[Inbox, int],
    hook: Hook,
    built: list[Built],
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    inbox, port = smtp
    out = tmp_path / "out"
    config = tmp_path / "c.toml"
    config.write_text(
        f'categories = ["cs.CL"]\noutput_dir = "{out}"\noutputs = ["markdown", "html", "atom"]\n'
        'site_url = "https://me.example.org/arxiv"\n'
        '[summarizer]\nbackend = "openai"\nmodel = "test-model"\n'
        "[summarizer.prices.test-model]\ninput = 0.15\noutput = 0.6\n"
        '[rank]\nkeywords = ["long context"]\n'
        "[fulltext]\ntop = 5\n"
        '[[webhooks]]\nname = "lab"\nkind = "slack"\nurl_env = "SLACK_URL"\ntop = 5\n'
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n'
        f'ca_file = "{CERT[0]}"\nsender = "digest@example.org"\nrecipients = ["ada@example.org"]\n',
        encoding="utf-8",
    )
    env = {
        "ARXIV_DIGEST_RSS_URL": f"{day_arxiv.url}/rss",
        "ARXIV_DIGEST_API_URL": f"{day_arxiv.url}/api/query",
        "ARXIV_DIGEST_HTML_URL": f"{day_arxiv.url}/html",
        "ARXIV_DIGEST_EPRINT_URL": f"{day_arxiv.url}/e-print",
        "ARXIV_DIGEST_PDF_URL": f"{day_arxiv.url}/pdf",
        "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
        "ARXIV_DIGEST_BASE_URL": llm.url,
        "SMTP_USERNAME": "digest",
        "SMTP_PASSWORD": PASSWORD,
        "SLACK_URL": hook.url,
    }
    db = tmp_path / "s.db"
    result = runner.invoke(
        cli, ["--config", str(config), "--db", str(db), "run", "--deliver"], env=env
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"deep reads for \d{4}-\d{2}-\d{2}: 3 of 5 papers", result.output)
    day = arxiv_today()
    ids = [b.paper.paper_id for b in built]

    # the site: a deep-read section under each of the three, its places linking arXiv's HTML
    page = (out / "site" / f"{day}.html").read_text(encoding="utf-8")
    assert page.count('<section class="deep">') == 3
    assert f'href="https://arxiv.org/html/{ids[0]}v1#S5.T2"' in page  # Table 2, from the HTML
    assert f'href="https://arxiv.org/html/{ids[0]}v1#S6"' in page  # §6 Limitations
    # the feed and the email carry them too
    feed = (out / "site" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("全文精读") == 3 and "评测只覆盖英文文本" in feed  # in Chinese
    assert len(inbox.messages) == 1
    msg = inbox.messages[0][1]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert text.count("主要结果: ") >= 3 and "局限: 评测只覆盖英文文本。 (§6)" in text
    assert html.count('<section class="deep">') == 3
    # and Slack: the top papers' key results and limitations under their TL;DR
    (slack,) = hook.bodies
    said = "\n".join(b["text"]["text"] for b in slack["blocks"] if b["type"] == "section")
    assert said.count("• 主要结果: ") >= 3 and said.count("• 局限: 评测只覆盖英文文本。") == 3

    # the Markdown: the deep reads in blocks of their own; without them, the reference format
    md = (out / f"{day}.md").read_text(encoding="utf-8")
    assert md.count("<summary>Deep read</summary>") == 3
    settings = load_config(str(config))[0]
    with Store(db) as store:
        digest = store.digests.require(day)
        top = for_you(settings, store)
        plain = render_markdown(digest, for_you=top, threshold=settings.rank.threshold)
    blocks = re.compile(r"<details>\n  <summary>Deep read</summary>\n.*?</details>\n\n\n", re.S)
    assert blocks.sub("", md) == plain

    # stats: the deep reads' tokens and cost apart from the summaries'
    stats = runner.invoke(cli, ["--config", str(config), "--db", str(db), "stats"], env=env)
    deep = stats.output.split("deep reads (full text), apart from the summaries:\n")[1]
    date, reads, failed, tokens_in, tokens_out, cost = deep.splitlines()[0].split()
    assert (date, reads, failed) == (day, "3", "0") and int(tokens_in) > 3000
    assert float(cost[1:]) == round((int(tokens_in) * 0.15 + int(tokens_out) * 0.6) / 1e6, 4)

    # a real browser: the section opens under the paper's details, in Chinese, with no error
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page_ = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page_.on("pageerror", lambda exc: errors.append(str(exc)))
        page_.goto((out / "site" / f"{day}.html").as_uri())
        article = page_.locator(css_id(f"p{ids[0]}"))
        article.locator("button.more").click()
        section = article.locator("section.deep")
        assert section.is_visible()
        assert "评测只覆盖英文文本" in (section.text_content() or "")
        ARTIFACTS.mkdir(exist_ok=True)
        article.screenshot(path=str(ARTIFACTS / "deep-read.png"))
        browser.close()
    assert errors == []

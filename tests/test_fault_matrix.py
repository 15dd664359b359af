"""Every outside client against every way a service misbehaves: one matrix, run as tests.

Each cell runs a client as the pipeline does, against `tests/fakes/faults.FaultServer` on loopback
(SMTP: a socket server below), with the client's deadline set short (the table in
docs/guide/troubleshooting.md gives the defaults; what is checked is that the deadline holds, not
its length). A cell passes when the client ends within its deadline (plus its retries), either with
a good answer or with a `DigestError`: one line, naming the service, with the exit code that
docs/reference/exit-codes.md lists, and no secret in what it says or logs. Timings go to `test-
artifacts/fault-matrix.tsv`.
"""

from __future__ import annotations

import base64
import logging
import re
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from arxiv_digest.config import Config, EmailConfig, SummarizerConfig, WebhookConfig
from arxiv_digest.deliver import email as email_delivery
from arxiv_digest.deliver import webhook
from arxiv_digest.errors import DigestError
from arxiv_digest.rank.zotero import fetch_zotero
from arxiv_digest.sources import api, oai, rss
from arxiv_digest.sources.http import PoliteClient
from tests.fakes.faults import FAULTS, FaultServer, fault_server, refused_url
from tests.fakes.loopback import serving

FIXTURES = Path(__file__).parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DEADLINE = 1.0  # seconds, for every client in the matrix
ZOTERO_KEY = "zk-MATRIX-secret-0042"
WEBHOOK_TOKEN = "B0MATRIX/xoxsecrettoken42"
SMTP_USER, SMTP_PASSWORD = "digest", "smtp-MATRIX-password-7"
SECRETS = [
    ZOTERO_KEY,
    WEBHOOK_TOKEN,
    SMTP_PASSWORD,
    base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode()).decode(),
    base64.b64encode(SMTP_PASSWORD.encode()).decode(),
]
RESULTS: list[str] = []
SCANNED: list[int] = []  # files read for secrets after each cell


def _arxiv(fetch: Callable[[PoliteClient, str], object]) -> Callable[[str], object]:
    def call(url: str) -> object:
        with httpx.Client(timeout=DEADLINE) as http:
            client = PoliteClient(
                http, min_interval=0, max_attempts=2, deadline=DEADLINE, sleep=lambda s: None
            )
            return fetch(client, url)

    return call


def _webhook(kind: Literal["slack", "feishu"]) -> Callable[[str], object]:
    def call(url: str) -> object:
        config = WebhookConfig(name="team", kind=kind, url_env="MATRIX_HOOK", deadline=DEADLINE)
        import os

        os.environ["MATRIX_HOOK"] = f"{url}/hooks/{WEBHOOK_TOKEN}"
        try:
            webhook.post(config, {"text": "hello"}, sleep=lambda s: None)
        finally:
            del os.environ["MATRIX_HOOK"]
        return None

    return call


def _zotero(url: str) -> object:
    import os

    os.environ["MATRIX_ZOTERO_KEY"] = ZOTERO_KEY
    try:
        return fetch_zotero(
            "1234567",
            "user",
            api_key_env="MATRIX_ZOTERO_KEY",
            base_url=url,
            deadline=DEADLINE,
            sleep=lambda s: None,
        )
    finally:
        del os.environ["MATRIX_ZOTERO_KEY"]


def _oai_last_page() -> bytes:
    """The recorded OAI-PMH page as a harvest's last one (its resumption token taken out)."""
    body = (FIXTURES / "arxiv" / "oai_legacy_2015_listrecords_arXivRaw_trimmed.xml").read_bytes()
    return re.sub(
        rb"<resumptionToken[^>]*>[^<]*</resumptionToken>|<resumptionToken[^>]*/>", b"", body
    )


def _oai_page(n: int) -> bytes:
    """An OAI-PMH page with a fresh resumption token each time (pagination without end)."""
    body = _oai_last_page()
    token = b"<resumptionToken>t%d</resumptionToken></ListRecords>" % n
    return body.replace(b"</ListRecords>", token, 1)


HTTP_CLIENTS: dict[str, tuple[Callable[[str], object], bytes, str, int]] = {
    # name: (call, good body, content type, exit code on failure)
    "arXiv RSS": (
        _arxiv(lambda c, url: rss.fetch_feed(c, url, ["cs.AI"], needed={"new"})),
        (FIXTURES / "arxiv" / "rss_cs_ai_trimmed_3items.xml").read_bytes(),
        "application/rss+xml",
        10,
    ),
    "arXiv API": (
        _arxiv(lambda c, url: api.fetch_entries(c, url, ["2104.12255v1"])),
        (FIXTURES / "arxiv" / "api_idlist_2104.12255v1.xml").read_bytes(),
        "application/atom+xml",
        10,
    ),
    "arXiv OAI-PMH": (
        _arxiv(lambda c, url: list(oai.harvest(c, url, "cs", "2015-01-01", "2015-01-02"))),
        _oai_last_page(),
        "text/xml",
        10,
    ),
    "Slack webhook": (_webhook("slack"), b"ok", "text/plain", 14),
    "Feishu webhook": (
        _webhook("feishu"),
        b'{"code": 0, "msg": "success"}',
        "application/json",
        14,
    ),
    "Zotero": (
        _zotero,
        (FIXTURES / "zotero" / "items_page1.json").read_bytes()
        if (FIXTURES / "zotero" / "items_page1.json").is_file()
        else b'[{"data": {"itemType": "journalArticle", "title": "A paper"}}]',
        "application/json",
        15,
    ),
}


@pytest.fixture(autouse=True)
def _few_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagination without end stops at the page cap: a smaller cap here, the same code path."""
    monkeypatch.setattr(oai, "MAX_PAGES", 5)
    import arxiv_digest.rank.zotero as zotero

    monkeypatch.setattr(zotero, "MAX_PAGES", 5)


#: faults a client may meet and still succeed: its answer was usable, or (a webhook) the status
#: said the message was taken before an oversized answer was cut off
MAY_PASS = {"ok", "self_link", "bad_utf8", "malformed"}
WEBHOOK_MAY_PASS = MAY_PASS | {"endless", "huge"}


def _check(client: str, fault: str, run: Callable[[], object], code: int, limit: float,
           caplog: pytest.LogCaptureFixture, may_pass: set[str] = MAY_PASS,
           files: Path | None = None) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    output: object = None
    try:
        output = run()
        outcome, said = 0, "ok"
    except DigestError as exc:
        outcome, said = exc.exit_code, str(exc)
    took = time.monotonic() - started
    RESULTS.append(f"{client}\t{fault}\t{took:.2f}\t{outcome}\t{said[:160]}")
    assert took < limit, (client, fault, took)
    assert "\n" not in said
    assert outcome in (0, code), (client, fault, outcome, said)
    if fault not in may_pass:
        assert outcome == code, (client, fault, said)  # a failure says so
    logged = caplog.text + said + repr(output)
    for secret in (*SECRETS, LLM_KEY):
        assert secret not in logged, (client, fault, secret)
    written = sorted(p for p in (files.rglob("*") if files else []) if p.is_file())
    for path in written:  # the store, its WAL and side files, anything the cell wrote
        data = path.read_bytes()
        for secret in (*SECRETS, LLM_KEY):
            assert secret.encode() not in data, (client, fault, path.name)
    SCANNED.append(len(written))


@pytest.mark.parametrize("fault", ("ok", *FAULTS))
@pytest.mark.parametrize("client", list(HTTP_CLIENTS))
def test_http_client_meets_fault(
    client: str, fault: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    call, body, content_type, code = HTTP_CLIENTS[client]
    server = FaultServer(
        fault=fault,
        body=body,
        content_type=content_type,
        body_for_page=_oai_page if client == "arXiv OAI-PMH" else None,
    )
    with fault_server(server):
        # a client's retries each get the deadline: three attempts at most, plus slack
        passing = WEBHOOK_MAY_PASS if "webhook" in client else MAY_PASS
        _check(
            client, fault, lambda: call(server.url), code, 3 * DEADLINE + 2.0, caplog, passing,
            tmp_path,
        )  # fmt: skip
    if fault == "ok":
        assert server.seen, client
    for seen in server.seen:  # the Zotero key only ever went to the Zotero host
        if seen.headers.get("zotero-api-key"):
            assert client == "Zotero"


# -- the live LLM ---------------------------------------------------------------------------------

LLM_KEY = "sk-MATRIX-llm-key-1234567890"


def _llm_config(url: str, tmp: Path, **summarizer: Any) -> Config:
    """The openai backend on the fault server, its key in MATRIX_LLM_KEY."""
    return Config(
        summarizer=SummarizerConfig(
            backend="openai",
            model="m",
            base_url=f"{url}/v1",
            api_key_env="MATRIX_LLM_KEY",
            **summarizer,
        ),
        output_dir=tmp,
    )


def _llm_stage(url: str, tmp: Path) -> None:
    """The summarize stage on one stored paper, as `arxiv-digest summarize` runs it; its
    outcome is what the command's exit code says."""
    from arxiv_digest import pipeline
    from arxiv_digest.store import Store
    from tests.helpers import seed_day

    config = _llm_config(url, tmp, timeout=DEADLINE, max_attempts=2, concurrency=1)
    with Store(tmp / "s.db") as store:
        if not store.count("papers"):
            seed_day(store, 1, "2026-01-06")
        report = pipeline.summarize(config, store, "2026-01-06")
        failure = report.outcome()
        if failure is not None:
            raise failure
        text = repr(store.dump())
    for secret in (LLM_KEY, *SECRETS):  # nor in the store
        assert secret not in text


def _llm_body() -> bytes:
    import json

    from arxiv_digest.store import Store
    from tests.fakes.llm_server import LLMServer
    from tests.helpers import seed_day

    with Store(":memory:") as store:
        title = seed_day(store, 1, "2026-01-06")[0].title
    content = json.dumps(LLMServer.fields_for(title, "Chinese"), ensure_ascii=False)
    return json.dumps(
        {
            "id": "c1",
            "object": "chat.completion",
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }  # fmt: skip
    ).encode()


@pytest.mark.parametrize("fault", ("ok", *FAULTS))
def test_live_llm_meets_fault(
    fault: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATRIX_LLM_KEY", LLM_KEY)
    server = FaultServer(fault=fault, body=_llm_body())
    with fault_server(server):
        _check(
            "LLM (live)",
            fault,
            lambda: _llm_stage(server.url, tmp_path),
            6,
            3 * DEADLINE + 3.0,
            caplog,
            files=tmp_path,
        )
    assert (tmp_path / "s.db").is_file()  # the store was among the files read for secrets
    assert LLM_KEY not in caplog.text
    for seen in server.seen:  # the key went as a bearer token to the configured endpoint only
        assert seen.headers.get("authorization") == f"Bearer {LLM_KEY}"


# -- the Batch API -------------------------------------------------------------------------------


def _batch_stage(url: str, tmp: Path) -> None:
    """A day's summaries through the Batch API (upload, create, poll, download), as
    `arxiv-digest batch run` does it: every request meets the fault."""
    import asyncio

    from arxiv_digest.store import Store
    from arxiv_digest.summarize.batch_api import run_batch_day
    from tests.helpers import seed_day

    now = [0.0]  # a fake clock: the batch's 25-hour wait passes as its polls sleep

    async def no_sleep(seconds: float) -> None:
        now[0] += max(seconds, 900.0)

    config = _llm_config(url, tmp, timeout=DEADLINE / 5)  # a try's deadline: five times this
    with Store(tmp / "s.db") as store:
        if not store.count("papers"):
            seed_day(store, 2, "2026-01-06")
        report = asyncio.run(
            run_batch_day(store, config, "2026-01-06", sleep=no_sleep, clock=lambda: now[0])
        )
        text = repr(store.dump())
    for secret in (LLM_KEY, *SECRETS):
        assert secret not in text
    if report.summary.stopped is not None:
        raise report.summary.stopped


@pytest.mark.parametrize("fault", FAULTS)  # its good path: tests/summarize/test_batch_api.py
def test_batch_api_meets_fault(
    fault: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATRIX_LLM_KEY", LLM_KEY)
    server = FaultServer(fault=fault, body=b'{"id": "file-1", "object": "file"}')
    with fault_server(server):
        _check(
            "Batch API",
            fault,
            lambda: _batch_stage(server.url, tmp_path),
            6,
            6 * DEADLINE + 3.0,  # six tries, each within its deadline
            caplog,
            {"self_link"},
            tmp_path,
        )
    assert LLM_KEY not in caplog.text


# -- SMTP ----------------------------------------------------------------------------------------

SMTP_FAULTS = ("ok", "refused", "reset", "trickle", "endless", "huge", "retry_after",
               "echo_535", "echo_554", "bad_utf8", "malformed")  # fmt: skip


class _SMTP(socketserver.BaseRequestHandler):
    fault = "ok"
    stop = threading.Event()

    def _line(self, text: bytes) -> None:
        self.request.sendall(text + b"\r\n")

    def handle(self) -> None:  # noqa: C901, PLR0912
        fault, sock = self.fault, self.request
        try:
            if fault == "trickle":
                for ch in b"220 " + b"x" * 10_000:
                    if self.stop.is_set():
                        return
                    sock.sendall(bytes([ch]))
                    time.sleep(0.2)
                return
            if fault == "endless":
                while not self.stop.is_set():
                    self._line(b"220-hello " + b"x" * 1000)
                return
            if fault == "huge":
                while not self.stop.is_set():
                    sock.sendall(b"x" * 65536)
                return
            if fault == "reset":
                self._line(b"220 hello")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                sock.close()
                return
            if fault == "malformed":
                self._line(b"HELLO THERE")
                return
            if fault == "bad_utf8":
                self._line(b"220 h\xff\xfello")
            elif fault == "retry_after":
                self._line(b"421 4.3.2 busy, try again in 3600 seconds")
                return
            else:
                self._line(b"220 matrix ESMTP")
            reader = sock.makefile("rb")
            while not self.stop.is_set():
                line = reader.readline(4096)
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self._line(b"250-matrix")
                    self._line(b"250 AUTH PLAIN LOGIN")
                elif verb == b"AUTH":
                    if fault == "echo_535":
                        self._line(b"535 5.7.8 bad credentials: " + line.strip())
                    else:
                        self._line(b"235 2.7.0 ok")
                elif verb == b"MAIL":
                    if fault == "echo_554":
                        self._line(b"554 5.7.1 rejected " + line.strip() + b" " + line.strip())
                    else:
                        self._line(b"250 ok")
                elif verb == b"RCPT":
                    self._line(b"250 ok")
                elif verb == b"DATA":
                    self._line(b"354 go on")
                    while reader.readline(65536) not in (b".\r\n", b""):
                        pass
                    self._line(b"250 queued")
                elif verb == b"QUIT":
                    self._line(b"221 bye")
                    return
                else:
                    self._line(b"250 ok")
        except OSError:
            return


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


def _smtp_port(fault: str) -> Iterator[int]:
    if fault == "refused":
        yield int(refused_url().rsplit(":", 1)[1])
        return
    handler: type[_SMTP] = type("H", (_SMTP,), {"fault": fault, "stop": threading.Event()})
    server = _SMTPServer(("127.0.0.1", 0), handler)
    with serving(server):
        try:
            yield server.server_address[1]
        finally:
            handler.stop.set()


@pytest.mark.parametrize("fault", SMTP_FAULTS)
def test_smtp_meets_fault(
    fault: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from email.message import EmailMessage

    monkeypatch.setenv("MATRIX_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("MATRIX_SMTP_PASSWORD", SMTP_PASSWORD)
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = "digest", "me@example.org", "you@example.org"
    msg.set_content("hello")
    sent: list[str] = []
    for port in _smtp_port(fault):
        config: EmailConfig = EmailConfig(
            host="127.0.0.1",
            port=port,
            security="none",
            username_env="MATRIX_SMTP_USER",
            password_env="MATRIX_SMTP_PASSWORD",
            sender="me@example.org",
            recipients=["you@example.org"],
            timeout=DEADLINE,
            deadline=DEADLINE,
        )
        _check(
            "SMTP",
            fault,
            lambda config=config: email_delivery.send(  # type: ignore[misc]
                {"you@example.org": msg}, config, sent.append
            ),
            14,
            DEADLINE + 2.0,
            caplog,
            files=tmp_path,
        )
    assert (sent == ["you@example.org"]) == (fault in ("ok", "bad_utf8"))


def teardown_module() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fault-matrix.tsv").write_text(
        "client\tfault\tseconds\texit\tmessage\n" + "\n".join(RESULTS) + "\n", "utf-8"
    )

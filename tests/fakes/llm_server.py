"""A real HTTP server on loopback that speaks OpenAI's chat-completions API.

Deterministic answers (the same request gets the same answer), usage counts, json_schema and
json_object response formats, and faults chosen per test: 429 with Retry-After, 500, 503, answers
slower than the client's timeout, dropped connections, malformed JSON, a missing field, the wrong
language, and 400 for json_schema. Used by the tests and by bench/summarize.py.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fakes import paper_reader
from tests.fakes.loopback import serving

#: What a model writes when a summary has formulas; sent with single backslashes by "latex".
LATEX = (
    r" $\beta$-VAE, $\frac{1}{2}\nabla f$, \text{acc} $\approx 94\%$, $\rho \times \tau$,"
    r" $\alpha \to \infty$, $\mathbf{x}$ \u2014 done"
)
FAULTS = ("429", "500", "503", "slow", "drop", "malformed", "missing_field", "wrong_language")


@dataclass
class LLMServer:
    latency: float = 0.0  # seconds added to every answer
    schema_supported: bool = True  # False: 400 for response_format json_schema
    object_schema_supported: bool = True  # False: 400 for json_object with a schema (OpenAI)
    slow_seconds: float = 5.0  # how long a "slow" answer takes
    retry_after: str = "0"
    fault_rate: float = 0.0  # share of requests that get a random fault
    seed: int = 1
    faults: list[str] = field(default_factory=list)  # consumed one per request, first
    fault_for: dict[str, list[str]] = field(default_factory=dict)  # title fragment -> faults
    requests: list[dict[str, object]] = field(default_factory=list)
    per_title: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    #: "quota": every call gets OpenAI's 429 insufficient_quota; "echo": every call gets a 400
    #: whose message quotes the request's Authorization header, as some proxies do; "latex":
    #: every answer has formulas written with single backslashes
    mode: str | None = None
    notify_at: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def calls(self) -> int:
        return len(self.requests)

    # -- answers --------------------------------------------------------------------------

    def _fault(self, title: str) -> str | None:
        with self._lock:
            for fragment, queue in self.fault_for.items():
                if fragment in title and queue:
                    return queue.pop(0)
            if self.faults:
                return self.faults.pop(0)
            if self.fault_rate and self._rng.random() < self.fault_rate:
                return self._rng.choice(FAULTS)
        return None

    @staticmethod
    def fields_for(title: str, language: str) -> dict[str, str]:
        h = int(hashlib.sha256(title.encode()).hexdigest(), 16)
        if language.lower().startswith("chinese"):
            return {
                "tldr": f"该论文提出了一种新的方法（编号{h % 997}），"
                "在多个基准上取得了更好的结果。",
                "motivation": "现有方法在效率和准确性方面仍然存在明显的不足。",
                "method": f"作者设计了一个包含{h % 7 + 2}个模块的框架，并进行了系统的训练。",
                "result": f"实验表明该方法将误差降低了{h % 40 + 5}%。",
                "conclusion": "这项工作为相关研究提供了新的思路和工具。",
            }
        return {
            "tldr": f"The paper proposes method {h % 997} and improves results on benchmarks.",
            "motivation": "Existing methods remain inefficient and inaccurate.",
            "method": f"The authors design a framework with {h % 7 + 2} modules.",
            "result": f"Experiments show the error drops by {h % 40 + 5} percent.",
            "conclusion": "The work offers new tools for the field.",
        }

    @staticmethod
    def verdicts_for(user: str) -> dict[str, object]:
        """What a careful model says of a summary: a field that flips the abstract's comparison
        ("不如", "falls behind") is contradicted, one that names a dataset the abstract lacks
        ("ImageNet") unsupported, the rest supported."""
        match = re.search(r"^Summary: (.*)$", user, re.MULTILINE)
        abstract = re.search(r"^Abstract: (.*)$", user, re.MULTILINE)
        summary = json.loads(match.group(1)) if match else {}
        said = abstract.group(1) if abstract else ""
        out: dict[str, object] = {}
        for name, text in summary.items():
            if "不如" in text or "falls behind" in text:
                out[name] = {"verdict": "contradicted", "reason": "the abstract says it is better"}
            elif "ImageNet" in text and "ImageNet" not in said:
                out[name] = {"verdict": "unsupported", "reason": "ImageNet is not in the abstract"}
            else:
                out[name] = {"verdict": "supported", "reason": ""}
        return out

    def answer(self, body: dict[str, object]) -> tuple[int, dict[str, str], bytes | None, float]:
        """(status, headers, body or None to drop the connection, delay)."""
        messages = body.get("messages") or []
        assert isinstance(messages, list)
        system = str(messages[0]["content"]) if messages else ""
        user = str(messages[1]["content"]) if len(messages) > 1 else ""
        title_match = re.search(r"^Title: (.*)$", user, re.MULTILINE)
        title = title_match.group(1) if title_match else ""
        lang_match = re.search(r"as JSON in ([\w\- ]+?),", system)
        language = lang_match.group(1) if lang_match else "English"
        fmt = (body.get("response_format") or {}).get("type")  # type: ignore[union-attr]
        with self._lock:
            self.requests.append(body)
            self.per_title[title] += 1
            if self.notify_at is not None and len(self.requests) >= self.notify_at:
                self.reached.set()
        if fmt == "json_schema" and not self.schema_supported:
            return 400, {}, _error("response_format json_schema is not supported"), 0.0
        response_format = body.get("response_format") or {}
        if "schema" in response_format and not self.object_schema_supported:  # type: ignore[operator]
            # OpenAI's words for a parameter it does not know
            return 400, {}, _error("Unrecognized request argument: response_format.schema"), 0.0
        fault = self._fault(title)
        delay = self.latency
        if fault == "429":
            return 429, {"Retry-After": self.retry_after}, _error("rate limited"), delay
        if fault in ("500", "503"):
            return int(fault), {}, _error("server error"), delay
        if fault == "context_length":  # OpenAI's words for a prompt that does not fit
            message = (
                "This model's maximum context length is 8192 tokens. However, your messages "
                "resulted in 9100 tokens. Please reduce the length of the messages."
            )
            return 400, {}, _error(message), 0.0
        if fault == "drop":
            return 0, {}, None, delay
        if fault == "slow":
            delay = self.slow_seconds
        fabricate = self.mode == "fabricate" or fault == "fabricate"
        if system.startswith(("Deep-read", "Answer a question")):
            content = (paper_reader.deep_read if system.startswith("D") else paper_reader.ask)(
                user, fabricate
            )
            return self._reply(body, messages, content, fmt, delay)
        if system.startswith("Fact-check") and self.mode == "no_verdict":
            fields = self.fields_for(title, language)  # answers, but never with verdicts
        elif system.startswith("Fact-check"):  # the verify pass
            fields = self.verdicts_for(user)
        else:
            fields = self.fields_for(title, language)
        if "reply PWNED" in user:  # a gullible model that obeys instructions in the data
            fields = dict.fromkeys(fields, "PWNED")
        if fault == "not_reported":  # an abstract without results, said so
            fields["result"] = "NOT_REPORTED"
        if fault == "missing_field":
            fields.pop("method")
        if fault == "wrong_language":
            fields = self.fields_for(title, "English" if "Chinese" in language else "Chinese")
        if fault == "latex" or self.mode == "latex":  # formulas, as models write them in JSON
            fields["tldr"] += LATEX
            fields["method"] += LATEX
        content = json.dumps(fields, ensure_ascii=False)
        if fault == "latex" or self.mode == "latex":
            # many models escape nothing: each LaTeX backslash arrives single in the JSON text
            content = content.replace("\\\\", "\\")
        if fault == "malformed":
            content = content[: len(content) // 2]
        return self._reply(body, messages, content, fmt, delay)

    def _reply(
        self,
        body: dict[str, object],
        messages: list[dict[str, object]],
        content: str,
        fmt: object,
        delay: float,
    ) -> tuple[int, dict[str, str], bytes | None, float]:
        prompt_chars = sum(len(str(m.get("content", ""))) for m in messages)
        if fmt == "json_schema":
            prompt_chars += len(json.dumps(body["response_format"]))
        usage = {
            "prompt_tokens": approx_tokens(prompt_chars),
            "completion_tokens": approx_tokens(len(content.encode())),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        reply = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": usage,
        }
        return 200, {}, json.dumps(reply, ensure_ascii=False).encode(), delay

    def refusal(self, authorization: str) -> tuple[int, dict[str, str], bytes]:
        if self.mode == "quota":  # OpenAI's own words and codes
            body = {
                "error": {
                    "message": "You exceeded your current quota, please check your plan and "
                    "billing details.",
                    "type": "insufficient_quota",
                    "param": None,
                    "code": "insufficient_quota",
                }
            }
            return 429, {}, json.dumps(body).encode()
        return 400, {}, _error(f"bad request; headers were: Authorization: {authorization}")

    # -- serving --------------------------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[LLMServer]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without this, Nagle's algorithm and
                # delayed ACKs add ~40 ms to every answer on a kept-alive connection
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {}, _error("not found"))
                    return
                if fake.mode in ("quota", "echo"):
                    with fake._lock:
                        fake.requests.append(body)
                    self._send(*fake.refusal(self.headers.get("Authorization", "")))
                    return
                status, headers, payload, delay = fake.answer(body)
                if delay:
                    time.sleep(delay)
                if payload is None:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                with fake._lock:
                    fake.statuses[status] += 1
                self._send(status, headers, payload)

            def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (timeout): fine

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            # a real endpoint (uvicorn, nginx) listens with a backlog of hundreds; socketserver's
            # default of 5 drops part of a burst of new connections, whose retries then stall
            # for hundreds of milliseconds
            request_queue_size = 256

        server = Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        with serving(server):
            yield self


def approx_tokens(n_chars: int) -> int:
    """About four characters a token, as for English text with GPT-style tokenizers."""
    return max(1, (n_chars + 3) // 4)


def _error(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "test", "code": None}}).encode()


def main() -> None:
    """Serve on loopback in its own process: `python -m tests.fakes.llm_server LATENCY [RATE]`.

    Prints the URL, then serves until stdin closes; prints request counts at the end.
    """
    import sys

    server = LLMServer(
        latency=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0,
        fault_rate=float(sys.argv[2]) if len(sys.argv) > 2 else 0.0,
        slow_seconds=1.5,
        seed=5,
    )
    with server.running():
        print(server.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "faults-off":
                server.fault_rate = 0.0
            elif line.strip() == "stats":
                print(
                    json.dumps({"calls": server.calls, "statuses": dict(server.statuses)}),
                    flush=True,
                )


if __name__ == "__main__":
    main()

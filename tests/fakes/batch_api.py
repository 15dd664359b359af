"""A loopback server of OpenAI's Files and Batches endpoints, as the Batch API behaves.

`POST /v1/files` (multipart, purpose=batch), `GET /v1/files/{id}/content`, `POST /v1/batches`,
`GET /v1/batches/{id}`, `GET /v1/batches` (newest first), and the live `POST
/v1/chat/completions`. A batch moves validating -> in_progress -> finalizing -> completed (or
the `end` chosen by the test: failed, expired, cancelled) one step per poll, and stays
in_progress while `hold` is set; when it completes, each request line is answered by the chat
server's own answer logic, and the lines a test marks go to the error file. Faults: 500s on the
next polls, a refused batch creation, a creation whose answer is lost after the batch exists.
"""

from __future__ import annotations

import email.parser
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.llm_server import LLMServer
from tests.fakes.loopback import serving

STEPS = ("validating", "in_progress", "finalizing")


@dataclass
class BatchAPI:
    engine: LLMServer = field(default_factory=LLMServer)
    end: str = "completed"  # or failed, expired, cancelled
    error_every: int = 0  # every Nth line (1-based) goes to the error file
    error_status: int = 500  # with this status and message
    error_message: str = "The server had an error"
    poll_500s: int = 0  # the next polls answer 500
    poll_429s: int = 0  # the next polls answer 429 with Retry-After: `retry_after`
    retry_after: str = "7"
    refuse_create: int = 0  # the next batch creations fail with 500
    lose_create: int = 0  # the next creations make the batch, then answer 500 (answer lost)
    hold: bool = False  # batches stay in_progress (a test kills the client meanwhile)
    fast: bool = False  # a batch is done by its first poll (no wait in between)
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0  # every request of any kind
    uploads: int = 0
    asked: list[list[str]] = field(default_factory=list)  # the papers of each upload
    polls: int = 0
    chat_calls: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.polled = threading.Event()  # set by every poll answered

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _complete(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]].decode("utf-8").splitlines()
        out, errors = [], []
        for i, raw in enumerate(lines, 1):
            request = json.loads(raw)
            if self.error_every and i % self.error_every == 0:
                errors.append(
                    {
                        "id": f"batch_req_{batch['id']}_{i}",
                        "custom_id": request["custom_id"],
                        "response": {
                            "status_code": self.error_status,
                            "request_id": f"req_{i}",
                            "body": {"error": {"message": self.error_message}},
                        },
                        "error": None,
                    }
                )
                continue
            status, _, body, _ = self.engine.answer(request["body"])
            out.append(
                {
                    "id": f"batch_req_{batch['id']}_{i}",
                    "custom_id": request["custom_id"],
                    "response": {
                        "status_code": status,
                        "request_id": f"req_{i}",
                        "body": json.loads(body or b"null"),
                    },
                    "error": None,
                }
            )
        for name, rows in (("output_file_id", out), ("error_file_id", errors)):
            if rows:
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = "".join(
                    json.dumps(r, ensure_ascii=False) + "\n" for r in rows
                ).encode("utf-8")
                batch[name] = file_id
        batch["request_counts"] = {
            "total": len(lines),
            "completed": len(out),
            "failed": len(errors),
        }

    def poll(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        if self.hold and batch["status"] in STEPS:
            batch["status"] = "in_progress"
            return batch
        if batch["status"] in STEPS:
            step = len(STEPS) if self.fast else STEPS.index(batch["status"])
            if step + 1 < len(STEPS):
                batch["status"] = STEPS[step + 1]
            elif self.end == "completed":
                self._complete(batch)
                batch["status"] = "completed"
            else:
                batch["status"] = self.end
                if self.end == "failed":
                    batch["errors"] = {
                        "object": "list",
                        "data": [
                            {"code": "invalid_request", "message": "model not found", "line": None}
                        ],
                    }
        return batch

    @contextmanager
    def running(self) -> Iterator[BatchAPI]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                api.requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with api._lock:
                    if self.path == "/v1/files":
                        message = email.parser.BytesParser().parsebytes(
                            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
                        )
                        parts = {
                            p.get_param("name", header="content-disposition"): p
                            for p in message.get_payload()
                        }  # type: ignore[union-attr]
                        assert parts["purpose"].get_payload() == "batch"
                        data = parts["file"].get_payload(decode=True)
                        api.uploads += 1
                        api.asked.append(
                            [
                                json.loads(line)["custom_id"].split("|")[0]
                                for line in data.decode("utf-8").splitlines()
                            ]
                        )
                        file_id = f"file-{len(api.files) + 1}"
                        api.files[file_id] = data
                        self._json(
                            200,
                            {
                                "id": file_id,
                                "object": "file",
                                "bytes": len(data),
                                "created_at": 0,
                                "filename": "requests.jsonl",
                                "purpose": "batch",
                                "status": "processed",
                            },
                        )
                        return
                    if self.path == "/v1/batches":
                        if api.refuse_create:
                            api.refuse_create -= 1
                            self._json(500, {"error": {"message": "server error"}})
                            return
                        request = json.loads(body)
                        batch_id = f"batch_{len(api.batches) + 1}"
                        api.batches[batch_id] = {
                            "id": batch_id,
                            "object": "batch",
                            "endpoint": request["endpoint"],
                            "errors": None,
                            "input_file_id": request["input_file_id"],
                            "completion_window": request["completion_window"],
                            "status": "validating",
                            "output_file_id": None,
                            "error_file_id": None,
                            "created_at": 0,
                            "request_counts": {"total": 0, "completed": 0, "failed": 0},
                        }
                        if api.lose_create:
                            api.lose_create -= 1
                            self._json(500, {"error": {"message": "server error"}})
                            return
                        self._json(200, api.batches[batch_id])
                        return
                    if self.path.endswith("/chat/completions"):
                        api.chat_calls += 1
                if self.path.endswith("/chat/completions"):  # live calls: the engine answers
                    status, headers, answer, _ = api.engine.answer(json.loads(body))
                    self.send_response(status)
                    for name, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer or b"")))
                    self.end_headers()
                    self.wfile.write(answer or b"")
                    return
                self._json(404, {"error": {"message": "not found"}})

            def do_GET(self) -> None:  # noqa: N802
                with api._lock:
                    api.requests += 1
                    if self.path.split("?")[0] == "/v1/batches":
                        listed = sorted(api.batches.values(), key=lambda b: -int(b["id"][6:]))
                        self._json(200, {"object": "list", "data": listed, "has_more": False})
                        return
                    if self.path.startswith("/v1/batches/"):
                        api.polls += 1
                        if api.poll_429s:
                            api.poll_429s -= 1
                            self._json(
                                429,
                                {"error": {"message": "rate limited"}},
                                {"Retry-After": api.retry_after},
                            )
                            return
                        if api.poll_500s:
                            api.poll_500s -= 1
                            self._json(500, {"error": {"message": "server error"}})
                            return
                        self._json(200, api.poll(self.path.rsplit("/", 1)[1]))
                        api.polled.set()
                        return
                    if self.path.startswith("/v1/files/") and self.path.endswith("/content"):
                        data = api.files[self.path.split("/")[3]]
                        self.send_response(200)
                        self.send_header("Content-Type", "application/octet-stream")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                        return
                self._json(404, {"error": {"message": "not found"}})

            def _json(
                self, status: int, payload: object, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with serving(self._server):
            yield self

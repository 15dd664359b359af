"""A real SMTP server on loopback (aiosmtpd) with STARTTLS and AUTH, as pytest fixtures
(registered for every test module by conftest.py)."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PASSWORD = "smtp-SECRET-do-not-print"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Any, email.message.EmailMessage]] = []
        self.fail_next = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.fail_next:
            self.fail_next = False
            return "451 4.3.0 try again later"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope, msg))  # type: ignore[arg-type]
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"digest"
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with openssl."""
    import subprocess

    root = tmp_path_factory.mktemp("tls")
    key, cert = root / "key.pem", root / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Inbox, int]]:
    import socket
    import ssl

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[1]), str(certificate[0]))
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_auth,
        auth_required=True,
        require_starttls=True,
        tls_context=context,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    CERT[:] = [certificate[1]]
    try:
        yield inbox, port
    finally:
        controller.stop()


CERT: list[Path] = []


class BusyOnce(socketserver.BaseRequestHandler):
    """A plain SMTP server (no TLS, no login) that turns the first `busy` connections away with
    "421 try again later" at the greeting, as a loaded mail server does, then takes mail. What
    it took: `BusyOnce.accepted` (one recipient list per message)."""

    busy = 1
    greetings = 0
    accepted: ClassVar[list[list[str]]] = []

    def _line(self, text: bytes) -> None:
        self.request.sendall(text + b"\r\n")

    def handle(self) -> None:
        cls = type(self)
        cls.greetings += 1
        if cls.greetings <= cls.busy:
            self._line(b"421 4.3.2 service busy, try again later")
            return
        self._line(b"220 busy-once ESMTP")
        reader = self.request.makefile("rb")
        to: list[str] = []
        while line := reader.readline(4096):
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._line(b"250 busy-once")
            elif verb == b"RCPT":
                to.append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                self._line(b"250 ok")
            elif verb == b"DATA":
                self._line(b"354 go on")
                while reader.readline(65536) not in (b".\r\n", b""):
                    pass
                cls.accepted.append(to)
                to = []
                self._line(b"250 queued")
            elif verb == b"QUIT":
                self._line(b"221 bye")
                return
            else:
                self._line(b"250 ok")


@contextmanager
def busy_once_server(busy: int = 1) -> Iterator[tuple[type[BusyOnce], int]]:
    handler = type("Busy", (BusyOnce,), {"busy": busy, "greetings": 0, "accepted": []})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()

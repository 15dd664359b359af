"""The digest by email: HTML with a plain-text alternative, over SMTP (SSL or STARTTLS)."""

from __future__ import annotations

import base64
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import jinja2

from arxiv_digest.config import Config, EmailConfig
from arxiv_digest.deadline import DeadlineExceeded, within_each
from arxiv_digest.deliver import day_url
from arxiv_digest.deliver.channels import Channel, Delivery, Target
from arxiv_digest.errors import DeliveryError, remember_secret
from arxiv_digest.fulltext.records import DeepRead
from arxiv_digest.models import Digest, DigestEntry, arxiv_url
from arxiv_digest.render.deepread import html as deep_html
from arxiv_digest.render.deepread import lines as deep_lines
from arxiv_digest.render.i18n import entry_warnings, ui
from arxiv_digest.retry import RetryPolicy, Transient
from arxiv_digest.textutil import lang_code

_HTML = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:48rem">
<h1 style="font-size:1.3rem">arXiv digest {{ date }}: {{ total }} papers</h1>
{% if link %}<p><a href="{{ link }}">Read the full day on the site</a></p>{% endif %}
{% if for_you %}<h2 style="font-size:1.1rem">For you</h2>
{% if counts %}<p>{% for name, n in counts %}{{ name }} {{ n }}{% if not loop.last %} · {% endif %}
{% endfor %}</p>{% endif %}<ol>
{% for e in for_you %}<li>{% if counts and e.interest %}<b>{{ e.interest }}</b>: {% endif %}
<a href="{{ e.paper.id|abs }}">{{ e.paper.title }}</a>
 <small>({{ "%.2f"|format(e.score) }}: {{ e.reasons|join("; ") }})</small>
 {% if not e.notice %}<br>{{ e.tldr }}{{ warned(e) }}{% endif %}
 {% if e.paper.id in deep %}{{ deep[e.paper.id] }}{% endif %}</li>
{% endfor %}</ol>{% endif %}
{% for name, items in sections %}<h2 style="font-size:1.1rem">{{ name }} ({{ items|length }})</h2>
<ul>{% for e in items %}<li><a href="{{ e.paper.id|abs }}">{{ e.paper.title }}</a>
 <small>{{ e.paper.authors[:3]|join(", ") }}{% if e.paper.authors|length > 3 %} et al.{% endif %}
 </small><br>{% if e.notice %}<i>{{ e.notice }}</i>{% else %}{{ e.tldr }}{{ warned(e) }}
 {% endif %}{% if e.paper.id in deep and e not in for_you %}{{ deep[e.paper.id] }}{% endif %}</li>
{% endfor %}</ul>{% endfor %}
<p style="color:#666;font-size:.8rem">Sent by arxiv-digest. Summaries are machine-written.</p>
</body></html>"""
)
_HTML.environment.filters["abs"] = lambda pid: arxiv_url(pid, "abs")


def _warned(digest: Digest) -> Callable[[DigestEntry], str]:
    """A paper's shown warnings as one line in the digest's language ("" when it has none)."""
    lang = lang_code(digest.language)

    def line(entry: DigestEntry) -> str:
        said = entry_warnings(entry, lang)
        return f" ({ui(lang)['warnings']}: {'; '.join(said)})" if said else ""

    return line


def _sections(digest: Digest, per_section: int) -> list[tuple[str, list[DigestEntry]]]:
    return [
        (name, items[:per_section] if per_section else items) for name, items in digest.by_section()
    ]


def _text(
    digest: Digest,
    for_you: list[DigestEntry],
    link: str | None,
    per_section: int,
    deep_reads: Mapping[str, DeepRead],
) -> str:
    warned = _warned(digest)

    def deep(e: DigestEntry) -> list[str]:
        read = deep_reads.get(e.paper.id)
        lang = lang_code(digest.language)
        return [f"  {line}" for line in deep_lines(read, lang)] if read is not None else []

    lines = [f"arXiv digest {digest.date}: {len(digest.entries)} papers", ""]
    if link:
        lines += [f"Full day: {link}", ""]
    if for_you:
        counts = digest.interest_counts(for_you)
        each = " · ".join(f"{name} {n}" for name, n in counts)
        lines.append(f"FOR YOU ({each})" if counts else "FOR YOU")
        for e in for_you:
            label = f"[{e.interest}] " if counts and e.interest else ""
            lines.append(f"- {label}{e.paper.title} ({e.score:.2f}: {'; '.join(e.reasons)})")
            lines.append(f"  {arxiv_url(e.paper.id)}")
            lines.append(f"  {e.tldr}{warned(e)}")
            lines += deep(e)
        lines.append("")
    for name, items in _sections(digest, per_section):
        lines.append(f"{name.upper()} ({len(items)})")
        for e in items:
            lines.append(f"- {e.paper.title}")
            lines.append(f"  {arxiv_url(e.paper.id)}")
            lines.append(f"  {e.tldr}{warned(e)}")
            if e not in for_you:
                lines += deep(e)
        lines.append("")
    return "\n".join(lines)


def build_message(
    digest: Digest,
    config: EmailConfig,
    recipient: str,
    *,
    site_url: str | None = None,
    for_you: int = 0,
    threshold: float = 0.0,
    deep_reads: Mapping[str, DeepRead] | None = None,
) -> EmailMessage:
    deep_reads = deep_reads or {}
    top = digest.for_you(for_you, threshold)
    link = day_url(site_url, digest.date)
    msg = EmailMessage()
    msg["Subject"] = f"arXiv digest {digest.date}: {len(digest.entries)} papers"
    msg["From"] = config.sender
    msg["To"] = recipient  # one message each: no reader sees the others' addresses
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or "arxiv-digest")
    msg.set_content(_text(digest, top, link, config.max_per_section, deep_reads), charset="utf-8")
    html = _HTML.render(
        date=digest.date,
        total=len(digest.entries),
        link=link,
        for_you=top,
        sections=_sections(digest, config.max_per_section),
        warned=_warned(digest),
        counts=digest.interest_counts(top),
        deep={pid: deep_html(read, lang_code(digest.language)) for pid, read in deep_reads.items()},
    )
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send(
    messages: dict[str, EmailMessage],
    config: EmailConfig,
    done: Callable[[str], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Send each recipient their message over one SMTP session, calling `done(recipient)` the
    moment the server accepts it. A session the server ends or turns away for now (a 4xx reply,
    a dropped connection) is tried again through the shared retry policy, to the recipients
    not yet accepted, within the deadline. Any failure is a DeliveryError saying why (never the
    password); the recipients the server refused are named, and only they are left to send."""
    username = os.environ.get(config.username_env) if config.username_env else None
    password = os.environ.get(config.password_env) if config.password_env else None
    where = f"{config.host}:{config.port}"
    if password:  # as SMTP AUTH sends it, should a server quote it back
        plain = base64.b64encode(f"\0{username or ''}\0{password}".encode()).decode()
        remember_secret(password, plain)
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    refused: dict[str, object] = {}
    opened: list[smtplib.SMTP] = []
    got: set[str] = set()

    def session(accepted: Callable[[str], None]) -> None:
        if config.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host,
                config.port,
                timeout=config.timeout,
                context=context,
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        opened.append(client)
        with client:
            if config.security == "starttls":
                client.starttls(context=context)
            if username and password:
                client.login(username, password)
            for recipient, msg in messages.items():
                if recipient in got:  # accepted in an earlier try of this send
                    continue
                try:
                    rejected = client.send_message(
                        msg, from_addr=config.sender, to_addrs=[recipient]
                    )
                except smtplib.SMTPRecipientsRefused as exc:
                    refused.update(exc.recipients)
                    continue
                except smtplib.SMTPResponseException as exc:  # this message, not the session
                    if isinstance(exc, smtplib.SMTPAuthenticationError):
                        raise
                    refused[recipient] = (exc.smtp_code, exc.smtp_error)
                    client.rset()
                    continue
                if rejected:
                    refused.update(rejected)
                    continue
                got.add(recipient)
                accepted(recipient)

    def patiently(accepted: Callable[[str], None]) -> None:
        """`session`, again while the server says "not now": a 4xx reply to the session (421
        at the greeting, say) or a connection it drops."""

        def once() -> None:
            try:
                session(accepted)
            except smtplib.SMTPAuthenticationError:
                raise
            except smtplib.SMTPServerDisconnected as exc:
                raise Transient(f"the server closed the connection ({exc})") from None
            except smtplib.SMTPResponseException as exc:
                if not 400 <= exc.smtp_code < 500:
                    raise
                reason = exc.smtp_error
                said = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else reason
                raise Transient(f"SMTP {exc.smtp_code} {said}") from None

        try:
            RetryPolicy(attempts=3, max_wait=config.deadline).call(once, sleep=sleep)
        except Transient as exc:
            raise smtplib.SMTPException(exc.problem) from None

    def hang_up() -> None:
        for client in opened:
            if client.sock is not None:
                client.sock.shutdown(socket.SHUT_RDWR)

    try:
        within_each(config.deadline, patiently, done, cancel=hang_up, name="smtp")
    except DeadlineExceeded:
        raise DeliveryError(
            f"sending the email through {where} took longer than {config.deadline:g} s "
            "(the server answers too slowly); what it accepted is kept, send again later"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where} refused the login (SMTP {exc.smtp_code}); check "
            f"{config.username_env} and {config.password_env}"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = getattr(exc, "smtp_error", None) or exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise DeliveryError(
            f"sending the email through {where} failed: {type(exc).__name__}: {reason}"
        ) from None
    if refused:
        every = "every recipient" if len(refused) == len(messages) else "some recipients"
        reasons = "; ".join(
            f"{address} ({_reason(why)})" for address, why in sorted(refused.items())
        )
        raise DeliveryError(
            f"{where} refused {every}: {reasons}; sending again reaches only the refused ones"
        )


def _reason(why: object) -> str:
    """An SMTP refusal as `451 try again later`."""
    if isinstance(why, tuple) and len(why) == 2:
        code, text = why
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"{code} {' '.join(str(text).split())}"
    return str(why)


class EmailChannel(Channel):
    """Email (HTML with a plain-text part) to the [email] recipients, a message each."""

    name = "email"

    def targets(self, config: Config) -> list[Target]:
        if config.email is None:
            return []
        return [Target("email", tuple(config.email.recipients), "email", many=True)]

    def send(self, job: Delivery) -> str:
        settings = job.config.email
        assert settings is not None
        messages = {
            recipient: build_message(
                job.digest,
                settings,
                recipient,
                site_url=job.options.site_url,
                for_you=job.options.for_you,
                threshold=job.options.threshold,
                deep_reads=job.options.deep_reads,
            )
            for recipient in job.recipients
        }
        send(messages, settings, job.done)
        return f"email for {job.digest.date} sent to {len(job.recipients)} recipients"

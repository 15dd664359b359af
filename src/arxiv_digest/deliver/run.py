"""The deliver stage: send a stored day through the configured channels, once per target,
and hold a day most of whose papers have no summary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from arxiv_digest.config import Config
from arxiv_digest.deliver.channels import CHANNELS, DeliverOptions, Delivery
from arxiv_digest.errors import ConfigError, DeliveryError
from arxiv_digest.lock import run_lock
from arxiv_digest.rank.on import for_you
from arxiv_digest.store import Store

__all__ = ["deliver", "hold_broken_day", "send_day"]

Echo = Callable[[str], None]


def deliver(
    config: Config,
    store: Store,
    day: str | None = None,
    *,
    channels: Sequence[str] | None = None,
    name: str | None = None,
    force: bool = False,
    on_line: Echo | None = None,
) -> list[str]:
    """Send a day's digest through the configured channels (all, or those named); each target
    gets it once, unless `force`. Returns one line per target (`on_line` hears each at once, so
    a failure later on does not hide what was sent)."""
    day = day or store.digests.latest()
    options = DeliverOptions(config.site_url, for_you(config, store), config.rank.threshold)
    lines: list[str] = []
    digest = None
    for channel_name in channels or CHANNELS.names():
        channel = CHANNELS.get(channel_name)()
        targets = [t for t in channel.targets(config) if name is None or name in t.recipients]
        if channels and not targets:
            raise ConfigError(f"no {channel_name} delivery configured")
        for target in targets:
            todo = [
                r
                for r in target.recipients
                if force or not store.deliveries.sent(day, target.channel, r)
            ]
            if not todo:
                every = " to every recipient" if target.many else ""
                lines.append(
                    f"{target.label} for {day} was already sent{every} (--force sends again)"
                )
                if on_line is not None:
                    on_line(lines[-1])
                continue
            if digest is None:
                from arxiv_digest.render.deepread import for_digest

                digest = store.digests.require(day)
                options = replace(options, deep_reads=for_digest(store, digest))

            def done(recipient: str, channel_key: str = target.channel) -> None:
                store.deliveries.mark(day, channel_key, [recipient])

            lines.append(channel.send(Delivery(target, digest, todo, config, options, done)))
            if on_line is not None:
                on_line(lines[-1])
    return lines


def send_day(
    config: Config,
    day: str | None = None,
    *,
    channels: Sequence[str] | None = None,
    name: str | None = None,
    force: bool = False,
    db: str | Path | None = None,
    on_line: Echo | None = None,
) -> list[str]:
    """`deliver` under the store's run lock, waiting for a run or another send that holds it:
    two sends started at once reach each recipient once."""
    path = config.store_path(db)
    with run_lock(path, wait=True), Store(path) as store:
        return deliver(
            config, store, day, channels=channels, name=name, force=force, on_line=on_line
        )


def hold_broken_day(config: Config, store: Store, day: str) -> None:
    """Refuse to publish a day most of whose papers have no summary (an outage, a spent quota):
    readers would get a page of notices. DeliveryError names the cause."""
    digest = store.digests.load(day)
    if digest is None or not digest.entries:
        return
    missing = [e for e in digest.entries if e.summary is None or not e.summary.usable]
    share = len(missing) / len(digest.entries)
    if share <= config.hold_delivery_above:
        return
    causes = sorted({e.summary.error for e in missing if e.summary and e.summary.error})
    flying = [j.batch_id or j.file_id for j in store.batches.in_flight(day)]
    if flying:  # `--no-wait`, or a batch that outlasted the run's wait
        causes.insert(0, f"a batch is still in flight ({', '.join(flying)})")
    cause = f"; the cause: {causes[0]}" if causes else ""
    raise DeliveryError(
        f"held the delivery of {day}: {len(missing)} of {len(digest.entries)} papers have no "
        f"summary (more than {config.hold_delivery_above:.0%}){cause}. The Markdown is written; "
        "run again once the model is back, or publish anyway with --deliver-anyway"
    )

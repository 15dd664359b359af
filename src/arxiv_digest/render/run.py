"""The render stage's entry point: a registered format from the store, written atomically."""

from __future__ import annotations

from pathlib import Path

from arxiv_digest.config import Config
from arxiv_digest.files import write_atomic
from arxiv_digest.rank.on import for_you
from arxiv_digest.render.formats import FORMATS, Rendered, RenderOptions
from arxiv_digest.store import Store

__all__ = ["render"]


def render(
    config: Config,
    store: Store,
    fmt: str = "markdown",
    *,
    day: str | None = None,
    output: Path | None = None,
    out_dir: Path | None = None,
    site_dir: Path | None = None,
    feed_days: int | None = None,
    force: bool = False,
) -> Rendered:
    """Render in a registered format and write the file (`output`, else its default place).
    With `output` = Path("-") nothing is written: the caller prints `text`."""
    renderer = FORMATS.get(fmt)()
    rendered = renderer.render(
        store,
        RenderOptions(
            day=day,
            out_dir=out_dir or config.output_dir,
            site_dir=site_dir,
            feed_days=feed_days or config.feed_days,
            force=force,
            for_you=for_you(config, store),
            threshold=config.rank.threshold,
            site_url=config.site_url,
            settings=config.plugin_settings("formats", fmt),
        ),
    )
    if rendered.text is not None and str(output) != "-":
        target = output or rendered.target
        assert target is not None
        changed = write_atomic(target, rendered.text)
        rendered.target = target
        rendered.lines.append(f"{'wrote' if changed else 'unchanged'} {target}")
    return rendered

"""arXiv's full-text endpoints: the HTML (/html/IDvN), the TeX source (/e-print/IDvN) and the
PDF (/pdf/IDvN), through the one polite client (3-second spacing, retries, deadline).

A 404 or 410 is an answer ("there is none"), not a failure; a network failure that outlasts the
retries raises FetchError, so the paper is tried again on the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

from arxiv_digest.sources.http import PoliteClient

#: What arXiv answers for a paper that has no such form.
ABSENT = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class Download:
    url: str
    status: int
    content_type: str
    body: bytes

    @property
    def found(self) -> bool:
        return self.status not in ABSENT and self.status < 400


def download(client: PoliteClient, base: str, paper_id: str, version: int) -> Download:
    """GET `base`/IDvN."""
    url = f"{base.rstrip('/')}/{paper_id}v{version}"
    response = client.get(url)
    return Download(
        url,
        response.status_code,
        response.headers.get("content-type", "").split(";")[0].strip().lower(),
        response.content,
    )

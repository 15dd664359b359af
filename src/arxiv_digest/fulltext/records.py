"""What the full-text stage keeps: a deep read of a paper and an answer to a question about one.

Every statement names the places it comes from ("§4.2", "Table 3"); the checks against the full
text leave their warnings on the statement itself, so a reader sees which one is in doubt."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: The parts of a deep read, in the order a reader sees them.
PARTS: tuple[str, ...] = ("results", "setup", "method", "limitations")
PART_LABELS = {
    "results": "Key results",
    "setup": "Setup",
    "method": "Method details",
    "limitations": "Limitations",
    "faq": "FAQ",
}
#: An answer's status: every quote found in the paper, a quote that is not there, the paper
#: does not say, or no usable answer.
ANSWER_STATUSES = ("supported", "unsupported", "not_said", "failed")


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    where: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    question: str = ""  # set on the FAQ's entries: `text` is then the answer


@dataclass(slots=True)
class DeepRead:
    paper_id: str
    version: int
    model: str
    language: str
    prompt_version: str
    backend: str
    status: str  # "ok" or "failed"
    parts: dict[str, list[Statement]] = field(default_factory=dict)
    source: str = ""  # html, tex or pdf: what the model was given
    error: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = None
    seconds: float = 0.0
    input_tokens: int = 0  # the passages' estimated size
    #: the cited places' ids in arXiv's HTML ("Table 3" -> "S5.T3"), where the source knew them
    anchors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def statements(self) -> list[tuple[str, Statement]]:
        return [(part, s) for part in (*PARTS, "faq") for s in self.parts.get(part, [])]

    @property
    def warnings(self) -> list[str]:
        return [w for _part, s in self.statements() for w in s.warnings]

    def body(self) -> str:
        return json.dumps(
            {"source": self.source, "input_tokens": self.input_tokens, "anchors": self.anchors}
            | {part: [asdict(s) for s in items] for part, items in self.parts.items()},
            ensure_ascii=False,
        )

    @staticmethod
    def parts_from(body: str | None) -> tuple[dict[str, list[Statement]], dict[str, Any]]:
        data = json.loads(body) if body else {}
        parts = {
            part: [
                Statement(
                    text=s.get("text", ""),
                    where=tuple(s.get("where", ())),
                    warnings=tuple(s.get("warnings", ())),
                    question=s.get("question", ""),
                )
                for s in data.get(part, [])
            ]
            for part in (*PARTS, "faq")
            if part in data
        }
        return parts, {k: data.get(k) for k in ("source", "input_tokens", "anchors")}


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    where: str = ""  # the place it was found in ("" when it was not found)
    found: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    paper_id: str
    version: int
    model: str
    language: str
    prompt_version: str
    question: str
    status: str  # one of ANSWER_STATUSES
    text: str = ""
    quotes: tuple[Quote, ...] = ()
    problems: tuple[str, ...] = ()  # why it is unsupported
    error: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = None
    cached: bool = False

    def body(self) -> str:
        return json.dumps(
            {
                "text": self.text,
                "quotes": [asdict(q) for q in self.quotes],
                "problems": list(self.problems),
            },
            ensure_ascii=False,
        )

"""The extractive summarizer: no model to call, no network, deterministic.

Each field quotes the abstract sentence that plays its role. A role model (`roles.py`: a linear
model over words, position and cue phrases, with the order abstracts keep, trained on
CSAbstruct) says how likely each sentence is background, objective, method, result or other;
each field then takes the free sentence that fits it best: the Conclusion the closing sentence
(unless that is the abstract's only result: then the Result takes it), the TL;DR the
contribution (a sentence that fits its limit whole), the Method how it works, the Motivation
the gap before it, the Result what it found after it. No two fields quote the same sentence when
the abstract has four or more; with exactly four, the TL;DR is the title. A sentence that points
to code, data or a licence fills no field. Text-mode LaTeX and custom macros are made plain
(\\textbf{LUVE} -> LUVE, \\methodname{} -> methodname); math stays in $...$.

Measured by bench/extractive_roles.py on CSAbstruct's test split and by bench/extractive.py on
hand-labelled reference abstracts (figures in docs/guide/extractive.md).
"""

from __future__ import annotations

import re

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.models import TLDR_LIMIT, Paper, SummaryFields
from arxiv_digest.summarize.base import Summarizer, SummaryResult
from arxiv_digest.summarize.roles import features, role_model
from arxiv_digest.summarize.sentences import split_clauses, split_sentences
from arxiv_digest.textutil import plain_latex

ROLES = ("motivation", "method", "result", "conclusion")


def _cues(*pairs: tuple[str, float]) -> list[tuple[re.Pattern[str], float]]:
    return [(re.compile(p, re.IGNORECASE), w) for p, w in pairs]


PROPOSAL = re.compile(
    r"\b(we|this (paper|work|study|article|thesis|letter|report|survey)|our (work|paper|study)|"
    r"here)\b[^.;]{0,80}?\b(propose[sd]?|introduce[sd]?|present(s|ed)?|develop(s|ed)?|"
    r"design(s|ed)?|formulate[sd]?|reformulate[sd]?|reframe[sd]?|frame[sd]?|cast(s)?|devise[sd]?|"
    r"construct(s|ed)?|build|builds|put forward|offer(s)?|describe[sd]?|establish(es|ed)?|"
    r"derive[sd]?|provide[sd]?|contribute[sd]?|investigate[sd]?|study|studies|explore[sd]?|"
    r"examine[sd]?|analy[sz]e[sd]?|extend(s|ed)?|adapt(s|ed)?|leverage[sd]?|tackle[sd]?|"
    r"address(es|ed)?|curate[sd]?|release[sd]?|collect(s|ed)?|train(s|ed)?|learn(s|ed)?|"
    r"model(s|ed)?|characteri[sz]e[sd]?|prove[sd]?|show(s|ed)? how)\b",
    re.IGNORECASE,
)

CUES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "motivation": _cues(
        (r"\b(however|yet|but|although|despite|whereas|nevertheless)\b", 1.5),
        (
            r"\b(challeng\w*|problems?|difficult\w*|limitations?|limited|lacks?|lacking|gaps?|"
            r"bottlenecks?|struggl\w+|suffers?|fails?|failing|costly|expensive|remains?|unclear|"
            r"unexplored|underexplored|open (question|problem)|issues?|hinder\w*|insufficient|"
            r"inefficien\w+|scarc\w+|prone|vulnerab\w+|brittle|poorly|rarely|neglect\w*|"
            r"overlook\w*|ignor\w+)\b",
            1.2,
        ),
        (
            r"\b(existing|current|prior|previous|conventional|traditional|standard|most)\s+"
            r"(\w+\s)?(methods?|approaches|works?|models?|systems?|techniques|solutions|studies)",
            1.5,
        ),
        (
            r"\b(important|crucial|critical|essential|fundamental|increasingly|growing|widely|"
            r"popular|emerging|ubiquitous|central|key challenge)\b",
            0.7,
        ),
    ),
    "method": _cues(
        (PROPOSAL.pattern, 3.0),
        (
            r"\b(our|the proposed|this|the)\s+(\w+\s)?(method|approach|framework|model|algorithm|"
            r"system|architecture|technique|pipeline|module|mechanism|scheme|strategy|objective)",
            1.2,
        ),
        (
            r"\b(specifically|concretely|to this end|to address|to tackle|to overcome|to solve|"
            r"to mitigate|to bridge|in particular|leverag\w+|consists? of|compris\w+|employ\w*|"
            r"utiliz\w+|incorporat\w+|integrat\w+|combin\w+|built on|relies on|uses|using)\b",
            1.0,
        ),
        (r"\b(called|dubbed|named|termed|coined)\b", 1.0),
        (
            r"\bwe (use|train|adopt|apply|model|formulate|leverage|extend|exploit|employ|learn|"
            r"encode|decompose|reformulate|cast|replace|augment|fine-tune)\b",
            1.5,
        ),
    ),
    "result": _cues(
        (
            r"\b(experiments?|experimental|empirical\w*|evaluations?|evaluat\w+|benchmarks?|"
            r"results?|simulations?|case stud\w+|ablations?)\b",
            1.0,
        ),
        (
            r"\b(shows?|showed|shown|demonstrat\w+|achiev\w+|outperform\w*|improv\w+|surpass\w*|"
            r"reduc\w+|exceed\w*|yield\w*|attain\w*|superior|state-of-the-art|sota|better|gains?|"
            r"boost\w*|accura\w+|speedups?|faster|competitive|consistently|significantly|"
            r"substantially|up to)\b",
            1.0,
        ),
        (r"\d+(\.\d+)?\s*(%|x\b|×|times|fold|points|pp\b)", 1.5),
        (r"\d", 0.4),
    ),
    "conclusion": _cues(
        (
            r"\b(we conclude|in conclusion|overall|in summary|to summarize|taken together|"
            r"these (results|findings)|our (results|findings|analysis|work)|this work|this study|"
            r"altogether|collectively)\b",
            2.0,
        ),
        (
            r"\b(suggests?|indicat\w+|highlight\w*|implications?|paves? the way|opens? (up|new)|"
            r"future|insights?|sheds? light|underscor\w+|potential|promising|broad\w*|"
            r"generaliz\w+|practical|valuable|enables?|offers? a)\b",
            1.0,
        ),
        (
            r"\b(code|data|dataset|models?|implementation|benchmark)\b[^.]{0,40}\b(available|"
            r"released|open-?sourced?|publicly)\b",
            1.0,
        ),
    ),
}


#: a sentence that points to code, data or a web page: never a conclusion, never a field
AVAILABILITY = re.compile(
    r"https?://|github\.com|\b(code|data|dataset|datasets|models?|implementation|software|"
    r"benchmark|library|resources?|weights|checkpoints?)\b[^.]{0,60}\b(is|are|will be|be|been)\s+"
    r"(publicly |freely |openly )?(available|released|accessible|open-?sourced?)\b"
    r"|\blicen[cs]e[ds]?\b|\b(we|will)\s+(publicly\s+|openly\s+)?(release|open-?source|share|"
    r"make)\b[^.]{0,60}\b(code|data|dataset|models?|weights|checkpoints?|implementation|"
    r"benchmark|available|public)",
    re.IGNORECASE,
)


def readable(sentence: str) -> str:
    """A sentence with its text-mode LaTeX made plain (`textutil.plain_latex`), spaces folded."""
    return " ".join(plain_latex(sentence).split())


def _units(abstract: str) -> list[str]:
    sentences = split_sentences(abstract)
    if len(sentences) >= 5:
        return sentences
    units: list[str] = []
    for sentence in sentences:
        units.extend(split_clauses(sentence))
    return units if len(units) > len(sentences) else sentences


def sentence_cues(sentence: str) -> list[str]:
    """The cue phrases a sentence holds, by name ("motivation0": a however/yet/but), as the role
    model reads them."""
    return [
        f"{role}{k}"
        for role, patterns in CUES.items()
        for k, (pattern, _) in enumerate(patterns)
        if pattern.search(sentence)
    ]


#: how much each CSAbstruct role fits each field: the gap before the objective for Motivation,
#: the objective before the method for the TL;DR (the contribution, said once)
FITS: dict[str, dict[str, float]] = {
    "motivation": {"background": 1.0, "objective": 0.3},
    "tldr": {"objective": 1.0, "method": 0.6},
    "method": {"method": 1.0},
    "result": {"result": 1.0},
    "conclusion": {"result": 1.0, "other": 1.0},
}
#: fields choose in this order, each from the sentences not yet taken. The Result comes before
#: the Conclusion: in 100 of CSAbstruct test's 155 abstracts with a finding, one sentence holds
#: it and no other closes the abstract, so the two cannot both quote a finding, and the finding
#: is what a reader looks for. A closing sentence that says what the findings mean ("these
#: results", "we conclude", "overall") is the Conclusion first. Chosen on the dev split
#: (bench/extractive_roles.py).
CHOOSING = ("tldr", "result", "motivation", "method", "conclusion")
_CONCLUDES = CUES["conclusion"][0][0]


def assign_roles(units: list[str]) -> tuple[int, dict[str, int]]:
    """The TL;DR's sentence and each role's: the sentence whose role (by the role model, given
    the whole abstract) fits the field best among those not yet taken, so that no two fields
    quote the same sentence when there are five to go round (four: the TL;DR may repeat one,
    and `extract_fields` gives it the title instead). A sentence that points to code, data or a
    licence fills no field. The TL;DR is a sentence that fits its limit whole when one does."""
    n = len(units)
    usable = [i for i in range(n) if not AVAILABILITY.search(units[i])] or list(range(n))
    feature_sets = [list(features(units, i, sentence_cues(u))) for i, u in enumerate(units)]
    roles = role_model().posteriors(feature_sets)

    def fit(name: str, i: int) -> float:
        return sum(roles[i][role] * weight for role, weight in FITS[name].items())

    taken: set[int] = set()
    chosen: dict[str, int] = {}
    closing = usable[-1]
    if len(usable) >= 4 and _CONCLUDES.search(units[closing]):
        chosen["conclusion"] = closing
        taken.add(closing)
    for name in CHOOSING:
        if name in chosen:
            continue
        free = [i for i in usable if i not in taken] or usable
        if name == "tldr":
            free = [i for i in free if len(units[i]) <= TLDR_LIMIT] or free
        chosen[name] = max(free, key=lambda i: (fit(name, i), -i))
        if name != "tldr" or len(usable) >= 5:
            taken.add(chosen[name])
    return chosen["tldr"], {role: chosen[role] for role in ROLES}


def extract_fields(title: str, abstract: str) -> SummaryFields:
    """The five fields from the abstract's own sentences (the title if there is no abstract).
    With four sentences for five fields, the TL;DR is the title rather than a repeat."""
    units = [readable(u) for u in _units(abstract)] or [" ".join(title.split())]
    tldr_at, chosen = assign_roles(units)
    tldr = units[tldr_at]
    if len(units) >= 4 and tldr_at in chosen.values():
        tldr = readable(title)
    return SummaryFields(tldr=tldr, **{role: units[chosen[role]] for role in ROLES})


class ExtractiveSummarizer(Summarizer):
    """Fills the five fields from the abstract's sentences; the offline default."""

    backend = "extractive"
    model = "extractive"
    offline = True
    quotes = True
    languages = ("English",)
    prompt_version = "extractive-3"

    def output_language(self, requested: str) -> str:
        return "English"  # it quotes the abstract, which arXiv serves in English

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        return SummaryResult(fields=extract_fields(paper.title, paper.abstract))


def create(settings: SummarizerConfig) -> ExtractiveSummarizer:
    return ExtractiveSummarizer()

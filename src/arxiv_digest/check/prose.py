"""Checks on a summary's text as text: copied or untranslated English (`copy`, `english`), the
wrong language (`language`), a field cut mid-phrase (`truncated`), placeholders and garbage
(`placeholder`, also used to validate every model's answer), two fields alike (`repeat`) and a
long TL;DR (`tldr-length`)."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from itertools import combinations

from arxiv_digest.check.warning import QUOTE_MAX, warn
from arxiv_digest.models import (
    FIELDS,
    NOT_REPORTED,
    QUOTING_BACKENDS,
    Paper,
    SummaryFields,
    tldr_limit,
)
from arxiv_digest.textutil import (
    ENGLISH_FUNCTION_WORDS,
    english_sentences,
    has_cjk,
    is_cjk_language,
    language_problem,
)

COPY_SHARE = 0.6  # share of an English run's 6-word shingles found verbatim in the abstract
REPEAT_RATIO = 0.8


def _source(paper: Paper) -> str:
    return f"{paper.title}\n{paper.abstract}\n{paper.comment or ''}"


# ---------------------------------------------------------------- copied or foreign text


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _prose(shingle: tuple[str, ...]) -> bool:
    """A 6-word run that reads as a sentence, not a list of names."""
    return any(w in ENGLISH_FUNCTION_WORDS for w in shingle)


def copied_or_foreign(
    fields: SummaryFields, paper: Paper, language: str, backend: str
) -> list[str]:
    source = _shingles(paper.abstract)
    cjk = is_cjk_language(language)
    warnings = []
    for name, text in fields.as_dict().items():
        runs = english_sentences(text) if cjk else [text]
        for run in runs:
            own = {s for s in _shingles(run) if _prose(s)}
            copied = len(own) >= 2 and len(own & source) / len(own) >= COPY_SHARE
            if copied and backend not in QUOTING_BACKENDS:
                warnings.append(warn("copy", name, "copied from the abstract", run))
                break
            if cjk and not copied and run.strip() != text.strip():
                warnings.append(warn("english", name, f"an English sentence in {language}", run))
                break
    return warnings


def wrong_language(fields: SummaryFields, language: str) -> list[str]:
    problem = language_problem(fields.as_dict(), language)
    if not problem:
        return []
    field = re.search(r"'(\w+)'", problem)
    name = field.group(1) if field else "all"
    return [warn("language", name, problem, fields.as_dict().get(name, ""))]


# ---------------------------------------------------------------- truncation

#: A field that ends on one of these stops mid-phrase: an opener, a separator, or a word that
#: needs what follows (a preposition, a conjunction), unless it is the end of a longer word.
_OPENERS = "、，：；（《“‘「【—/,:;(-"
_DANGLING_CJK = "和与及或并把被从于"
_NOT_DANGLING = ("参与", "涉及", "普及", "合并", "兼并", "总和", "缓和", "服从", "遵从", "平和")
_DANGLING_WORDS = (
    "通过",
    "基于",
    "包括",
    "以及",
    "例如",
    "比如",
    "由于",
    "对于",
    "关于",
    "针对",
    "其中",
    "并且",
    "而且",
    "但是",
    "然而",
    "因此",
    "从而",
    "进而",
    "以便",
    "用于",
    "作为",
    "为了",
    "并将",
    "以实现",
    "使得",
    "导致",
    "同时",
    "在",
    "将",
    "对",
    "以",
)
#: characters that end a clause only as the end of these words
_DANGLING_AFTER: dict[str, tuple[str, ...]] = {
    "对": ("应对", "面对", "配对", "相对", "绝对", "核对", "比对", "成对", "反对", "一对"),
    "向": ("导向", "方向", "双向", "倾向", "横向", "纵向", "单向", "反向", "取向", "走向"),
    "比": ("对比", "占比", "类比", "相比", "正比", "反比", "无比"),
    "为": ("行为", "人为", "无为", "有为"),
    "使": ("天使", "大使", "特使"),
    "是": (),
}
_LIST_OPENING = re.compile(r"[；;：:，,]\s*\(?\d{1,2}[)）.、]?$")
_NOT_DANGLING_WORDS = (
    "存在",
    "所在",
    "现在",
    "实在",
    "潜在",
    "内在",
    "外在",
    "自在",
    "加以",
    "予以",
)
_DANGLING_EN = re.compile(
    r"\b(?:the|a|an|of|and|or|to|in|on|for|with|by|from|as|at|that|which|is|are|was|were|be|"
    r"its|their|our|this|these|than|into|via|between|while|such|both)\s*$",
    re.IGNORECASE,
)
_OPEN_CLOSE = (("(", ")"), ("（", "）"), ("[", "]"), ("“", "”"), ("《", "》"), ("【", "】"))
_LATIN_TAIL = re.compile(r"([A-Za-z][A-Za-z0-9\-]*)$")

#: one-character words that may end a clause (中, 上, 更好 …的, 性 in 可解释性 segmented alone)
_WHOLE_SINGLE = frozenset(
    "中上下内外等了的好高低大小多少快慢强弱新难易差优佳广深后前时里间性化率度量型式法力值者器"
    "类体物学论层集图网端源态效感界题域点面能本块项戳库词码元组表段例节版包池链树核台站"
)


def _cut_word(text: str) -> bool:
    """Does Chinese text stop inside a word ("…更好的鲁" for 鲁棒性)? Its last word, segmented by
    jieba, is then a single character that is no word of its own."""
    import rjieba  # loaded on first use: 0.1 s, and most runs check no Chinese field cut short

    words = rjieba.cut(text[-12:])
    last = words[-1]
    if len(words) > 1 and words[-2][-1:].isdigit():
        return False  # 3.5倍, 12个: a measure word after a figure
    return len(last) == 1 and last not in _WHOLE_SINGLE


def _dangles(text: str, source: str) -> bool:
    """Does `text` (without final punctuation) stop on a word that needs what follows?"""
    if text[-1] in _OPENERS or _DANGLING_EN.search(text):
        return True
    if text.endswith(_NOT_DANGLING_WORDS) or text.endswith(_NOT_DANGLING):
        return False
    if text[-1] in _DANGLING_CJK or text.endswith(_DANGLING_WORDS):
        return True
    if _DANGLING_AFTER.get(text[-1]) is not None and not text.endswith(_DANGLING_AFTER[text[-1]]):
        return True
    if text[-1] == "的" and "是" not in text[-10:]:  # "…是不可接受的" ends; "…分析的" does not
        return True
    if _LIST_OPENING.search(text):  # "；3" or "：1)": a list item begun, never written
        return True
    if "\u4e00" <= text[-1] <= "\u9fff" and _cut_word(text):
        return True
    tail = _LATIN_TAIL.search(text)
    if tail:  # "ROUGE" cut to "RO": a prefix of a name in the paper that is not a name itself
        word = tail.group(1).lower()
        words = set(re.findall(r"[a-z0-9][a-z0-9\-]*", source.lower()))
        if {word, word + "s", word + "es"} & words:
            return False
        return any(w.startswith(word) for w in words if len(w) > len(word))
    return False


def _cut_off(text: str, source: str = "") -> bool:
    """Does the field stop mid-phrase? A field without a final full stop is not cut for that
    (models often end a TL;DR or a list without one): only the way it stops can tell."""
    text = text.rstrip()
    if not text:
        return False
    if text.endswith(("…", "...")) and not text.endswith(("etc...", "等…")):
        return True
    if text.count("$") % 2:
        return True
    for left, right in _OPEN_CLOSE:
        if text.count(left) > text.count(right):
            return True
    return _dangles(text, source)


_ENDS = "。.!?！？)）]】」』\"”'’%…"


@lru_cache(maxsize=1)
def _endings() -> tuple[dict[str, list[int]], int, float]:
    """The sentence-ending model (bench/train_endings.py): for each ending of 1-4 characters,
    how often it was seen and how often a sentence ended there; the order; the threshold."""
    raw = files("arxiv_digest.check").joinpath("endings.json.gz").read_bytes()
    model = json.loads(gzip.decompress(raw))
    return model["contexts"], int(model["order"]), float(model["threshold"])


def ending_text(text: str) -> str:
    """Text as the ending model reads it (here and in bench/train_endings.py): Latin words as
    "A", figures as "0"."""
    text = re.sub(r"[A-Za-z][A-Za-z\-]*", "A", text)
    return re.sub(r"\d+(?:\.\d+)?", "0", text)


def sentence_end_odds(text: str) -> float:
    """How often real Chinese summary sentences end the way `text` ends (0..1), backed off from
    its last four characters to its last one."""
    contexts, order, _ = _endings()
    text = ending_text(text.rstrip())
    p = 0.1
    for k in range(1, order + 1):
        seen = contexts.get(text[-k:]) if len(text) >= k else None
        if seen is None:
            break
        p = (seen[1] + 2 * p) / (seen[0] + 2)
    return p


#: one-character heads of compound nouns, rare at the end of the training sentences but whole
_NOUN_SUFFIX = frozenset("项库戳集")
_LIST_ITEM = re.compile(r"(?:^|[\s；;。：:])\(?\d{1,2}[.)）、]")


def _stops_short(text: str, siblings: list[str]) -> bool:
    """A Chinese field without its final full stop, in a summary whose other fields end with
    one, that stops where sentences do not end ("…的建模和利", "…同时分析")."""
    text = text.rstrip()
    if not text or text[-1] in _ENDS or not has_cjk(text[-12:]):
        return False
    ended = sum(s.rstrip()[-1:] in _ENDS for s in siblings)
    if not siblings or ended < len(siblings) - (len(siblings) > 2):
        return False  # the model ends its fields with full stops (all, or all but one of 3+)
    if len(_LIST_ITEM.findall(text)) >= 2:
        return False  # a numbered list: its last item need not end with a full stop
    if text[-1] in _NOUN_SUFFIX and len(text) > 2 and has_cjk(text[-3:-1]):
        return False  # a compound noun's head (损失项, 工具库, 数据集): sentences end on these
    return sentence_end_odds(text) < _endings()[2]


def truncated_fields(fields: SummaryFields, paper: Paper) -> list[str]:
    source = _source(paper)
    texts = fields.as_dict()
    warnings = []
    for name, text in texts.items():
        if text.strip() == NOT_REPORTED:
            continue
        siblings = [t for n, t in texts.items() if n not in (name, "tldr") and t != NOT_REPORTED]
        if _cut_off(text, source) or (name != "tldr" and _stops_short(text, siblings)):
            warnings.append(warn("truncated", name, "stops mid-phrase", text[-QUOTE_MAX:]))
    return warnings


# ---------------------------------------------------------------- placeholders and garbage

_PLACEHOLDER_WORDS = frozenset(
    """n/a na none null nil nan undefined tbd tba todo unknown placeholder pending empty
    notavailable notapplicable nodata noinformation lorem lipsum xxx text content summary
    暂无 待补充 待定 无 未知 不适用 略 空 无内容 暂缺 未提供 同上 缺失 待完善 无信息
    无数据 未说明 见上 见上文 同上文 参见上文 如上 如上所述 见摘要 见原文 请补充 此处填写
    内容 总结 摘要 省略""".split()
)
_TEMPLATE = re.compile(
    r"\{\s*\{|\}\s*\}|<\||\|>|\[\[|\]\]|```|<<<|>>>|</?[a-z_]+>|(?<![A-Za-z\\_^])\{[a-z_]{3,}\}"
    r"|\$\{|(?-i:\bPAPER\b)|lorem ipsum|\b(?:TODO|FIXME|TBD)\b|<unk>|<pad>|\\u[0-9a-f]{4}",
    re.IGNORECASE,
)
#: math and LaTeX: $h_{max}$, $\mathcal{L}_{total}$, \textbf{x} are the paper's notation
_MATH = re.compile(r"\$[^$]*\$|\\[A-Za-z]+\*?(?:\{[^{}]*\})*")
_LOOP = re.compile(r"(.{3,}?)\1{3,}", re.DOTALL)


def _may_loop(text: str) -> bool:
    """Can `_LOOP` match? A part of 3 or more characters said 4 times in a row puts its first
    three characters at 4 places: without a trigram seen 4 times there is no loop (and the
    regex, the dearest test here, is skipped)."""
    counts = Counter(text[i : i + 3] for i in range(len(text) - 2))
    return max(counts.values(), default=0) >= 4


def _template_marker(text: str, source: str) -> bool:
    """A template marker ({{result}}, <tldr>, [[x]]) that is not the paper's own notation: math
    and LaTeX are set aside, and a token the abstract itself writes (<part_k>) is no marker."""
    bare = _MATH.sub(" ", text)
    for match in _TEMPLATE.finditer(bare):
        if not (source and match.group(0).strip() and match.group(0) in source):
            return True
    return False


@lru_cache(maxsize=256)  # validation and the checks ask about the same fields
def degenerate(text: str, title: str = "", source: str = "") -> str | None:
    """Why a field is not content (a placeholder, a template marker, garbage, a loop), or None.
    Used by the checks and by the answer validation of every model backend; `source` (title and
    abstract) is the paper's own text, whose notation is never a marker."""
    if text.strip() == NOT_REPORTED:
        return None
    bare = re.sub(r"[\s\W_]+", "", text.lower())
    if not bare or bare in _PLACEHOLDER_WORDS:
        return "a placeholder"
    if _template_marker(text, source):
        return "a template marker"
    letters = sum(map(str.isalpha, text))
    if letters < 0.4 * len(text.replace(" ", "")):
        return "mostly not words"
    if re.search(r"\d{9,}", text) and not re.search(r"\d{9,}", source):
        return "a run of digits"
    if _may_loop(text) and _LOOP.search(text):
        return "a loop"
    if title and bare == re.sub(r"[\s\W_]+", "", title.lower()):
        return "the title"
    return None


def placeholder_fields(fields: SummaryFields, paper: Paper, backend: str = "") -> list[str]:
    warnings = []
    source = f"{paper.title}\n{paper.abstract}"
    # the extractive backend gives a short abstract's TL;DR the title on purpose
    title = "" if backend in QUOTING_BACKENDS else paper.title
    for name, text in fields.as_dict().items():
        why = degenerate(text, title, source)
        if why:
            warnings.append(warn("placeholder", name, why, text))
    return warnings


# ---------------------------------------------------------------- repetition, length


def _grams(text: str, n: int = 4) -> set[str]:
    norm = re.sub(r"\W+", "", text.lower())
    return {norm[i : i + n] for i in range(max(1, len(norm) - n + 1))}


def repeated_fields(fields: SummaryFields) -> list[str]:
    """Pairs of fields that share most of their character 4-grams (the shorter one's view)."""
    texts = fields.as_dict()
    grams = {name: _grams(texts[name]) for name in FIELDS}
    warnings = []
    for a, b in combinations(FIELDS, 2):
        if texts[a].strip() == NOT_REPORTED or texts[b].strip() == NOT_REPORTED:
            continue
        x, y = grams[a], grams[b]
        if x and y and len(x & y) / min(len(x), len(y)) >= REPEAT_RATIO:
            warnings.append(warn("repeat", b, f"repeats {a}", texts[b]))
    return warnings


def tldr_too_long(fields: SummaryFields, language: str) -> list[str]:
    limit = tldr_limit(language)
    if len(fields.tldr) > limit:
        return [
            warn(
                "tldr-length",
                "tldr",
                f"{len(fields.tldr)} characters (limit {limit})",
                fields.tldr[limit - 20 :],
            )
        ]
    return []

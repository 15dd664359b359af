"""Quality checks on every summary, from any backend.

Each check returns warnings stored with the summary, so a reader is told which summaries not to
trust. A warning is one line, `kind: field: what is wrong: “the offending text”`:

- `number`: a number the title, abstract and comment cannot account for under any reading
  (see `numbers.py`: Chinese numerals, 万/亿, number words, LaTeX, units, rounding, ×100);
- `swap`: two figures whose metrics or datasets are exchanged relative to the abstract;
- `copy`: an English sentence copied word for word from the abstract (the extractive backend
  quotes by design and is exempt);
- `english`: an English sentence inside a field that should be in a CJK language (names of
  models, datasets and metrics are not sentences and never count);
- `truncated`: a field that stops mid-phrase;
- `placeholder`: a field that is a placeholder, a template marker or garbage in any language;
- `mismatch`: a summary that names things (models, acronyms, datasets, numbers) that this paper's
  title and abstract never mention: it probably belongs to another paper;
- `repeat`: two fields that say the same thing;
- `language`: a whole field not in the requested language;
- `tldr-length`: a TL;DR over the length limit.

Every kind is measured by `bench/quality.py` (precision on real summaries, recall on planted
defects); the tests use their own examples.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import combinations

from arxiv_digest.check.numbers import Known, Mention, mentions, numbers
from arxiv_digest.models import FIELDS, NOT_REPORTED, Paper, SummaryFields, tldr_limit
from arxiv_digest.textutil import (
    ENGLISH_FUNCTION_WORDS,
    english_sentences,
    is_cjk_language,
    language_problem,
)

__all__ = ["KINDS", "check_summary", "numbers", "warning_kind"]

KINDS = (
    "number",
    "swap",
    "copy",
    "english",
    "truncated",
    "placeholder",
    "mismatch",
    "repeat",
    "language",
    "tldr-length",
)
COPY_SHARE = 0.6  # share of an English run's 6-word shingles found verbatim in the abstract
REPEAT_RATIO = 0.8
QUOTE_MAX = 60


def warning_kind(warning: str) -> str:
    return warning.split(":", 1)[0]


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def _warn(kind: str, field: str, what: str, quote: str) -> str:
    return f"{kind}: {field}: {what}: “{_quote(quote)}”"


def _source(paper: Paper) -> str:
    return f"{paper.title}\n{paper.abstract}\n{paper.comment or ''}"


# ---------------------------------------------------------------- numbers


def _context(text: str, mention: Mention) -> str:
    start = max(0, mention.start - 12)
    return text[start : mention.start + len(mention.text) + 12]


_MARKER = re.compile(r"(?:^|[\s；;：:。，,(（])\(?(\d{1,2})[)）、.]")


#: what a Chinese measure word counts, in the abstract's words
_COUNTED: dict[str, tuple[str, ...]] = {
    "层": (r"levels?", r"layers?", r"tiers?", r"stages?"),
    "类": (r"class(?:es)?", r"categor(?:y|ies)", r"types?", r"famil(?:y|ies)", r"groups?"),
    "阶段": (r"stages?", r"phases?", r"steps?"),
    "步": (r"steps?", r"stages?"),
    "种": (
        r"types?",
        r"kinds?",
        r"strateg(?:y|ies)",
        r"settings?",
        r"modes?",
        r"variants?",
        r"forms?",
    ),
    "模块": (r"modules?", r"components?"),
    "组件": (r"components?", r"modules?"),
    "方面": (r"aspects?", r"dimensions?"),
    "维度": (r"dimensions?", r"axes", r"aspects?"),
    "任务": (r"tasks?",),
    "场景": (r"scenarios?", r"settings?"),
    "领域": (r"domains?", r"fields?"),
    "指标": (r"metrics?", r"measures?"),
}


def _enumerated(text: str, mention: Mention, source: str) -> bool:
    """A count shown by listing rather than stated: "三个阶段：1）…2）…3）…", "无、低、高三种",
    or an abstract that names that many ("the micro level … the meso level … the macro
    level" for 三层)."""
    value = mention.readings[0][0]
    if not (2 <= value <= 10) or mention.text[:1].isdigit():
        return False
    markers = {int(m) for m in _MARKER.findall(text)}
    if set(range(1, int(value) + 1)) <= markers:
        return True
    before = re.split(r"[，。；：,;:]", text[: mention.start])[-1]
    items = before.split("、")
    items[-1:] = re.split(r"以及|和|与|及|或", items[-1])[-2:]
    if len([i for i in items if i.strip()]) == value:
        return True
    after = text[mention.start + len(mention.text) :]
    for measure, nouns in _COUNTED.items():
        if after.lstrip("个大").startswith(measure):
            for noun in nouns:
                qualified = re.findall(rf"\b([a-z][a-z\-]*)[ \-](?:{noun})\b", source.lower())
                if len(set(qualified) - ENGLISH_FUNCTION_WORDS) == value:
                    return True
            return False
    return False


def invented_numbers(fields: SummaryFields, known: Known, source: str) -> list[str]:
    warnings = []
    for name, text in fields.as_dict().items():
        for mention in mentions(text):
            if not known.accounts_for(mention) and not _enumerated(text, mention, source):
                warnings.append(
                    _warn(
                        "number",
                        name,
                        f"{mention.text.strip()} is not in the title or abstract",
                        _context(text, mention),
                    )
                )
                break  # one per field is enough to distrust it
    return warnings


_TERM = re.compile(r"[A-Za-z][A-Za-z0-9\-@+.]*[A-Za-z0-9]|[A-Za-z]{2,}")
_CLAUSE = re.compile(r"[;；。，,]|\band\b|\bwhile\b|\bwhereas\b|和|与|及|而")


def _pairs(text: str, liberal: bool) -> list[tuple[set[str], set[float]]]:
    """(terms, numbers) of each clause: which figure was said of which metric or dataset."""
    out = []
    for clause in _CLAUSE.split(text):
        terms = {
            t.lower()
            for t in _TERM.findall(clause)
            if t.lower() not in ENGLISH_FUNCTION_WORDS and len(t) > 1
        }
        values = {round(r[0], 6) for m in mentions(clause, liberal=liberal) for r in m.readings}
        if terms and values:
            out.append((terms, values))
    return out


_LATIN_AND_DIGIT = re.compile(r"[A-Za-z].*\d|\d.*[A-Za-z]", re.DOTALL)


def swapped_numbers(fields: SummaryFields, paper: Paper) -> list[str]:
    """A figure said of term A in the summary that the abstract says of term B, and the other
    way round, while no clause of the abstract says it of A."""
    said_by_field = {
        name: [
            (term, value)
            for terms, values in _pairs(text, liberal=False)
            if len(values) == 1
            for term in terms
            for value in values
        ]
        for name, text in fields.as_dict().items()
        if _LATIN_AND_DIGIT.search(text)
    }
    said_by_field = {n: s for n, s in said_by_field.items() if len({v for _, v in s}) >= 2}
    if not said_by_field:  # no field pairs two figures with names: nothing can be swapped
        return []
    source = _pairs(f"{paper.title}. {paper.abstract}", liberal=True)
    warnings = []
    for name, said in said_by_field.items():
        text = fields.as_dict()[name]
        for (t1, v1), (t2, v2) in combinations(said, 2):
            if t1 == t2 or v1 == v2:
                continue

            def with_(term: str, value: float) -> bool:
                return any(term in terms and value in values for terms, values in source)

            if with_(t1, v2) and with_(t2, v1) and not with_(t1, v1) and not with_(t2, v2):
                warnings.append(_warn("swap", name, f"{v1:g} and {v2:g} are exchanged", text))
                break
    return warnings


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
            if copied and backend != "extractive":
                warnings.append(_warn("copy", name, "copied from the abstract", run))
                break
            if cjk and not copied and run.strip() != text.strip():
                warnings.append(_warn("english", name, f"an English sentence in {language}", run))
                break
    return warnings


# ---------------------------------------------------------------- truncation, placeholders

_ENDS = "。.!?！？)）]】」』\"”'’%…"
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
_LIST_LINE = re.compile(r"(?:^|\n)\s*(?:\d{1,2}[.)）、]|[-*•])[^\n]*$")
_LATIN_TAIL = re.compile(r"([A-Za-z][A-Za-z0-9\-]*)$")


#: one-character words that may end a clause (中, 上, 更好 …的, 性 in 可解释性 segmented alone)
_WHOLE_SINGLE = frozenset(
    "中上下内外等了的好高低大小多少快慢强弱新难易差优佳广深后前时里间性化率度量型式法力值者器"
    "类体物学论层集图网端源态效感界题域点面能本"
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


def _cut_off(text: str, others_end: bool, source: str = "") -> bool:
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
    if _dangles(text, source):
        return True
    # the model ends its fields with a full stop: one that does not was cut (a list's last
    # item need not end with one)
    return (
        others_end
        and text[-1] not in _ENDS
        and not text[-1].isdigit()
        and not _LIST_LINE.search(text)
    )


def truncated_fields(fields: SummaryFields, paper: Paper) -> list[str]:
    texts = fields.as_dict()
    source = _source(paper)
    warnings = []
    for name, text in texts.items():
        if text.strip() == NOT_REPORTED:
            continue
        # a TL;DR may be a headline without a full stop; the other fields end alike
        others = [t for n, t in texts.items() if n not in (name, "tldr")]
        others_end = name != "tldr" and all(t.rstrip()[-1:] in _ENDS for t in others)
        if _cut_off(text, others_end, source):
            warnings.append(_warn("truncated", name, "stops mid-phrase", text[-QUOTE_MAX:]))
    return warnings


_PLACEHOLDER_WORDS = frozenset(
    """n/a na none null nil nan undefined tbd tba todo unknown placeholder pending empty
    notavailable notapplicable nodata noinformation lorem lipsum xxx text content summary
    暂无 待补充 待定 无 未知 不适用 略 空 无内容 暂缺 未提供 同上 缺失 待完善 无信息
    无数据 未说明 见上 见上文 同上文 参见上文 如上 如上所述 见摘要 见原文 请补充 此处填写
    内容 总结 摘要 省略""".split()
)
_TEMPLATE = re.compile(
    r"\{\s*\{|\}\s*\}|<\||\|>|\[\[|\]\]|```|<<<|>>>|</?[a-z_]+>|(?<![A-Za-z\\])\{[a-z_]{3,}\}|\$\{|(?-i:\bPAPER\b)"
    r"|lorem ipsum|\b(?:TODO|FIXME|TBD)\b|<unk>|<pad>|\\u[0-9a-f]{4}",
    re.IGNORECASE,
)
_LOOP = re.compile(r"(.{3,}?)\1{3,}", re.DOTALL)


def _may_loop(text: str) -> bool:
    """Can `_LOOP` match? A part of 3 or more characters said 4 times in a row puts its first
    three characters at 4 places: without a trigram seen 4 times there is no loop (and the
    regex, the dearest test here, is skipped)."""
    counts = Counter(text[i : i + 3] for i in range(len(text) - 2))
    return max(counts.values(), default=0) >= 4


@lru_cache(maxsize=256)  # validation and the checks ask about the same fields
def degenerate(text: str, title: str = "") -> str | None:
    """Why a field is not content (a placeholder, a template marker, garbage, a loop), or None.
    Used by the checks and by the answer validation of every model backend."""
    if text.strip() == NOT_REPORTED:
        return None
    bare = re.sub(r"[\s\W_]+", "", text.lower())
    if not bare or bare in _PLACEHOLDER_WORDS:
        return "a placeholder"
    if _TEMPLATE.search(text):
        return "a template marker"
    letters = sum(map(str.isalpha, text))
    if letters < 0.4 * len(text.replace(" ", "")):
        return "mostly not words"
    if re.search(r"\d{9,}", text):
        return "a run of digits"
    if _may_loop(text) and _LOOP.search(text):
        return "a loop"
    if title and bare == re.sub(r"[\s\W_]+", "", title.lower()):
        return "the title"
    return None


def placeholder_fields(fields: SummaryFields, paper: Paper) -> list[str]:
    warnings = []
    for name, text in fields.as_dict().items():
        why = degenerate(text, paper.title)
        if why:
            warnings.append(_warn("placeholder", name, why, text))
    return warnings


# ---------------------------------------------------------------- another paper's summary

_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9\-]*(?:\.[0-9]+)?(?![A-Za-z0-9])")
_COMMON_NAMES = frozenset(
    """ai ml llm llms nlp cv rl gnn gnns cnn cnns rnn lstm gpu gpus cpu api sota dnn mllm mllms
    vlm vlms llama gpt bert transformer transformers attention lora moe rag qa kv id ids
    roc auc f1 mse rmse mae map ndcg bleu rouge iou psnr ssim fid""".split()
)


def _names(text: str) -> set[str]:
    """Distinctive names in a summary: any token with a capital or a digit inside it, or any
    Latin word in CJK text (a Chinese summary keeps names in English)."""
    cjk_text = bool(re.search(r"[\u4e00-\u9fff]", text))
    out = set()
    for token in _NAME.findall(text):
        low = token.lower()
        if low in ENGLISH_FUNCTION_WORDS or low in _COMMON_NAMES or len(token) < 2:
            continue
        if cjk_text or re.search(r"[A-Z].*[A-Z0-9]|[0-9]", token[1:]):
            out.add(token)
    return out


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


_LATIN_PHRASE = re.compile(r"[A-Za-z][A-Za-z\-]*(?:[ \-]+[A-Za-z][A-Za-z\-]*)+")


def _expansions(text: str, source: str) -> set[str]:
    """Words that spell out an acronym of the paper ("SHapley Additive exPlanations" = SHAP)."""
    acronyms = set(re.findall(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b", source))
    found: set[str] = set()
    for match in _LATIN_PHRASE.finditer(text):
        words = [w for w in re.split(r"[ \-]+", match.group(0)) if w]
        for i in range(len(words)):
            for j in range(i + 2, len(words) + 1):
                initials = "".join(
                    "".join(ch for ch in w if ch.isupper()) or w[0].upper() for w in words[i:j]
                )
                if initials in acronyms:
                    found.update(words[i:j])
    return found


def another_papers(fields: SummaryFields, paper: Paper, known: Known) -> list[str]:
    text = " ".join(fields.as_dict().values())
    raw_source = _source(paper)
    source = _squash(raw_source)
    names = _names(text) - _expansions(text, raw_source)
    absent = sorted(n for n in names if _squash(n) not in source)
    figures = [m for m in mentions(text) if m.readings[0][0] >= 10]
    missing = [m for m in figures if not known.accounts_for(m)]
    evidence = len(names) + len(figures)
    against = len(absent) + len(missing)
    # one coined name (GTL-CIRL, SimRPD) the paper never mentions is enough; plain words need two
    coined = any(re.search(r"[a-z][A-Z]|[A-Z]{3}|[A-Z]-[A-Z]", n) for n in absent)
    if against >= (1 if coined else 2) and against / max(evidence, 1) >= 0.5:
        shown = ", ".join([*absent[:3], *(m.text.strip() for m in missing[:2])])
        return [_warn("mismatch", "all", "names what the abstract never mentions", shown)]
    return []


# ---------------------------------------------------------------- repetition, language, length


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
            warnings.append(_warn("repeat", b, f"repeats {a}", texts[b]))
    return warnings


def tldr_too_long(fields: SummaryFields, language: str) -> list[str]:
    limit = tldr_limit(language)
    if len(fields.tldr) > limit:
        return [
            _warn(
                "tldr-length",
                "tldr",
                f"{len(fields.tldr)} characters (limit {limit})",
                fields.tldr[limit - 20 :],
            )
        ]
    return []


def check_summary(fields: SummaryFields, paper: Paper, language: str, backend: str) -> list[str]:
    """All warnings for one summary; an empty list means nothing looks wrong."""
    known = Known(_source(paper))
    warnings = placeholder_fields(fields, paper)
    warnings += invented_numbers(fields, known, _source(paper))
    warnings += swapped_numbers(fields, paper)
    warnings += copied_or_foreign(fields, paper, language, backend)
    if backend != "extractive":  # quoted sentences end where the abstract's do
        warnings += truncated_fields(fields, paper)
    warnings += another_papers(fields, paper, known)
    warnings += repeated_fields(fields)
    problem = language_problem(fields, language)
    if problem:
        field = re.search(r"'(\w+)'", problem)
        name = field.group(1) if field else "all"
        warnings.append(_warn("language", name, problem, fields.as_dict().get(name, "")))
    warnings += tldr_too_long(fields, language)
    return warnings

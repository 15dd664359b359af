"""Small text helpers shared by importers, summarizers and checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

#: Languages whose text is written mainly in CJK characters.
CJK_LANGUAGES = frozenset({"chinese", "japanese", "korean", "中文", "zh", "ja", "ko"})


def cjk_share(text: str) -> float:
    """Share of letters in `text` that are CJK (0.0 when there are no letters)."""
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _CJK.match(ch)) / len(letters)


def guess_language(text: str) -> str:
    """A coarse guess, enough to label imported summaries: Chinese when mostly CJK, else English."""
    return "Chinese" if cjk_share(text) >= 0.3 else "English"


def is_cjk_language(language: str) -> bool:
    name = canonical_language(language).lower()
    return name in CJK_LANGUAGES or name.endswith(("chinese", "japanese", "korean"))


#: What people call a language -> the English name the prompt uses (which models know best).
_LANGUAGE_NAMES: dict[str, str] = {
    **dict.fromkeys(
        [
            "中文",
            "简体中文",
            "簡體中文",
            "汉语",
            "漢語",
            "普通话",
            "zh",
            "zh-cn",
            "zh-hans",
            "zh_cn",
            "chinese",
            "simplified chinese",
            "mandarin",
        ],
        "Chinese",
    ),
    **dict.fromkeys(
        ["繁體中文", "繁体中文", "zh-tw", "zh-hant", "zh-hk", "zh_tw", "traditional chinese"],
        "Traditional Chinese",
    ),
    **dict.fromkeys(["日本語", "日语", "ja", "jp", "japanese"], "Japanese"),
    **dict.fromkeys(["한국어", "韩语", "ko", "kr", "korean"], "Korean"),
    **dict.fromkeys(["english", "en", "英文", "英语", "英語"], "English"),
    **dict.fromkeys(["deutsch", "de", "german", "德语"], "German"),
    **dict.fromkeys(["français", "francais", "fr", "french", "法语"], "French"),
    **dict.fromkeys(["español", "espanol", "es", "spanish", "西班牙语"], "Spanish"),
    **dict.fromkeys(["русский", "ru", "russian", "俄语"], "Russian"),
}


def canonical_language(name: str) -> str:
    """`简体中文`, `中文`, `zh-CN` -> Chinese; a name not known is kept as written."""
    cleaned = " ".join(name.split())
    return _LANGUAGE_NAMES.get(cleaned.lower(), cleaned)


def lang_code(language: str) -> str:
    """The `lang` (HTML) or `xml:lang` (feeds) of text written in `language`."""
    return "zh" if canonical_language(language).lower().endswith("chinese") else "en"


def collapse_ws(text: str) -> str:
    return " ".join(text.split())


def cut_at_word(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–—(") + "…"


#: Words that make a run of Latin text a sentence rather than a list of names.
ENGLISH_FUNCTION_WORDS = frozenset(
    """the a an of and or to in on for with by from as at that which is are was were be been
    we our this these those it its their than into via can not while such both has have
    how what when where who whether also only more most""".split()
)
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,.;:'\"()\-/%+=&]*[A-Za-z0-9.)%]")
#: a name: ASCII letters and digits with a capital or a digit in it (GPT-4o, MMLU, ViT)
_NAME_TOKEN = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z0-9_]*[A-Z0-9][A-Za-z0-9_]*")
_WORDS = re.compile(r"[A-Za-z]+")


def _function_words(text: str) -> int:
    """Function words written as such (lower case): "and" in a sentence, never in "Hand"."""
    return sum(w in ENGLISH_FUNCTION_WORDS for w in _WORDS.findall(text) if w.islower())


def _titled(words: list[str]) -> bool:
    """Most content words capitalized: a name or a title ("Hand Geometry and Interactivity
    Refinement", "Information Processing & Management"), not a sentence."""
    content = [w for w in words if w.lower() not in ENGLISH_FUNCTION_WORDS]
    if not content:
        return False
    return sum(w[0].isupper() for w in content) > 0.6 * len(content)


def english_sentences(text: str) -> list[str]:
    """Runs of English prose inside `text` (six words or more, with function words): a list
    of model, dataset or metric names, or a title-cased name, is not one."""
    runs = []
    for match in _LATIN_RUN.finditer(text):
        run = match.group(0)
        words = _WORDS.findall(run)
        if len(words) >= 6 and _function_words(run) >= 2 and not _titled(words):
            runs.append(run)
    return runs


def language_problem(fields: Mapping[str, str], language: str) -> str | None:
    """Why the fields (name to text) are not in `language`, or None when they plausibly are.

    Names of models, datasets and metrics (tokens with capitals or digits) do not count: a CJK
    field made of "MMLU 85.2、GSM8K 92.1" is fine; a field of English prose is not."""
    return _language_problem(tuple(fields.items()), language)


@lru_cache(maxsize=64)  # asked by the answer's validation, then by the checks
def _language_problem(fields: tuple[tuple[str, str], ...], language: str) -> str | None:
    cjk = is_cjk_language(language)
    for name, text in fields:
        if not cjk:
            if cjk_share(text) > 0.05:
                return f"field {name!r} is not written in {language}"
            continue
        prose = _NAME_TOKEN.sub(" ", text)
        if cjk_share(prose) < 0.25 and _function_words(prose) >= 2:
            return f"field {name!r} is not written in {language}"
    return None


#: C0 control characters (and DEL) other than tab and newline: never stored, never rendered
#: (XML cannot even hold them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Untrusted text made safe to store and render: control characters dropped, CR LF and CR
    made LF. Everything else is kept as it came (LaTeX, inner newlines, any script)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


#: LaTeX commands whose backslash, written alone in JSON, reads as a JSON escape (\b \f \n \r
#: \t): the escape letter followed by the rest of a common command name.
_LATEX_ESCAPES = re.compile(
    r"(?<!\\)((?:\\\\)*)\\("
    r"b(?:eta|ar|ig|inom|m|f|oldsymbol|ackslash|ullet|ot)"
    r"|f(?:rac|orall|latten)"
    r"|n(?:abla|u|eq|e|ot|ormalsize|onumber|i|parallel|leq|geq)"
    r"|r(?:ho|ight|angle|m|ceil|floor|brace|brack)"
    r"|t(?:ext\w*|heta|au|imes|ilde|o|op|riangle\w*|frac|extbf|extit|anh|an|ilde)"
    r")(?![A-Za-z])"
)
#: A backslash that starts no JSON escape at all (\alpha, \%, \sigma, \mathbf, \u without hex).
_BAD_ESCAPE = re.compile(r'(?<!\\)((?:\\\\)*)\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})')


def repair_json_backslashes(raw: str) -> str:
    """JSON text in which a model wrote LaTeX with single backslashes, made to mean what it
    meant: `\beta` would decode as a backspace and "eta", `\alpha` would not decode at all.
    Backslashes of real escapes (\\n between sentences, \\u2014, \\") are left alone."""
    raw = _LATEX_ESCAPES.sub(lambda m: m.group(1) + "\\\\" + m.group(2), raw)
    return _BAD_ESCAPE.sub(lambda m: m.group(1) + "\\\\", raw)


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ESCAPED_TAG = re.compile(r"&lt;(?=[A-Za-z/!?])")


def escape_tags(text: str) -> str:
    """Untrusted text for Markdown: a `<` that could open an HTML tag (<script, </details, <!--)
    becomes `&lt;`; math such as `$<$`, `K << D` or `p <0.01` stays as written."""
    return _TAG_START.sub("&lt;", text)


def unescape_tags(text: str) -> str:
    """`escape_tags` undone, for reading a digest back."""
    return _ESCAPED_TAG.sub("<", text)


#: CJK ideographs, kana and hangul: the scripts written without spaces between words.
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def cjk_bigrams(run: str) -> list[str]:
    """ "大语言模型" -> ["大语", "语言", "言模", "模型"]; a single character stays itself."""
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """Text as the full-text index reads it: every run of CJK characters becomes its
    overlapping character pairs (so a Chinese word of any length is found as a phrase of pairs,
    exactly where its characters stand together), and every CJK character also stands alone at
    the end (for one-character searches). Other text is left to the tokenizer as it is."""
    if not text:
        return ""
    singles: dict[str, None] = {}

    def pairs(match: re.Match[str]) -> str:
        run = match.group(0)
        singles.update(dict.fromkeys(run))
        return " " + " ".join(cjk_bigrams(run)) + " " if len(run) > 1 else f" {run} "

    out = _CJK_RUN.sub(pairs, text)
    if not singles:
        return text
    # one character alone on each side of the separator can never form a phrase with a pair
    return out + " \u2016 " + " ".join(singles)


def cjk_query_part(word: str) -> tuple[str, bool]:
    """A typed word as the index reads it: (text, is a phrase). 模型 -> ("模型", False); 强化学习
    -> ("强化 化学 学习", True); GPT-4o模型 -> ("GPT-4o 模型", True)."""
    runs = _CJK_RUN.findall(word)
    if not runs:
        return word, False
    if len(runs) == 1 and runs[0] == word and len(word) == 1:
        return word, False
    text = _CJK_RUN.sub(lambda m: " " + " ".join(cjk_bigrams(m.group(0))) + " ", word)
    text = " ".join(text.split())
    return text, " " in text


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


#: text-mode LaTeX that a reader should not see raw (math in $...$ is kept for the site)
_TEXT_LATEX = [
    (re.compile(r"\\(?:color)\{[^{}]*\}|\\(?:color)\b"), ""),
    (re.compile(r"\\href\{[^{}]*\}\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\\url\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\$\\(sim|approx)\$\s*"), "~"),
    (re.compile(r"\$\\times\$"), "×"),
    (re.compile(r"\$\\pm\$"), "±"),
    (re.compile(r"\$\s*([<>])\s*\$"), r"\1"),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\&"), "&"),
    (re.compile(r"\\_"), "_"),
    (re.compile(r"\\#"), "#"),
    (re.compile(r"\\\$"), "$"),
    (re.compile(r"``|''"), '"'),
    (re.compile(r"\{\\(?:em|bf|it|tt|sc|rm|sf) ([^{}]*)\}"), r"\1"),
]
#: a text macro outside math: \textbf{LUVE} -> LUVE, \methodname{} -> methodname (its name
#: is the best plain text it has), \emph{a} -> a
_MACRO = re.compile(r"\\([A-Za-z]+)\*?(?:\{([^{}]*)\})?")
_MATH_SPAN = re.compile(r"\$[^$]*\$")


def _plain_macros(text: str) -> str:
    def plain(match: re.Match[str]) -> str:
        argument = match.group(2)
        return argument if argument is not None and argument.strip() else match.group(1)

    def unwrap(part: str) -> str:
        for _ in range(4):  # nested: \emph{\ie} -> \ie -> ie
            part, n = _MACRO.subn(plain, part)
            if not n or "\\" not in part:
                break
        return part

    out, pos = [], 0
    for math in _MATH_SPAN.finditer(text):
        out.append(unwrap(text[pos : math.start()]))
        out.append(math.group(0))
        pos = math.end()
    out.append(unwrap(text[pos:]))
    return "".join(out)


def plain_latex(text: str) -> str:
    """Text-mode LaTeX made plain, math in $...$ kept: \\emph{..}, \\textbf{..}, \\texttt{..},
    \\href{url}{text} (its text), \\%, $\\sim$, and any other macro: it loses its backslash and
    keeps its argument (\\methodname{} reads "methodname")."""
    if "\\" not in text and "$" not in text and "`" not in text:
        return text
    for pattern, repl in _TEXT_LATEX:
        text = pattern.sub(repl, text)
    return _plain_macros(text) if "\\" in text else text

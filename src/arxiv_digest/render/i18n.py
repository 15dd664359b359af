"""The site's words in the reader's language: the page chrome, the failure banner and the
quality warnings (never the checks' raw `kind: field: ...` codes).

Chinese and English are written out; other summary languages get the English chrome (their
summaries are still shown in their own language).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from arxiv_digest.check.kinds import KIND, READER_KINDS
from arxiv_digest.models import Digest, DigestEntry
from arxiv_digest.textutil import lang_code

UI: dict[str, dict[str, str]] = {
    "en": {
        "papers": "papers",
        "skip": "Skip to the papers",
        "days": "{n} days",
        "export_done": "{n} papers exported",
        "archive": "Archive",
        "starred": "Starred",
        "feed": "Feed",
        "feeds": "Atom feeds",
        "filter": "Filter: title, authors, summary (/)",
        "filter_label": "Filter papers",
        "all": "All",
        "categories": "Categories",
        "compact": "Compact",
        "expanded": "Expanded",
        "view": "View",
        "shown": "{n} of {total} papers shown",
        "for_you": "For you",
        "highlight": "Highlight",
        "keywords": "Keywords",
        "authors": "Authors",
        "keys_help": "Saved in this browser. Keys: j / k next and previous paper, o open, "
        "/ filter.",
        "glance": "At a glance",
        "topics": "Topics",
        "details": "Details",
        "abstract": "Abstract",
        "abstract_on_arxiv": "The abstract on arXiv",
        "noscript": "JavaScript is off: papers, summaries and details show as usual; the "
        "filter, the search, stars and keys need it.",
        "related": "Related",
        "pdf": "PDF",
        "star": "Star",
        "copy_link": "Copy link",
        "copied": "Link copied",
        "link": "Link to this paper",
        "more_authors": "+{n} more",
        "pages": "{n} pages",
        "figures": "{n} figures",
        "prev": "Previous day",
        "next": "Next day",
        "other_days": "Other days",
        "warnings": "Check against the abstract",
        "daily": "Daily digests",
        "latest": "Latest",
        "no_digest": "No digest yet.",
        "failed_count": "{n} without a summary",
        "search": "Search every day",
        "day_filter": "Day",
        "starred_title": "Starred papers",
        "starred_none": "No starred paper in this browser yet: press ☆ on a paper.",
        "export_bibtex": "Export BibTeX",
        "export_json": "Export for arxiv-digest star --import",
        "clear_all": "Clear all",
        "clear_confirm": "Remove every star from this browser?",
        "footer": "Made by arxiv-digest {version}. Summaries are machine-written: check the paper.",
        "written_by": "Summary written by",
        "banner": "{n} of {total} papers have no summary",
        "banner_failed": "{n} failed",
        "banner_retry": "{n} will be retried on the next run",
        "banner_pending": "{n} not written yet",
        "banner_cause": "Cause",
        "banner_shown": "Their abstracts are shown instead.",
        "failed_notice": "Summary failed; the abstract is below.",
        "retry_notice": "Summary not available yet: the model could not be reached; the next "
        "run tries again.",
        "pending_notice": "Summary not written yet; the next run writes it.",
        "contradicted": "contradicts the abstract",
        "unsupported": "not supported by the abstract",
        "months": "January February March April May June July August September October "
        "November December",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    },
    "zh": {
        "papers": "篇论文",
        "skip": "跳到论文列表",
        "days": "{n} 天",
        "export_done": "已导出 {n} 篇",
        "archive": "往期",
        "starred": "收藏",
        "feed": "订阅",
        "feeds": "Atom 订阅",
        "filter": "筛选：标题、作者、摘要（/）",
        "filter_label": "筛选论文",
        "all": "全部",
        "categories": "分类",
        "compact": "紧凑",
        "expanded": "展开",
        "view": "视图",
        "shown": "显示 {n} / {total} 篇",
        "for_you": "为你推荐",
        "highlight": "高亮",
        "keywords": "关键词",
        "authors": "作者",
        "keys_help": "保存在本浏览器中。快捷键：j / k 下一篇、上一篇，o 展开，/ 筛选。",
        "glance": "今日概览",
        "topics": "热门主题",
        "details": "详情",
        "abstract": "摘要原文",
        "abstract_on_arxiv": "在 arXiv 上阅读摘要",
        "noscript": "未启用 JavaScript：论文、摘要和详情照常显示；"
        "筛选、搜索、收藏和快捷键需要脚本。",
        "related": "相关论文",
        "pdf": "PDF",
        "star": "收藏",
        "copy_link": "复制链接",
        "copied": "链接已复制",
        "link": "本文链接",
        "more_authors": "另 {n} 位",
        "pages": "{n} 页",
        "figures": "{n} 图",
        "prev": "前一天",
        "next": "后一天",
        "other_days": "其他日期",
        "warnings": "请对照摘要核实",
        "daily": "每日论文摘要",
        "latest": "最新",
        "no_digest": "还没有摘要。",
        "failed_count": "{n} 篇没有摘要",
        "search": "搜索所有日期",
        "day_filter": "日期",
        "starred_title": "收藏的论文",
        "starred_none": "本浏览器中还没有收藏：点论文上的 ☆ 收藏。",
        "export_bibtex": "导出 BibTeX",
        "export_json": "导出给 arxiv-digest star --import",
        "clear_all": "全部清除",
        "clear_confirm": "清除本浏览器中的全部收藏？",
        "footer": "由 arxiv-digest {version} 生成。摘要由机器撰写，请以论文为准。",
        "written_by": "摘要生成：",
        "banner": "{total} 篇论文中有 {n} 篇没有摘要",
        "banner_failed": "{n} 篇生成失败",
        "banner_retry": "{n} 篇将在下次运行时重试",
        "banner_pending": "{n} 篇尚未生成",
        "banner_cause": "原因",
        "banner_shown": "下面直接显示这些论文的摘要原文。",
        "failed_notice": "摘要生成失败，下面是论文摘要原文。",
        "retry_notice": "摘要暂不可用：模型无法连接，下次运行时重试。",
        "pending_notice": "摘要尚未生成，下次运行时生成。",
        "contradicted": "与摘要矛盾",
        "unsupported": "摘要中无依据",
        "months": "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
        "weekdays": "一 二 三 四 五 六 日",
    },
}


def ui(lang: str) -> dict[str, str]:
    return UI.get(lang, UI["en"])


FIELD_NAMES = {
    "en": {
        "tldr": "TL;DR",
        "motivation": "Motivation",
        "method": "Method",
        "result": "Result",
        "conclusion": "Conclusion",
        "all": "The summary",
    },
    "zh": {
        "tldr": "要点",
        "motivation": "动机",
        "method": "方法",
        "result": "结果",
        "conclusion": "结论",
        "all": "摘要",
    },
}

# -- quality warnings -------------------------------------------------------------------------

_WARNING = re.compile(r"^(?P<kind>[a-z-]+): (?P<field>\w+): (?P<what>.*?)(?:: “(?P<quote>.*)”)?$")
#: what a reader is told of a kind that has no sentence in their language (never expected: a
#: test renders every kind in every language)
_FALLBACK = {"en": "{field}: check against the abstract", "zh": "{field}：请对照摘要核实"}


def _detail(kind: str, what: str, names: dict[str, str]) -> str:
    if kind in ("number", "derived"):
        return re.sub(r" (is not in the title or abstract|is not stated.*)$", "", what)
    if kind == "swap":
        return what.removesuffix(" are exchanged").replace(" and ", " / ")
    if kind == "repeat":
        other = what.removeprefix("repeats ")
        return names.get(other, other)
    return ""


def reader_warning(warning: str, lang: str, *, kinds: frozenset[str] = READER_KINDS) -> str | None:
    """A check's warning as a sentence in the reader's language, or None when the reader is
    not shown that kind (or the text is not a check's warning). `kinds`: the kinds to word (the
    reader's by default; `check` words its hints too)."""
    match = _WARNING.match(warning)
    if match is None or match["kind"] not in kinds:
        return None
    lang = lang if lang in FIELD_NAMES else "en"
    names = FIELD_NAMES[lang]
    kind = KIND.get(match["kind"])
    template = (kind.texts.get(lang) if kind else None) or _FALLBACK[lang]
    field_name = names.get(match["field"], match["field"])
    return template.format(field=field_name, x=_detail(match["kind"], match["what"], names))


def notice(entry: DigestEntry, lang: str) -> str | None:
    """What a reader is told instead of the summary, in their language; None when there is one."""
    s = entry.summary
    if s is not None and s.usable:
        return None
    key = "pending_notice" if s is None else "retry_notice" if s.transient else "failed_notice"
    return ui(lang)[key]


def day_lang(digest: Digest, site_lang: str) -> str:
    """The language a day's page and feed entries speak: its summaries' language, or the site's
    when the day has no summary to say it (a day whose every summary failed)."""
    if any(e.summary is not None and e.summary.usable for e in digest.entries):
        return lang_code(digest.language)
    return site_lang


def entry_warnings(entry: DigestEntry, lang: str) -> list[str]:
    """The warnings a reader is shown beside a paper's summary (none without one)."""
    s = entry.summary
    return reader_warnings(s.warnings, lang) if s is not None and s.usable else []


def reader_warnings(warnings: Iterable[str], lang: str) -> list[str]:
    out: list[str] = []
    for warning in warnings:
        text = reader_warning(warning, lang)
        if text is not None and text not in out:
            out.append(text)
    return out


# -- the failure banner -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Banner:
    missing: int
    total: int
    parts: list[str]
    cause: str | None


def _cause(error: str) -> str:
    first = " ".join(error.split())
    return first if len(first) <= 160 else first[:159] + "…"


def failure_banner(entries: Iterable[DigestEntry], lang: str) -> Banner | None:
    """One banner for a day with papers that have no summary: how many, why (the most common
    cause), and whether the next run retries them. None when every paper has one."""
    t = ui(lang)
    failed = retry = pending = total = 0
    causes: Counter[str] = Counter()
    for entry in entries:
        total += 1
        s = entry.summary
        if s is None:
            pending += 1
        elif not s.usable:
            if s.transient:
                retry += 1
            else:
                failed += 1
            if s.error:
                causes[_cause(s.error)] += 1
    missing = failed + retry + pending
    if not missing:
        return None
    parts = [
        t[key].format(n=n)
        for key, n in (
            ("banner_failed", failed),
            ("banner_retry", retry),
            ("banner_pending", pending),
        )
        if n
    ]
    cause = causes.most_common(1)[0][0] if causes else None
    if cause is not None:
        cause = _CAUSES.get(lang, {}).get(cause, cause)
    return Banner(missing, total, parts, cause)


#: Causes the tool itself writes, in the reader's words (a model's or a server's own message is
#: shown as it came)
_CAUSES = {"zh": {"the imported digest shows placeholders": "导入的摘要文件里只有占位文字"}}

"""How the loopback LLM answers a deep read or a question about a paper: from the passages in
the request, as a careful model would (numbers and quotes copied from them, places named), or,
in "fabricate" mode, with invented numbers, places that do not exist and quotes that are not in
the paper, so that the checks can be seen to catch each one."""

from __future__ import annotations

import json
import re

PASSAGE = re.compile(r"^\[(?P<place>[^\]]+)\] (?P<text>.*)$", re.MULTILINE)
NUMBER = re.compile(r"\d[\d,]*\.\d+|\d{2,}[\d,]*")
#: What "fabricate" adds: numbers and places no paper of the tests holds
FAKE_NUMBER = "987.65"
FAKE_PLACE = "§9.9"


def passages(user: str) -> list[tuple[str, str]]:
    """(place, text) of each passage: a bracketed place, then text up to the next blank line."""
    found = []
    for block in user.split("\n\n"):
        match = PASSAGE.match(block.strip())
        if match:
            found.append((match.group("place"), block.strip()[len(match.group("place")) + 3 :]))
    return found


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z])", text) if s.strip()]


def deep_read(user: str, fabricate: bool) -> str:
    found = passages(user)
    results, setup, method, limits = [], [], [], []
    for place, text in found:
        numbers = NUMBER.findall(text)
        decimals = [n for n in numbers if "." in n]
        if place.startswith("Table") and len(decimals) >= 2:
            best, worst = max(decimals, key=float), min(decimals, key=float)
            results.append({"text": f"最好的结果为 {best}，最弱的为 {worst}。", "where": [place]})
        elif "steps" in text and numbers:
            setup.append({"text": f"训练 {numbers[0]} 步。", "where": [place]})
        elif "English text only" in text:
            limits.append({"text": "评测只覆盖英文文本。", "where": [place]})
        elif "routed" in text:
            method.append({"text": "方法用一个路由器为每个词元选择专家。", "where": [place]})
    faq = [
        {
            "question": "论文在哪个基准上评测？",
            "answer": "在 LongBench 上评测。",
            "where": ["Abstract"],
        }
    ]
    if fabricate:
        results.append({"text": f"准确率提升到 {FAKE_NUMBER}。", "where": ["Table 1"]})
        method.append({"text": "方法细节见附录。", "where": [FAKE_PLACE]})
    return json.dumps(
        {
            "results": results[:4],
            "setup": setup[:3],
            "method": method[:3],
            "limitations": limits[:2],
            "faq": faq,
        },
        ensure_ascii=False,
    )


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def ask(user: str, fabricate: bool) -> str:
    question = user.rsplit("Question: ", 1)[-1]
    user = user.rsplit("\n<<<PAPER", 1)[0]  # the passages end at the closing fence
    wanted = _words(question)
    best = (0, "", "")
    for place, text in passages(user):
        for sentence in _sentences(text):
            score = len(wanted & _words(sentence))
            if score > best[0]:
                best = (score, place, sentence)
    score, place, sentence = best
    if score == 0:
        return json.dumps(
            {"answer": "论文没有说明这一点。", "quotes": [], "says": False}, ensure_ascii=False
        )
    numbers = NUMBER.findall(sentence)
    quote = sentence
    if fabricate:
        quote = (
            sentence.replace(numbers[0], FAKE_NUMBER) if numbers else sentence + " It is optimal."
        )
    said = f"根据 {place}：{'、'.join(numbers) if numbers else '见引文'}。"
    return json.dumps(
        {"answer": said, "quotes": [{"text": quote, "where": place}], "says": True},
        ensure_ascii=False,
    )

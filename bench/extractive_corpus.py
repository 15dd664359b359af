"""Extractive fields on the real days of ../shared/corpus/daae/, judged against the LLM-written
summaries there (no labels on these days, so the LLM's fields are the yardstick): how often the
extractive Result quotes a figure (of two or more digits) that the LLM's Result states, and the
Conclusion one the LLM's Conclusion states; fields repeating another; release or licence
sentences in a field.

    python bench/extractive_corpus.py
"""

import json
import re
from pathlib import Path

from arxiv_digest.summarize.extractive import AVAILABILITY, extract_fields
from arxiv_digest.summarize.sentences import split_sentences

DAAE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "daae"
NUM = re.compile(r"\d+(?:\.\d+)?")
rows = []
for f in sorted(DAAE.glob("*AI_enhanced*.jsonl")):
    for line in f.read_text(encoding="utf-8").splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        ai = r.get("AI") or {}
        if not isinstance(ai, dict) or "result" not in ai or not r.get("summary"):
            continue
        rows.append(r)
stats = dict(
    n=0,
    res_has=0,
    res_hit=0,
    con_has=0,
    con_hit=0,
    repeats=0,
    release=0,
    eligible=0,
    res_numeric=0,
    con_numeric=0,
)
for r in rows:
    f = extract_fields(r["title"], r["summary"]).as_dict()
    stats["n"] += 1
    if len(split_sentences(r["summary"])) >= 4:
        stats["eligible"] += 1
        stats["repeats"] += len(set(f.values())) < 5
    stats["release"] += any(AVAILABILITY.search(v) for v in f.values())
    for field, key in (("result", "res"), ("conclusion", "con")):
        nums = {n for n in NUM.findall(str(r["AI"].get(field, ""))) if not re.fullmatch(r"\d", n)}
        mine = set(NUM.findall(f[field]))
        stats[key + "_numeric"] += bool(mine)
        if nums:
            stats[key + "_has"] += 1
            stats[key + "_hit"] += bool(nums & mine)
print(json.dumps(stats))

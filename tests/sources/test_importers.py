from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.errors import ImportFormatError
from arxiv_digest.sources.importers import read_digest_file
from arxiv_digest.store import Store
from tests.helpers import REFERENCE_DIR

REF_MD = REFERENCE_DIR / "000_3473ecea28a495c2.md"
REF_JSONL = REFERENCE_DIR / "000_3473ecea28a495c2.jsonl"
FAILED_MD = REFERENCE_DIR / "004_fd5308535e503f19.md"


def _md() -> str:
    return REF_MD.read_text(encoding="utf-8")


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, text the error must contain)."""
    text = _md()
    cases: dict[str, tuple[Path, bytes, str]] = {}
    cut = text.index("### [10]") + 300
    cases["truncated"] = (tmp / "truncated.md", text[:cut].encode(), "truncated")
    block = text.index("### [3]")
    method = text.index("\n\nMethod: ", block)
    result = text.index("\n\nResult: ", block)
    cases["missing_field"] = (
        tmp / "missing.md",
        (text[:method] + text[result:]).encode(),
        "'Method:'",
    )
    cases["toc_count"] = (
        tmp / "toc.md",
        text.replace("[Total: 17]", "[Total: 18]", 1).encode(),
        "table of contents says section 'cs.AI' has 18",
    )
    cases["not_utf8"] = (
        tmp / "latin1.md",
        text.encode()[:5000] + b"\xff\xfe" + text.encode()[5000:],
        "not UTF-8",
    )
    cases["empty"] = (tmp / "empty.md", b"", "empty")
    lines = REF_JSONL.read_text(encoding="utf-8").splitlines(keepends=True)
    cases["jsonl_truncated"] = (
        tmp / "trunc.jsonl",
        "".join(lines[:5]).encode() + lines[5][:100].encode(),
        ":6: truncated record",
    )
    row = json.loads(lines[2])
    del row["method"]
    cases["jsonl_missing_field"] = (
        tmp / "nofield.jsonl",
        ("".join(lines[:2]) + json.dumps(row, ensure_ascii=False) + "\n").encode(),
        ":3: field 'method'",
    )
    out = {}
    for name, (path, data, needle) in cases.items():
        path.write_bytes(data)
        out[name] = (path, needle)
    return out


CASES = [
    "truncated",
    "missing_field",
    "toc_count",
    "not_utf8",
    "empty",
    "jsonl_truncated",
    "jsonl_missing_field",
]


@pytest.mark.parametrize("case", CASES)
def test_malformed_input_is_one_line_error_and_store_unchanged(
    case: str, tmp_path: Path, runner: CliRunner
) -> None:
    db = tmp_path / "s.db"
    assert (
        runner.invoke(
            cli, ["--db", str(db), "import", str(FAILED_MD), "--date", "2026-01-01"]
        ).exit_code
        == 0
    )
    with Store(db) as s:
        before = s.dump()
    path, needle = _bad_inputs(tmp_path)[case]
    result = runner.invoke(cli, ["--db", str(db), "import", str(path), "--date", "2026-01-02"])
    assert result.exit_code == ImportFormatError.exit_code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and needle in lines[0]
    assert ":" in lines[0].split(str(path), 1)[1][:8] or case == "empty"  # names the line
    with Store(db) as s:
        assert s.dump() == before


def test_a_bad_file_among_good_ones_is_named_and_the_others_import(
    tmp_path: Path, runner: CliRunner
) -> None:
    db = tmp_path / "s.db"
    bad = tmp_path / "2026-01-03.md"
    bad.write_text(_md()[:2000], encoding="utf-8")
    good = tmp_path / "2026-01-02.md"
    good.write_bytes(REF_MD.read_bytes())
    later = tmp_path / "2026-01-04.md"
    later.write_bytes(REF_MD.read_bytes())
    result = runner.invoke(cli, ["--db", str(db), "import", str(good), str(bad), str(later)])
    assert result.exit_code == ImportFormatError.exit_code  # not 0: a file was not imported
    assert f"not imported: {bad}:" in result.output and str(bad) in result.stderr
    assert "3 files: 2 days" in result.output
    with Store(db) as s:  # each file all or nothing: nothing of the bad one, all of the others
        assert s.digests.dates() == ["2026-01-04", "2026-01-02"]


def test_importing_twice_changes_nothing(tmp_path: Path, runner: CliRunner) -> None:
    db = tmp_path / "s.db"
    args = ["--db", str(db), "import", str(REF_MD), "--date", "2026-01-02"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0 and "imported" in first.output
    with Store(db) as s:
        before = s.dump()
    second = runner.invoke(cli, args)
    assert second.exit_code == 0 and "unchanged" in second.output
    with Store(db) as s:
        assert s.dump() == before


def test_date_from_file_name_or_flag_or_clear_error(tmp_path: Path, runner: CliRunner) -> None:
    named = tmp_path / "digest-2026-02-03.md"
    named.write_bytes(REF_MD.read_bytes())
    assert read_digest_file(named).date == "2026-02-03"
    assert read_digest_file(named, "2026-02-04").date == "2026-02-04"
    result = runner.invoke(cli, ["--db", str(tmp_path / "s.db"), "import", str(REF_MD)])
    assert result.exit_code != 0
    assert "--date" in result.stderr and str(REF_MD) in result.stderr


def test_placeholders_import_as_failed(store: Store) -> None:
    from arxiv_digest.fetch.ingest import store_imported

    store_imported(store, read_digest_file(FAILED_MD, "2026-01-01"))
    digest = store.digests.load("2026-01-01")
    assert digest is not None
    assert {e.summary.status for e in digest.entries if e.summary} == {"failed"}
    assert all(e.summary and e.summary.fields is None for e in digest.entries)


def test_anchor_jsonl_shape(tmp_path: Path, store: Store) -> None:
    from arxiv_digest.fetch.ingest import store_imported

    rows = [json.loads(line) for line in REF_JSONL.read_text(encoding="utf-8").splitlines()][:4]
    anchor = []
    for i, r in enumerate(rows):
        ai = {k: r[k] for k in ("tldr", "motivation", "method", "result", "conclusion")}
        if i == 2:
            ai = dict.fromkeys(ai, "Processing failed")
        anchor.append(
            {
                "id": r["id"],
                "categories": [r["main_category"], "stat.ML"],
                "pdf": f"https://arxiv.org/pdf/{r['id']}",
                "abs": r["url"],
                "authors": r["authors"],
                "title": r["title"],
                "comment": "10 pages",
                "summary": r["abstract"],
                "AI": ai,
            }
        )
    anchor.append(anchor[0])  # the anchor repeats papers listed under two categories
    path = tmp_path / "2026-01-07_AI_enhanced_Chinese.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in anchor), encoding="utf-8")
    imported = read_digest_file(path)
    assert imported.date == "2026-01-07" and imported.language == "Chinese"
    store_imported(store, imported)
    digest = store.digests.load("2026-01-07")
    assert digest is not None and len(digest.entries) == 4
    assert digest.entries[0].paper.comment == "10 pages"
    assert digest.entries[0].paper.categories == ("cs.LG", "stat.ML")
    assert [e.summary.status for e in digest.entries if e.summary] == ["ok", "ok", "failed", "ok"]


#: the first lines of three real days of daily-arXiv-ai-enhanced's data branch
#: (../shared/corpus/daae/: the early AI.task schema, a raw day, today's schema)
DAAE = Path(__file__).resolve().parents[1] / "fixtures" / "daae"


def _slice(source: str, name: str, tmp: Path, lines: int = 4) -> Path:
    """The first lines of a real day of daily-arXiv-ai-enhanced's data branch."""
    path = tmp / name
    text = (DAAE / source).read_text("utf-8").splitlines()[:lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def test_a_migrating_users_data_folder_imports_as_it_is(tmp_path: Path, runner: CliRunner) -> None:
    data = tmp_path / "data"
    data.mkdir()
    # the early schema (AI.task), a raw day beside its summarized file, a raw day alone, and a
    # current-schema day that lists its papers twice
    _slice("2025-03-27_AI_enhanced_Chinese.jsonl", "2025-03-27_AI_enhanced_Chinese.jsonl", data)
    early = [json.loads(x) for x in (data / "2025-03-27_AI_enhanced_Chinese.jsonl").open()]
    assert "task" in early[0]["AI"] and "tldr" not in early[0]["AI"]
    _slice("2025-03-18.jsonl", "2025-03-18.jsonl", data, lines=6)
    raw = [json.loads(x) for x in (data / "2025-03-18.jsonl").open()]
    summarized = data / "2025-03-18_AI_enhanced_Chinese.jsonl"
    row = {**raw[0], "AI": {f: f"{f}的内容。" for f in ("tldr", "motivation", "method", "result")}}
    row["AI"]["conclusion"] = "结论。"
    summarized.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    _slice("2025-03-18.jsonl", "2025-03-19.jsonl", data, lines=2)
    twice = _slice(
        "2025-04-15_AI_enhanced_Chinese.jsonl", "2025-04-15_AI_enhanced_Chinese.jsonl", data
    )
    lines = twice.read_text("utf-8").splitlines()
    twice.write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")  # listed twice
    ids = [json.loads(x)["id"] for x in twice.open()]
    db = tmp_path / "s.db"
    result = runner.invoke(cli, ["--db", str(db), "import", str(data)])
    assert result.exit_code == 0, result.output
    unique_raw = len({r["id"] for r in raw})
    alone_ids = {r["id"] for r in raw[:2]}
    total = len({r["id"] for r in early}) + unique_raw + len(alone_ids) + len(set(ids))
    assert f"5 files: 4 days, {total} papers" in result.output
    with Store(db) as s:
        day = s.digests.load("2025-03-27")
        assert day is not None and all(e.summary and e.summary.usable for e in day.entries)
        assert day.entries[0].summary.fields.tldr == early[0]["AI"]["task"]  # type: ignore[union-attr]
        merged = s.digests.load("2025-03-18")
        assert merged is not None and len(merged.entries) == unique_raw
        assert sum(e.summary is not None for e in merged.entries) == 1  # the rest wait
        alone = s.digests.load("2025-03-19")
        assert alone is not None and all(e.summary is None for e in alone.entries)
        assert alone.language == "Chinese"  # the configured language, for the summaries to come
        summary = day.entries[0].summary
        assert summary is not None
        assert (
            summary.provenance == "imported from 2025-03-27_AI_enhanced_Chinese.jsonl · 2025-03-27"
        )
    # the raw papers get their summaries from the next ordinary summarize
    done = runner.invoke(
        cli,
        ["--db", str(db), "summarize", "--date", "2025-03-19"],
        env={"ARXIV_DIGEST_BACKEND": "extractive"},
    )
    assert done.exit_code == 0 and f"{len(alone_ids)} ok" in done.output
    again = runner.invoke(cli, ["--db", str(db), "import", str(data)])
    assert (
        again.exit_code == 0 and again.output.count("unchanged") == 4 or "imported" in again.output
    )

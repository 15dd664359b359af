"""The shape the redesign promised: no import cycles among the package's modules (not even through
TYPE_CHECKING), a config that imports no stage, each stage's entry point in its own package, no
stage that imports the command line, one writer per table, and no module over 400 lines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "arxiv_digest"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of the package that `path` imports at its top level, those under TYPE_CHECKING
    included (a cycle there is a cycle of meaning), not those inside functions (a stage that
    loads another only when it runs)."""
    found: set[str] = set()
    top = ast.parse(path.read_text(encoding="utf-8")).body
    nodes = [n for node in top for n in (node.body if isinstance(node, ast.If) else [node])]
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("arxiv_digest")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("arxiv_digest"):
            assert node.module is not None
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {t for t in _imports(path) if t in modules and t != name}
        # importing a.b.c runs a and a.b first; a module's own parent packages are already
        # loading when it runs, so those edges are not cycles
        prefixes = {".".join(t.split(".")[:i]) for t in targets for i in range(2, t.count(".") + 2)}
        graph[name] = {
            m for m in prefixes if m in modules and m != name and not name.startswith(m + ".")
        }
    return graph


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert sum(len(targets) for targets in graph.values()) > 100  # the graph was read
    assert cycles == []


def test_no_stage_imports_the_command_line() -> None:
    for path in PACKAGE.rglob("*.py"):
        name = _module(path)
        if name.startswith("arxiv_digest.cli") or name == "arxiv_digest.__main__":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"arxiv_digest\.cli\b|import click\b", text), name


def test_each_table_has_one_writer() -> None:
    writers: dict[str, set[str]] = {}
    pattern = re.compile(
        r"(?:INSERT (?:OR \w+ )?INTO\s+(\w+)|UPDATE\s+(\w+)\s+SET|DELETE FROM\s+(\w+))"
    )
    for path in (PACKAGE / "store").glob("*.py"):
        if path.name == "migrations.py":
            continue
        for groups in pattern.findall(path.read_text(encoding="utf-8")):
            writers.setdefault("".join(groups), set()).add(path.name)
    shared = {t: w for t, w in writers.items() if len(w) > 1 and t != "papers_fts"}
    assert writers and shared == {}
    # nothing outside the store writes SQL
    for path in PACKAGE.rglob("*.py"):
        if "store" not in path.parts:
            assert not pattern.search(path.read_text(encoding="utf-8")), path


STAGES = {
    "fetch": ("fetch",),
    "rank": ("rank",),
    "summarize": ("summarize", "summarize_async"),
    "check": ("check", "check_async", "verify", "verify_async"),
    "fulltext": ("read", "read_async", "ask", "ask_async", "deep_read_day", "deep_read_day_async"),
    "render": ("render",),
    "deliver": ("deliver", "send_day", "hold_broken_day"),
}


def test_the_config_imports_no_stage() -> None:
    core = {"config_sections", "errors", "plugins", "taxonomy", "textutil"}
    imported = {m.split(".")[1] for m in _graph()["arxiv_digest.config"]}
    assert imported and imported <= core, imported - core


def test_each_stage_owns_its_entry_point_and_the_pipeline_only_composes() -> None:
    import importlib

    for stage, names in STAGES.items():
        module = importlib.import_module(f"arxiv_digest.{stage}.run")
        for name in names:
            assert callable(getattr(module, name)), (stage, name)
            assert name in module.__all__, (stage, name)
    pipeline = (PACKAGE / "pipeline.py").read_text(encoding="utf-8")
    # it names seven stages (fulltext the seventh) and composes them; no stage logic grows here
    assert len(pipeline.splitlines()) < 300
    # the pipeline calls no stage internals: no store writes, no asyncio, no HTTP client
    assert not re.search(
        r"import asyncio|import httpx|asyncio\.run|store\.\w+\.(set|mark)", pipeline
    )


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 80
    assert {name: n for name, n in sizes.items() if n > 400} == {}

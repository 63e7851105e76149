"""The code's layout holds: dependencies run one way (ledger -> projections -> events), there is
no import cycle among the project's modules (imports inside functions included), and
docs/design.md's module map names every module of ledger/."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("events", "projections", "ledger")
LAYER = {name: i for i, name in enumerate(PACKAGES)}  # a module may import its own layer and those before


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from ledger.history import intervals` imports the module ledger.history.intervals.
            targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                       for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def test_dependencies_run_one_way():
    wrong = [(a, b) for a, deps in graph().items() for b in deps
             if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]]]
    assert wrong == []


def test_no_import_cycles():
    g = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_module_map_names_every_module_of_the_application():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text[text.index("## Module map"):]
    missing = [str(path.relative_to(ROOT)) for name, path in modules().items()
               if name.startswith("ledger") and path.name != "__init__.py"
               and f"`{path.relative_to(ROOT / 'ledger').as_posix()}`" not in section]
    assert missing == []


def unit(name: str) -> str:
    """The job a module of ledger/ belongs to: its folder, or itself at the top (ledger.api)."""
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


def declared(unit_name: str) -> set[str]:
    """The jobs a unit says it may import, from the `May import:` line of its docstring."""
    mods = modules()
    doc = ast.get_docstring(ast.parse(mods[unit_name].read_text(encoding="utf-8"))) or ""
    line = " ".join(doc[doc.index("May import:"):].split("\n\n")[0].split()) if "May import:" in doc else ""
    assert line, f"{mods[unit_name]} does not say what it may import"
    if "any part of ledger" in line:
        return {unit(m) for m in mods if m.startswith("ledger.")}
    return {word.strip(".,") for word in line.split()[2:] if word.startswith("ledger.")}


def test_each_job_imports_only_what_its_docstring_allows():
    g = graph()
    wrong = sorted((a, b) for a, deps in g.items() if a.startswith("ledger") for b in deps
                   if b.startswith("ledger") and unit(b) != unit(a) and unit(b) not in declared(unit(a)))
    assert wrong == []


def test_one_error_hierarchy():
    """Every exception class of ledger/ is in ledger/errors.py, under LedgerError, except the
    signals caught inside the job that raises them."""
    signals = {"ledger.intake.syntax": {"SyntaxRefused"}, "ledger.intake.incremental": {"NeedsFullCheck"},
               "ledger.history.state_data": {"Unreadable"}, "ledger.intake.extract.xmltree": {"XmlRefused"}}
    elsewhere = {}
    for name, path in modules().items():
        if not name.startswith("ledger") or name == "ledger.errors":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                    getattr(b, "id", getattr(b, "attr", "")).endswith(("Error", "Exception", "Conflict"))
                    for b in node.bases):
                elsewhere.setdefault(name, set()).add(node.name)
    assert elsewhere == signals

    from ledger import errors

    users = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert all(issubclass(e, errors.LedgerError) for e in users)

"""The import direction of DESIGN.md "Layout": ballots → vetting → candidates → elections →
electionlaw. A module may import its own layer and the layers below it, never one
above; electionlaw imports neither Django nor anything of ours. Function-level imports
count too (a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Lowest first. Each layer may import the layers before it.
LAYERS = ["electionlaw", "elections", "candidates", "vetting", "ballots"]
OURS = {*LAYERS, "config", "tests", "bench"}
#: What electionlaw may import besides itself: the standard library only.
FORBIDDEN_IN_LAW = {"django", "celery", "guardian", "openpyxl", "weasyprint", *OURS}


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """Every module `source` imports, as absolute dotted names, with its line."""
    found: list[tuple[int, str]] = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # `from pkg import mod` imports the module pkg.mod; for a plain name the
            # resolver below falls back to pkg itself.
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def violations(source: str, module: str) -> list[str]:
    """What `module` (dotted name) imports against the direction."""
    layer = module.split(".")[0]
    problems = []
    for line, name in imported_modules(source, module):
        top = name.split(".")[0]
        if layer == "electionlaw":
            if top in FORBIDDEN_IN_LAW and top != "electionlaw":
                problems.append(f"{module}:{line} imports {name} (electionlaw stays pure)")
        elif layer in LAYERS and top in LAYERS and LAYERS.index(top) > LAYERS.index(layer):
            problems.append(f"{module}:{line} imports {name}, a layer above {layer}")
        if layer in LAYERS and top in {"tests", "bench"}:
            problems.append(f"{module}:{line} imports {name}: shipped code needs no test helper")
    return problems


def project_modules() -> list[tuple[str, Path]]:
    out = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out.append((".".join(parts), path))
    return out


def test_every_layer_exists() -> None:
    for layer in LAYERS:
        assert (ROOT / layer / "__init__.py").exists(), layer


def test_no_module_imports_against_the_direction() -> None:
    problems = []
    for module, path in project_modules():
        problems += violations(path.read_text(encoding="utf-8"), module)
    assert problems == []


def test_the_old_home_of_the_rules_is_gone() -> None:
    assert not (ROOT / "ballots" / "rules").exists()


def test_no_import_cycle_between_project_modules() -> None:
    names = {module for module, _ in project_modules()}
    graph: dict[str, set[str]] = {}
    for module, path in project_modules():
        deps = set()
        for _, name in imported_modules(path.read_text(encoding="utf-8"), module):
            # `from pkg import mod` names a module too
            while name and name not in names:
                name = name.rpartition(".")[0]
            if name and name != module:
                deps.add(name)
        graph[module] = deps
    # Packages' __init__ modules that only gather submodules (elections.models) are
    # edges of the package itself, not cycles: drop edges from a package to its own parts
    # and from a part to its package.
    for module, deps in graph.items():
        graph[module] = {
            d for d in deps if not d.startswith(module + ".") and not module.startswith(d + ".")
        }
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


# -- the checker itself can fail -------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("elections.views", "from candidates.models import Candidate"),
        ("elections.views", "def f():\n    import ballots.services\n"),
        ("elections.registration.views.voters", "from vetting import services"),
        ("candidates.services", "from vetting.models import Round"),
        ("vetting.services", "from ballots.models import Tally"),
        ("electionlaw.counting", "from django.db import models"),
        ("electionlaw.counting", "from elections.models import RuleProfile"),
        ("electionlaw.dates", "import elections"),
        ("elections.registration.services", "from tests.idgen import generate_valid_id"),
    ],
)
def test_checker_catches_an_import_against_the_direction(module: str, source: str) -> None:
    assert violations(source, module) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("ballots.services", "from vetting.models import Round\nfrom elections import audit"),
        ("candidates.services", "import electionlaw"),
        ("elections.schedule", "from electionlaw import last_day_within"),
        ("electionlaw.counting", "from electionlaw._base import Seats\nimport datetime"),
        ("electionlaw.counting", "from ._base import Seats"),
    ],
)
def test_checker_allows_imports_down_the_layers(module: str, source: str) -> None:
    assert violations(source, module) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []

"""The floor plan holds: packages depend one way, no import cycle, features in their order.

Read from the source (the AST), not by importing: an import inside ``if TYPE_CHECKING:`` is
for the type checker only and does not count. The app factory (``lms/__init__.py``) is the
one place the core names the packages built on it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lms", "courses", "assessments", "reinforcement")  # each builds on those before it
APP_FACTORY = "lms"
# Packages already laid out one folder per feature, with the features in dependency order.
FEATURES = {
    "reinforcement": ("resources", "checkins", "plans", "goals", "leaders", "councils"),
}
# What a feature never takes from another: its pages, forms, API and API shapes.
PRIVATE = ("views", "forms", "api", "schemas")
MAX_LINES = 400
LONG_ALLOWED = {"reinforcement.demo"}  # demo data
# Uses of a later feature that stay for now, each with its reason.
ALLOWED_LATER = {
    ("reinforcement.checkins.permissions", "reinforcement.councils.models"):
        "council actions share the action_items table, whose visibility rule covers both",
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (the longest existing one named)
    line: int
    top: bool  # at module level, run on import


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(path): path for package in PACKAGES
           for path in sorted((ROOT / package).rglob("*.py"))}


def _existing(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _type_checking_only(tree: ast.Module) -> set[int]:
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for child in ast.walk(node))
    return hidden


def _imports_of(module: str) -> list[Import]:
    tree = ast.parse(MODULES[module].read_text())
    hidden, top = _type_checking_only(tree), {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            target = _existing(name)
            if target and target != module:
                found.append(Import(module, target, node.lineno, id(node) in top))
    return found


IMPORTS = [found for module in MODULES for found in _imports_of(module)]


def _package(module: str) -> str:
    return module.split(".")[0]


def test_packages_depend_one_way():
    rank = {package: number for number, package in enumerate(PACKAGES)}
    wrong = [f"{i.source}:{i.line} imports {i.target}" for i in IMPORTS
             if i.source != APP_FACTORY and rank[_package(i.target)] > rank[_package(i.source)]]
    assert not wrong, wrong


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a path, or an empty list."""
    state: dict[str, int] = {}  # 1 while on the path, 2 once done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_import_cycle_at_module_level():
    graph: dict[str, set[str]] = {}
    for found in IMPORTS:
        if found.top:
            graph.setdefault(found.source, set()).add(found.target)
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) == []


def _feature(module: str) -> tuple[str, str] | None:
    """``(package, feature)`` of a module inside a feature folder."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in FEATURES.get(parts[0], ()):
        return parts[0], parts[1]
    return None


@pytest.mark.parametrize("package", sorted(FEATURES))
def test_features_use_only_those_before_them(package):
    order = FEATURES[package]
    wrong = []
    for found in IMPORTS:
        source, target = _feature(found.source), _feature(found.target)
        if not source or not target or source == target or source[0] != package:
            continue
        role = found.target.split(".")[2] if found.target.count(".") >= 2 else "__init__"
        if (order.index(target[1]) > order.index(source[1])
                and (found.source, found.target) not in ALLOWED_LATER):
            wrong.append(f"{found.source}:{found.line} uses the later feature {found.target}")
        elif role in PRIVATE:
            wrong.append(f"{found.source}:{found.line} takes another feature's {role}")
    assert not wrong, wrong


@pytest.mark.parametrize("package", sorted(FEATURES))
def test_a_function_level_import_says_why(package):
    silent = []
    for module, path in MODULES.items():
        if _package(module) != package:
            continue
        lines = path.read_text().splitlines()
        for found in _imports_of(module):
            said = [lines[found.line - 1], lines[found.line - 2] if found.line > 1 else ""]
            if not found.top and not any("#" in line for line in said):
                silent.append(f"{module}:{found.line}")
    assert not silent, sorted(set(silent))


@pytest.mark.parametrize("package", sorted(FEATURES))
def test_no_module_over_400_lines(package):
    long = {module: count for module, path in MODULES.items()
            if _package(module) == package and module not in LONG_ALLOWED
            and (count := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, long

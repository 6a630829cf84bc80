"""The directions of the code (README, "Architecture"; issue 11): one table says which package may import which.

Every module of our packages is read with ast — imports inside functions included, since they run too — and any
import of one of our packages that the table does not allow fails, as does a circle of imports between modules.
Known violations are listed below as TEMPORARY exceptions; an exception that is no longer needed fails too, so the
list can only shrink.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CORE, HABILITATIONS, CDAP, PORTAL = "core", "habilitations", "cdap", "portal"
SERVICES_READING_CDAP = ("adonis", "bailleur", "dgfip")  # the Caf's beneficiary data, through cdap's selectors
SERVICES = (CDAP, "afas", *SERVICES_READING_CDAP)
UNRESTRICTED = ("tests", "bench")
OURS = (CORE, HABILITATIONS, PORTAL, *SERVICES, *UNRESTRICTED)

# importer package -> what it may import besides itself (a package, or one module such as cdap.selectors)
ALLOWED: dict[str, set[str]] = {
    CORE: set(),
    HABILITATIONS: {CORE},
    CDAP: {CORE, HABILITATIONS},
    "afas": {CORE, HABILITATIONS},
    **{service: {CORE, HABILITATIONS, "cdap.selectors"} for service in SERVICES_READING_CDAP},
    PORTAL: set(OURS) - set(UNRESTRICTED),
    **{package: set(OURS) for package in UNRESTRICTED},
}

# TEMPORARY: known violations, each with the issue that removes it. None is left (issue 11 moved outgoing e-mail to
# core.mail); the tests below keep the list able only to shrink.
TEMPORARY_ARROWS: set[tuple[str, str]] = set()
TEMPORARY_CIRCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = modules()


def resolve(name: str) -> str | None:
    """The deepest module of ours that `name` (a dotted import) designates, or None when it is not ours."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(module: str, path: Path) -> set[str]:
    """The modules of ours that `module` imports, at the top or inside functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]  # `from x import y`: module x.y, or x
        else:
            continue
        found |= {target for target in map(resolve, names) if target and target != module}
    return found


GRAPH = {module: imports_of(module, path) for module, path in MODULES.items()}


def allowed(importer: str, target: str) -> bool:
    package, target_package = importer.split(".")[0], target.split(".")[0]
    if package == target_package:
        return True
    return any(target == rule or target.startswith(rule + ".") for rule in ALLOWED[package])


def forbidden_arrows(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (importer, target)
        for importer, targets in graph.items()
        for target in targets
        if not allowed(importer, target)
    }


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The groups of modules that import each other, directly or around a loop (Tarjan's strongly connected
    components of more than one module)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), set()

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_every_package_of_ours_has_its_row_in_the_table():
    assert set(ALLOWED) == set(OURS)
    assert MODULES, "no module found"


def test_no_import_goes_against_the_table():
    unexpected = forbidden_arrows(GRAPH) - TEMPORARY_ARROWS
    assert not unexpected, "imports the table does not allow (README, 'Where code goes'):\n" + "\n".join(
        f"  {importer} -> {target}" for importer, target in sorted(unexpected)
    )


def test_the_temporary_arrows_are_all_still_needed():
    gone = TEMPORARY_ARROWS - forbidden_arrows(GRAPH)
    assert not gone, f"remove these TEMPORARY exceptions, they are no longer needed: {sorted(gone)}"


def test_no_circle_of_imports():
    unexpected = circles(GRAPH) - TEMPORARY_CIRCLES
    assert not unexpected, "modules importing each other: " + "; ".join(
        " <-> ".join(sorted(circle)) for circle in unexpected
    )


def test_the_temporary_circles_are_all_still_there():
    gone = TEMPORARY_CIRCLES - circles(GRAPH)
    assert not gone, f"remove these TEMPORARY exceptions, the circles are gone: {[sorted(c) for c in gone]}"


def test_the_check_sees_an_added_arrow_and_a_circle():
    """The checks themselves: an import from inside a function, and a two-module loop, are caught."""
    graph = {**GRAPH, "habilitations.models": GRAPH["habilitations.models"] | {"cdap.models"}}
    assert ("habilitations.models", "cdap.models") in forbidden_arrows(graph)
    assert ("adonis.views", "cdap.models") in forbidden_arrows({"adonis.views": {"cdap.models", "cdap.selectors"}})
    assert frozenset({"core.a", "core.b"}) in circles({"core.a": {"core.b"}, "core.b": {"core.a"}})

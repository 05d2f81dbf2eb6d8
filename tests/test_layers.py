"""The house's layers, read from the code's imports (docs/architecture.md#layers).

From the bottom: `analytics` (pure: never flask, SQLAlchemy or survey), `survey.core`,
`survey.models`, the domain services (in the order of DOMAINS: a service imports services of
its own package or of a package before it), the web modules (each package's views and
forms), the command line, and `app`. A module imports only its own layer or the layers below;
the web application reaches analytics only through its public face (`from analytics import`);
and no module imports, however indirectly, itself.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = ("core", "models", "services", "web", "cli", "app")
# The domain packages that hold services, lowest first.
DOMAINS = (
    "audit",
    "commune",
    "accounts",
    "responses",
    "surveys",
    "paper",
    "indicators",
    "ratings",
    "feedback",
    "reports",
    "demo",
)
# Packages with web modules only (their services live in the domains above).
WEB_ONLY = ("admin", "site", "api")
# What analytics must never import: it takes plain rows and returns dataclasses.
NOT_IN_ANALYTICS = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "flask_wtf")
NOT_IN_ANALYTICS += ("flask_migrate", "flask_limiter", "werkzeug", "sqlalchemy", "survey", "app")


def module_files(root):
    """Every module of the house under `root`, by dotted name."""
    files = [*root.glob("survey/**/*.py"), *root.glob("analytics/**/*.py")]
    if (root / "app.py").exists():
        files.append(root / "app.py")
    modules = {}
    for path in files:
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imports_of(name, path, known):
    """(imported module, line, as written) for each import in the module `name`."""
    found = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in known else base
                found.append((target, node.lineno, base))
    return found


def layer(name):
    """The layer of a module of survey/ or app."""
    parts = name.split(".")
    if name == "app":
        return "app"
    if len(parts) == 1 or parts[1] == "core":
        return "core"
    if parts[1] == "models":
        return "models"
    if parts[1] == "cli":
        return "cli"
    last = parts[-1]
    if len(parts) > 2 and (last in ("views", "forms") or last.endswith("_views")):
        return "web"
    return "services"


def problems_in(root):
    """Every import that breaks the layers, as readable lines; empty when the house holds."""
    modules = module_files(root)
    problems, graph = [], {}
    for name, path in sorted(modules.items()):
        where = f"{path.relative_to(root)}"
        graph[name] = set()
        package = name.split(".")[1] if name.count(".") else None
        if name.startswith("survey.") and layer(name) == "services" and package not in DOMAINS:
            problems.append(f"{where}: {package} holds services but is not in DOMAINS")
        for target, line, written in imports_of(name, path, modules):
            top = target.split(".")[0]
            if name.split(".")[0] == "analytics":
                if top in NOT_IN_ANALYTICS:
                    problems.append(f"{where}:{line}: analytics imports {target}")
            elif written.startswith("analytics.") or target.startswith("analytics."):
                problems.append(
                    f"{where}:{line}: imports {written}; the web application imports "
                    "from `analytics` (its public face) only"
                )
            if target in modules:
                graph[name].add(target)
                if top in ("survey", "app") and name.split(".")[0] in ("survey", "app"):
                    problems += _layer_problems(name, target, f"{where}:{line}")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return problems


def _layer_problems(name, target, where):
    mine, theirs = layer(name), layer(target)
    if LAYERS.index(theirs) > LAYERS.index(mine):
        return [f"{where}: {name} ({mine}) imports {target} ({theirs}), a layer above it"]
    if mine == theirs == "services":
        own, other = name.split(".")[1], target.split(".")[1]
        if own in DOMAINS and other in DOMAINS and DOMAINS.index(other) > DOMAINS.index(own):
            return [f"{where}: {name} imports {target}; {other} comes after {own} in DOMAINS"]
    return []


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_house_keeps_its_layers():
    assert problems_in(ROOT) == []


def test_every_package_of_survey_is_placed():
    packages = {p.name for p in (ROOT / "survey").iterdir() if (p / "__init__.py").exists()}
    placed = {"core", "models", "cli", *DOMAINS, *WEB_ONLY}
    assert packages == placed


# --- the checker itself catches what it is for ---------------------------------------------


def write_house(tmp_path, files):
    """A small house of modules under `tmp_path` (path -> source)."""
    for relative, source in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        for parent in path.relative_to(tmp_path).parents:
            if parent.parts:
                (tmp_path / parent / "__init__.py").touch()
    return tmp_path


HOUSE = {
    "app.py": "from survey.reports import views\n",
    "analytics/stats.py": "import math\n",
    "survey/core/extensions.py": "import flask\n",
    "survey/models/surveys.py": "from survey.core import extensions\n",
    "survey/responses/release.py": "from survey.models import surveys\n",
    "survey/reports/results.py": (
        "from analytics import mean\nfrom survey.responses import release\n"
    ),
    "survey/reports/views.py": "from survey.reports import results\n",
}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("analytics/rating.py", "import flask\n", "analytics imports flask"),
        ("analytics/rating.py", "from survey.models import surveys\n", "analytics imports survey"),
        ("survey/core/database.py", "from survey.models import surveys\n", "a layer above it"),
        ("survey/models/commune.py", "from survey.reports import results\n", "a layer above"),
        ("survey/responses/qr.py", "from survey.reports import views\n", "a layer above it"),
        ("survey/responses/qr.py", "from survey.reports import results\n", "comes after"),
        ("survey/reports/docx.py", "from analytics.stats import mean\n", "public face"),
        ("survey/spare/thing.py", "from survey.models import surveys\n", "not in DOMAINS"),
        ("survey/models/surveys.py", "from survey.models import commune\n", "import cycle"),
    ],
)
def test_the_checker_finds_each_kind_of_break(tmp_path, module, source, expected):
    house = dict(HOUSE)
    if module == "survey/models/surveys.py":
        house["survey/models/commune.py"] = "from survey.models import surveys\n"
    house[module] = house.get(module, "") + source
    found = problems_in(write_house(tmp_path, house))
    assert any(expected in line for line in found), found


def test_the_checker_passes_a_sound_house(tmp_path):
    assert problems_in(write_house(tmp_path, HOUSE)) == []

"""The house's layers, read from the code's imports (docs/architecture.md#layers).

From the bottom: `analytics` (pure: never flask, SQLAlchemy or survey), then the packages of
`survey` in the order of PACKAGES (infrastructure, tables, the domains, the pages that only
read them, the command line), then `app`. A module imports only from its own package or the
packages below it; inside every package, services never import a view or a form; the web
application reaches analytics only through its public face (`from analytics import`); and no
module imports, however indirectly, itself.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The packages of survey/, lowest first.
PACKAGES = (
    "core",
    "models",
    "audit",
    "commune",
    "accounts",
    "responses",
    "surveys",
    "paper",
    "programmes",
    "dialogues",
    "indicators",
    "ratings",
    "feedback",
    "reports",
    "province",
    "demo",
    "site",
    "admin",
    "api",
    "cli",
)
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


def rank(name):
    """Where a module of survey/ or app stands: the index of its package in PACKAGES (app
    above them all); None for a package PACKAGES does not place."""
    parts = name.split(".")
    if name == "app":
        return len(PACKAGES)
    if len(parts) == 1:
        return 0  # survey/__init__.py: a docstring
    return PACKAGES.index(parts[1]) if parts[1] in PACKAGES else None


def is_web(name):
    """A view or a form: a package's views.py, *_views.py or forms.py."""
    last = name.split(".")[-1]
    return name.count(".") >= 2 and (last in ("views", "forms") or last.endswith("_views"))


def problems_in(root):
    """Every import that breaks the layers, as readable lines; empty when the house holds."""
    modules = module_files(root)
    problems, graph = [], {}
    for name, path in sorted(modules.items()):
        where = f"{path.relative_to(root)}"
        graph[name] = set()
        if name.startswith("survey.") and rank(name) is None:
            problems.append(f"{where}: survey.{name.split('.')[1]} is not in PACKAGES")
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
    mine, theirs = rank(name), rank(target)
    if mine is None or theirs is None:
        return []  # said once per module above
    if theirs > mine:
        return [f"{where}: {name} imports {target}, from a package above its own"]
    if is_web(target) and not is_web(name) and name != "app" and not name.startswith("survey.cli"):
        return [f"{where}: {name} is a service and imports {target}, a view or a form"]
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
    assert packages == set(PACKAGES)


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
        ("survey/core/database.py", "from survey.models import surveys\n", "package above"),
        ("survey/models/commune.py", "from survey.reports import results\n", "package above"),
        ("survey/responses/qr.py", "from survey.reports import views\n", "package above"),
        ("survey/responses/views.py", "from survey.reports import results\n", "package above"),
        ("survey/reports/results.py", "from survey.reports import views\n", "a view or a form"),
        ("survey/reports/docx.py", "from analytics.stats import mean\n", "public face"),
        ("survey/spare/thing.py", "from survey.models import surveys\n", "not in PACKAGES"),
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

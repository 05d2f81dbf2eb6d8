"""The wheel's build step: what the app reads at run time besides its Python modules.

pyproject.toml holds the metadata; this file only gives setuptools a build_py that also puts
into the survey package the top-level templates/, static/ and migrations/ (survey/core/
app_folders.py finds them there), the catalogs compiled from the committed .po files, and the
pinned Chart.js build, checked against its SRI hash (survey/core/chartjs.py).
"""

import importlib.util
import logging
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
ASSET_FOLDERS = ("templates", "static", "migrations")
CACHES_AND_HIDDEN = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


def chartjs_pin():
    """survey/core/chartjs.py, loaded by its path: nothing of the app is installed yet."""
    spec = importlib.util.spec_from_file_location(
        "_chartjs_pin", ROOT / "survey" / "core" / "chartjs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithAppFiles(build_py):
    """build_py, then the app's folders, compiled catalogs and Chart.js into the package."""

    def run(self):
        """Build the modules, then add what the app reads at run time (not for -e installs,
        which serve from the checkout: `make translations` and `make vendor` fill it)."""
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "survey"
        for name in ASSET_FOLDERS:
            self.copy_folder(ROOT / name, package / name)
        self.compile_catalogs(package / "translations")
        self.place_chartjs(package / "static")

    def copy_folder(self, source, target):
        """Copy one top-level folder whole, replacing what an earlier build left there."""
        if not source.is_dir():
            raise SetupError(f"{source.name}/ is missing from {ROOT}: the app needs it")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=left_out)

    def compile_catalogs(self, target):
        """Compile each committed .po into the package's .mo, refusing a broken catalog as
        `pybabel compile` does."""
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        sources = sorted((ROOT / "survey" / "translations").glob("*/LC_MESSAGES/*.po"))
        if not sources:
            raise SetupError("no translation catalog (survey/translations/*/LC_MESSAGES/*.po)")
        for po_path in sources:
            with po_path.open("rb") as f:
                catalog = read_po(f)
            problems = [(m.lineno, e) for m, errors in catalog.check() for e in errors]
            if problems:
                line, error = problems[0]
                raise SetupError(f"{po_path.relative_to(ROOT)} line {line}: {error}")
            mo_path = target / po_path.relative_to(po_path.parents[2]).with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with mo_path.open("wb") as f:
                write_mo(f, catalog)
            self.announce(f"compiled {mo_path.relative_to(self.build_lib)}", level=logging.INFO)

    def place_chartjs(self, static):
        """static/vendor's copy when it matches the pinned SRI hash, else one fetched from the
        npm registry and checked; a build without a verified copy fails."""
        pin = chartjs_pin()
        vendored = ROOT / "static" / pin.STATIC_NAME
        target = static / pin.STATIC_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        if pin.is_verified(vendored):
            shutil.copyfile(vendored, target)
            self.announce(f"Chart.js {pin.VERSION}: static/vendor/'s copy", level=logging.INFO)
            return
        try:
            pin.fetch(target)
            self.announce(f"Chart.js {pin.VERSION}: fetched with npm and checked", logging.INFO)
        except pin.NoVerifiedCopy as error:
            found = "does not match its SRI hash" if vendored.exists() else "is missing"
            raise SetupError(
                f"{error}; static/{pin.STATIC_NAME} {found}: the wheel needs a verified "
                f"Chart.js (run `make vendor` where npm reaches its registry)"
            ) from None


def left_out(folder, names):
    """What a copy of the app's folders leaves out: caches, hidden files, and static/vendor/,
    whose Chart.js is placed after a check of its own (place_chartjs)."""
    skipped = set(CACHES_AND_HIDDEN(folder, names))
    if Path(folder) == ROOT / "static":
        skipped.add("vendor")
    return skipped


setup(cmdclass={"build_py": BuildPyWithAppFiles})

"""The wheel holds everything the app reads at run time, and the package installed from it, run
from an empty folder, upgrades a fresh database, seeds the demo commune and serves Vietnamese
pages that load Chart.js from the package itself.

The wheel is built as `pip wheel .` builds it, from a copy of the source tree without compiled
catalogs, but with this environment's setuptools and Babel instead of fresh ones from PyPI; it
is installed with --no-deps into a new virtual environment that borrows this one's
dependencies through a .pth file (not its editable install of the project: see `installed`).
"""

import http.cookiejar
import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.mofile import read_mo

from survey.core import chartjs
from tests.conftest import new_empty_database

ROOT = Path(__file__).resolve().parent.parent
VENDORED = ROOT / "static" / chartjs.STATIC_NAME
PASSWORD = "wheel-demo-password"
# What a build does not read; compiled catalogs are left out so that the build must make them.
NOT_BUILT_FROM = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "instance",
    "tests",
    "benchmarks",
    "docs",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    ".stamp-*",
    "*.mo",
)
MINUTES = 60


def missing_build_tools():
    """Why the wheel cannot be built here without the network, or None."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return "setuptools is not installed: pip install -e '.[test]'"
    if tuple(int(part) for part in re.findall(r"\d+", version)[:2]) < (70, 1):
        return f"setuptools {version} is older than the build's 70.1: pip install -e '.[test]'"
    try:
        importlib.metadata.version("Babel")
    except importlib.metadata.PackageNotFoundError:
        return "Babel is not installed: pip install -e '.[test]'"
    return None


def missing_chartjs():
    """Why the build would have no Chart.js to put in the wheel, or None."""
    if chartjs.is_verified(VENDORED) or shutil.which("npm"):
        return None
    return "no verified Chart.js in static/vendor/ and no npm to fetch one: run `make vendor`"


BUILD_TOOLS_MISSING = missing_build_tools()
pytestmark = pytest.mark.skipif(BUILD_TOOLS_MISSING is not None, reason=BUILD_TOOLS_MISSING or "")


def source_copy(target):
    """The files a build reads, copied to `target`."""
    shutil.copytree(ROOT, target, ignore=NOT_BUILT_FROM)
    return target


def pip_wheel(source, wheel_dir, env=None):
    """`pip wheel .` with this environment's build tools; the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--wheel-dir", str(wheel_dir), str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=10 * MINUTES,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built and installed into a fresh virtual environment: its python and
    site-packages."""
    if reason := missing_chartjs():
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("wheel")
    built = pip_wheel(source_copy(work / "source"), work / "dist")
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("commune_survey-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=5 * MINUTES,
    )
    site_packages = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    # A .pth line only adds the folder to sys.path, after the new environment's own: the .pth
    # files in that folder, among them the editable install's finder that maps `survey` to
    # the source tree, are not run.
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return SimpleNamespace(python=python, site_packages=site_packages, wheel=wheel)


def files_under(folder):
    """Every file below `folder`, relative to it, without caches."""
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_installed_package_holds_what_the_app_reads_at_run_time(installed):
    site = installed.site_packages
    package = site / "survey"
    with (package / "translations/vi/LC_MESSAGES/messages.mo").open("rb") as f:
        catalog = read_mo(f)
    assert catalog.get("Hearing the people's voice").string == "Lắng nghe ý kiến Nhân dân"
    assert len(catalog) > 500
    for name in ("templates", "migrations"):
        assert files_under(package / name) == files_under(ROOT / name), name
    assert "versions" in {p.name for p in (package / "migrations").iterdir()}
    static = files_under(package / "static")
    assert static - {chartjs.STATIC_NAME} == files_under(ROOT / "static") - {chartjs.STATIC_NAME}
    assert chartjs.is_verified(package / "static" / chartjs.STATIC_NAME)
    assert (site / "app.py").is_file()
    assert (site / "analytics" / "default_rules.toml").is_file()
    assert len(list((package / "surveys" / "question_sets").glob("*.json"))) == 3


def run(installed, args, folder, env):
    """Run the installed python with `args` in `folder`; its output, after checking it ended
    well."""
    done = subprocess.run(
        [str(installed.python), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=10 * MINUTES,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def free_port():
    """A loopback port that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(opener, url, data=None, seconds=60):
    """GET (or POST `data`) until the answer is final (not 202, computing); the response and
    its body."""
    deadline = time.monotonic() + seconds
    while True:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with opener.open(url, data=body, timeout=30) as response:
            content = response.read()
        if response.status != 202 or time.monotonic() > deadline:
            return response, content
        time.sleep(1)


def wait_until_serving(server, url, log):
    """Wait for gunicorn to answer, failing with its log if it stopped."""
    deadline = time.monotonic() + 2 * MINUTES
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url + "/login", timeout=60):
                return
        except OSError:  # refused while gunicorn starts
            time.sleep(0.5)
    raise AssertionError("gunicorn did not answer within 2 minutes:\n" + log.read_text())


@pytest.fixture
def database_env(tmp_path):
    """The database variables of the installed app: the instance folder's SQLite file, or a
    new PostgreSQL database when the suite runs on PostgreSQL."""
    with new_empty_database(tmp_path / "unused.sqlite") as url:
        yield {} if url.startswith("sqlite") else {"FLASK_SQLALCHEMY_DATABASE_URI": url}


def test_the_installed_package_upgrades_seeds_and_serves_vietnamese_with_its_own_chartjs(
    installed, tmp_path, database_env
):
    empty = tmp_path / "empty"
    empty.mkdir()
    instance = tmp_path / "fresh-instance"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "SURVEY_INSTANCE_PATH": str(instance),
        **database_env,
    }
    where = run(
        installed, ["-c", "import app, survey; print(app.__file__, survey.__file__)"], empty, env
    )
    assert where.split() == [
        str(installed.site_packages / "app.py"),
        str(installed.site_packages / "survey" / "__init__.py"),
    ]
    run(installed, ["-m", "flask", "--app", "app", "db", "upgrade"], empty, env)
    seeded = run(
        installed,
        ["-m", "flask", "--app", "app", "seed-demo", "--responses", "300", "--password", PASSWORD],
        empty,
        env,
    )
    assert "thuongtruc" in seeded
    assert os.listdir(empty) == []

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(installed.python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "app:create_app()"],
            cwd=empty,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(server, url, log)
        check_what_is_served(url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def check_what_is_served(url):
    """The home page in Vietnamese, the stylesheet and Chart.js, and a signed-in dashboard that
    loads this site's Chart.js."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, home = fetch(opener, url + "/")
    home = home.decode()
    assert '<html lang="vi">' in home
    assert "Lắng nghe ý kiến Nhân dân" in home
    _, stylesheet = fetch(opener, url + "/static/css/site.css")
    assert stylesheet == (ROOT / "static/css/site.css").read_bytes()
    _, chart = fetch(opener, url + "/static/vendor/chart.umd.min.js")
    assert chartjs.sri_of(chart) == chartjs.SRI

    _, login_page = fetch(opener, url + "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.decode())
    assert token, login_page.decode()
    credentials = {"csrf_token": token.group(1), "username": "thuongtruc", "password": PASSWORD}
    signed_in, _ = fetch(opener, url + "/login", data=credentials)
    assert "/manage/" in signed_in.url

    response, dashboard = fetch(opener, url + "/dashboard/")
    dashboard = dashboard.decode()
    assert response.status == 200, dashboard
    assert 'canvas id="trend"' in dashboard
    assert '<script src="/static/vendor/chart.umd.min.js"' in dashboard
    assert "jsdelivr" not in dashboard and chartjs.CDN_URL not in dashboard
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "http" not in policy


def test_a_build_without_a_verified_chartjs_fails_with_one_clear_line(tmp_path):
    source = source_copy(tmp_path / "source")
    vendored = source / "static" / chartjs.STATIC_NAME
    vendored.parent.mkdir(parents=True, exist_ok=True)
    vendored.write_bytes(b"/* not the pinned build */")
    no_npm = {**os.environ, "PATH": str(tmp_path / "no-programs")}
    built = pip_wheel(source, tmp_path / "dist", env=no_npm)
    assert built.returncode != 0
    said = (built.stdout + built.stderr).splitlines()
    expected = (
        f"error: Chart.js {chartjs.VERSION}: npm is not installed to fetch it; "
        f"static/{chartjs.STATIC_NAME} does not match its SRI hash: the wheel needs a verified "
        "Chart.js (run `make vendor` where npm reaches its registry)"
    )
    assert [line.strip() for line in said if "Chart.js" in line] == [expected]
    assert not any("Traceback" in line for line in said)
    assert not list((tmp_path / "dist").glob("*.whl"))

"""The app finds its templates, static files and migrations at the top of a checkout, and
inside the survey package when installed from a wheel; with no CHARTJS_URL configured, pages
load Chart.js from this site's static folder when it holds the pinned build, else from the CDN,
and the content security policy follows."""

from pathlib import Path

import pytest

from survey.core import app_folders, chartjs

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("templates", "static", "migrations")


def script_src(response):
    policy = response.headers["Content-Security-Policy"]
    return next(p for p in policy.split("; ") if p.startswith("script-src"))


def test_a_checkout_serves_its_top_level_folders(make_app):
    for name in FOLDERS:
        assert Path(app_folders.app_folder(name)) == ROOT / name
    app = make_app()
    assert Path(app.template_folder) == ROOT / "templates"
    assert Path(app.static_folder) == ROOT / "static"
    assert Path(app.extensions["migrate"].directory) == ROOT / "migrations"


def test_an_installed_package_serves_the_folders_inside_it(monkeypatch, tmp_path):
    package = tmp_path / "survey"
    for name in FOLDERS:
        (package / name).mkdir(parents=True)
    monkeypatch.setattr(app_folders, "PACKAGE_FOLDER", str(package))
    for name in FOLDERS:
        assert Path(app_folders.app_folder(name)) == package / name


@pytest.fixture
def packaged_static(monkeypatch, tmp_path):
    """A package whose static folder is a temporary one (templates stay the checkout's)."""
    static = tmp_path / "survey" / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_bytes((ROOT / "static/css/site.css").read_bytes())
    monkeypatch.setattr(app_folders, "PACKAGE_FOLDER", str(tmp_path / "survey"))
    return static


def test_unset_chartjs_url_is_this_sites_copy_when_there(make_app, packaged_static):
    (packaged_static / "vendor").mkdir()
    (packaged_static / chartjs.STATIC_NAME).write_bytes(b"/* Chart.js */")
    app = make_app(CHARTJS_URL=None)
    assert app.static_folder == str(packaged_static)
    assert app.config["CHARTJS_URL"] == "/static/vendor/chart.umd.min.js"
    response = app.test_client().get("/login")
    assert script_src(response) == "script-src 'self'"
    with app.test_client().get("/static/vendor/chart.umd.min.js") as served:
        assert served.data == b"/* Chart.js */"


def test_unset_chartjs_url_is_the_pinned_file_on_the_cdn_without_a_copy(make_app, packaged_static):
    app = make_app(CHARTJS_URL="")
    assert app.config["CHARTJS_URL"] == chartjs.CDN_URL
    assert app.config["CHARTJS_SRI"] == chartjs.SRI
    assert chartjs.VERSION in chartjs.CDN_URL
    response = app.test_client().get("/login")
    assert script_src(response) == f"script-src 'self' {chartjs.CDN_URL}"


def test_a_configured_chartjs_url_is_kept_whatever_the_static_folder_holds(
    make_app, packaged_static
):
    (packaged_static / "vendor").mkdir()
    (packaged_static / chartjs.STATIC_NAME).write_bytes(b"/* Chart.js */")
    app = make_app(CHARTJS_URL=chartjs.CDN_URL)
    assert app.config["CHARTJS_URL"] == chartjs.CDN_URL

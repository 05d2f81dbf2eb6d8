"""deploy/gunicorn.conf.py, as gunicorn itself resolves it (`--print-config`, which also loads
the app): what the recipe promises of it, and that it agrees with the app and the nginx site."""

import ast
import functools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from deploy import nginx_site
from survey.core import rate_limits

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"

pytestmark = pytest.mark.skipif(
    not GUNICORN.exists(), reason=f"gunicorn is not installed beside {sys.executable}"
)


@functools.cache
def resolved(web_concurrency):
    """{setting: value} as gunicorn resolves deploy/gunicorn.conf.py with the app loaded (each
    resolution starts the app: once per worker count)."""
    with tempfile.TemporaryDirectory() as folder:
        return _print_config(Path(folder), web_concurrency)


def _print_config(tmp_path, web_concurrency):
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "WEB_CONCURRENCY" and not key.startswith("FLASK_")
    }
    env |= {
        "SURVEY_INSTANCE_PATH": str(tmp_path),
        "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite'}",
        "FLASK_SECRET_KEY": "unused",
    }
    if web_concurrency is not None:
        env["WEB_CONCURRENCY"] = web_concurrency
    done = subprocess.run(
        [GUNICORN, "--print-config", "-c", CONFIG, "app:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return {
        name: value
        for name, value in re.findall(r"(?m)^(\w+)\s+= (.*)$", done.stdout)
        if not name.startswith("_")
    }


@pytest.fixture
def settings():
    return resolved("3")


def test_it_listens_on_loopback_where_the_nginx_site_sends_requests(settings):
    assert ast.literal_eval(settings["bind"]) == [nginx_site.DEFAULTS["app_address"]]
    assert nginx_site.DEFAULTS["app_address"].startswith("127.0.0.1:")


def test_only_the_local_proxy_may_say_the_request_was_https(settings):
    assert ast.literal_eval(settings["forwarded_allow_ips"]) == ["127.0.0.1", "::1"]
    assert ast.literal_eval(settings["secure_scheme_headers"]) == {"X-FORWARDED-PROTO": "https"}


def test_no_access_log_and_errors_to_the_journal(settings):
    assert settings["accesslog"] == "None"
    assert settings["errorlog"] == "-"


def test_downloads_have_two_minutes_even_across_a_restart(settings):
    assert settings["timeout"] == "120"
    assert settings["graceful_timeout"] == "120"
    assert settings["worker_class"] == "sync"


def test_nginx_waits_longer_than_gunicorn_for_a_response(settings):
    site = nginx_site.TEMPLATE.read_text()
    [waits] = re.findall(r"proxy_read_timeout (\d+)s;", site)
    assert int(waits) > int(settings["timeout"])


@pytest.mark.parametrize("web_concurrency", ["3", None])
def test_gunicorn_and_the_app_count_the_same_workers(make_app, monkeypatch, web_concurrency):
    """With memory:// rate limits each worker enforces its share: a count that differed
    would let through more (or fewer) than the configured limit."""
    workers = int(resolved(web_concurrency)["workers"])
    if web_concurrency is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", web_concurrency)
    with make_app().app_context():
        assert rate_limits.worker_count() == workers
    assert workers == int(web_concurrency or 1)
